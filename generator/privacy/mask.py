"""Masking: the stage after which no raw personal value is left in a record.

Templates only ever receive the records this stage returns, so they cannot print
what they never get. Every raw value masked here is remembered as a secret for the
leak gate, which scans the written output for them.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..config.catalog import FieldSpec
from ..config.fieldtypes import normalize_digits
from ..config.site import SiteConfig
from ..model.diagnostics import Location, Report
from ..model.records import Record, Row
from . import freetext

COMPOUND_SURNAMES = {
    "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人", "夏侯", "诸葛", "尉迟",
    "公羊", "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶", "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离",
    "长孙", "宇文", "司徒", "鲜于", "司空", "闾丘", "子车", "亓官", "司寇", "巫马", "公西", "颛孙", "壤驷",
    "公良", "漆雕", "乐正", "宰父", "谷梁", "拓跋", "夹谷", "轩辕", "令狐", "段干", "百里", "呼延", "东郭",
    "南门", "羊舌", "微生", "公户", "公玉", "公仪", "梁丘", "公仲", "公上", "公门", "公山", "公坚", "左丘",
    "公伯", "西门", "公祖", "第五", "公乘", "贯丘", "公皙", "南荣", "东里", "东宫", "仲长", "子书", "子桑",
    "即墨", "达奚", "褚师", "吴铭",
}


def mask_id_card(number: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """440***1010: the birth date (8 of 18 digits, 6 of 15) is never shown."""
    if len(number) == 15:
        keep_end = min(keep_end, 3)
    keep_start = min(keep_start, 6)
    return number[:keep_start] + "***" + (number[-keep_end:] if keep_end else "")


def mask_phone(number: str) -> str:
    """138****5678 for a mobile; other numbers keep their first 3 and last 4 digits too."""
    if len(number) <= 7:
        return number[:1] + "*" * (len(number) - 1)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """张** ; compound surnames stay whole: 欧阳**."""
    surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
    return surname + "*" * (len(name) - len(surname))


def mask_bank_card(number: str) -> str:
    return "*" * (len(number) - 4) + number[-4:]


# Types whose values are people's words, where a pasted number can hide (a 办公电话 too:
# staff write a personal mobile there as well as the office's landline).
FREE_TEXT_TYPES = {"text", "markdown", "name", "url", "tel"}
# Types that can hold no personal number: shown as they are (a 统一社会信用代码 has its own check digit).
_PLAIN_TYPES = {"date", "month", "period", "enum", "uscc"}
# Numbers: a personal number typed into a number column is shown masked, as text.
_NUMBER_TYPES = {"integer", "decimal", "money", "area"}
_SHORTEST = 10 ** 10  # a number below this has too few digits to be a personal number
# Codes that become part of an address (projects/<code>.html): a personal number there cannot be
# masked without changing the address, so it is an error.
CODE_TYPES = {"project_code"}


@dataclass(frozen=True)
class Finding:
    """A personal number found in free text and masked there (or, `in_name`, found in a name
    or code that cannot be masked: an error)."""
    where: Location
    kind: str  # a freetext kind
    shown: str  # its masked form
    in_name: str = ""  # what holds it when it cannot be masked: 文件名, 项目编码, 索引号, 附件名


@dataclass
class MaskResult:
    records: list
    secrets: set = field(default_factory=set)  # raw values that must never be output
    counts: Counter = field(default_factory=Counter)  # record source path -> values masked
    findings: list = field(default_factory=list)  # Finding, in record order


_NUMBER_PUNCTUATION = re.compile(r"[\s()（）+-]")
_SECRET_DIGITS = re.compile(r"[0-9]+X?")


def secret_form(value) -> str | None:
    """How the leak gate looks for a raw value: its ASCII digits, when it is a number of
    seven or more digits (ID, phone, card, account). Other values are not searched for:
    an unpublished employer's name may rightly appear in another record; nor are placeholders
    of one repeated digit (eighteen 0s), which identify nobody and fill binary files."""
    text = _NUMBER_PUNCTUATION.sub("", normalize_digits(str(value))).upper()
    if len(text) >= 7 and _SECRET_DIGITS.fullmatch(text) and len(set(text)) > 1:
        return text
    return None


def _too_short(value) -> bool:
    """Whether a number (or an empty cell) has too few digits to be a personal number."""
    if type(value) is int:
        return -_SHORTEST < value < _SHORTEST
    return value is None or len(str(value)) < 11


@lru_cache(maxsize=4096)
def _numbers_in_name(text: str) -> tuple:
    """(kind, digits) of each personal number in a name or code; the same project codes recur."""
    return tuple((hit.kind, hit.digits) for hit in freetext.find(text)) if freetext.may_hold(text) else ()


def shown(kind: str, digits: str, privacy=None) -> str:
    """A number found in text, masked as its kind is (with the site's ID masking when given)."""
    if kind in (freetext.ID, freetext.OLD_ID):
        if privacy is None:
            return mask_id_card(digits)
        return mask_id_card(digits, privacy.id_keep_start, privacy.id_keep_end)
    if kind == freetext.BANK_CARD:
        return mask_bank_card(digits)
    return mask_phone(digits)


def masked_digits(digits: str) -> str:
    """Any digits a message must show, in the form pages would show them (default masking)."""
    if len(digits) in (15, 18):
        return mask_id_card(digits)
    return mask_bank_card(digits) if len(digits) > 15 else mask_phone(digits)


class _Masker:
    def __init__(self, site: SiteConfig):
        self.privacy = site.privacy
        self.hotlines = {secret_form(h) or h for h in site.privacy.hotlines}
        self.secrets: set[str] = set()
        self.findings: list[Finding] = []
        self.count = 0

    def secret(self, value) -> None:
        form = secret_form(value)
        if form:
            self.secrets.add(form)

    def number(self, kind: str, digits: str) -> str:
        self.secret(digits)
        self.count += 1
        return shown(kind, digits, self.privacy)

    def text(self, text: str, where, markdown: bool = False) -> str:
        """Free text with every personal number masked; `where(offset)` locates a hit.
        In Markdown the stars are escaped, or `440***0011 … 138****8000` turns bold."""
        hits = [h for h in freetext.find(text) if h.digits not in self.hotlines]
        for hit in reversed(hits):
            shown = self.number(hit.kind, hit.digits)
            written = shown.replace("*", "\\*") if markdown else shown
            text = text[:hit.start] + written + text[hit.end:]
            self.findings.append(Finding(where(hit.start), hit.kind, shown))
        return text

    def value(self, spec: FieldSpec, value, locate):
        """The published form of a value, or None to drop it (unpublished fields)."""
        if value is None:
            return None
        if not spec.publish:
            self.secret(value)
            return None
        if spec.type == "id_card":
            self.secret(value)
            self.count += 1
            return mask_id_card(value, self.privacy.id_keep_start, self.privacy.id_keep_end)
        if spec.type == "phone" and spec.mask and value not in self.privacy.hotlines:
            self.secret(value)
            self.count += 1
            return mask_phone(value)
        if spec.type == "name" and (spec.mask or self.privacy.mask_names):
            self.count += 1
            return mask_name(value)
        if spec.type == "bank_card":
            self.secret(value)
            self.count += 1
            return mask_bank_card(value)
        if spec.type in FREE_TEXT_TYPES and isinstance(value, str) and freetext.may_hold(value):
            return self.text(value, lambda _offset: locate(), markdown=spec.type == "markdown")
        if spec.type in _NUMBER_TYPES:
            return self.number_value(value, locate)
        if spec.type in CODE_TYPES:
            self.name(str(value), "项目编码", locate)
        return value

    def number_value(self, value, locate):
        """A number as it is, or as masked text when its digits are a personal number."""
        if type(value) is int and -_SHORTEST < value < _SHORTEST:
            return value
        text = str(value)
        if not freetext.may_hold(text):
            return value
        shown = self.text(text, lambda _offset: locate())
        return value if shown == text else shown

    def name(self, text: str, what: str, locate) -> None:
        """A personal number in a name or code that becomes part of an address: an error."""
        for kind, digits in _numbers_in_name(text):
            if digits not in self.hotlines:
                self.secret(digits)
                self.findings.append(Finding(locate(), kind, shown(kind, digits, self.privacy), what))

    def code_column(self, column: list, rows: tuple[Row, ...], name: str) -> list:
        """A column of project codes, each distinct code looked at once (a list names a few projects)."""
        suspect = {code for code in set(column) if code is not None and _numbers_in_name(str(code))}
        if suspect:
            for code, row in zip(column, rows):
                if code in suspect:
                    self.name(str(code), "项目编码", lambda row=row: row.locate(name))
        return column

    def mapping(self, specs: dict, values: dict, locate) -> dict:
        out = {}
        for name, value in values.items():
            spec = specs[name]
            if spec.type in _PLAIN_TYPES and spec.publish:
                out[name] = value  # dates, enums, credit codes: nothing in them to mask
                continue
            shown = self.value(spec, value, lambda name=name: locate(name))
            if spec.publish:
                out[name] = shown
        return out

    def rows(self, specs: dict, rows: tuple[Row, ...]) -> tuple[Row, ...]:
        """A list's rows masked column by column: a column of dates or numbers is passed on
        whole, and the others take one loop each instead of one call per cell."""
        if not rows:
            return rows
        names = list(rows[0].values)
        if any(row.values.keys() != rows[0].values.keys() for row in rows):
            return tuple(row.with_values(self.mapping(specs, row.values, row.locate)) for row in rows)
        columns = []
        for name in names:
            spec = specs[name]
            column = [row.values[name] for row in rows]
            if spec.type in _PLAIN_TYPES and spec.publish:
                columns.append(column)  # dates, enums, credit codes: nothing in them to mask
            elif spec.type in _NUMBER_TYPES and spec.publish and all(map(_too_short, column)):
                columns.append(column)  # numbers too short to be a personal number (most)
            elif spec.type in CODE_TYPES and spec.publish:
                columns.append(self.code_column(column, rows, name))
            elif spec.type in FREE_TEXT_TYPES and spec.publish and not (spec.type == "name" and (
                    spec.mask or self.privacy.mask_names)):
                columns.append(self.text_column(spec, column, rows, name))
            else:
                shown = [self.value(spec, value, lambda row=row: row.locate(name))
                         for value, row in zip(column, rows)]
                if spec.publish:
                    columns.append(shown)
        published = [name for name in names if specs[name].publish]
        return tuple(row.with_values(dict(zip(published, cells))) for cells, row in zip(zip(*columns), rows)) \
            if columns else tuple(row.with_values({}) for row in rows)

    def text_column(self, spec: FieldSpec, column: list, rows: tuple[Row, ...], name: str) -> list:
        """A column of free text with the personal numbers in it masked; most cells are
        too short to hold one and are passed on as they are."""
        markdown = spec.type == "markdown"
        for index, value in enumerate(column):
            if type(value) is str and freetext.may_hold(value):
                row = rows[index]
                column[index] = self.text(value, lambda _offset, row=row: row.locate(name), markdown=markdown)
        return column

    def names(self, record: Record) -> None:
        """The names and codes of a record that become addresses or stay as written: its file
        name, 索引号, project codes and attachment file names."""
        self.name(record.slug, "文件名", lambda: Location(record.shown))
        self.name(record.index_no, "索引号", lambda: record.locate("index_no"))
        for code in record.projects:
            self.name(code, "项目编码", lambda: record.locate("project"))
        for attachment in record.attachments:
            self.name(attachment.name, "附件文件名", lambda a=attachment: a.where)

    def record(self, record: Record, item) -> Record:
        def in_body(offset: int) -> Location:
            return Location(record.shown, max(record.body_line, 1) + record.body.count("\n", 0, offset), 1)

        self.names(record)

        title = self.text(record.title, lambda _offset: record.locate("title"))
        summary = self.text(record.summary, lambda _offset: record.locate("summary"))
        topic = self.text(record.topic, lambda _offset: record.locate("topic"))
        fields = self.mapping(item.field_map, record.fields, lambda name: record.locate("fields." + name))
        rows = self.rows(item.row_map, record.rows)
        attachments = tuple(replace(a, title=self.text(a.title, lambda _offset, a=a: a.where))
                            for a in record.attachments)
        body = self.text(record.body, in_body, markdown=True)
        total = record.total and replace(record.total, values={
            name: value for name, value in record.total.values.items() if item.row_map[name].publish})
        return replace(record, title=title, fields=fields, rows=rows, total=total, attachments=attachments,
                       body=body, summary=summary, topic=topic, where={})


def mask_record(record: Record, item, site: SiteConfig) -> MaskResult:
    """One record masked (the per-record build): its masked form, raw values and findings."""
    masker = _Masker(site)
    masked = masker.record(record, item)
    return MaskResult([masked], masker.secrets, Counter({record.source: masker.count}), masker.findings)


def report_findings(findings: list[Finding], report: Report) -> None:
    for finding in findings:
        name = freetext.KIND_NAMES[finding.kind]
        if finding.in_name:
            report.error(finding.where, "number-in-name",
                         f"{finding.in_name}中有疑似{name}（{finding.shown}），无法隐藏：它会成为网址或编号的一部分",
                         f"把{finding.in_name}改成不含个人号码的写法（文件名如 2026-03-results）")
            continue
        report.warning(finding.where, "personal-number",
                       f"文字中有疑似{name}，发布时已隐藏为 {finding.shown}",
                       "个人信息请填在专门的字段里（按规则隐藏）；不该公开的请删除。使用 --strict 时这是错误")
