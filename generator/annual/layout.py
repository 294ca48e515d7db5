"""Each table of a report laid out as the paper form: header and body rows of cells with
their row and column spans, every data cell naming its headers (`headers`), so that a
screen reader reads each figure with its row and column."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import forms
from .load import AnnualReport


@dataclass
class Cell:
    text: str
    th: bool = False
    colspan: int = 1
    rowspan: int = 1
    id: str = ""
    scope: str = ""
    headers: str = ""
    counted: bool = False


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _td(annual: AnnualReport, table: forms.Table, row: forms.Row, column: str, headers: list) -> Cell:
    key = (table.section, row.path, column)
    return Cell(shown(annual.cells.get(key)), headers=" ".join(headers), counted=key in annual.counted)


def table1(annual: AnnualReport) -> tuple[list, list]:
    table = annual.template.table(forms.ACTIVE)
    body = []
    for b, block in enumerate(table.blocks, 1):
        title = f"t1-b{b}"
        body.append([Cell(block.title, th=True, colspan=forms.TABLE1_WIDTH, id=title, scope="colgroup")])
        spans = [1] * len(block.headers)
        spans[-1] = forms.TABLE1_WIDTH - len(block.headers)
        heads = [Cell("信息内容", th=True, id=f"{title}-h0", scope="col", headers=title)]
        heads += [Cell(name, th=True, colspan=span, id=f"{title}-h{n}", scope="col", headers=title)
                  for n, (name, span) in enumerate(zip(block.headers, spans), 1)]
        body.append(heads)
        for r, row in enumerate(block.rows, 1):
            rid = f"{title}-r{r}"
            cells = [Cell(row.path[-1], th=True, id=rid, scope="row", headers=f"{title} {title}-h0")]
            for n, (column, span) in enumerate(zip(row.columns, spans), 1):
                cell = _td(annual, table, row, column, [title, rid, f"{title}-h{n}"])
                cell.colspan = span
                cells.append(cell)
            body.append(cells)
    return [], body


def table2(annual: AnnualReport) -> tuple[list, list]:
    table = annual.template.table(forms.REQUESTS)
    head = [
        [Cell(forms.TABLE2_NOTE, colspan=3, rowspan=3),
         Cell("申请人情况", th=True, colspan=7, id="t2-app", scope="colgroup")],
        [Cell(forms.NATURAL, th=True, rowspan=2, id="t2-c0", scope="col", headers="t2-app"),
         Cell(forms.LEGAL, th=True, colspan=5, id="t2-legal", scope="colgroup", headers="t2-app"),
         Cell(forms.TOTAL, th=True, rowspan=2, id="t2-c6", scope="col", headers="t2-app")],
        [Cell(name, th=True, id=f"t2-c{n}", scope="col", headers="t2-app t2-legal") for n, name in enumerate(forms.ORGS, 1)],
    ]
    column_ids = ["t2-app t2-c0", *(f"t2-app t2-legal t2-c{n}" for n in range(1, 6)), "t2-app t2-c6"]
    results = [r for r in table.rows if r.path[0] == forms.RESULTS]
    body, opened = [], set()
    for r, row in enumerate(table.rows):
        rid, cells, ids = f"t2-r{r}", [], []
        if row.path[0] != forms.RESULTS:
            cells.append(Cell(row.path[0], th=True, colspan=3, id=rid, scope="row"))
        else:
            if forms.RESULTS not in opened:
                opened.add(forms.RESULTS)
                cells.append(Cell(forms.RESULTS, th=True, rowspan=len(results), id="t2-g", scope="rowgroup"))
            ids.append("t2-g")
            if len(row.path) == 3:
                heading = row.path[1]
                group = f"t2-g{[k for k in dict.fromkeys(x.path[1] for x in results)].index(heading)}"
                if heading not in opened:
                    opened.add(heading)
                    size = sum(1 for x in results if len(x.path) == 3 and x.path[1] == heading)
                    cells.append(Cell(heading, th=True, rowspan=size, id=group, scope="rowgroup", headers="t2-g"))
                ids.append(group)
                cells.append(Cell(row.path[2], th=True, id=rid, scope="row", headers=" ".join(ids)))
            else:
                cells.append(Cell(row.path[1], th=True, colspan=2, id=rid, scope="row", headers="t2-g"))
        ids.append(rid)
        cells += [_td(annual, table, row, column, [*ids, column_ids[n]]) for n, column in enumerate(row.columns)]
        body.append(cells)
    return head, body


def table3(annual: AnnualReport) -> tuple[list, list]:
    table = annual.template.table(forms.REVIEWS)
    review, direct, after = table.rows
    head = [
        [Cell(forms.REVIEW, th=True, colspan=5, id="t3-a", scope="colgroup"),
         Cell(forms.LAWSUIT, th=True, colspan=10, id="t3-b", scope="colgroup")],
        [*(Cell(name, th=True, rowspan=2, id=f"t3-a{n}", scope="col", headers="t3-a")
           for n, name in enumerate(forms.OUTCOME_COLUMNS)),
         Cell(direct.path[1], th=True, colspan=5, id="t3-b1", scope="colgroup", headers="t3-b"),
         Cell(after.path[1], th=True, colspan=5, id="t3-b2", scope="colgroup", headers="t3-b")],
        [Cell(name, th=True, id=f"t3-b{g}c{n}", scope="col", headers=f"t3-b t3-b{g}")
         for g in (1, 2) for n, name in enumerate(forms.OUTCOME_COLUMNS)],
    ]
    cells = [_td(annual, table, review, c, ["t3-a", f"t3-a{n}"]) for n, c in enumerate(forms.OUTCOME_COLUMNS)]
    for g, row in ((1, direct), (2, after)):
        cells += [_td(annual, table, row, c, ["t3-b", f"t3-b{g}", f"t3-b{g}c{n}"])
                  for n, c in enumerate(forms.OUTCOME_COLUMNS)]
    return head, [cells]
