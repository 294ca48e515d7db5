"""The disclosure catalog: the standard 10/43 catalog shipped in the package, plus the
site's local extension, which may add and strengthen but never remove or weaken
(只增不减, seed 002)."""
from __future__ import annotations

import marshal
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path

import yaml

from ..check import collisions
from ..incremental import keys, seal
from ..model.diagnostics import ConfigError, Location, Report, display_path
from ..source import yamlsource
from . import fieldtypes

ELEMENTS = ("公开内容", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "公开方式", "公开层级")
LIST_ELEMENTS = ("公开内容", "公开依据", "公开渠道和载体", "公开对象", "公开方式", "公开层级")
STAGES = ("立项", "开工", "配套", "基本建成", "竣工", "房源", "分配")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# Fields naming the body that issued a record (its 发布机构 in the metadata block), in order of preference.
ISSUER_FIELDS = ("发布部门", "发布机关", "制发机关", "解读主体")
DEFAULT_TOPIC = "城乡建设、环境保护\\住房保障"  # when the catalog data names none
TOPIC = "主题分类"  # the catalog key of an item's 主题分类 (国务院公文主题词表 / gov.cn scheme)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    mask: bool = False
    publish: bool = True
    values: tuple[str, ...] = ()
    example: str = ""
    help: str = ""
    scope: str = "record"  # "record": under fields:, "row": a column under rows:
    enum: str = ""  # the named value list (schema.yaml enums) the values come from
    required_if: tuple[str, str] | tuple = ()  # (other field, value): required when it has that value

    @property
    def type_label(self) -> str:
        return fieldtypes.TYPES[self.type].label

    def as_json(self) -> dict:
        data = {"name": self.name, "type": self.type, "required": self.required,
                "mask": self.mask, "publish": self.publish, "scope": self.scope}
        if self.values:
            data["values"] = list(self.values)
        if self.required_if:
            data["required_if"] = dict([self.required_if])
        return data

    @property
    def required_label(self) -> str:
        if self.required:
            return "必填"
        if self.required_if:
            return f"{self.required_if[0]}为“{self.required_if[1]}”时必填"
        return "选填"


@dataclass(frozen=True)
class Deadline:
    working_days_after: int | None = 20
    monthly: int | None = None
    annual_by: str | None = None  # "MM-DD"

    def as_json(self) -> dict:
        return {k: v for k, v in (("working_days_after", self.working_days_after),
                                  ("monthly", self.monthly), ("annual_by", self.annual_by)) if v is not None}


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    local: bool = False


@dataclass(frozen=True)
class Item:
    id: str
    category: str
    name: str
    elements: dict
    kind: str
    title_label: str
    body_label: str
    body_required: bool
    fields: tuple[FieldSpec, ...]
    rows: tuple[FieldSpec, ...]
    deadline: Deadline
    no: int | None = None
    stage: str | None = None
    local: bool = False
    note: str = ""
    topic: str = ""  # 主题分类, shown in every record's metadata block unless the record sets its own
    # 政策文件、通知公告类栏目: the inspectors' rule that the column has a new or changed
    # record at least every this many months (国办秘函〔2019〕19号); None: no such rule
    freshness_months: int | None = None

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    @property
    def on_request_only(self) -> bool:
        return "主动" not in self.elements["公开方式"]

    @cached_property
    def field_map(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    @cached_property
    def issuer_field(self) -> str:
        """The field naming the record's issuing body (发布机构), "" when the item has none."""
        return next((name for name in ISSUER_FIELDS if name in self.field_map), "")

    @cached_property
    def row_map(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.rows}

    def as_json(self) -> dict:
        return {"id": self.id, "category": self.category, "name": self.name,
                "elements": {"事项名称": self.name, **self.elements},
                "kind": self.kind, "fields": [f.as_json() for f in self.fields + self.rows],
                "deadline": self.deadline.as_json(), "title": self.title_label,
                "body": {"label": self.body_label, "required": self.body_required},
                "stage": self.stage, "local": self.local, "topic": self.topic,
                **({"freshness_months": self.freshness_months} if self.freshness_months else {})}


@dataclass(frozen=True)
class Catalog:
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    by_id: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        self.by_id.update({item.id: item for item in self.items})

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def items_of(self, category_id: str) -> list[Item]:
        return [item for item in self.items if item.category == category_id]

    def for_level(self, level: str) -> "Catalog":
        """Only the items published at this government level (公开层级)."""
        items = tuple(i for i in self.items if level in i.elements["公开层级"])
        categories = tuple(c for c in self.categories if any(i.category == c.id for i in items))
        return Catalog(categories, items)

    def as_json(self) -> dict:
        return {"categories": [{"id": c.id, "name": c.name} for c in self.categories],
                "items": [item.as_json() for item in self.items]}


class _SpecError(Exception):
    def __init__(self, message: str, hint: str = "", where=None):
        super().__init__(message)
        self.message, self.hint, self.where = message, hint, where


def _field_spec(raw, scope: str, enums: dict) -> FieldSpec:
    allowed = {"name", "type", "required", "required_if", "mask", "publish", "values", "example", "help"}
    if not isinstance(raw, dict) or "name" not in raw:
        raise _SpecError("字段应写成 {name: 字段名, type: 类型}", "", raw)
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _SpecError(f"字段“{raw['name']}”有未知的设置“{unknown[0]}”", "可用：" + "、".join(sorted(allowed)), raw)
    type_name = raw.get("type", "text")
    if type_name not in fieldtypes.TYPES:
        raise _SpecError(f"字段“{raw['name']}”的类型“{type_name}”不存在",
                         "可用的类型：" + "、".join(fieldtypes.TYPES), raw)
    values = raw.get("values", ())
    enum_name = ""
    if isinstance(values, str):
        if values not in enums:
            raise _SpecError(f"取值表“{values}”不存在", "可用：" + "、".join(enums), raw)
        enum_name, values = values, enums[values]
    if type_name == "enum" and not values:
        raise _SpecError(f"限定取值的字段“{raw['name']}”需要 values", "", raw)
    for key in ("required", "mask", "publish"):
        if key in raw and not isinstance(raw[key], bool):
            raise _SpecError(f"字段“{raw['name']}”的 {key} 应为 true 或 false", "", raw)
    mask = raw.get("mask", type_name in fieldtypes.MASKED_BY_DEFAULT)
    if type_name == "id_card" and mask is False:
        raise _SpecError(f"身份证号字段“{raw['name']}”不能取消隐藏", "身份证号一律隐藏部分号码", raw)
    publish = raw.get("publish", type_name != "bank_card")
    return FieldSpec(name=str(raw["name"]), type=type_name, required=raw.get("required", False),
                     mask=mask, publish=publish, values=tuple(str(v) for v in values),
                     example=str(raw.get("example", "")), help=str(raw.get("help", "")), scope=scope,
                     enum=enum_name, required_if=_required_if(raw))


def _required_if(raw: dict) -> tuple:
    """`required_if: {主体类型: 自然人}`: the field is required in rows (or records) where
    the other field has that value, e.g. 姓名 for a person, 单位名称 for an organisation."""
    condition = raw.get("required_if")
    if condition is None:
        return ()
    if not isinstance(condition, dict) or len(condition) != 1:
        raise _SpecError(f"字段“{raw['name']}”的 required_if 应写成 {{字段名: 取值}}，只写一个条件",
                         "例如 required_if: {主体类型: 自然人}", raw)
    (name, value), = condition.items()
    return str(name), fieldtypes.as_text(value)


def _check_conditions(item_id: str, specs: tuple) -> None:
    """Every required_if names a field of the same mapping and one of its possible values."""
    by_name = {f.name: f for f in specs}
    for spec in specs:
        if not spec.required_if:
            continue
        other, value = spec.required_if
        if other not in by_name or other == spec.name:
            raise _SpecError(f"事项“{item_id}”字段“{spec.name}”的 required_if 引用了不存在的字段“{other}”",
                             "可用：" + "、".join(n for n in by_name if n != spec.name))
        if by_name[other].values and value not in by_name[other].values:
            raise _SpecError(f"事项“{item_id}”字段“{spec.name}”的 required_if：“{other}”没有取值“{value}”",
                             "可选：" + "、".join(by_name[other].values))


def _deadline(raw) -> Deadline:
    if raw is None:
        return Deadline()
    if not isinstance(raw, dict) or set(raw) - {"working_days_after", "monthly", "annual_by"}:
        raise _SpecError("deadline 只能含 working_days_after、monthly、annual_by", "", raw)
    def days(key):
        if raw.get(key) is None:
            return None
        value = fieldtypes.parse_integer(raw[key])
        if not 1 <= value <= 366:
            raise _SpecError(f"deadline 的 {key} 应在 1 到 366 之间", "", raw)
        return value
    annual = raw.get("annual_by")
    if annual is not None and not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", str(annual)):
        raise _SpecError("annual_by 应写作 \"06-30\"", "", raw)
    monthly = days("monthly")
    after = days("working_days_after")
    if after is None and monthly is None:
        after = 20
    return Deadline(after, monthly, None if annual is None else str(annual))


def _freshness(value, where) -> int | None:
    """`freshness_months`: a whole number of months, 1 to 24."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():  # the local catalog's YAML gives text
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24:
        raise _SpecError("freshness_months（至少每几个月更新一次）应为 1 到 24 之间的整数",
                         "政策文件、通知公告类栏目按检查指标写 6", where)
    return value


def _elements(raw: dict, name: str) -> dict:
    elements = {}
    for key in ELEMENTS:
        value = raw.get(key)
        if value is None:
            raise _SpecError(f"事项“{name}”缺少要素“{key}”", "目录至少应包括九要素（002 号文件）", raw)
        if key in LIST_ELEMENTS:
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not value:
                raise _SpecError(f"事项“{name}”的要素“{key}”应为列表", "", raw)
            value = tuple(str(v) for v in value)
        else:
            value = str(value)
        elements[key] = value
    return elements


def _topic(raw: dict, default: str) -> str:
    topic = raw.get(TOPIC, default)
    if not isinstance(topic, str) or not topic.strip():
        raise _SpecError(f"{TOPIC}应为文字，如“城乡建设、环境保护\\住房保障”", "", raw)
    return topic.strip()


def _item(raw: dict, schema: dict, enums: dict, categories: dict, local: bool, topic: str = "") -> Item:
    item_id = str(raw.get("id", ""))
    category, _, slug = item_id.partition("/")
    if category not in categories or not SLUG.fullmatch(slug):
        raise _SpecError(f"事项 id“{item_id}”应写作 分类id/事项id，分类须已存在",
                         "例如 credit/blacklist；事项 id 只用小写字母、数字和 -", raw)
    if "name" not in raw:
        raise _SpecError(f"事项“{item_id}”缺少 name", "", raw)
    kind = schema.get("kind", "list" if schema.get("rows") else "document")
    if kind not in ("document", "list"):
        raise _SpecError(f"事项“{item_id}”的 kind 只能是 document 或 list", "", schema)
    if kind == "list" and not schema.get("rows"):
        raise _SpecError(f"名单类事项“{item_id}”需要 rows（各列）", "", schema)
    body = schema.get("body") or {}
    if isinstance(body, str):
        body = {"label": body}
    stage = schema.get("stage")
    if stage is not None and stage not in STAGES:
        raise _SpecError(f"环节“{stage}”不存在", "可用：" + "、".join(STAGES), schema)
    fields = tuple(_field_spec(f, "record", enums) for f in schema.get("fields") or ())
    rows = tuple(_field_spec(f, "row", enums) for f in schema.get("rows") or ())
    for specs in (fields, rows):
        names = [f.name for f in specs]
        if len(set(names)) != len(names):
            raise _SpecError(f"事项“{item_id}”有重复的字段名", "", schema)
        _check_conditions(item_id, specs)
    return Item(id=item_id, category=category, name=str(raw["name"]), elements=_elements(raw, str(raw["name"])),
                kind=kind, title_label=str(schema.get("title", "信息名称")),
                body_label=str(body.get("label", "正文")), body_required=bool(body.get("required", False)),
                fields=fields, rows=rows, deadline=_deadline(schema.get("deadline")),
                no=raw.get("no"), stage=stage, local=local, note=str(raw.get("note", "")),
                topic=_topic(raw if TOPIC in raw else schema, topic or DEFAULT_TOPIC),
                freshness_months=_freshness(schema.get("freshness_months"), raw))


def _package_yaml(name: str, cache: Path | None = None):
    """A YAML file of the package, parsed; through `cache` (a folder) when given: loading
    the catalog and its schemas as marshal wrote them spares every build parsing the YAML
    (docs/performance.md). The cached copy is named by a digest of the YAML: never stale;
    and sealed (seal.py), as everything under .cache/ is."""
    data = resources.files("generator.config.catalog_data").joinpath(name).read_bytes()
    if cache is None:
        return yaml.load(data.decode("utf-8"), Loader=yaml.CSafeLoader)
    kept = cache / f"{name}.{keys.digest(data).hex()[:16]}.marshal"
    sealed = seal.read(kept, b"catalog")  # None unless sealed with this account's key (seal.py)
    try:
        parsed = marshal.loads(sealed) if sealed is not None else None
        if isinstance(parsed, dict):
            return parsed
    except (EOFError, ValueError, TypeError):
        pass
    parsed = yaml.load(data.decode("utf-8"), Loader=yaml.CSafeLoader)
    try:
        for old in cache.glob(f"{name}.*.marshal"):  # of another version of the generator
            old.unlink()
        seal.write(kept, marshal.dumps(parsed), b"catalog")
    except OSError:
        pass  # a folder we may not write to: parsed again next time
    return parsed


def base_catalog(cache: Path | None = None) -> tuple[Catalog, dict]:
    """The standard catalog shipped in the package, and its named enum value lists; its
    parsed YAML kept in the folder `cache` when given."""
    standard = _package_yaml("standard.yaml", cache)
    schema = _package_yaml("schema.yaml", cache)
    enums = {k: tuple(v) for k, v in schema["enums"].items()}
    topic = schema.get(TOPIC, DEFAULT_TOPIC)
    categories = {c["id"]: Category(c["id"], c["name"]) for c in standard["categories"]}
    names = {c.name: c.id for c in categories.values()}
    items = []
    for raw in standard["items"]:
        assert names[raw["category"]] == raw["id"].split("/")[0], raw["id"]
        items.append(_item(raw, schema["items"][raw["id"]], enums, categories, local=False, topic=topic))
    return Catalog(tuple(categories.values()), tuple(items)), enums


# ---- local extension ----------------------------------------------------------------

_SCHEMA_KEYS = {"kind", "title", "body", "fields", "rows", "deadline", "stage", "freshness_months"}
_NEW_ITEM_KEYS = {"id", "name", "note", TOPIC} | set(ELEMENTS) | _SCHEMA_KEYS
_EXTEND_ITEM_KEYS = {"id", "fields", "rows", "deadline", "note", "freshness_months", TOPIC} | set(ELEMENTS)


def _strengthen_field(old: FieldSpec, raw: dict) -> FieldSpec:
    name = old.name
    if raw.get("type", old.type) != old.type:
        raise _SpecError(f"只增不减：不能把字段“{name}”的类型从 {old.type} 改为 {raw['type']}", "", raw)
    if old.required and raw.get("required") is False:
        raise _SpecError(f"只增不减：不能取消字段“{name}”的必填", "本地目录只能增加要求，不能放宽", raw)
    if old.mask and raw.get("mask") is False:
        raise _SpecError(f"只增不减：不能取消字段“{name}”的隐藏处理", "", raw)
    if not old.publish and raw.get("publish") is True:
        raise _SpecError(f"只增不减：不能公开内部字段“{name}”", "", raw)
    required_if = _required_if(raw) or old.required_if
    if old.required_if and required_if != old.required_if:
        raise _SpecError(f"只增不减：不能改变字段“{name}”的 required_if", "", raw)
    values = old.values + tuple(str(v) for v in raw.get("values", ()) if str(v) not in old.values)
    return replace(old, required=old.required or raw.get("required", False),
                   mask=old.mask or raw.get("mask", False),
                   publish=old.publish and raw.get("publish", True), values=values, required_if=required_if,
                   example=str(raw.get("example", old.example)), help=str(raw.get("help", old.help)))


def _extend_fields(old: tuple, raws, scope: str, enums: dict) -> tuple:
    specs = {f.name: f for f in old}
    for raw in raws or ():
        if not isinstance(raw, dict) or "name" not in raw:
            raise _SpecError("字段应写成 {name: 字段名, type: 类型}", "", raw)
        name = str(raw["name"])
        if name in specs:
            specs[name] = _strengthen_field(specs[name], raw)
        else:
            specs[name] = _field_spec(raw, scope, enums)
    return tuple(specs.values())


def _extend_item(old: Item, raw: dict, enums: dict) -> Item:
    elements = dict(old.elements)
    for key in ELEMENTS:
        if key not in raw:
            continue
        if key in LIST_ELEMENTS:
            added = [raw[key]] if isinstance(raw[key], str) else list(raw[key] or ())
            elements[key] = old.elements[key] + tuple(str(v) for v in added if str(v) not in old.elements[key])
        else:
            elements[key] = str(raw[key])
    deadline = old.deadline
    if "deadline" in raw:
        new = _deadline({**old.deadline.as_json(), **raw["deadline"]})
        for key in ("working_days_after", "monthly"):
            before, after = getattr(old.deadline, key), getattr(new, key)
            if before is not None and (after is None or after > before):
                raise _SpecError(f"只增不减：不能把事项“{old.name}”的时限 {key} 从 {before} 放宽到 {after}",
                                 "本地目录只能缩短时限", raw)
        if old.deadline.annual_by and new.annual_by > old.deadline.annual_by:
            raise _SpecError(f"只增不减：不能把事项“{old.name}”的 annual_by 推迟", "", raw)
        deadline = new
    rows = _extend_fields(old.rows, raw.get("rows"), "row", enums)
    fields = _extend_fields(old.fields, raw.get("fields"), "record", enums)
    _check_conditions(old.id, rows)
    _check_conditions(old.id, fields)
    if rows and old.kind == "document":
        raise _SpecError(f"事项“{old.name}”是单篇文件，不能增加名单列（rows）", "改用 fields", raw)
    return replace(old, elements=elements, deadline=deadline,
                   fields=fields, rows=rows, freshness_months=_stricter_freshness(old, raw),
                   note=str(raw.get("note", old.note)), topic=_topic(raw, old.topic), local=True)


def _stricter_freshness(old: Item, raw: dict) -> int | None:
    """A local catalog may set or shorten an item's freshness rule, never lengthen it."""
    if "freshness_months" not in raw:
        return old.freshness_months
    new = _freshness(raw["freshness_months"], raw)
    if old.freshness_months is not None and (new is None or new > old.freshness_months):
        raise _SpecError(f"只增不减：不能把事项“{old.name}”的 freshness_months 从 {old.freshness_months} 放宽到 {new}",
                         "本地目录只能缩短更新周期", raw)
    return new


def _with_enums(catalog: Catalog, enums: dict) -> Catalog:
    """Every field drawing on a named value list gets the values the extension added."""
    def widen(spec: FieldSpec) -> FieldSpec:
        if not spec.enum:
            return spec
        return replace(spec, values=spec.values + tuple(v for v in enums[spec.enum] if v not in spec.values))
    items = tuple(replace(i, fields=tuple(map(widen, i.fields)), rows=tuple(map(widen, i.rows)))
                  for i in catalog.items)
    return Catalog(catalog.categories, items)


def _where(raw, shown: str) -> Location:
    if isinstance(raw, (yamlsource.YDict, yamlsource.YList)):
        return Location(shown, *raw.pos)
    return Location(shown)


def extend(base: Catalog, enums: dict, path: Path, root: Path) -> Catalog:
    """Apply the local extension file; raises ConfigError naming what is wrong."""
    shown = display_path(path, root)
    report = Report()
    if not path.exists():
        return base
    try:
        data = yamlsource.parse(yamlsource.decode(path.read_bytes()))
    except yamlsource.YamlProblem as problem:
        report.error(Location(shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
        raise ConfigError(report) from None
    if data is None:
        return base
    if not isinstance(data, dict):
        report.error(Location(shown, 1, 1), "catalog-type", "本地目录应为键值对", "顶层写 categories: 和 items:")
        raise ConfigError(report)
    for key in data:
        if key == "remove":
            for target in data["remove"] or ():
                report.error(Location(shown, *data.key_pos[key]), "catalog-weaken",
                             f"只增不减：本地目录不能删除“{target}”",
                             "标准目录的事项和字段只能增加，不能删除（002 号文件）")
        elif key not in ("categories", "items", "enums"):
            report.error(Location(shown, *data.key_pos[key]), "catalog-unknown-key",
                         f"本地目录中没有“{key}”这一项", "可用：categories、items、enums")
    enums = dict(enums)
    for name, values in (data.get("enums") or {}).items():
        enums[name] = tuple(enums.get(name, ())) + tuple(str(v) for v in values if str(v) not in enums.get(name, ()))
    base = _with_enums(base, enums)
    categories = {c.id: c for c in base.categories}
    for raw in data.get("categories") or ():
        if not isinstance(raw, dict) or not SLUG.fullmatch(str(raw.get("id", ""))) or not raw.get("name"):
            report.error(_where(raw, shown), "catalog-category", "分类应写成 {id: 英文标识, name: 中文名称}",
                         "id 只用小写字母、数字和 -")
            continue
        reserved = collisions.category_problem(raw["id"])
        if reserved:
            report.error(_where(raw, shown), "reserved-category", reserved, collisions.RESERVED_HINT)
            continue
        old = categories.get(raw["id"])
        if old and old.name != raw["name"]:
            report.error(_where(raw, shown), "catalog-weaken", f"只增不减：不能把分类“{old.name}”改名为“{raw['name']}”", "")
            continue
        categories.setdefault(raw["id"], Category(raw["id"], str(raw["name"]), local=True))
    items = {item.id: item for item in base.items}
    for raw in data.get("items") or ():
        try:
            if not isinstance(raw, dict):
                raise _SpecError("事项应写成键值对", "", raw)
            item_id = str(raw.get("id", ""))
            allowed = _EXTEND_ITEM_KEYS if item_id in items else _NEW_ITEM_KEYS
            unknown = sorted(set(raw) - allowed)
            if unknown:
                raise _SpecError(f"事项“{item_id}”中没有“{unknown[0]}”这一项",
                                 "可用：" + "、".join(sorted(allowed)), raw)
            if item_id in items:
                items[item_id] = _extend_item(items[item_id], raw, enums)
            else:
                items[item_id] = _item(raw, raw, enums, categories, local=True)
        except _SpecError as problem:
            report.error(_where(problem.where if problem.where is not None else raw, shown),
                         "catalog-spec", problem.message, problem.hint)
        except fieldtypes.Invalid as problem:
            report.error(_where(raw, shown), "catalog-spec", problem.message, problem.hint)
    if report.has_errors():
        raise ConfigError(report)
    order = list(categories)
    ordered = sorted(items.values(), key=lambda i: order.index(i.category))
    return Catalog(tuple(categories.values()), tuple(ordered))


def load_catalog(site, cache: bool = False) -> Catalog:
    """The site's catalog; with `cache`, the standard catalog is kept parsed in .cache/
    beside site.yaml (the build's, not validate's or check's: those write nothing)."""
    base, enums = base_catalog(site.root / ".cache" / "catalog" if cache else None)
    return extend(base, enums, site.catalog_path, site.root)
