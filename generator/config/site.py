"""site.yaml: one schema, each key with its type, default and one line of help.

Unknown keys are errors (a typo must not be silently ignored), and so is every
value of the wrong shape; all problems of the file are reported together.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

from .. import HOME
from ..model.diagnostics import ConfigError, Location, Report, display_path
from ..source import yamlsource
from . import fieldtypes, identifiers

LEVELS = ("市级", "县级", "乡级")


@dataclass(frozen=True)
class Privacy:
    mask_names: bool = False
    hotlines: tuple[str, ...] = ("12329", "12345")
    id_keep_start: int = 3
    id_keep_end: int = 4


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()


@dataclass(frozen=True)
class AnnualSettings:
    deadline: tuple[int, int] = (1, 31)  # (month, day) of Y+1 by which the report on Y is published


@dataclass(frozen=True)
class Contact:
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Disclosure:
    """The department's 政府信息公开 pages the home and item pages link to (absolute addresses)."""
    guide: str = ""  # 政府信息公开指南
    rules: str = ""  # 政府信息公开制度
    apply: str = ""  # 依申请公开


@dataclass(frozen=True)
class SiteConfig:
    path: Path
    title: str
    department: str
    level: str
    base_url: str
    index_prefix: str
    theme: str = "default"
    catalog: str = "content/_catalog.yaml"
    index_format: str = "{prefix}/{year}-{serial:05}"
    site_id_code: str = ""
    site_name: str = ""
    conac_id: str = ""
    icp_record: str = ""
    police_record: str = ""
    disclosure: Disclosure = field(default_factory=Disclosure)
    description: str = ""
    keywords: tuple[str, ...] = ()
    contact: Contact = field(default_factory=Contact)
    page_size: int = 20
    privacy: Privacy = field(default_factory=Privacy)
    calendar: Calendar = field(default_factory=Calendar)
    annual_report: AnnualSettings = field(default_factory=AnnualSettings)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def catalog_path(self) -> Path:
        return self.root / self.catalog

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def theme_dir(self) -> Path:
        return self.root / "themes" / self.theme

    @property
    def domain(self) -> str:
        return re.sub(r"^https?://([^/]+).*$", r"\1", self.base_url)

    @property
    def registered_name(self) -> str:
        """SiteName: the name registered for the site, else the section's title."""
        return self.site_name or self.title

    @property
    def production(self) -> bool:
        return identifiers.production(self.base_url)


def index_pattern(site: SiteConfig, year: int | None = None) -> re.Pattern:
    """A regex for the 索引号 `index_format` makes (in `year`, or any year), capturing the serial.
    `{serial:05}` asks for at least five digits, `{month:02}` for two."""
    parts = []
    for literal, name, spec, _conv in string.Formatter().parse(site.index_format):
        parts.append(re.escape(literal))
        digits = rf"\d{{{int(spec)},}}" if spec and spec.isdigit() else r"\d+"
        if name == "prefix":
            parts.append(re.escape(site.index_prefix))
        elif name == "year":
            parts.append(str(year) if year else r"\d{4}")
        elif name == "month":
            parts.append(digits if spec else r"\d{1,2}")
        elif name == "serial":
            parts.append(rf"(?P<serial>{digits})")
        elif name is not None:
            parts.append(r".*?")
    return re.compile("".join(parts))


# ---- value parsers: raw -> value, raising fieldtypes.Invalid -------------------------

def _text(raw):
    value = fieldtypes.as_text(raw)
    if not value:
        raise fieldtypes.Invalid("不能为空", "")
    return value


def _optional_text(raw):
    return "" if raw is None else fieldtypes.as_text(raw)


def _bool(raw):
    if not isinstance(raw, bool):
        raise fieldtypes.Invalid("应为 true 或 false", "")
    return raw


def _int_range(low, high):
    def parse(raw):
        value = fieldtypes.parse_integer(raw)
        if not low <= value <= high:
            raise fieldtypes.Invalid(f"应在 {low} 到 {high} 之间", "")
        return value
    return parse


def _level(raw):
    value = _text(raw)
    if value not in LEVELS:
        raise fieldtypes.Invalid(f"“{value}”不是公开层级", "只能是 市级、县级 或 乡级")
    return value


def _base_url(raw):
    value = _text(raw)
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
        raise fieldtypes.Invalid(f"“{value}”不是完整网址", "写成 https://www.example.gov.cn/zfbz/ 这样的完整地址")
    return value if value.endswith("/") else value + "/"


def _theme(raw):
    value = _text(raw)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise fieldtypes.Invalid("主题名只能由字母、数字、- 和 _ 组成", "")
    return value


MAX_FORMAT_WIDTH = 20  # digits of a 索引号 part: `{serial:99999999999}` would ask for gigabytes


def _format_specs(value: str) -> None:
    """Each placeholder's format spec: no nested placeholder, no width or precision over 20."""
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise fieldtypes.Invalid(f"索引号格式无法使用（{exc}）", "可用的占位符：{prefix} {year} {month:02} {serial:05}") from None
    for _literal, name, spec, _conv in parts:
        if name is None or not spec:
            continue
        if "{" in spec or "}" in spec:
            raise fieldtypes.Invalid(f"索引号格式中“{{{name}:{spec}}}”的格式里不能再有占位符", "例如 {serial:05}")
        widths = [int(n) for n in re.findall(r"\d+", spec)]
        if widths and max(widths) > MAX_FORMAT_WIDTH:
            raise fieldtypes.Invalid(f"索引号格式中“{{{name}:{spec}}}”的宽度 {max(widths)} 太大（最多 {MAX_FORMAT_WIDTH}）",
                                     "流水号一般写作 {serial:05}，即至少 5 位")


def _index_format(raw):
    value = _text(raw)
    _format_specs(value)
    try:
        value.format(prefix="P", year=2026, month=1, serial=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise fieldtypes.Invalid(f"索引号格式无法使用（{exc}）",
                                 "可用的占位符：{prefix} {year} {month:02} {serial:05}") from None
    if "{serial" not in value:
        raise fieldtypes.Invalid("索引号格式必须含有 {serial}（流水号）", "")
    return value


def _str_list(raw):
    if isinstance(raw, str):
        return (raw.strip(),)
    if not isinstance(raw, list):
        raise fieldtypes.Invalid("应为列表", "写成 [a, b] 或每行一个“- a”")
    return tuple(fieldtypes.as_text(v) for v in raw)


def _date_set(raw):
    if not isinstance(raw, list):
        raise fieldtypes.Invalid("应为日期列表", "每行一个“- 2027-01-01”，连续几天可写“- 2027-02-10 至 2027-02-16”")
    days = set()
    for value in raw:
        text = fieldtypes.as_text(value)
        if "至" in text:
            period = fieldtypes.parse_period(text)
            span = (period.end - period.start).days
            days.update(period.start + dt.timedelta(n) for n in range(span + 1))
        else:
            days.add(fieldtypes.parse_date(text))
    return frozenset(days)


def _month_day(raw):
    """MM-DD, a day of January to March (条例: 1 月 31 日; a 县级以上地方人民政府 3 月 31 日)."""
    text = fieldtypes.as_text(raw)
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", text)
    try:
        day = dt.date(2023, int(match.group(1)), int(match.group(2))) if match else None  # 2023: no 02-29
    except ValueError:
        day = None
    if day is None or day.month > 3:
        raise fieldtypes.Invalid(f"“{text}”不是 1 月至 3 月中的一天", "写作 月-日，如 01-31（条例规定的时限）或 01-28")
    return (day.month, day.day)


# ---- the schema: key -> (parser, default or REQUIRED, help) ---------------------------
REQUIRED = object()

PRIVACY_KEYS = {
    "mask_names": (_bool, False, "姓名是否只显示姓氏（如 张**）；默认显示全名"),
    "hotlines": (_str_list, ("12329", "12345"), "对外公开的热线号码，正文中出现时不隐藏"),
    "id_card_mask": (None, None, "身份证号显示前几位和后几位：{keep_start: 3, keep_end: 4}；出生日期始终隐藏"),
}
def _id_keep(high: int):
    """Digits 7–14 of an ID number are the birth date: no setting may show any of them."""
    def parse(raw):
        value = fieldtypes.parse_integer(raw)
        if not 0 <= value <= high:
            raise fieldtypes.Invalid(f"应在 0 到 {high} 之间（再多就会显示出生日期）",
                                     "身份证号第 7 到 14 位是出生日期，依法一律隐藏，不能设置显示")
        return value
    return parse


ID_MASK_KEYS = {
    "keep_start": (_id_keep(6), 3, "显示身份证号的前几位（0 到 6）"),
    "keep_end": (_id_keep(4), 4, "显示身份证号的后几位（0 到 4；15 位旧号码最多 3 位）"),
}
CALENDAR_KEYS = {
    "holidays": (_date_set, frozenset(), "法定节假日（工作日历未收录的年份）"),
    "workdays": (_date_set, frozenset(), "调休上班的周末（工作日历未收录的年份）"),
}
ANNUAL_KEYS = {
    "deadline": (_month_day, (1, 31), "年度报告的公开时限：次年的 月-日，默认 01-31；本地规定更早的写在这里"),
}
CONTACT_KEYS = {
    "address": (_optional_text, "", "地址"),
    "phone": (_optional_text, "", "联系电话"),
    "email": (_optional_text, "", "电子邮箱"),
}
DISCLOSURE_KEYS = {
    "guide": (identifiers.address, "", "政府信息公开指南的网址"),
    "rules": (identifiers.address, "", "政府信息公开制度的网址"),
    "apply": (identifiers.address, "", "依申请公开（在线申请）的网址"),
}
SITE_KEYS = {
    "title": (_text, REQUIRED, "专栏名称，如 示例市住房保障信息公开专栏"),
    "department": (_text, REQUIRED, "公开主体（发布机构），如 示例市住房和城乡建设局"),
    "level": (_level, REQUIRED, "本站的公开层级：市级、县级或乡级；目录中不含该层级的事项不生成"),
    "base_url": (_base_url, REQUIRED, "专栏上线后的完整网址，用于订阅源、网站地图和找错链接"),
    "index_prefix": (_text, REQUIRED, "索引号前缀：本单位的统一社会信用代码或组织机构代码"),
    "index_format": (_index_format, "{prefix}/{year}-{serial:05}", "索引号格式"),
    "theme": (_theme, "default", "主题名，对应 themes/ 下的文件夹"),
    "catalog": (_text, "content/_catalog.yaml", "本地目录扩展文件的位置"),
    "site_id_code": (identifiers.site_id_code, "", "网站标识码，10 位，如 5001120001（页脚、SiteIDCode 元数据、找错链接）"),
    "site_name": (identifiers.site_name, "", "网站名称，按全国政府网站基本信息数据库登记的写（SiteName 元数据）"),
    "conac_id": (identifiers.conac_id, "", "党政机关网站标识的编号（32 位），页脚显示标识并链接到它的证书"),
    "icp_record": (identifiers.icp_record, "", "ICP 备案号，如 渝ICP备12345678号-1"),
    "police_record": (identifiers.police_record, "", "公安机关备案号，如 渝公网安备 50010302000001号"),
    "disclosure": (None, None, "本单位政府信息公开页面的网址：guide、rules、apply"),
    "description": (_optional_text, "", "专栏简介（写入页面 ColumnDescription 元数据）"),
    "keywords": (_str_list, (), "专栏关键词（写入页面 ColumnKeywords 元数据）"),
    "contact": (None, None, "页脚联系方式：address、phone、email"),
    "page_size": (_int_range(5, 500), 20, "列表页和名单表格每页显示的条数"),
    "privacy": (None, None, "个人信息保护选项：mask_names、hotlines、id_card_mask"),
    "calendar": (None, None, "工作日历补充：holidays、workdays"),
    "annual_report": (None, None, "政府信息公开工作年度报告：deadline"),
}


def _read_section(data, keys, prefix, loc, report) -> dict:
    """Parse one mapping against its keys; problems go to the report."""
    values = {}
    if data is None:
        data = yamlsource.YDict()
    if not isinstance(data, dict):
        report.error(loc(prefix.rstrip("."), value=True), "config-type", f"“{prefix.rstrip('.')}”应为键值对",
                     "在它下面缩进两个空格写各项设置")
        return values
    for key in data:
        if key not in keys:
            known = "、".join(keys)
            report.error(loc(prefix + key, data=data, key=key), "config-unknown-key",
                         f"site.yaml 中没有“{prefix}{key}”这一设置", f"可用的设置：{known}")
    for key, (parse, default, _help) in keys.items():
        if parse is None:
            continue
        if key not in data or data[key] is None:
            if default is REQUIRED:
                report.error(loc("", data=data), "config-missing", f"缺少必填设置“{prefix}{key}”",
                             _help)
            else:
                values[key] = default
            continue
        try:
            values[key] = parse(data[key])
        except fieldtypes.Invalid as problem:
            report.error(loc(prefix + key, data=data, key=key, value=True), "config-value",
                         f"设置“{prefix}{key}”：{problem.message}", problem.hint or _help)
    return values


def load_site(path: Path) -> SiteConfig:
    """Read and check site.yaml; raises ConfigError with every problem found."""
    path = path.resolve()
    report = Report()
    shown = display_path(path, Path.cwd())

    def loc(_name="", data=None, key=None, value=False):
        if data is not None and key is not None:
            line, col = (data.value_pos if value else data.key_pos).get(key, (0, 0))
            return Location(shown, line, col)
        if data is not None and hasattr(data, "pos"):
            return Location(shown, *data.pos)
        return Location(shown)

    try:
        data = yamlsource.parse(yamlsource.decode(path.read_bytes()))
    except FileNotFoundError:
        report.error(Location(shown), "config-missing-file", "找不到 site.yaml",
                     "在网站目录中运行，或用 --site 指定 site.yaml 的位置")
        raise ConfigError(report) from None
    except OSError as exc:  # a folder (IsADirectoryError, or PermissionError on Windows), no permission
        inside = path / "site.yaml"
        if path.is_dir():
            report.error(Location(shown), "config-not-file", f"--site 应指向 site.yaml 文件，而“{shown}”是一个文件夹",
                         f"改用 --site {display_path(inside, Path.cwd())}" if inside.is_file()
                         else "用 --site 指定网站目录中的 site.yaml")
        else:
            report.error(Location(shown), "config-unreadable", f"无法读取“{shown}”（{exc.strerror or exc}）",
                         "确认文件存在并且有读取权限")
        raise ConfigError(report) from None
    except yamlsource.YamlProblem as problem:
        report.error(Location(shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
        raise ConfigError(report) from None
    if not isinstance(data, dict):
        report.error(Location(shown, 1, 1), "config-type", "site.yaml 应为键值对", "参考 README 中的示例")
        raise ConfigError(report)

    values = _read_section(data, SITE_KEYS, "", loc, report)
    privacy_raw = data.get("privacy")
    privacy = _read_section(privacy_raw, PRIVACY_KEYS, "privacy.", loc, report)
    id_raw = privacy_raw.get("id_card_mask") if isinstance(privacy_raw, dict) else None
    id_mask = _read_section(id_raw, ID_MASK_KEYS, "privacy.id_card_mask.", loc, report)
    calendar = _read_section(data.get("calendar"), CALENDAR_KEYS, "calendar.", loc, report)
    contact = _read_section(data.get("contact"), CONTACT_KEYS, "contact.", loc, report)
    annual = _read_section(data.get("annual_report"), ANNUAL_KEYS, "annual_report.", loc, report)
    disclosure = _read_section(data.get("disclosure"), DISCLOSURE_KEYS, "disclosure.", loc, report)
    both = sorted(calendar.get("holidays", frozenset()) & calendar.get("workdays", frozenset()))
    if both:
        report.error(loc("calendar", data=data.get("calendar"), key="workdays"), "config-value",
                     f"日期 {both[0].isoformat()} 同时写在 calendar.holidays 和 calendar.workdays 中",
                     "一天要么放假，要么调休上班：删去其中一处")
    if report.has_errors():
        raise ConfigError(report)
    return SiteConfig(
        path=path,
        privacy=Privacy(privacy["mask_names"], privacy["hotlines"],
                        id_mask["keep_start"], id_mask["keep_end"]),
        calendar=Calendar(calendar["holidays"], calendar["workdays"]),
        contact=Contact(**contact),
        annual_report=AnnualSettings(**annual),
        disclosure=Disclosure(**disclosure),
        **values,
    )


def documented_keys() -> list[str]:
    """Every site.yaml key with its dotted name, for the docs test."""
    names = [k for k in SITE_KEYS]
    names += ["privacy." + k for k in PRIVACY_KEYS]
    names += ["privacy.id_card_mask." + k for k in ID_MASK_KEYS]
    names += ["calendar." + k for k in CALENDAR_KEYS]
    names += ["contact." + k for k in CONTACT_KEYS]
    names += ["annual_report." + k for k in ANNUAL_KEYS]
    names += ["disclosure." + k for k in DISCLOSURE_KEYS]
    return names


def theme_dir(site: SiteConfig) -> Path:
    """The site's own themes/<name>, else the one shipped beside the package."""
    own = site.theme_dir
    return own if own.is_dir() else HOME / "themes" / site.theme
