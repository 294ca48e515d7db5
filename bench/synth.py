"""A reproducible synthetic site for benchmarks: N records spread over every item.

About 70 % are documents with ~1.5 KB of Chinese Markdown, 30 % lists of 20–500 rows
with names and ID numbers to mask; lists longer than 100 rows are written as a CSV
beside the record (rows_from), as staff keep long lists in spreadsheets. Same seed,
same site.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
from pathlib import Path

from generator.catalog import base_catalog
from generator.fieldtypes import id_check_digit

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


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    first17 = f"500103{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def _value(spec, rng: random.Random, day: dt.date) -> str:
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
        return f"2025-500103-70-01-{rng.randrange(1000000):06d}"
    if kind == "markdown":
        return PARAGRAPH
    return "示例" + PARAGRAPH[: rng.randrange(8, 30)]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_site(root: Path, records: int, seed: int = 1, max_rows: int = 500) -> Path:
    """Write the synthetic site under root (replacing it); returns site.yaml."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    rng = random.Random(seed)
    catalog, _ = base_catalog()
    documents = [i for i in catalog.items if i.kind == "document"]
    lists = [i for i in catalog.items if i.kind == "list"]
    for n in range(records):
        is_list = rng.random() < 0.3
        item = rng.choice(lists if is_list else documents)
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2400))
        folder = root / "content" / item.id
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"title: {_quote(f'{item.name}（第{n}号）')}", f"date: {day}",
                 f"index_no: BENCH/{day.year}-{n:06d}"]
        fields = [f"  {spec.name}: {_quote(_value(spec, rng, day))}" for spec in item.fields]
        if fields:
            lines += ["fields:"] + fields
        if is_list:
            count = rng.randrange(min(20, max_rows), max_rows + 1)
            table = [[_value(spec, rng, day) for spec in item.rows] for _ in range(count)]
            if count > INLINE_ROWS:  # long lists live in spreadsheets beside the record, as staff keep them
                with open(folder / f"r{n:06d}.csv", "w", encoding="utf-8", newline="") as out:
                    writer = csv.writer(out)
                    writer.writerow([spec.name for spec in item.rows])
                    writer.writerows(table)
                lines.append(f"rows_from: r{n:06d}.csv")
            else:
                lines.append("rows:")
                for cells in table:
                    pairs = ", ".join(f"{spec.name}: {_quote(v)}" for spec, v in zip(item.rows, cells))
                    lines.append(f"  - {{{pairs}}}")
            (folder / f"r{n:06d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            body = "\n\n".join(f"## 第{k + 1}部分\n\n" + PARAGRAPH * 3 for k in range(3))
            (folder / f"r{n:06d}.md").write_text("---\n" + "\n".join(lines) + "\n---\n" + body + "\n",
                                                 encoding="utf-8")
    return root / "site.yaml"
