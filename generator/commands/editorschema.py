"""JSON Schema (draft 2020-12) of a record file of one item, for editors' YAML support.

VS Code's YAML extension (yaml-language-server) reads YAML 1.2: dates arrive as strings,
numbers as numbers. The schema is a typing aid, kinder than the generator where it
must be (it accepts what validate accepts as far as a pattern can tell) and never the
last word: `validate` decides.
"""
from __future__ import annotations

from ..check.validate import EMPTY_CELLS
from ..config.catalog import Catalog, FieldSpec, Item
from ..config.site import SiteConfig
from .scaffold import field_comment

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_DATE = r"\d{4}(-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2}|年\d{1,2}月\d{1,2}日)"
DATE = {"type": "string", "pattern": f"^{_DATE}$",
        "description": "日期，写作 2026-03-15 或 2026年3月15日"}
MONTH = {"type": "string", "pattern": rf"^(\d{{4}}[-/.]\d{{1,2}}|\d{{4}}年\d{{1,2}}月|{_DATE})$"}
PERIOD = {"anyOf": [
    {"type": "string", "pattern": rf"^\s*{_DATE}\s*(至|到|~|～|—|--)\s*{_DATE}\s*$"},
    {"type": "object", "properties": {"from": DATE, "to": DATE}, "required": ["from", "to"],
     "additionalProperties": False},
], "description": "起止日期：2026-03-06 至 2026-03-15，或 {from: 2026-03-06, to: 2026-03-15}"}
TEXT = {"type": ["string", "number"]}


def _number(units: str) -> dict:
    return {"anyOf": [{"type": "number"},
                      {"type": "string", "pattern": rf"^-?[\d,]+(\.\d+)?\s*({units})?$"}]}


TYPE_SCHEMAS = {
    "text": TEXT, "markdown": {"type": "string"}, "name": {"type": "string"},
    "date": DATE, "month": MONTH, "period": PERIOD,
    "integer": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?[\d,]+\s*(套|户|个|人|年)?$"}]},
    "decimal": _number("%"), "money": _number("万元|元"), "area": _number("平方米|㎡|m²|m2|平米"),
    "id_card": {"type": "string", "pattern": r"^(\d{17}[\dXx]|\d{15})$",
                "description": "18 位（最后一位可为 X）或 15 位；请加引号，如 \"110101199003071233\""},
    "phone": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^(\+86)?[\d\s()（）-]{7,20}$"}]},
    "tel": TEXT,
    "bank_card": {"type": "string", "pattern": r"^[\d\s-]{12,23}$"},
    "url": {"type": "string", "pattern": r"^(?:[Hh][Tt][Tt][Pp][Ss]?://|[Mm][Aa][Ii][Ll][Tt][Oo]:|[Tt][Ee][Ll]:)\S+$"},
    "uscc": {"type": "string", "pattern": r"^[0-9A-Za-z]{18}$"},
    "project_code": {"type": ["string", "number"], "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"},
}
EMPTY = {"enum": [None, *EMPTY_CELLS]}


def field_schema(spec: FieldSpec, site: SiteConfig) -> dict:
    value = {"enum": list(spec.values)} if spec.values else dict(TYPE_SCHEMAS[spec.type])
    schema = value if spec.required else {"anyOf": [value, EMPTY]}
    return {**schema, "description": field_comment(spec, site)}


def _mapping(specs: tuple[FieldSpec, ...], site: SiteConfig, description: str) -> dict:
    schema = {"type": "object", "description": description,
              "properties": {s.name: field_schema(s, site) for s in specs},
              "required": [s.name for s in specs if s.required],
              "additionalProperties": False}
    conditions = [_condition(s) for s in specs if s.required_if]
    if conditions:
        schema["allOf"] = conditions
    return schema


def _condition(spec: FieldSpec) -> dict:
    """required_if as JSON Schema: when the other field has the value, this one is present and not empty."""
    other, value = spec.required_if
    present = {"enum": list(spec.values)} if spec.values else dict(TYPE_SCHEMAS[spec.type])
    return {"if": {"properties": {other: {"const": value}}, "required": [other]},
            "then": {"required": [spec.name], "properties": {spec.name: present}}}


def item_schema(item: Item, site: SiteConfig) -> dict:
    optional_date = {"anyOf": [DATE, {"type": "null"}]}
    properties = {
        "title": {"type": ["string", "number"], "minLength": 1, "description": f"信息名称（{item.title_label}）；必填"},
        "date": {**DATE, "description": "信息形成或变更的日期；必填；公开时限从这一天算起"},
        "published": {**optional_date, "description": "公开日期；不填则同 date；将来的日期为定时发布"},
        "index_no": {"type": ["string", "null"], "description": "索引号；唯一，一经公开不再改变"},
        "summary": {"type": ["string", "null"], "description": "内容概述；选填；显示在信息基本情况中，也是订阅的摘要"},
        "topic": {"type": ["string", "null"], "description": f"主题分类；选填，不填则为事项的“{item.topic}”"},
        "project": {"anyOf": [TYPE_SCHEMAS["project_code"], {"type": "array", "items": TYPE_SCHEMAS["project_code"]},
                              {"type": "null"}], "description": "项目编码，一个或一个列表"},
        "window": {"anyOf": [PERIOD, {"type": "null"}], "description": "公示期；期满后自动撤下"},
        "attachments": {"type": ["array", "null"], "description": "附件：本文件夹中的文件名",
                        "items": {"anyOf": [{"type": "string"},
                                            {"type": "object", "required": ["path"], "additionalProperties": False,
                                             "properties": {"path": {"type": "string"}, "title": {"type": "string"}}}]}},
        "draft": {"type": "boolean", "description": "草稿：true 时不发布"},
        "body": {"type": "string", "description": f"{item.body_label}（Markdown）" + ("；必填" if item.body_required else "")},
    }
    required = ["title", "date"] + (["body"] if item.body_required else [])
    schema = {"$schema": DRAFT, "title": f"{item.name}（{item.id}）的记录",
              "description": f"住房保障信息公开专栏：事项“{item.name}”的记录文件（.yaml）。以 python -m generator validate 的结果为准。",
              "type": "object", "properties": properties, "required": required, "additionalProperties": False}
    fields = _mapping(item.fields, site, "本事项的字段")
    properties["fields"] = fields if fields["required"] else {**fields, "type": ["object", "null"]}
    if fields["required"]:
        required.append("fields")
    if item.kind == "list":
        properties["rows"] = {"type": "array", "minItems": 1, "description": "名单：每行一个“- 列名: 值”",
                              "items": _mapping(item.rows, site, "名单的一行")}
        properties["rows_from"] = {"type": "string", "pattern": r"\.(csv|xlsx|xls|ods|CSV|XLSX|XLS|ODS)$",
                                   "description": "名单表格文件（本文件夹中），第一行为列名：" + "、".join(s.name for s in item.rows)}
        schema["oneOf"] = [{"required": ["rows"]}, {"required": ["rows_from"]}]
    return schema


def schema_file_name(item: Item) -> str:
    return item.id.replace("/", ".") + ".schema.json"


def all_schemas(catalog: Catalog, site: SiteConfig) -> dict[str, dict]:
    return {schema_file_name(item): item_schema(item, site) for item in catalog.items}
