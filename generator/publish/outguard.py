"""The output folder belongs to the build alone: where a build may write and delete.

A build removes the files of its output that it no longer makes, so the output must
never be a folder that holds anything else: the site's own sources (site.yaml, content/,
templates/, themes/), a folder containing the site, a file system root, a home folder,
or a non-empty folder that no build of this site has written (no state or manifest of
ours beside it). The state and manifest name the site they belong to; another site's are
refused rather than used. `--package` may not land among the sources, inside the output
or on an existing file that is not a zip. Each refusal is a configuration error (exit 2)
raised before anything is written.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..model.diagnostics import ConfigError, Location, Report, display_path
from . import write


def identity(site) -> dict:
    """What names a site in its state and manifest: where its site.yaml is, and its address.
    Either matching is enough, so that a checkout moved elsewhere or a new base_url is still
    the same site."""
    return {"path": str(site.path), "base_url": site.base_url}


def same_site(recorded, site) -> bool:
    if not isinstance(recorded, dict) or not recorded:
        return True  # written before sites were named: taken as ours
    mine = identity(site)
    return recorded.get("path") == mine["path"] or recorded.get("base_url") == mine["base_url"]


def beside(out: Path, suffix: str) -> Path:
    """The files the build keeps next to the output (never inside it): .state, .manifest.json, …"""
    return out.parent / (out.name + suffix)


BESIDE = (".state", ".state.next", ".manifest.json", ".lock", ".journal", ".staging")


def _shown(path: Path) -> str:
    return display_path(path, Path.cwd())


def _refuse(path: Path, message: str, hint: str) -> ConfigError:
    report = Report()
    report.error(Location(_shown(path)), "unsafe-output", message, hint)
    return ConfigError(report)


def _sources(site) -> list[tuple[Path, str]]:
    root = site.root
    return [(site.path, "站点配置 site.yaml"), (site.content_dir, "内容文件夹 content/"),
            (site.templates_dir, "模板文件夹 templates/"), (root / "themes", "主题文件夹 themes/"),
            (site.catalog_path.resolve(), "本地目录扩展"), (root / ".git", "git 仓库 .git/"),
            (root / ".cache", "缓存文件夹 .cache/")]


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no home folder known
        return None


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


_HINT = "输出目录会被生成程序整个接管（不再生成的文件会被删除），请用一个专用的空文件夹，如站点旁的 output/"


def check_place(site, out: Path) -> None:
    """Refuses an output folder that is, contains or lies inside the site's sources, that
    contains the site, a file system root or a home folder, or is a file."""
    out = out.resolve()
    if out == Path(out.anchor):
        raise _refuse(out, f"输出目录不能是根目录 {out}", _HINT)
    home = _home()
    if home is not None and home.is_relative_to(out):
        raise _refuse(out, f"输出目录不能是用户主目录或包含它（{home}）", _HINT)
    if site.root.is_relative_to(out):
        raise _refuse(out, f"输出目录 {_shown(out)} 是站点文件夹或包含站点文件夹，生成会删除站点的文件", _HINT)
    for source, what in _sources(site):
        if _overlap(out, source.resolve()):
            raise _refuse(out, f"输出目录 {_shown(out)} 与{what}重叠，生成会覆盖或删除其中的文件", _HINT)
    if out.exists() and not out.is_dir():
        raise _refuse(out, f"输出目录 {_shown(out)} 已存在，但不是文件夹", "请换一个输出目录，或先移走这个文件")


def check_owner(site, out: Path, recorded) -> None:
    """Refuses an output that another site's build wrote (`recorded`: the site named in the
    state beside it, if any), or a non-empty folder without a state or manifest of ours."""
    out = out.resolve()
    foreign = "另一个站点"
    hint = (f"每个站点要用自己的输出目录；如果确是本站（例如移动了文件夹又改了 base_url），请删除 {out.name}.state 和 "
            f"{out.name}.manifest.json，清空 {_shown(out)} 后重新生成")
    if recorded is None:  # no state naming a site (a no-op build need not parse a large manifest)
        recorded = write.read_manifest(out).get("site")
    if not same_site(recorded, site):
        raise _refuse(out, f"输出目录 {_shown(out)} 旁的生成记录属于{foreign}，不能用于本站", hint)
    if beside(out, ".state").exists() or beside(out, ".manifest.json").exists():
        return
    try:
        empty = not out.is_dir() or next(out.iterdir(), None) is None
    except OSError:
        empty = False
    if not empty:
        raise _refuse(out, f"输出目录 {_shown(out)} 不是空文件夹，旁边也没有本站的生成记录（{out.name}.state）",
                      "生成会接管输出目录，为免误删别人的文件，只用空文件夹或本站以前生成的输出目录")


def check_package(site, out: Path, target: Path) -> None:
    """Refuses a --package target among the site's sources, inside the output or beside it
    (state, manifest, lock), or an existing path that is not a zip file."""
    target, out = target.resolve(), out.resolve()
    hint = "请把 zip 写到输出目录和站点源文件以外，如 --package ../upload.zip"
    if target.is_relative_to(out) or target in [beside(out, suffix) for suffix in BESIDE]:
        raise _refuse(target, f"打包文件 {_shown(target)} 不能放在输出目录 {_shown(out)} 里或替换它旁边的生成记录", hint)
    for source, what in _sources(site):
        if target == source.resolve():
            raise _refuse(target, f"打包文件 {_shown(target)} 会覆盖{what}", hint)
        if target.is_relative_to(source.resolve()):
            raise _refuse(target, f"打包文件 {_shown(target)} 不能放在{what}里", hint)
    if target.is_dir():
        raise _refuse(target, f"打包文件 {_shown(target)} 是一个已有的文件夹", hint)
    if target.exists() and not zipfile.is_zipfile(target):
        raise _refuse(target, f"打包文件 {_shown(target)} 已存在且不是 zip 文件，不会覆盖它", hint)
