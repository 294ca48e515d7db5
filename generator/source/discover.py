"""Find the record files under content/ and read each into a raw mapping.

Placement problems (a file outside any item folder, an unknown category or item
folder, a bad file name, two files with one slug) are reported here; the YAML is
read with yamlsource so that every key keeps its line.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..check import collisions
from ..config.catalog import SLUG, Catalog
from ..model.diagnostics import Location, Report, display_path
from . import yamlsource

RECORD_SUFFIXES = (".md", ".yaml", ".yml")


class SourceFile(NamedTuple):
    """A named tuple: a build finds every record file on every run, ten thousand of them."""
    location: str  # absolute path of the file: a str, as a build stats thousands of them and reads few
    shown: str
    item_id: str
    slug: str

    @property
    def path(self) -> Path:
        return Path(self.location)


@dataclass
class RawRecord:
    file: SourceFile
    data: yamlsource.YDict
    body: str | None  # Markdown body of a .md record; None for .yaml
    body_line: int


def _suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"是否想写“{close[0]}”？" if close else ""


def discover(content_dir: Path, root: Path, catalog: Catalog, report: Report) -> list[SourceFile]:
    """Every record file under content/, in a stable order, with placement checked."""
    files: list[SourceFile] = []
    category_ids = {c.id for c in catalog.categories}
    item_ids = set(catalog.by_id)
    if not content_dir.is_dir():
        report.error(Location(display_path(content_dir, root)), "content-missing",
                     "找不到 content 文件夹", "content/ 应与 site.yaml 放在同一目录下")
        return files
    content_shown = display_path(content_dir, root)  # once: resolving is slow
    for dirpath, parts, dirnames, filenames in collisions.walk_content(content_dir, root, report, content_shown):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
        here_shown = "/".join((content_shown, *parts))  # as the user sees it, through any link
        if len(parts) == 1 and parts[0] not in category_ids:
            report.error(Location(here_shown), "unknown-category",
                         f"没有 id 为“{parts[0]}”的分类，这个文件夹中的记录不会发布",
                         _suggest(parts[0], category_ids) or "分类 id 见 python -m generator catalog")
            dirnames[:] = []
            continue
        if len(parts) == 2 and "/".join(parts) not in item_ids:
            report.error(Location(here_shown), "unknown-item",
                         f"分类“{parts[0]}”下没有 id 为“{parts[1]}”的事项，这个文件夹中的记录不会发布",
                         _suggest("/".join(parts), item_ids) or "事项 id 见 python -m generator catalog")
            dirnames[:] = []
            continue
        item_id = "/".join(parts[:2])
        for name in filenames:
            dot = name.rfind(".")  # as os.path.splitext, for the names that are not skipped
            if dot < 1 or name[0] in "._" or name[dot:].lower() not in RECORD_SUFFIXES:
                continue
            stem = name[:dot]
            shown = f"{here_shown}/{name}"
            if len(parts) < 2:
                report.error(Location(shown), "misplaced-record",
                             "记录必须放在 content/分类/事项/ 文件夹中",
                             "例如 content/allocation/results/2026-batch1.yaml")
                continue
            if not SLUG.fullmatch(stem):
                report.error(Location(shown), "bad-slug",
                             f"文件名“{stem}”只能用小写英文字母、数字和连字符",
                             "文件名会成为网址，例如 2026-batch1.yaml；中文标题写在 title 中")
                continue
            problem = collisions.slug_problem(stem)
            if problem:
                report.error(Location(shown), *problem)
                continue
            files.append(SourceFile(f"{dirpath}/{name}", shown, item_id, stem))
    return _drop_duplicate_slugs(files, report)


def _drop_duplicate_slugs(files: list[SourceFile], report: Report) -> list[SourceFile]:
    seen: dict[tuple[str, str], SourceFile] = {}
    kept = []
    for file in sorted(files, key=lambda f: f.shown):
        first = seen.setdefault((file.item_id, file.slug), file)
        if first is not file:
            report.error(Location(file.shown), "duplicate-slug",
                         f"与 {first.shown} 的文件名相同，网址会冲突",
                         "同一事项下每条记录的文件名（不含扩展名）必须不同")
            continue
        kept.append(file)
    return kept


def read(file: SourceFile, data: bytes | None = None) -> RawRecord:
    """Read one record file (its bytes when given); raises YamlProblem for unreadable YAML."""
    if data is None:
        try:
            data = file.path.read_bytes()
        except OSError as exc:  # a broken link, a file removed while the build runs, no permission
            raise yamlsource.YamlProblem(1, 1, "unreadable-file", f"无法读取这个文件（{exc.strerror or exc}）",
                                         "确认文件存在、不是失效的快捷方式（符号链接），并且有读取权限") from None
    text = yamlsource.decode(data)
    if not text.strip():
        raise yamlsource.YamlProblem(1, 1, "empty-file", "文件是空的",
                                     "用 python -m generator new 事项id 生成一个记录模板")
    if file.location.lower().endswith(".md"):
        front, body, body_line = yamlsource.split_front_matter(text)
        data = yamlsource.parse(front, line_offset=1)
    else:
        data, body, body_line = yamlsource.parse(text), None, 0
    if data is None:
        data = yamlsource.YDict()
        data.pos, data.key_pos, data.value_pos = (1, 1), {}, {}
    if not isinstance(data, dict):
        raise yamlsource.YamlProblem(1, 1, "record-type", "记录应为键值对（title: …、date: … 等）",
                                     "参考 python -m generator new 生成的模板")
    return RawRecord(file, data, body, body_line)
