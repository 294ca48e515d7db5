"""Full-text search: a Pagefind index of the rendered record pages, with Chinese segmentation.

Pagefind's *extended* binary segments Chinese text at indexing time; the browser then
queries the static index files alone, no server needed. We run it on a staging copy of
the rendered pages, before the leak gate, and add the index to the build's files, so
the index is scanned for personal data and written together with the pages.

Only what is marked `data-pagefind-body` is indexed (the article of a record's first
page), so navigation, footer, listing pages and a long list's further pages stay out of
the results. A list's rows are not indexed (`data-pagefind-ignore`): they are masked
names and numbers nobody searches for, and they made the index ten times larger and
slower to build (18 s and 1.2 GB for 1,000 records, against 5 s and 250 MB without).
Only the indexed pages are staged, on a memory file system when there is one: deleting
thousands of staged files costs seconds on a disk mounted with `discard`.

Binary, first found: $PAGEFIND_BINARY_PATH; the npm package installed beside the
generator (`npm install --prefix .tools pagefind@1.6.0`, as .ci/run does); PyPI's
`pagefind[extended]`. npm's 1.6.0 segments common words (公租房, 廉租房) that PyPI's
1.5.2 misses. Without any, the build goes on without an index and the search page
tells visitors to use the catalog.
"""
from __future__ import annotations

import importlib
import os
import subprocess
import tempfile
from pathlib import Path

OUTPUT = "pagefind"
REPO = Path(__file__).resolve().parent.parent
# what the browser needs; Pagefind's own UI bundles are left out (our page has its own)
_KEEP_PREFIXES = ("pagefind/fragment/", "pagefind/index/", "pagefind/pagefind.js", "pagefind/pagefind-worker.js",
                  "pagefind/pagefind-entry.json", "pagefind/pagefind.", "pagefind/wasm.")


_INDEXED = b"data-pagefind-body"
_MEMORY = Path("/dev/shm")


def _staging_parent() -> str | None:
    return str(_MEMORY) if _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK) else None


class SearchUnavailable(Exception):
    """No usable Pagefind: the message says why, in Chinese, for a build warning."""


def _npm_binaries() -> list[Path]:
    found = []
    for prefix in (REPO / ".tools", REPO):
        found += sorted((prefix / "node_modules" / "@pagefind").glob("*/bin/pagefind_extended"))
    return found


def _pypi_binary() -> Path | None:
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            return Path(importlib.import_module(module).get_executable())
        except (ImportError, AttributeError, OSError):
            continue
    return None


def find_binary() -> Path:
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured:
        if Path(configured).is_file():
            return Path(configured)
        raise SearchUnavailable(f"环境变量 PAGEFIND_BINARY_PATH 指向的文件不存在：{configured}")
    candidates = [*_npm_binaries(), _pypi_binary()]
    for path in candidates:
        if path is not None and path.is_file() and os.access(path, os.X_OK):
            return path
    raise SearchUnavailable("没有找到 Pagefind 搜索程序")


def build_index(pages, binary: Path) -> dict[str, bytes]:
    """{pagefind/...: bytes}: the index of the HTML pages among `pages`, (path, bytes) pairs
    or a {path: bytes} mapping."""
    with tempfile.TemporaryDirectory(prefix="zfbz-search-", dir=_staging_parent()) as staging:
        root = Path(staging)
        for rel, data in (pages.items() if isinstance(pages, dict) else pages):
            if rel.endswith(".html") and _INDEXED in data:
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        command = [str(binary), "--site", str(root), "--output-subdir", OUTPUT, "--keep-index-url", "--silent"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as problem:
            raise SearchUnavailable(f"Pagefind 无法运行（{problem}）") from None
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["无输出"]
            raise SearchUnavailable(f"Pagefind 建立索引失败（{detail[0]}）")
        index = {}
        for path in sorted((root / OUTPUT).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel.startswith(_KEEP_PREFIXES) and "-ui." not in rel:
                index[rel] = path.read_bytes()
        return index
