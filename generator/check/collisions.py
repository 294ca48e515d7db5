"""Names that would make one output file overwrite another, or that the file system
cannot hold: found before anything is rendered, so that no record is lost without a word.

- A record's slug becomes `<category>/<item>/<slug>.html`; its item's list pages are
  `index.html`, `index-2.html` …, and a long list's further pages are `<slug>-2.html` …
  So `index`, `index-N` and, beside a paged list `big`, `big-2` would be overwritten.
- A category id is a folder at the top of the section, beside the generated `search/`,
  `feeds/`, `data/`, `static/`, `pagefind/`, `projects/`, `report/`, `annual-report/`
  and `catalog/`.
- A record's attachments all land in one folder `<slug>/`, by file name.
- A file name (a path component) longer than 255 bytes cannot be written on common
  file systems; a full path over 260 characters trips older Windows tools.
"""
from __future__ import annotations

import math
import os
import re
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


def duplicate_attachments(attachments, error) -> list:
    """The attachments whose file names differ (ignoring case, as Windows and macOS do):
    the output puts them all in one folder by name. `error(where, code, message, hint)`."""
    seen: dict[str, object] = {}
    kept = []
    for attachment in attachments:
        first = seen.setdefault(attachment.name.casefold(), attachment)
        if first is not attachment and first.path != attachment.path:
            error(attachment.where, "duplicate-attachment",
                  f"附件“{attachment.name}”与第 {first.where.line} 行的附件同名，发布后会放在同一个位置，互相覆盖",
                  "附件按文件名发布在同一个文件夹中：把其中一个文件改名")
            continue
        if first is attachment:
            kept.append(attachment)
    return kept


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
