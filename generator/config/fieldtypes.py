"""Field types of the catalog: each turns what staff typed into a typed value.

`parse` returns the typed value or raises `Invalid` with a Chinese message and a hint;
`doubt` returns a warning for a value that is accepted but looks wrong (an ID number
with a bad checksum). Values arrive as text (see yamlsource), or as numbers and dates
when they come from a spreadsheet.
"""
from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..render.safeurl import ALLOWED_TEXT, link_warning, refused_links, scheme_of


class Invalid(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")
_INTEGER = re.compile(r"-?\d+")
_WHOLE_DECIMAL = re.compile(r"-?\d+\.0+")
_SPACES_HYPHENS = re.compile(r"[\s-]")
_ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
_PHONE_PUNCTUATION = re.compile(r"[\s()（）-]")
_PHONE_DIGITS = re.compile(r"\d{7,12}")
_TEL_DIGITS = re.compile(r"\d{3,}")
_BANK_DIGITS = re.compile(r"\d{12,19}")
_URL = re.compile(r"(?:https?://|mailto:|tel:)[^\s<>\"]+", re.IGNORECASE)
# The shapes nearly every cell of a big list has, read without the general path below
# (ASCII only: `\d` would take other scripts' digits, which the general path normalises).
_PLAIN_INTEGER = re.compile(r"[0-9]+")
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")
_PROJECT_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ－：．，　", "0123456789XX-:., ")


def normalize_digits(text: str) -> str:
    """Full-width digits and punctuation to ASCII, as staff paste from Word or WPS."""
    return text.translate(_FULLWIDTH)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __str__(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def as_text(raw) -> str:
    if type(raw) is str:
        return raw.strip()
    if isinstance(raw, bool) or raw is None:
        raise Invalid("应为文字", "如果想写“是/否”，请直接写汉字；true/false 在这里没有意义")
    if isinstance(raw, (dict, list)):
        raise Invalid("应为一段文字，而不是" + ("键值对" if isinstance(raw, dict) else "列表"),
                      "检查缩进：这个值是不是多缩进了一层或少了引号")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]
_DATE_HINT = "日期写作 2024-03-15 或 2024年3月15日"


def parse_date(raw) -> dt.date:
    if type(raw) is str and _PLAIN_DATE.fullmatch(raw):
        try:
            day = dt.date.fromisoformat(raw)
            if 1949 <= day.year <= 2100:
                return day
        except ValueError:
            pass  # the general path says why
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, float):  # a spreadsheet cell holding a number, not a date
        raise Invalid(f"“{as_text(raw)}”不是日期",
                      "这个单元格是数字：在 Excel 中把它设为“日期”格式，或写作 2024-03-15")
    text = normalize_digits(as_text(raw)).replace(" ", "")
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if not 1949 <= year <= 2100:
                raise Invalid(f"年份 {year} 不合理", _DATE_HINT)
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise Invalid(f"日期“{text}”不存在", "检查月份和日期，例如 2 月没有 30 日") from None
    raise Invalid(f"“{text}”不是日期", _DATE_HINT)


_MONTH_FORMS = [re.compile(r"^(\d{4})[-/.](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月$")]


def parse_month(raw) -> Month:
    if isinstance(raw, (dt.date, dt.datetime)):
        return Month(raw.year, raw.month)
    text = normalize_digits(as_text(raw)).replace(" ", "")
    for form in _MONTH_FORMS:
        match = form.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12 and 1949 <= year <= 2100:
                return Month(year, month)
            raise Invalid(f"年月“{text}”不存在", "月份是 1 到 12")
    try:
        day = parse_date(text)
    except Invalid:
        raise Invalid(f"“{text}”不是年月", "年月写作 2024-03 或 2024年3月") from None
    return Month(day.year, day.month)


_PERIOD_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|－－|--)\s*")


def parse_period(raw) -> Period:
    hint = "写作 2024-01-01 至 2024-12-31，或 {from: 2024-01-01, to: 2024-12-31}"
    if isinstance(raw, dict):
        unknown = sorted(set(raw) - {"from", "to"})
        if unknown or "from" not in raw or "to" not in raw:
            raise Invalid("起止日期应有且只有 from 和 to 两项", hint)
        start, end = parse_date(raw["from"]), parse_date(raw["to"])
    else:
        parts = _PERIOD_SPLIT.split(normalize_digits(as_text(raw)))
        if len(parts) != 2:
            raise Invalid(f"“{as_text(raw)}”不是起止日期", hint)
        start, end = parse_date(parts[0]), parse_date(parts[1])
    if end < start:
        raise Invalid(f"结束日期 {end} 早于开始日期 {start}", "检查起止日期是否写反")
    return Period(start, end)


def _number_text(raw, units: tuple[str, ...]) -> tuple[str, str]:
    """The digits of a number written with thousands separators and a unit."""
    if isinstance(raw, bool):
        raise Invalid("应为数字", "")
    if isinstance(raw, float):
        raw = repr(raw)
    text = normalize_digits(as_text(raw)).replace(",", "").replace(" ", "")
    for unit in units:
        if unit and text.endswith(unit):
            return text[: -len(unit)], unit
    return text, ""


def _decimal(text: str, original, hint: str) -> Decimal:
    if not _DECIMAL.fullmatch(text):
        raise Invalid(f"“{as_text(original)}”不是数字", hint)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise Invalid(f"“{as_text(original)}”不是数字", hint) from None


def parse_integer(raw) -> int:
    if type(raw) is str and _PLAIN_INTEGER.fullmatch(raw):
        return int(raw)
    text, _ = _number_text(raw, ("套", "户", "个", "人", "年"))
    if not _INTEGER.fullmatch(text):
        if _WHOLE_DECIMAL.fullmatch(text):
            return int(text.split(".")[0])
        raise Invalid(f"“{as_text(raw)}”不是整数", "只写数字，如 120")
    return int(text)


def parse_decimal(raw) -> Decimal:
    if type(raw) is str and _PLAIN_DECIMAL.fullmatch(raw):
        return Decimal(raw)
    text, _ = _number_text(raw, ("%",))
    return _decimal(text, raw, "只写数字，如 96.5")


def parse_money(raw) -> Decimal:
    if type(raw) is str and _PLAIN_DECIMAL.fullmatch(raw):
        return Decimal(raw)
    text, unit = _number_text(raw, ("万元", "元"))
    value = _decimal(text, raw, "金额写作 1200、1,200元 或 0.75万元")
    return value * 10000 if unit == "万元" else value


def parse_area(raw) -> Decimal:
    if type(raw) is str and _PLAIN_DECIMAL.fullmatch(raw):
        return Decimal(raw)
    text, _ = _number_text(raw, ("平方米", "㎡", "m²", "m2", "平米"))
    value = _decimal(text, raw, "面积写作 55.5 或 55.5㎡（单位为平方米）")
    if value < 0:
        raise Invalid("面积不能为负数", "")
    return value


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


def id_birth_date(number: str) -> dt.date | None:
    """The birth date inside an 18- or 15-digit ID number, or None if impossible."""
    try:
        if len(number) == 18:
            return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        return dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None


EXACT_FLOAT_DIGITS = 15  # Excel keeps 15 significant digits of a number


def _spreadsheet_number(raw: float, what: str) -> str:
    """The digits of a number cell, or Invalid when Excel has already rounded them away."""
    if not raw.is_integer() or abs(raw) >= 10 ** EXACT_FLOAT_DIGITS:
        # never echoed: the digits Excel kept (a birth date among them) still identify someone
        shown = f"{abs(raw):.0f}"[:3] + "***"
        raise Invalid(f"{what}被存成了数字，后几位已经丢失（读到的是 {shown}）",
                      "在 Excel 中把这一列设为“文本”格式，再从原始材料重新录入（不能从这一列复制）")
    return str(int(raw))


def parse_id_card(raw) -> str:
    if type(raw) is str and _PLAIN_ID.fullmatch(raw):
        return raw
    if isinstance(raw, float):
        raw = _spreadsheet_number(raw, "身份证号")
    text = _SPACES_HYPHENS.sub("", normalize_digits(as_text(raw))).upper()
    if not _ID_NUMBER.fullmatch(text):
        raise Invalid("身份证号应为 18 位（最后一位可为 X）或 15 位数字",
                      "检查是否多输或少输了数字")
    return text


def doubt_id_card(number: str) -> str:
    if len(number) == 18 and id_check_digit(number[:17]) != number[17]:
        return "身份证号校验位不对，请与原始材料核对"
    if id_birth_date(number) is None:
        return "身份证号中的出生日期不存在，请与原始材料核对"
    return ""


_MOBILE = re.compile(r"1[3-9]\d{9}")


def parse_phone(raw) -> str:
    text = _PHONE_PUNCTUATION.sub("", normalize_digits(as_text(raw)))
    if text.startswith("+86"):
        text = text[3:]
    if not _PHONE_DIGITS.fullmatch(text):
        raise Invalid(f"“{as_text(raw)}”不是电话号码", "手机号写 11 位数字，如 13812345678")
    return text


def parse_tel(raw) -> str:
    text = normalize_digits(as_text(raw))
    if not _TEL_DIGITS.search(text):
        raise Invalid(f"“{text}”不是电话号码", "写作 023-12345678 或 12329")
    return text


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def parse_bank_card(raw) -> str:
    if isinstance(raw, float):
        raw = _spreadsheet_number(raw, "银行卡号")
    text = _SPACES_HYPHENS.sub("", normalize_digits(as_text(raw)))
    if not _BANK_DIGITS.fullmatch(text):
        raise Invalid("银行卡号应为 12 到 19 位数字", "")
    return text


def doubt_bank_card(number: str) -> str:
    return "" if luhn_valid(number) else "银行卡号校验不通过，请与原始材料核对"


def parse_url(raw) -> str:
    """A 网址 as citizens read it: an absolute http(s), mailto or tel address. The scheme is
    checked first with the rule of every link (safeurl), so that a disguised `javascript:` is
    named as such; a relative path, allowed in a body's links, means nothing as a 网址."""
    text = as_text(raw)
    scheme = scheme_of(text)
    if scheme is not None:
        shown = f"“{scheme}:”" if scheme else ""
        raise Invalid(f"网址使用了不允许的协议{shown}，可能在读者的浏览器中运行代码",
                      f"网址只能以 {ALLOWED_TEXT} 开头，如 https://www.example.gov.cn/")
    if not _URL.fullmatch(text):
        raise Invalid(f"“{text}”不是网址", "网址以 http:// 或 https:// 开头（邮箱写 mailto:，电话写 tel:）")
    return text


def parse_uscc(raw) -> str:
    # imported here: python-stdnum's import takes pydoc and ssl with it, a noticeable part of
    # the generator's start (docs/performance.md), and few records have a 统一社会信用代码
    from stdnum.cn import uscc as stdnum_uscc
    from stdnum.exceptions import ValidationError
    text = as_text(raw).upper().replace(" ", "")
    try:
        return stdnum_uscc.validate(text)
    except ValidationError:
        raise Invalid(f"“{text}”不是有效的统一社会信用代码", "统一社会信用代码为 18 位，请与营业执照核对") from None


def parse_project_code(raw) -> str:
    text = as_text(raw)
    if not _PROJECT_CODE.fullmatch(text):
        raise Invalid(f"项目编码“{text}”只能由字母、数字、- 和 _ 组成",
                      "项目编码用于项目页的网址，如 2024-500103-70-01-000123")
    return text


parse_text = as_text


def doubt_markdown(text: str) -> str:
    """A link the page will not make (safeurl): staff should know it is dead."""
    refused = refused_links(text)
    return "其中的" + link_warning(refused[0][1]) if refused else ""


@dataclass(frozen=True)
class FieldType:
    name: str
    label: str  # shown to staff in diagnostics and scaffolds
    parse: object
    example: str
    doubt: object = None


TYPES: dict[str, FieldType] = {t.name: t for t in [
    FieldType("text", "文字", parse_text, "……"),
    FieldType("markdown", "可排版文字（Markdown）", parse_text, "……", doubt_markdown),
    FieldType("date", "日期", parse_date, "2026-03-15"),
    FieldType("month", "年月", parse_month, "2026-03"),
    FieldType("period", "起止日期", parse_period, "2026-03-01 至 2026-03-10"),
    FieldType("integer", "整数", parse_integer, "120"),
    FieldType("decimal", "数字", parse_decimal, "96.5"),
    FieldType("money", "金额（元）", parse_money, "1200.00"),
    FieldType("area", "面积（平方米）", parse_area, "55.5"),
    FieldType("enum", "限定取值", parse_text, ""),
    FieldType("id_card", "身份证号", parse_id_card, "110101199003071233", doubt_id_card),
    FieldType("name", "姓名", parse_text, "张三"),
    FieldType("phone", "个人手机号", parse_phone, "13812345678"),
    FieldType("tel", "办公电话", parse_tel, "023-12345678"),
    FieldType("bank_card", "银行卡号", parse_bank_card, "6222020200112233445", doubt_bank_card),
    FieldType("url", "网址", parse_url, "https://www.example.gov.cn/"),
    FieldType("uscc", "统一社会信用代码", parse_uscc, "91500103MA5U8XJ71D"),
    FieldType("project_code", "项目编码", parse_project_code, "2026-500103-70-01-000123"),
]}

# Types whose values identify a person: masked (or never published) by default.
MASKED_BY_DEFAULT = {"id_card", "phone", "bank_card"}


def show(value) -> str:
    """The text a citizen reads for a typed value."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, (Period, Month)):
        return str(value)
    return str(value)
