"""`new annual-report --year Y`: the report file with every cell 0 and a Chinese comment per part.

Written as text (the form's order and comments matter more than a round-trip): the text
sections hold a 待填写 note, which `validate` refuses to publish, and `published` is left
empty, so the scaffold is a draft until staff fill it in.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..model.diagnostics import ConfigError, Location, Report, display_path
from . import forms
from .load import FOLDER, countable

PLACEHOLDER = "待填写"

_TEXT_HELP = {
    forms.OVERVIEW: ("总体情况：分别写主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面。\n"
                     "写到申请、复议、诉讼的件数时，数字须与表二、表三一致（check 会核对，如“本年新收政府信息公开申请 14 件”）。"),
    forms.PROBLEMS: "存在的主要问题及改进情况：写上一年度问题的整改情况和本年度存在的问题、改进措施。",
    forms.OTHER: ("其他需要报告的事项：写收取信息处理费的情况（国办函〔2020〕109号），如“本年度未收取信息处理费”，\n"
                  "以及本年度政务公开工作要点落实、人大代表建议和政协提案办理结果公开等情况。"),
}
_TABLE_HELP = {
    forms.ACTIVE: ("表一 主动公开政府信息情况（条例第二十条）。每行“行名: {列名: 数字}”，行名、列名不要改动。\n"
                   "“规章”“行政规范性文件”两行可以删去：删去后按本专栏“法规政策”中的记录自动统计（文件类型、有效性），\n"
                   "页面注明哪些数字是统计的；写上则以所写为准，与统计不同时 check 给出警告。"),
    forms.REQUESTS: ("表二 收到和处理政府信息公开申请情况。每行 7 列：自然人，法人或其他组织的 5 类，总计。\n"
                     "勾稽关系：每一列 一 + 二 = （七）总计 + 四；（七）总计 = （一）至（六）各行之和；每一行 总计 = 前 6 列之和。\n"
                     "“二、上年结转”须等于上一年度报告的“四、结转下年度继续办理”。"),
    forms.REVIEWS: ("表三 政府信息公开行政复议、行政诉讼情况。每组：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计。"),
}


def _rows_text(table: forms.Table, template: forms.Template) -> list[str]:
    lines, opened = [], ()
    blocks = {b.rows[0].path: b for b in table.blocks}
    for row in table.rows:
        if row.path in blocks:
            lines.append(f"  # {blocks[row.path].title}")
        for depth, key in enumerate(row.path[:-1]):
            if opened[:depth + 1] != row.path[:depth + 1]:
                lines.append("  " * (depth + 1) + f"{key}:")
        opened = row.path[:-1]
        cells = ", ".join(f"{c}: 0" for c in row.columns)
        note = "  # 删去这一行则按记录统计" if countable(template, table.section, row.path, "") else ""
        lines.append("  " * len(row.path) + f"{row.path[-1]}: {{{cells}}}{note}")
    return lines


def text_of(year: int, index_no: str, department: str) -> str:
    template = forms.template_for(year)
    lines = [f"# {department} {year} 年政府信息公开工作年度报告（{template.name}）。",
             "# 由 python -m generator new annual-report 生成。各部分标题、表格的行名和列名须与模板一字不差；",
             "# 每个数字都要填写，没有发生的填 0。检查：python -m generator validate；填写方法见 docs/staff.md“年度报告”。",
             "",
             "# 索引号：已取一个未用的流水号；一经公开不再改变。",
             f"index_no: {index_no}",
             f"# 公开日期：填写后（如 {year + 1}-01-20）才会发布；须在次年 1 月 31 日前公开。留空为草稿，只检查不发布。",
             "published:",
             "# 更正说明：报告公开后如有改动，在此逐条写明，页面上显示：",
             "# 更正说明:",
             f"#   - {{日期: {year + 1}-02-10, 说明: 更正了表二“（七）总计”的自然人申请数}}"]
    for section in forms.SECTIONS:
        lines.append("")
        if section in forms.TEXT_SECTIONS:
            lines += ["# " + line for line in _TEXT_HELP[section].split("\n")]
            lines += [f"{section}: |", f"  （{PLACEHOLDER}）"]
        else:
            table = template.table(section)
            lines += ["# " + line for line in _TABLE_HELP[section].split("\n")]
            lines.append(f"{section}:")
            lines += _rows_text(table, template)
    return "\n".join(lines) + "\n"


def new_report(site, year: int, index_no: str) -> Path:
    """Writes the scaffold; raises ConfigError (nothing written) when the file exists or the year has no template."""
    folder = site.content_dir / FOLDER
    path = folder / f"{year}.yaml"
    report = Report()
    if forms.template_for(year) is None:
        report.error(Location("命令行"), "usage", f"{year} 年没有全国统一的年度报告模板", "年度报告从 2019 年度起按模板编写")
        raise ConfigError(report)
    for existing in (folder / f"{year}.yaml", folder / f"{year}.yml"):
        if existing.exists():
            report.error(Location(display_path(existing, site.root)), "file-exists", "这个文件已经存在，没有覆盖它",
                         "直接编辑它；要重新开始，先把它改名或删除")
            raise ConfigError(report)
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as out:
        out.write(text_of(year, index_no, site.department))
    return path


def default_year(today: dt.date) -> int:
    return today.year - 1 if today.month <= 6 else today.year
