"""`new`: a record file for one catalog item, every key and field explained in Chinese.

The scaffold is a valid record from the start: each required value holds an example
and `draft: true` keeps it out of every output until staff have replaced the examples
and deleted that line. (A scaffold that failed validation until filled in would break
every build of the site as soon as it is saved; one that validated without `draft`
could publish made-up names by accident.)

It is written with ruamel.yaml, so its comments survive later round-trips (tools that
load, change and dump a record keep them).
"""
from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..config import fieldtypes
from ..config.catalog import SLUG, Catalog, FieldSpec, Item
from ..config.site import SiteConfig, index_pattern
from ..model.diagnostics import ConfigError, Location, Report, display_path
from ..privacy.mask import mask_id_card, mask_name, mask_phone
from ..source import yamlsource
from ..source.discover import discover, read

DERIVED_SERIALS = 90000  # from here on, serials are the ones validate derives for records without one


def round_trip_yaml() -> YAML:
    """The ruamel settings that write records back byte for byte (TOOLS.md)."""
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


# ---- 索引号 ---------------------------------------------------------------------------

def used_index_numbers(site: SiteConfig, catalog: Catalog) -> set[str]:
    """Every 索引号 written in a record file; unreadable files are skipped (validate reports them)."""
    numbers = set()
    for file in discover(site.content_dir, site.root, catalog, Report()):
        try:
            raw = read(file)
        except (yamlsource.YamlProblem, UnicodeDecodeError):
            continue
        value = raw.data.get("index_no")
        if isinstance(value, str) and value.strip():
            numbers.add(value.strip())
    from ..annual.load import load_all  # the 年度报告 hold 索引号 too
    numbers.update(a.index_no for a in load_all(site, Report()).values() if a.index_no)
    return numbers


def next_index_no(site: SiteConfig, catalog: Catalog, day: dt.date) -> str:
    """The next free 索引号 of `day`'s year: one past the largest serial used that year."""
    used = used_index_numbers(site, catalog)
    pattern = index_pattern(site, day.year)
    serials = [int(m.group("serial")) for m in map(pattern.fullmatch, used) if m]
    serial = max([s for s in serials if s < DERIVED_SERIALS], default=0) + 1
    while True:
        number = site.index_format.format(prefix=site.index_prefix, year=day.year, month=day.month, serial=serial)
        if number not in used:
            return number
        serial += 1


# ---- comments and examples --------------------------------------------------------------

def example_text(spec: FieldSpec) -> str:
    if spec.example:
        return spec.example
    if spec.values:
        return spec.values[0]
    if spec.type in ("text", "markdown"):
        return f"（待填写{spec.name}）"
    return fieldtypes.TYPES[spec.type].example


def example_value(spec: FieldSpec):
    """The example as YAML should hold it: dates and plain numbers unquoted."""
    text = example_text(spec)
    if spec.type == "date":
        return fieldtypes.parse_date(text)
    if spec.type == "integer" and re.fullmatch(r"\d+", text):
        return int(text)
    if spec.type in ("decimal", "area") and re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text


def privacy_note(spec: FieldSpec, site: SiteConfig) -> str:
    if not spec.publish:
        return "不公开（只供内部核对，任何页面和数据中都不出现）"
    example = example_text(spec)
    if spec.type == "id_card":
        shown = mask_id_card(example, site.privacy.id_keep_start, site.privacy.id_keep_end)
        return f"公开时隐藏部分号码（显示为 {shown}）"
    if spec.type == "phone" and spec.mask:
        return f"公开时隐藏中间四位（显示为 {mask_phone(example)}）"
    if spec.type == "bank_card":
        return "公开时只显示后四位"
    if spec.type == "name":
        if spec.mask or site.privacy.mask_names:
            return f"公开时只显示姓氏（显示为 {mask_name(example)}）"
        return "公开时显示全名"
    if spec.mask:
        return "公开时隐藏"
    return "公开"


def field_comment(spec: FieldSpec, site: SiteConfig) -> str:
    """One line: what the field is, its type, required or not, privacy, example."""
    parts = [spec.help or spec.name, fieldtypes.TYPES[spec.type].label, spec.required_label]
    if spec.values:
        parts.append("可选：" + "、".join(spec.values))
    parts.append(privacy_note(spec, site))
    parts.append(f"例：{example_text(spec)}")
    return "；".join(parts)


# ---- the record ------------------------------------------------------------------------

def _key(data: CommentedMap, key: str, value, comment: str) -> None:
    data[key] = value
    data.yaml_set_comment_before_after_key(key, before="\n" + comment, indent=0)


def record_map(item: Item, site: SiteConfig, title: str | None, day: dt.date, index_no: str) -> CommentedMap:
    data = CommentedMap()
    data.yaml_set_start_comment(
        f"{item.name}（事项 {item.id}）的记录。由 python -m generator new 生成。\n"
        "每一项上面的注释说明填写方法；“例”为示例值，请换成真实内容。\n"
        "检查：python -m generator validate；写法详见 docs/staff.md。")
    _key(data, "draft", True,
         "草稿：为 true 时不会在任何地方发布。\n"
         "把所有示例值换成真实内容、检查通过后，删除这一行（或改为 false）才会公开。")
    _key(data, "title", title or f"（待填写{item.title_label}）",
         f"信息名称（本事项为“{item.title_label}”）；文字；必填。")
    _key(data, "date", day,
         "信息形成或变更的日期；日期，写作 2026-03-15 或 2026年3月15日；必填。\n"
         "公开时限（如 20 个工作日）从这一天算起。")
    _key(data, "published", None,
         "公开日期：信息在本专栏出现的那天；日期；选填，不填则与 date 相同。\n"
         "不能倒填：date 早于生成上网那天一个工作日以上时，在这里写上网那天（否则报 backdated）。\n"
         "写将来的日期即为定时发布：到那天重新生成网站后才公开。")
    _key(data, "index_no", index_no,
         "索引号：已自动取本年度下一个未用的流水号；必填且唯一，一经公开不再改变。")
    _key(data, "summary", None,
         "内容概述；文字；选填。一两句话说明这条信息的主要内容，显示在页面的“信息基本情况”中，\n"
         "也是订阅（RSS）中的摘要；不填则取正文开头。")
    _key(data, "topic", None,
         f"主题分类；文字；选填，不填则为本事项的“{item.topic}”。")
    _key(data, "project", None,
         "项目编码；选填。属于某个建设项目时填写，同一项目各环节的信息会汇集到项目页；\n"
         "多个项目写成列表 [编码1, 编码2]。例：2026-500103-70-01-000123")
    _key(data, "window", None,
         "公示期；起止日期；选填，只有公示类信息填写。期满后的第一次生成起，这条记录不再出现在网站上。\n"
         "例：{from: 2026-03-06, to: 2026-03-15}")
    if item.fields:
        fields = CommentedMap()
        for spec in item.fields:
            fields[spec.name] = example_value(spec) if spec.required else None
            fields.yaml_set_comment_before_after_key(spec.name, before=field_comment(spec, site), indent=2)
        _key(data, "fields", fields, "本事项的字段（字段名不要改动）；选填的字段不用可以留空。")
    if item.kind == "list":
        row = CommentedMap()
        for spec in item.rows:
            applies = not spec.required_if or row.get(spec.required_if[0]) == spec.required_if[1]
            row[spec.name] = example_value(spec) if applies else None  # e.g. no 单位名称 for a person
            row.yaml_add_eol_comment(field_comment(spec, site), spec.name)
        columns = "、".join(s.name for s in item.rows)
        _key(data, "rows", CommentedSeq([row]),
             "名单：每一行以“- ”开头，列名不要改动；下面是一行示例，请换成真实数据并按同样格式续写。\n"
             "名单较长时可删去 rows，改写 rows_from: 文件名.xlsx（也可以是 .xls、.ods、.csv），\n"
             f"把表格放在本文件所在的文件夹，第一行写列名：{columns}。\n"
             "身份证号列在 Excel 中须设为“文本”格式。")
    _key(data, "attachments", None,
         "附件；选填。把文件放在本文件所在的文件夹，每行写一个“- 文件名”。\n"
         "附件原样公开：不要附上含身份证号等个人信息的完整名单。")
    required = "必填" if item.body_required else "选填"
    body = (LiteralScalarString(f"（待填写{item.body_label}。空一行为新的一段；以 ## 开头的一行为小标题。）\n")
            if item.body_required else "")
    _key(data, "body", body,
         f"{item.body_label}；可排版文字（Markdown）；{required}。写在 body: | 下面，每行缩进两个空格。\n"
         "正文中不要写身份证号、个人手机号等个人信息；写了会被自动隐藏并给出警告。")
    return data


def dump(data) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(data, out)
    return out.getvalue()


# ---- the command -----------------------------------------------------------------------

def _usage_error(where: str, code: str, message: str, hint: str) -> ConfigError:
    report = Report()
    report.error(Location(where), code, message, hint)
    return ConfigError(report)


def find_item(catalog: Catalog, item_id: str) -> Item:
    item = catalog.by_id.get(item_id)
    if item is None:
        names = {i.name: i.id for i in catalog.items}
        if item_id in names:  # staff may type the Chinese name
            return catalog.by_id[names[item_id]]
        close = difflib.get_close_matches(item_id, list(catalog.by_id) + list(names), n=1, cutoff=0.5)
        hint = f"是否想写“{names.get(close[0], close[0])}”？" if close else ""
        raise _usage_error(item_id, "unknown-item", f"目录中没有事项“{item_id}”",
                           hint + "事项 id 写作 分类/事项，如 allocation/results；全部事项见 python -m generator catalog")
    return item


def free_slug(folder: Path, base: str) -> str:
    slug, n = base, 2
    while any((folder / f"{slug}{suffix}").exists() for suffix in (".yaml", ".yml", ".md")):
        slug, n = f"{base}-{n}", n + 1
    return slug


def new_record(site: SiteConfig, catalog: Catalog, item_id: str, title: str | None = None,
               slug: str | None = None, day: dt.date | None = None) -> Path:
    """Write the scaffold; raises ConfigError (nothing written) for a bad item or slug."""
    item = find_item(catalog, item_id)
    day = day or dt.date.today()
    folder = site.content_dir / item.category / item.slug
    if slug is None:
        slug = free_slug(folder, day.isoformat())
    elif not SLUG.fullmatch(slug):
        raise _usage_error(slug, "bad-slug", f"文件名“{slug}”只能用小写英文字母、数字和连字符",
                           "文件名会成为网址，例如 2026-batch1；中文标题用 --title 指定")
    path = folder / f"{slug}.yaml"
    for existing in (folder / f"{slug}{suffix}" for suffix in (".yaml", ".yml", ".md")):
        if existing.exists():
            raise _usage_error(display_path(existing, site.root), "file-exists",
                               "这个文件已经存在，没有覆盖它", "换一个文件名：--slug 其他名称")
    text = dump(record_map(item, site, title, day, next_index_no(site, catalog, day)))
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(text)
    return path
