"""The reports' pages and open data, one ledger group (`page:annual-report`):
`annual-report/<year>.html` in the template's layout, `annual-report/index.html` listing
every year newest first, and `data/annual-report/<year>.csv` / `.json` (UTF-8, the CSV
with a byte-order mark for Excel, as outputs/opendata.py writes lists)."""
from __future__ import annotations

import csv
import io
import json

from ..incremental.keys import key_of
from ..render.pages import Link
from . import forms, layout
from .load import AnnualReport

GROUP = "page:annual-report"
INDEX = "annual-report/index.html"


def published(reports: dict, day) -> list[AnnualReport]:
    """The reports public on `day`, newest first."""
    return [r for _, r in sorted(reports.items(), reverse=True) if r.public_on(day)]


def deadline_text(site) -> str:
    month, day = site.annual_report.deadline
    return f"{month}月{day}日"


def title_of(site, year: int) -> str:
    return f"{site.department}{year}年政府信息公开工作年度报告"


def key(context: bytes, shown: list[AnnualReport], stats_years: set) -> bytes:
    """All the pages and data show: each report's figures, texts and metadata, and which years have statistics."""
    parts = [repr((r.year, r.index_no, r.published, r.corrections, sorted(r.texts.items()),
                   sorted((repr(k), str(v)) for k, v in r.cells.items()), sorted(map(repr, r.counted))))
             for r in shown]
    return key_of(context, repr(sorted(stats_years)), *parts)


def _data_paths(year: int) -> tuple[str, str]:
    return f"data/annual-report/{year}.csv", f"data/annual-report/{year}.json"


def files(renderer, site, shown: list[AnnualReport], stats_years: set) -> dict[str, bytes]:
    made = {}
    markdown = renderer.markdown
    deadline = deadline_text(site)
    meta = renderer.column_meta("政府信息公开工作年度报告", "政府信息公开工作年度报告", "专题")
    for annual in shown:
        path = f"annual-report/{annual.year}.html"
        title = title_of(site, annual.year)
        csv_path, json_path = _data_paths(annual.year)
        counted = [forms.cell_name(annual.template.table(k[0]), annual.template.table(k[0]).row(k[1]), k[2])
                   for k in sorted(annual.counted, key=repr)]
        context = {
            "annual": annual, "template_name": annual.template.name, "published": annual.published.isoformat(),
            "deadline": deadline, "corrections": [{"day": c.day.isoformat(), "text": c.text} for c in annual.corrections],
            "texts": [markdown.convert(annual.texts.get(s, ""), 3) for s in forms.TEXT_SECTIONS],
            "tables": [layout.table1(annual), layout.table2(annual), layout.table3(annual)],
            "counted": counted, "csv": csv_path, "json": json_path,
            "stats_link": f"report/{annual.year}.html" if annual.year in stats_years else "",
        }
        page_meta = {"ArticleTitle": title, "PubDate": f"{annual.published.isoformat()} 00:00",
                     "ContentSource": site.department, **meta}
        crumbs = [Link("政府信息公开工作年度报告", INDEX), Link(f"{annual.year}年度报告", path)]
        made[path] = renderer.html(path, "annual-report.html", title, crumbs, page_meta, context)
        made[csv_path], made[json_path] = data_files(site, annual)
    years = [{"year": a.year, "title": title_of(site, a.year), "published": a.published.isoformat(),
              "corrected": bool(a.corrections)} for a in shown]
    made[INDEX] = renderer.html(INDEX, "annual-index.html", "政府信息公开工作年度报告",
                                [Link("政府信息公开工作年度报告", INDEX)], meta, {"years": years, "deadline": deadline})
    return made


def cells(annual: AnnualReport):
    """(table, row, column, value as shown, counted) in the template's order."""
    for table in annual.template.tables:
        for row in table.rows:
            for column in row.columns:
                key3 = (table.section, row.path, column)
                yield table, row, column, layout.shown(annual.cells.get(key3)), key3 in annual.counted


def data_files(site, annual: AnnualReport) -> tuple[bytes, bytes]:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["表", "行", "列", "数值", "按记录统计"])
    rows = []
    for table, row, column, value, counted in cells(annual):
        writer.writerow([table.name, " / ".join(row.path), column, value, "是" if counted else ""])
        rows.append({"表": table.name, "行": list(row.path), "列": column, "数值": value, "按记录统计": counted})
    head = {"报告": title_of(site, annual.year), "年度": annual.year, "模板": annual.template.name,
            "公开主体": site.department, "索引号": annual.index_no, "公开日期": annual.published.isoformat(),
            "网页": site.base_url + f"annual-report/{annual.year}.html", "单元格": rows}
    return ("\ufeff" + out.getvalue()).encode("utf-8"), (json.dumps(head, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
