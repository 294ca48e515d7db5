"""A reproducible synthetic site for benchmarks: N records spread over every item.

About 70 % are documents with ~1.5 KB of Chinese Markdown, 30 % lists of 20–500 rows
with names and ID numbers to mask; lists longer than 100 rows are written as a CSV
beside the record (rows_from), as staff keep long lists in spreadsheets. Rows name
projects from a pool (one per 20 records), as a city's allocation lists do. Same seed,
same site.

The same texts can also be written as plain Markdown pages (title, date, body and the
list as a Markdown table) for Hugo and Pelican, so the generators compare on equal work.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from generator.config.catalog import base_catalog
from generator.config.fieldtypes import id_check_digit
from generator.model.records import REFERENCE_FIELDS

INLINE_ROWS = 100  # lists longer than this are written as CSV (rows_from)
SITE_YAML = """\
title: 基准测试市住房保障信息公开专栏
department: 基准测试市住房和城乡建设局
level: 市级
base_url: https://www.example.gov.cn/zfbz/
index_prefix: BENCH
"""
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
PARAGRAPH = ("为进一步规范公共租赁住房管理，保障住房困难家庭基本住房需求，根据有关规定，"
             "结合本市实际，现将有关事项公告如下。申请人应当如实申报家庭人口、收入及住房状况，"
             "住房保障部门会同有关部门进行审核，审核结果在政府网站公示，公示期为十个工作日。")


@dataclass
class Synthetic:
    n: int
    item: object  # catalog Item
    day: dt.date
    fields: list  # (name, text)
    columns: list  # row column names (lists)
    table: list  # rows of texts (lists)
    body: str  # Markdown (documents)

    @property
    def title(self) -> str:
        return f"{self.item.name}（第{self.n}号）"

    @property
    def is_list(self) -> bool:
        return bool(self.columns)


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    first17 = f"500103{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def _value(spec, rng: random.Random, day: dt.date, projects: int = 1000) -> str:
    value = _drawn(spec, rng, day, projects)  # drawn anyway: the same random stream, the same site as before
    # another record's 索引号: none named, so that no link points nowhere (check/links.py)
    return "" if spec.name in REFERENCE_FIELDS else value


def _drawn(spec, rng: random.Random, day: dt.date, projects: int) -> str:
    kind = spec.type
    if kind in ("date",):
        return day.isoformat()
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "period":
        return f"{day.isoformat()} 至 {(day + dt.timedelta(days=365)).isoformat()}"
    if kind in ("integer",):
        return str(rng.randrange(1, 2000))
    if kind in ("decimal", "money", "area"):
        return f"{rng.randrange(30, 9000)}.{rng.randrange(100):02d}"
    if kind == "enum":
        return rng.choice(spec.values)
    if kind == "id_card":
        return _id_number(rng)
    if kind == "name":
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    if kind == "tel":
        return "023-6" + str(rng.randrange(1000000, 9999999))
    if kind == "uscc":
        return "91500103MA5U8XJ71D"
    if kind == "project_code":
        return f"2025-500103-70-01-{rng.randrange(projects):06d}"
    if kind == "markdown":
        return PARAGRAPH
    return "示例" + PARAGRAPH[: rng.randrange(8, 30)]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def synthesize(records: int, seed: int = 1, max_rows: int = 500):
    """The records, as plain texts, in order."""
    rng = random.Random(seed)
    projects = max(10, records // 20)
    catalog, _ = base_catalog()
    documents = [i for i in catalog.items if i.kind == "document"]
    lists = [i for i in catalog.items if i.kind == "list"]
    for n in range(records):
        is_list = rng.random() < 0.3
        item = rng.choice(lists if is_list else documents)
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2400))
        fields = [(spec.name, _value(spec, rng, day, projects)) for spec in item.fields]
        columns, table, body = [], [], ""
        if is_list:
            count = rng.randrange(min(20, max_rows), max_rows + 1)
            columns = [spec.name for spec in item.rows]
            table = [[_value(spec, rng, day, projects) for spec in item.rows] for _ in range(count)]
        else:
            body = "\n\n".join(f"## 第{k + 1}部分\n\n" + PARAGRAPH * 3 for k in range(3))
        yield Synthetic(n, item, day, fields, columns, table, body)


def write_site(root: Path, records: int, seed: int = 1, max_rows: int = 500) -> Path:
    """Write the synthetic site under root (replacing it); returns site.yaml."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for rec in synthesize(records, seed, max_rows):
        n, day = rec.n, rec.day
        folder = root / "content" / rec.item.id
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"title: {_quote(rec.title)}", f"date: {day}", f"index_no: BENCH/{day.year}-{n:06d}"]
        if rec.fields:
            lines += ["fields:"] + [f"  {name}: {_quote(text)}" for name, text in rec.fields]
        if rec.is_list:
            if len(rec.table) > INLINE_ROWS:  # long lists live in spreadsheets beside the record, as staff keep them
                with open(folder / f"r{n:06d}.csv", "w", encoding="utf-8", newline="") as out:
                    writer = csv.writer(out)
                    writer.writerow(rec.columns)
                    writer.writerows(rec.table)
                lines.append(f"rows_from: r{n:06d}.csv")
            else:
                lines.append("rows:")
                for cells in rec.table:
                    pairs = ", ".join(f"{name}: {_quote(v)}" for name, v in zip(rec.columns, cells))
                    lines.append(f"  - {{{pairs}}}")
            (folder / f"r{n:06d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            (folder / f"r{n:06d}.md").write_text("---\n" + "\n".join(lines) + "\n---\n" + rec.body + "\n",
                                                 encoding="utf-8")
    return root / "site.yaml"


def markdown_text(rec: Synthetic) -> str:
    """The record's texts as one Markdown page body: fields, body, the list as a table."""
    parts = [f"- **{name}**：{text}" for name, text in rec.fields]
    if rec.body:
        parts.append("\n" + rec.body)
    if rec.is_list:
        parts.append("\n| " + " | ".join(rec.columns) + " |")
        parts.append("|" + "---|" * len(rec.columns))
        parts += ["| " + " | ".join(cells) + " |" for cells in rec.table]
    return "\n".join(parts) + "\n"


HUGO_CONFIG = """\
baseURL = "https://www.example.gov.cn/zfbz/"
languageCode = "zh-cn"
title = "基准测试市住房保障信息公开专栏"
disableKinds = ["taxonomy", "term"]
"""
HUGO_LAYOUTS = {
    "baseof.html": '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
                   "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>'
                   "{{ .Content }}{{ end }}\n",
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}'
                 '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n',
}


def write_hugo(root: Path, records: int, seed: int = 1, max_rows: int = 500) -> Path:
    """A Hugo site of the same texts: one section per item, minimal layouts."""
    if root.exists():
        shutil.rmtree(root)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / "_default" / name).write_text(text, encoding="utf-8")
    for rec in synthesize(records, seed, max_rows):
        folder = root / "content" / rec.item.id.replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        front = f"---\ntitle: {_quote(rec.title)}\ndate: {rec.day}\n---\n"
        (folder / f"r{rec.n:06d}.md").write_text(front + markdown_text(rec), encoding="utf-8")
    return root


PELICAN_CONF = """\
SITENAME = "基准测试市住房保障信息公开专栏"
SITEURL = ""
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
PATH = "content"
DEFAULT_PAGINATION = 20
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
MARKDOWN = {"extension_configs": {"markdown.extensions.tables": {}, "markdown.extensions.extra": {}}}
"""


def write_pelican(root: Path, records: int, seed: int = 1, max_rows: int = 500) -> Path:
    """A Pelican site of the same texts: one category per item, the default theme."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    for rec in synthesize(records, seed, max_rows):
        head = (f"Title: {rec.title}\nDate: {rec.day}\nCategory: {rec.item.id.replace('/', '-')}\n"
                f"Slug: r{rec.n:06d}\n\n")
        (root / "content" / f"r{rec.n:06d}.md").write_text(head + markdown_text(rec), encoding="utf-8")
    return root
