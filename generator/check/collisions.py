"""Names that would make one output file overwrite another, or that the file system
cannot hold: found before anything is rendered, so that no record is lost without a word.

- A record's slug becomes `<category>/<item>/<slug>.html`; its item's list pages are
  `index.html`, `index-2.html` …, and a long list's further pages are `<slug>-2.html` …
  So `index`, `index-N` and, beside a paged list `big`, `big-2` would be overwritten.
- A category id is a folder at the top of the section, beside the generated `search/`,
  `feeds/`, `data/`, `static/`, `pagefind/`, `projects/`, `report/`, `annual-report/`
  and `catalog/`.
- A record's attachments all land in one folder `<slug>/`, by file name; a project code
  becomes `projects/<code>.html`.
- Windows and macOS take two names that differ only in letter case (and macOS two that differ
  only in Unicode normalization, NFC and NFD) for one file: uploaded there, one output file
  would overwrite the other. Names are published as the sources write them; two names of one
  folder equal under `fold` but not as strings are an error. Record slugs and category and
  item ids cannot differ so (SLUG: lowercase ASCII); attachment names and project codes can.
- A file name (a path component) longer than 255 bytes cannot be written on common
  file systems; a full path over 260 characters trips older Windows tools.
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from pathlib import Path

from ..model.diagnostics import Location, Report

RESERVED_TOP = ("search", "feeds", "data", "static", "pagefind", "projects", "report", "annual-report", "catalog")
INDEX_PAGE = re.compile(r"index(-\d+)?")
MAX_NAME_BYTES = 255  # one path component, in UTF-8, on ext4, NTFS, APFS
WINDOWS_MAX_PATH = 260
ROWS_PER_PAGE = 100  # as render.ROWS_PER_PAGE (not imported: render pulls in Jinja)


# ---- record slugs and category ids ----------------------------------------------------

def slug_problem(slug: str) -> tuple[str, str, str] | None:
    """(code, message, hint) when a record slug would collide with an item's list page or
    make a file name too long; None when it is fine."""
    if INDEX_PAGE.fullmatch(slug):
        return ("reserved-slug", f"文件名“{slug}”与事项列表页 {slug}.html 冲突，这条记录会被列表页覆盖",
                "index 和 index-数字 留给列表页使用；请给记录换一个文件名，如 2026-batch1")
    if len((slug + ".html").encode()) > MAX_NAME_BYTES:
        return ("name-too-long", f"文件名有 {len(slug)} 个字符，生成的网页文件名超过 {MAX_NAME_BYTES} 字节，无法写入",
                f"文件名（不含扩展名）最多 {MAX_NAME_BYTES - len('.html')} 个字符，建议不超过 60 个")
    return None


def category_problem(category_id: str) -> str | None:
    """A message when a category id is the name of a folder the section itself makes."""
    if category_id in RESERVED_TOP:
        return f"分类 id“{category_id}”与生成的 {category_id}/ 文件夹冲突，该分类的页面会被覆盖"
    return None


RESERVED_HINT = "换一个分类 id；这些名称留给专栏自己的页面使用：" + "、".join(RESERVED_TOP)


def paged_collisions(heads, report: Report) -> None:
    """A record named like a page of another record's long list (`big-2` beside a `big`
    with more than 100 rows), or a list whose later page names are too long. Every
    record counts, drafts and scheduled ones too: their pages come on a later day."""
    paged: dict[tuple[str, str], str] = {}  # (item, page name) -> the record whose list makes it
    for head in heads:
        if head.row_count <= ROWS_PER_PAGE:
            continue
        pages = math.ceil(head.row_count / ROWS_PER_PAGE)
        for number in range(2, pages + 1):
            paged[(head.item_id, f"{head.slug}-{number}")] = head.shown
        last = f"{head.slug}-{pages}.html"
        if len(last.encode()) > MAX_NAME_BYTES:
            report.error(Location(head.shown), "name-too-long",
                         f"名单分为 {pages} 页，最后一页的文件名 {last} 超过 {MAX_NAME_BYTES} 字节，无法写入",
                         "把文件名改短一些")
    if not paged:
        return
    for head in heads:
        if not head.slug[-1].isdigit():  # a page name ends in -N
            continue
        owner = paged.get((head.item_id, head.slug))
        if owner is not None:
            report.error(Location(head.shown), "reserved-slug",
                         f"文件名“{head.slug}”与 {owner} 的名单分页 {head.slug}.html 冲突，这条记录会被覆盖",
                         "名单超过 100 行时分页为 文件名-2.html、文件名-3.html …；请给这条记录换一个文件名")


def long_paths(out: Path, heads, report: Report, where: str) -> None:
    """One warning when an output path would pass Windows' 260-character limit."""
    room = WINDOWS_MAX_PATH - len(str(out)) - 2  # the separator after out, and the limit's terminating NUL
    too_long = []
    for head in heads:
        base = len(head.item_id) + 1 + len(head.slug)
        if base + 5 > room:
            too_long.append(f"{head.item_id}/{head.slug}.html")
        too_long += [f"{head.item_id}/{head.slug}/{a.name}" for a in head.attachments if base + 1 + len(a.name) > room]
    if too_long:
        report.warning(Location(where), "path-too-long",
                       f"{len(too_long)} 个输出文件的完整路径超过 {WINDOWS_MAX_PATH} 个字符（如 {out}/{too_long[0]}），"
                       "在 Windows 上复制或上传时可能出错",
                       "把输出目录放在较短的路径下，或缩短记录文件名和附件名")


# ---- names one file system tells apart and another does not ---------------------------

def fold(name: str) -> str:
    """A name as Windows and macOS compare it, or stricter: Unicode NFC, case folded (NFC
    again: folding can leave a character decomposed)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def case_collision(name: str, other: str) -> tuple[str, str]:
    """(how two names equal under `fold` differ and where they are one file, hint)."""
    if unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", other):
        how = ("看起来相同，但其中字符的 Unicode 编码方式不同（NFC 与 NFD，常见于在 macOS 上产生或复制的文件名），"
               "上传到 macOS 服务器时会互相覆盖，网址也无法区分")
        return how, "在 macOS 上这两个文件名是同一个文件，请把其中一个改名"
    return ("只有大小写不同，上传到 Windows 或 macOS 服务器时会互相覆盖",
            "在 Windows 和 macOS 上这两个文件名是同一个文件，请把其中一个改名")


def duplicate_attachments(attachments, error) -> list:
    """The attachments whose file names are one under `fold`: the output puts them all in
    one folder by name. The same file listed twice is kept once, without a word.
    `error(where, code, message, hint)`."""
    seen: dict[str, object] = {}
    kept = []
    for attachment in attachments:
        first = seen.setdefault(fold(attachment.name), attachment)
        if first is not attachment and first.path != attachment.path:
            if first.name == attachment.name:
                error(attachment.where, "duplicate-attachment",
                      f"附件“{attachment.name}”与第 {first.where.line} 行的附件同名，发布后会放在同一个位置，互相覆盖",
                      "附件按文件名发布在同一个文件夹中：把其中一个文件改名")
            else:
                how, hint = case_collision(attachment.name, first.name)
                error(attachment.where, "name-case-collision",
                      f"附件“{attachment.name}”与第 {first.where.line} 行的附件“{first.name}”{how}", hint)
            continue
        if first is attachment:
            kept.append(attachment)
    return kept


def _fold_code(code: str) -> str:
    """A project code is ASCII (fieldtypes.parse_project_code): lower() folds it, in a tenth of the time."""
    return code.lower() if code.isascii() else fold(code)


def project_collisions(heads, row_codes: dict, report: Report) -> None:
    """Project codes equal under `fold` but not as strings: each makes `projects/<code>.html`.
    `row_codes`: record source -> the codes its rows give (known once rendered; empty for
    validate). Reported once per spelling, on the first record (by path) that uses it,
    naming a record with the spelling seen first. The codes are compared once each first:
    3,000 lists give 160,000 at 10,000 records, and they seldom collide."""
    codes = set().union(*(head.projects for head in heads), *row_codes.values())
    if len(set(map(_fold_code, codes))) == len(codes):
        return
    first: dict[str, tuple[str, str]] = {}  # folded code -> (code, record shown)
    reported = set()
    for head in sorted(heads, key=lambda h: h.shown):
        for code in (*head.projects, *row_codes.get(head.source, ())):
            code_seen, shown = first.setdefault(_fold_code(code), (code, head.shown))
            if code_seen == code or code in reported:
                continue
            reported.add(code)
            how, _ = case_collision(code, code_seen)
            report.error(head.locate("project"), "name-case-collision",
                         f"项目编码“{code}”与 {shown} 中的“{code_seen}”{how}（项目页 projects/{code}.html "
                         f"和 projects/{code_seen}.html）",
                         "在 Windows 和 macOS 上这两个项目页是同一个文件：同一个项目请统一编码的大小写，"
                         "不同的项目请核对编码")


# ---- the content folder, symbolic links followed where they stay inside the site ------

def _inside(real: str, roots: tuple[str, ...]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def walk_content(content_dir: Path, root: Path, report: Report, shown: str):
    """As os.walk(content_dir) from the top down (prune `dirnames` in place), with
    (dirpath, parts, dirnames, filenames), `parts` the folders below content/. A folder
    or record file that is a symbolic link is followed when it stays inside the site
    (or the content folder), refused with an error otherwise; a link back to a folder
    above it (a loop) is an error too. Nothing is skipped without a word; a refused
    file is never read. `shown`: content/ as diagnostics show it."""
    roots = tuple({os.path.realpath(root), os.path.realpath(content_dir)})
    stack = [(str(content_dir), (), (os.path.realpath(content_dir),))]
    while stack:
        dirpath, parts, chain = stack.pop()
        try:
            entries = sorted(os.scandir(dirpath), key=lambda e: e.name)
        except OSError as exc:
            report.error(Location("/".join((shown, *parts))), "unreadable-folder",
                         f"无法读取这个文件夹（{exc.strerror or exc}），其中的记录不会发布", "确认文件夹存在并且有读取权限")
            continue
        dirnames, filenames, links = [], [], {}
        for entry in entries:
            link = entry.is_symlink()
            if link:
                target = _link_target(entry.path, roots, chain, "/".join((shown, *parts, entry.name)), report)
                if target is None:
                    continue
                links[entry.name] = target
            if entry.is_dir():
                dirnames.append(entry.name)
            else:
                filenames.append(entry.name)
        yield dirpath, parts, dirnames, filenames
        for name in reversed(dirnames):  # popped in sorted order
            real = links.get(name) or os.path.join(chain[-1], name)
            stack.append((os.path.join(dirpath, name), (*parts, name), (*chain, real)))


def _link_target(path: str, roots, chain, shown: str, report: Report) -> str | None:
    """The real path of a link that may be followed, else None with an error."""
    real = os.path.realpath(path)
    if not _inside(real, roots):
        report.error(Location(shown), "link-outside",
                     "这是指向网站文件夹以外的符号链接（快捷方式），已拒绝读取，其中的内容不会发布",
                     "把文件或文件夹复制到 content/ 中，不要链接到网站文件夹以外")
        return None
    if any(real == folder for folder in chain):
        report.error(Location(shown), "link-loop", "这个符号链接指向它所在的上级文件夹，形成循环，已跳过",
                     "删除这个链接，或让它指向别的文件夹")
        return None
    return real  # a broken link inside the site is followed: read() says it cannot read it


# ---- the output folder ---------------------------------------------------------------

def unwritable(out: Path, paths) -> str | None:
    """The first folder of the output that this build must write into and cannot: the
    folders holding `paths` (relative, forward slashes), or where they would be made."""
    folders = {p.rpartition("/")[0] for p in paths}
    checked: dict[str, bool] = {}
    for folder in sorted(folders):
        path = os.path.join(str(out), *folder.split("/")) if folder else str(out)
        while not os.path.exists(path):  # made by the build: its first existing parent must be writable
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
        if path not in checked:
            checked[path] = os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)
        if not checked[path]:
            return path
    return None
