"""Full-text search: a Pagefind index of the rendered record pages, with Chinese segmentation.

Pagefind's *extended* binary segments Chinese text at indexing time; the browser then
queries the static index files alone, no server needed. We run it on a staging copy of
the rendered pages, before the leak gate, and add the index to the build's files, so
the index is scanned for personal data and written together with the pages.

Only what is marked `data-pagefind-body` is indexed (the article of a record's first
page), so navigation, footer, listing pages and a long list's further pages stay out of
the results. A list's rows are not indexed (`data-pagefind-ignore`): they are masked
names and numbers nobody searches for, and they made the index much larger and slower to
build (docs/performance.md). Nor is the table 信息基本情况 (索引号, 发布机构, ...): Pagefind
showed its labels as the results' excerpts instead of the record's text. The 公开目录 it
names stays searchable from a hidden paragraph at the article's end, which also carries
the results' metadata (templates/record.html). Only the indexed pages are staged, on a
memory file system when there is one: deleting thousands of staged files is slow on a disk
mounted with `discard`. And only what Pagefind reads of them: the head (language, title) and the indexed
article less the tables it ignores. Pagefind parses every byte it is given, and the list's
rows, the masthead and the navigation made most of them: the index is the same
(tests/test_search.py compares the two), made in less of Pagefind's time.

A large site's index is split into shards by a stable hash of each page's path, each a
whole Pagefind bundle in its own folder (pagefind/0/, pagefind/1/, ...); the search page
loads the first and merges the others into it in the browser (Pagefind's mergeIndex), so
results from every shard are ranked together. A rebuild indexes again only the shards
whose pages changed: Pagefind has no incremental mode, and its time grows with the
pages it is given.

Binary, first found: $PAGEFIND_BINARY_PATH; the npm package installed beside the
generator (`npm install --prefix .tools pagefind@1.6.0`, as .ci/run does); pagefind_extended
beside the running interpreter (where an offline bundle's installer puts it, in the venv's
bin/ or Scripts/: commands/bundle.py); PyPI's `pagefind[extended]`. npm's 1.6.0 segments
common words (公租房, 廉租房) that PyPI's 1.5.2 misses. Without any, the build goes on without
an index and the search page tells visitors to use the catalog.
"""
from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor, wait
from functools import cache
from itertools import chain
from pathlib import Path

from .. import HOME
from ..incremental.keys import keyed

OUTPUT = "pagefind"
SHARDED_FROM = 1000  # indexed pages from which the index is split; smaller sites keep one index in pagefind/
SHARD_SIZE = 300  # at most this many pages a shard (a power of two of shards), up to MAX_SHARDS
# An edit indexes its page's whole shard again: small shards keep that short. But the search
# page merges every shard (their index files only: one WebAssembly for all), and each query
# fetches a chunk of every shard: halving the shards' size doubles those requests for little
# gain in an edit. The figures behind 300: docs/performance.md.
MAX_SHARDS = 256
# each shard's page fragments in at most this many files, a few pages each: one file a page made
# them a large part of the output's files, each staged, gated and moved in; a result shown now
# fetches its page's group, still a small download (docs/performance.md)
FRAGMENTS = 32
PARALLEL = 2  # Pagefind runs at a time: both cores busy; SHARD_SIZE bounds each run's memory (docs/performance.md)
REPO = HOME
# what the browser needs; Pagefind's own UI bundles are left out (our page has its own)
_KEEP_PREFIXES = ("fragment/", "index/", "pagefind.", "pagefind-worker.js", "pagefind-entry.json", "wasm.")


_INDEXED = b"data-pagefind-body"
_ARTICLE = b"<article data-pagefind-body"
_IGNORED_TABLE = re.compile(rb"<table[^>]*\bdata-pagefind-ignore\b")
_READ_ANYWHERE = re.compile(rb"data-pagefind-(?:meta|filter|sort|default-meta)")  # outside the body too
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


def _beside_python() -> Path | None:
    if not sys.executable:  # an embedded interpreter: not the folder we happen to be in
        return None
    return Path(sys.executable).parent / ("pagefind_extended.exe" if os.name == "nt" else "pagefind_extended")


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
    candidates = [*_npm_binaries(), _beside_python(), _pypi_binary()]
    for path in candidates:
        if path is not None and path.is_file() and os.access(path, os.X_OK):
            return path
    raise SearchUnavailable("没有找到 Pagefind 搜索程序")


def _without_ignored_tables(html: bytes) -> bytes:
    # find() for each table's end: a lazy `.*?</table>` in the pattern made the regex engine
    # try the end tag at every byte of a long list (docs/performance.md)
    kept, at = [], 0
    while (table := _IGNORED_TABLE.search(html, at)) is not None:
        end = html.find(b"</table>", table.end())
        if end < 0:
            break
        kept.append(html[at:table.start()])
        at = end + len(b"</table>")
    kept.append(html[at:])
    return b"".join(kept)


def for_index(page: bytes) -> bytes:
    """What Pagefind needs of a record's page: its head and the indexed article, without the
    tables marked data-pagefind-ignore (the list's rows, 信息基本情况). A page of another
    shape, or with metadata for Pagefind elsewhere (a site's own template), is given whole."""
    head, start, end = page.find(b"</head>"), page.find(_ARTICLE), page.rfind(b"</article>")
    if min(head, start, end) < 0 or not head < start < end:
        return page
    article = _without_ignored_tables(page[start:end + len(b"</article>")])
    slim = page[:head + len(b"</head>")] + b"\n<body>\n" + article + b"\n</body>\n</html>\n"
    return slim if len(_READ_ANYWHERE.findall(slim)) == len(_READ_ANYWHERE.findall(page)) else page


def stage(pages) -> tempfile.TemporaryDirectory:
    """A folder holding what Pagefind reads of the HTML pages among `pages`, (path, bytes)
    pairs or a {path: bytes} mapping: the caller removes it (cleanup(), or `with`)."""
    staging = tempfile.TemporaryDirectory(prefix="zfbz-search-", dir=_staging_parent())
    root = Path(staging.name)
    try:
        for rel, data in (pages.items() if isinstance(pages, dict) else pages):
            if rel.endswith(".html") and _INDEXED in data:
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(for_index(data))
    except BaseException:
        staging.cleanup()
        raise
    return staging


@cache
def _groups_fragments(binary: Path) -> bool:
    """Whether this Pagefind can put several pages' fragments in one file (1.6.0 can, PyPI's 1.5.2 cannot)."""
    try:
        shown = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--max-fragments" in shown


def run_pagefind(staging: Path, binary: Path, folder: str, into: Path) -> dict[str, bytes]:
    """{folder...: bytes}: the index Pagefind makes of the pages in a stage() folder, written
    to `into`/folder (the build's staging folder: no copy to make). A shard's pages'
    fragments come in FRAGMENTS files."""
    output = into / folder
    command = [str(binary), "--site", str(staging), "--output-path", str(output), "--keep-index-url", "--silent"]
    if folder != OUTPUT + "/" and _groups_fragments(binary):
        command += ["--max-fragments", str(FRAGMENTS)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise SearchUnavailable(f"Pagefind 无法运行（{problem}）") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["无输出"]
        raise SearchUnavailable(f"Pagefind 建立索引失败（{detail[0]}）")
    index = {}
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output).as_posix()
        if path.is_file() and rel.startswith(_KEEP_PREFIXES) and "-ui." not in rel:
            index[folder + rel] = path.read_bytes()
    return index


def shard_count(pages: int) -> int:
    if pages < SHARDED_FROM:
        return 1
    count = 2
    while pages > count * SHARD_SIZE and count < MAX_SHARDS:
        count *= 2
    return count


def plan(pages: list) -> dict[str, list]:
    """Each shard's folder -> its (path, digest) pairs, sorted; `pages` are those of the
    index, (path, digest of what for_index() gives of its bytes). Shards no page falls into are left out: the first
    folder is the one the search page loads, the others are merged into it."""
    count = shard_count(len(pages))
    if count == 1:
        return {OUTPUT + "/": sorted(pages)}
    shards: list[list] = [[] for _ in range(count)]
    for path, digest in sorted(pages):
        shards[zlib.crc32(path.encode()) % count].append((path, digest))
    return {f"{OUTPUT}/{n}/": members for n, members in enumerate(shards) if members}


@cache
def _own_code() -> bytes:
    """This module's bytes: read once, not once per shard."""
    return Path(__file__).read_bytes()


def _made_from(binary_stamp: bytes, members: list) -> bytes:
    """What a shard's files follow from: its pages, the shard count and Pagefind (`binary_stamp`),
    and this module."""
    return keyed(chain((binary_stamp, _own_code()), (path.encode() + b"\0" + page for path, page in members)))


def shard_keys(shards: dict[str, list], binary: Path) -> dict[str, bytes]:
    """Each shard of `plan` -> what its files follow from: a shard whose key is the last
    build's is not indexed again (publish/ledger.py). Free of I/O but one stat: the build
    asks before starting the thread that indexes, where each system call could wait on the
    interpreter."""
    st = binary.stat()
    count = shard_count(sum(len(members) for members in shards.values()))
    stamp = f"{binary}\0{st.st_size}\0{st.st_mtime_ns}\0{count}\n".encode()
    return {folder: _made_from(stamp, members) for folder, members in shards.items()}


def index(todo: list, read, binary: Path, made_now, into: Path):
    """Starts indexing the shards `todo`, (folder, key, pages) each, from their pages' bytes
    (`read(path)`), PARALLEL at a time in threads of their own, and returns what waits for
    them: join() -> {folder: (made from, its files)}. Pagefind writes each shard's files under
    `into` (the build's staging folder), and `made_now(files)` is given them as soon as they
    are made, in the thread that made them.

    The first shards' pages are staged here, before the threads start: an edit's one shard
    is then indexed while the caller renders the shared pages. Staged in a thread, its
    hundreds of reads and writes each waited for the interpreter the caller kept busy, and
    held Pagefind back (docs/performance.md)."""
    ready = {folder: stage((path, read(path)) for path, _ in members) for folder, _, members in todo[:PARALLEL]}

    def one(job):
        folder, key, members = job
        staging = ready.pop(folder, None) or stage((path, read(path)) for path, _ in members)
        with staging as root:
            files = run_pagefind(Path(root), binary, folder, into)
        made_now(files)  # in this thread: its hundreds of new files wait on the disk, not on the interpreter
        return folder, (key, tuple(sorted(files)))

    pool = ThreadPoolExecutor(PARALLEL)
    futures = [pool.submit(one, job) for job in todo]
    pool.shutdown(wait=False)

    def join() -> dict:
        wait(futures)  # all of them, even when one failed: none is left writing to the build's staging
        return dict(future.result() for future in futures)
    return join
