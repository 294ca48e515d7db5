"""`serve`: a live preview on 127.0.0.1 that rebuilds whenever the site's sources change.

The preview is built into a temporary folder (or `--out`), never into output/: the
manifest beside output/ says what to upload, and a preview must not change it. A
failed build never stops the server: the diagnostics go to the terminal and every page
shows them until the next good build; livereload then reloads the browser.
"""
from __future__ import annotations

import html
import logging
import mimetypes
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from livereload import Server

from ..model.diagnostics import ConfigError, ContentError, Report, display_path
from ..pipeline.build import build

ERROR_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>生成失败 - 预览</title>
<style>
body {{ font: 18px/1.6 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ color: #a40000; font-size: 1.6rem; }}
li {{ margin: .8rem 0; }}
code {{ background: #f3f3f3; padding: 0 .25rem; word-break: break-all; }}
.hint {{ color: #444; }}
</style>
</head>
<body>
<main>
<h1>生成失败：{summary}</h1>
<p>预览服务器仍在运行。修改下列文件并保存后，页面会自动刷新。</p>
<ol>
{items}
</ol>
</main>
</body>
</html>
"""


def error_page(report: Report, title: str = "") -> bytes:
    items = []
    for d in report.sorted():
        kind = {"error": "错误", "warning": "警告"}.get(d.severity, "提示")
        hint = f'<br><span class="hint">提示：{html.escape(d.hint)}</span>' if d.hint else ""
        items.append(f"<li><code>{html.escape(str(d.location))}</code> {kind}[{html.escape(d.code)}]："
                     f"{html.escape(d.message)}{hint}</li>")
    summary = title or f"{len(report.errors)} 个错误，{len(report.warnings)} 个警告"
    return ERROR_PAGE.format(summary=html.escape(summary), items="\n".join(items)).encode()


NOT_FOUND = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>找不到页面</title></head>'
             '<body><main><h1>找不到这个页面</h1><p><a href="/">回到首页</a></p></main></body></html>').encode()


class Preview:
    """The state of the preview: where it is built and what the last build said."""

    def __init__(self, site_path: Path, out: Path, today: str | None):
        self.site_path, self.out, self.today = site_path, out, today
        self.failure: bytes | None = None  # the error page while the last build failed

    def rebuild(self, *_changed) -> None:
        start = time.perf_counter()
        try:
            result = build(self.site_path, self.out, self.today)
        except (ConfigError, ContentError) as problem:
            for d in problem.report.sorted():
                print(d.format(), file=sys.stderr)
            kind = "配置有误" if isinstance(problem, ConfigError) else "内容有错误"
            print(f"生成失败（{kind}）：{len(problem.report.errors)} 个错误；修改后保存即自动重新生成",
                  file=sys.stderr, flush=True)
            self.failure = error_page(problem.report)
            return
        except Exception as problem:  # a bug of ours must not stop the preview either
            name = type(problem).__name__
            print(f"程序内部错误（{name}），预览服务器继续运行", file=sys.stderr, flush=True)
            self.failure = error_page(Report(), f"程序内部错误（{name}）")
            return
        for d in result.report.sorted():
            print(d.format(), file=sys.stderr)
        self.failure = None
        changes = result.changes
        print(f"已生成：{result.records} 条记录，更新 {len(changes.added) + len(changes.changed)} 个文件，"
              f"删除 {len(changes.removed)} 个；用时 {time.perf_counter() - start:.1f} 秒", flush=True)

    def file_for(self, url_path: str) -> Path | None:
        root = self.out.resolve()
        path = (root / url_path.lstrip("/")).resolve()
        if not path.is_relative_to(root):
            return None
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def wsgi(self, environ, start_response):
        """Pages of the last good build, or the error page while the last build failed."""
        url_path = environ.get("PATH_INFO") or "/"
        is_page = url_path.endswith(("/", ".html"))
        if self.failure is not None and is_page:
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8"),
                                                         ("Cache-Control", "no-store")])
            return [self.failure]
        path = self.file_for(url_path)
        if path is None:
            start_response("404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
            return [NOT_FOUND]
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "application/javascript"):
            kind += "; charset=utf-8"
        start_response("200 OK", [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [path.read_bytes()]


class _QuietServer(Server):
    """livereload logs every request at INFO level; staff only need our own lines."""

    def _setup_logging(self):
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        for name in ("livereload", "tornado"):
            logging.getLogger(name).setLevel(logging.WARNING)
            logging.getLogger(name).addHandler(handler)


def _stop(_signum, _frame):
    raise KeyboardInterrupt  # SIGTERM ends the preview like Ctrl-C: cleanly


def watched_paths(site_path: Path, catalog_path: Path | None = None) -> list[Path]:
    root = site_path.parent
    paths = [site_path, root / "content", root / "templates", root / "themes"]
    if catalog_path is not None and not catalog_path.is_relative_to(root / "content"):
        paths.append(catalog_path)
    return [p for p in paths if p.exists()]


def serve(site_path: Path, port: int = 8000, out: Path | None = None, today: str | None = None) -> int:
    from ..config.site import load_site

    site_path = site_path.resolve()
    site = load_site(site_path)  # a broken site.yaml at start is a usage error (exit 2), not a preview
    temporary = out is None
    if not temporary:  # the preview's builds write and delete there: the same rules as build --out
        from ..incremental import state
        from ..publish import outguard
        outguard.check_place(site, out)
        last = state.load(out.resolve())
        outguard.check_owner(site, out, last.site if last else None)
    out = Path(tempfile.mkdtemp(prefix="zfbz-preview-")) / "site" if temporary else out.resolve()
    preview = Preview(site_path, out, today)
    preview.rebuild()
    server = _QuietServer(app=preview.wsgi)
    for path in watched_paths(site_path, site.catalog_path):
        server.watch(str(path), preview.rebuild)
    # SIGINT too: a preview started from a script's background job inherits SIGINT ignored, and
    # Python then leaves it ignored, so Ctrl-C (or kill -INT) would not stop it
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGINT, signal.SIGTERM)}
    print(f"预览：http://127.0.0.1:{port}/ （预览文件在 {display_path(out, Path.cwd())}，不影响 output/）\n"
          "修改 content/、templates/、themes/ 或 site.yaml 并保存后自动重新生成并刷新浏览器；按 Ctrl-C 停止。",
          flush=True)
    try:
        server.serve(port=port, host="127.0.0.1", debug=False, restart_delay=0)
    except KeyboardInterrupt:
        pass
    except OSError as problem:  # the port is taken
        print(f"无法在 127.0.0.1:{port} 上启动预览（{problem.strerror}）；用 --port 换一个端口",
              file=sys.stderr)
        return 2
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if temporary:
            shutil.rmtree(out.parent, ignore_errors=True)
    print("预览已停止", flush=True)
    return 0
