"""The no-information note of a catalog item (无信息说明): a file `_说明.yaml` in the item's
folder saying why the column has nothing to publish, and when someone checked it:

    text: 本栏目2026年度无此类信息。
    checked: 2026-11-20

It is shown on the item page instead of the bare "本事项暂无公开信息。", and `check` takes
an empty item with a current note as explained (info, not a blank column). Its name starts
with `_`, so discover never takes it for a record. A note checked in an earlier year (and so
any note more than a year old) is stale (`check` warns): the year it speaks of is over.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..config import fieldtypes
from ..model.diagnostics import Location, Report, display_path
from ..privacy import freetext
from . import yamlsource

NOTE_FILE = "_说明.yaml"
TEXT_LIMIT = 200  # characters: a sentence or two, not an article
_KEYS = ("text", "checked")
_HINT = "写两行：text: 本栏目2026年度无此类信息。 和 checked: 2026-11-20（核实的日期）"


@dataclass(frozen=True)
class Note:
    item_id: str
    text: str
    checked: dt.date
    shown: str  # the file, as diagnostics show it

    def stale(self, today: dt.date) -> bool:
        """Checked in an earlier year (so also whenever it is more than a year old): a note
        speaks of the year it was checked in."""
        return self.checked.year < today.year


def load_notes(site, catalog, report: Report) -> dict[str, Note]:
    """Item id -> its note, for the items the site shows (one stat per item); a note file
    that cannot be used is an error with its line."""
    notes = {}
    for item in catalog.for_level(site.level).items:
        path = site.content_dir / item.id / NOTE_FILE
        if path.is_file():
            note = _read(path, item.id, display_path(path, site.root), report)
            if note is not None:
                notes[item.id] = note
    return notes


def _read(path: Path, item_id: str, shown: str, report: Report) -> Note | None:
    try:
        data = yamlsource.parse(yamlsource.decode(path.read_bytes()))
    except yamlsource.YamlProblem as problem:
        report.error(Location(shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
        return None
    except OSError as problem:
        report.error(Location(shown), "note-invalid", f"无法读取无信息说明（{problem.strerror or problem}）", _HINT)
        return None
    if not isinstance(data, dict):
        report.error(Location(shown, 1, 1), "note-invalid", "无信息说明应为键值对", _HINT)
        return None
    ok = True
    for key in data:
        if key not in _KEYS:
            report.error(Location(shown, *data.key_pos[key]), "note-invalid", f"无信息说明中没有“{key}”这一项", _HINT)
            ok = False
    text = _text(data, shown, report)
    checked = _checked(data, shown, report)
    if not ok or text is None or checked is None:
        return None
    return Note(item_id, text, checked, shown)


def _at(data, key: str, shown: str) -> Location:
    return Location(shown, *data.value_pos[key]) if key in data.value_pos else Location(shown, 1, 1)


def _text(data, shown: str, report: Report) -> str | None:
    raw = data.get("text")
    text = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not text:
        report.error(_at(data, "text", shown), "note-invalid", "无信息说明缺少 text（说明文字）", _HINT)
        return None
    if len(text) > TEXT_LIMIT:
        report.error(_at(data, "text", shown), "note-invalid",
                     f"无信息说明太长（{len(text)} 个字，最多 {TEXT_LIMIT} 个）", "只写一两句：哪一年度、为什么没有此类信息")
        return None
    if freetext.find(text):
        report.error(_at(data, "text", shown), "note-personal", "无信息说明中有像身份证号、手机号或银行卡号的数字",
                     "说明会原样公开：删去个人号码")
        return None
    return text


def _checked(data, shown: str, report: Report) -> dt.date | None:
    """A date after today is taken as it is: a build for an earlier day (--today) shows the
    note as a later one would, so the pages never depend on the day through it; `check`
    warns about it (commands/check.py)."""
    if data.get("checked") is None:
        report.error(_at(data, "checked", shown), "note-invalid", "无信息说明缺少 checked（核实日期）",
                     "写明哪一天核实过本栏目确实没有可公开的信息，如 checked: 2026-11-20")
        return None
    try:
        return fieldtypes.parse_date(data["checked"])
    except fieldtypes.Invalid as problem:
        report.error(_at(data, "checked", shown), "note-invalid", f"checked：{problem.message}", problem.hint)
        return None
