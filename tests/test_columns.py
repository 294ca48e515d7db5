"""The column-by-column check and masking of a list, and the field types' quick paths,
against the general cell-by-cell code they stand in for: the same values, the same
diagnostics, the same masked rows and findings, whatever the cells hold."""
from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.check import validate
from generator.config import fieldtypes
from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.privacy import mask
from generator.source import yamlsource
from generator.source.discover import RawRecord, SourceFile
from tests.conftest import MINIMAL_SITE, write_site

# -- field types: a value with a space in front takes the general path ---------------------
_PIECES = st.sampled_from(list("0123456789012345678901234567890123456789-.,X/ x年月日０１－")
                          + ["万元", "元", "㎡", "%", "套", "2024-03-15", "1949-01-01", "2101-01-01",
                             "2024-02-30", "0000-00-00", "11010119900307451", "110101900307451"])
_CELL = st.lists(_PIECES, min_size=1, max_size=8).map("".join)
_QUICK = [fieldtypes.parse_date, fieldtypes.parse_integer, fieldtypes.parse_decimal, fieldtypes.parse_money,
          fieldtypes.parse_area, fieldtypes.parse_id_card]


def _parsed(parse, raw):
    try:
        return "ok", parse(raw)
    except fieldtypes.Invalid as problem:
        return "invalid", problem.message, problem.hint


@settings(max_examples=400, deadline=None)
@given(_CELL)
def test_quick_paths_of_the_field_types_agree_with_the_general_path(text):
    for parse in _QUICK:
        assert _parsed(parse, text) == _parsed(parse, " " + text), parse.__name__


def test_quick_paths_are_taken_by_plain_cells():
    assert fieldtypes.parse_date("2024-03-15").isoformat() == "2024-03-15"
    assert fieldtypes.parse_integer("120") == 120 and str(fieldtypes.parse_area("55.50")) == "55.50"
    with pytest.raises(fieldtypes.Invalid, match="不存在"):
        fieldtypes.parse_date("2024-02-30")
    with pytest.raises(fieldtypes.Invalid, match="不合理"):
        fieldtypes.parse_date("1900-01-01")


# -- lists: column by column against cell by cell -------------------------------------------
_SITE = Path(tempfile.mkdtemp(prefix="zfbz-columns-"))
ITEMS = {  # item -> its columns, in the catalog's order
    "allocation/results": ["保障对象姓名", "身份证号", "保障性住房类型", "房号", "面积", "套型", "所在建设项目名称"],
    "tenancy/subsidy-payments": ["保障对象姓名", "身份证号", "发放金额", "发放年月", "发放日期", "发放方式"],
}
_GOOD = {  # valid cells of each type, some with something to mask
    "name": ["张三", "欧阳小明", "王五（身份证110101199003074514）"],
    "id_card": ["110101199003074514", "11010119900307453X", "110101900307451", "１１０１０１１９９００３０７４５１４"],
    "enum": ["公共租赁住房", "保障性租赁住房"],
    "text": ["3-1-201", "联系人电话13812345678", "\u00a0示例项目 "],
    "area": ["55.5", "60", "55.5㎡", "1,200.50"],
    "money": ["1200", "0.75万元", "1,200元"],
    "month": ["2026-03", "2026年3月"],
    "date": ["2026-03-15", "2026/3/15"],
}
_BAD = {  # invalid, doubtful or empty ones (an empty cell is fine where the column is optional)
    "name": ["无"], "id_card": ["110101199003074515", "1101011990030745"], "enum": ["公租房", "-"],
    "text": ["—", "  "], "area": ["-3", "abc"], "money": ["x"], "month": ["2026-13"], "date": ["2026-02-30", "1900-01-01"],
}


CATALOG_TYPES = {  # the columns' types, as the catalog declares them (a test below checks)
    "allocation/results": {"保障对象姓名": "name", "身份证号": "id_card", "保障性住房类型": "enum", "房号": "text",
                           "面积": "area", "套型": "text", "所在建设项目名称": "text"},
    "tenancy/subsidy-payments": {"保障对象姓名": "name", "身份证号": "id_card", "发放金额": "money",
                                 "发放年月": "month", "发放日期": "date", "发放方式": "text"},
}


@pytest.fixture(scope="module")
def site_and_catalog():
    site = load_site(write_site(_SITE, {}, MINIMAL_SITE))
    return site, load_catalog(site)


@st.composite
def _list(draw):
    """(item id, rows of cells, yaml or csv): good cells, and in half the lists one or two
    bad or empty ones (so that each defect is met alone, not hidden by another)."""
    item_id = draw(st.sampled_from(sorted(ITEMS)))
    kinds = [CATALOG_TYPES[item_id][name] for name in ITEMS[item_id]]
    rows = [[draw(st.sampled_from(_GOOD[kind])) for kind in kinds] for _ in range(draw(st.integers(0, 6)))]
    defects = [(column, bad) for column, kind in enumerate(kinds) for bad in _BAD[kind] + [""]]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2])) if rows else 0):
        column, bad = draw(st.sampled_from(defects))
        rows[draw(st.integers(0, len(rows) - 1))][column] = bad
    return item_id, rows, draw(st.sampled_from(["yaml", "csv"]))


def _raw(site, item, rows: list[list], form: str) -> RawRecord:
    folder = _SITE / "content" / item.id
    folder.mkdir(parents=True, exist_ok=True)
    head = "title: 名单\ndate: 2026-03-01\nindex_no: TEST/2026-000001\n"
    if form == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([ITEMS[item.id], *rows])
        (folder / "rows.csv").write_text(out.getvalue(), encoding="utf-8")
        text = head + "rows_from: rows.csv\n"
    else:
        quote = lambda value: '"' + value + '"'  # noqa: E731
        text = head + "rows:\n" + "".join(
            "  - {" + ", ".join(f"{name}: {quote(value)}" for name, value in zip(ITEMS[item.id], row)) + "}\n"
            for row in rows)
    path = folder / "list.yaml"
    path.write_text(text, encoding="utf-8")
    return RawRecord(SourceFile(path, f"content/{item.id}/list.yaml", item.id, "list"), yamlsource.parse(text),
                     None, 0)


def _outcome(raw: RawRecord, item, site):
    report = Report()
    record = validate.check_record(raw, item, site, report)
    if record is None:
        return None, sorted(d.format() for d in report.diagnostics), None
    rows = [(row.values, str(row.where), [row.positions.get(name) for name in item.row_map]) for row in record.rows]
    masked = mask.mask_record(record, item, site)
    shown = [(row.values, str(row.where)) for row in masked.records[0].rows]
    return rows, sorted(d.format() for d in report.diagnostics), (
        shown, masked.secrets, masked.counts, sorted(str(f) for f in masked.findings))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_list())
def test_column_by_column_agrees_with_cell_by_cell(site_and_catalog, monkeypatch, case):
    site, catalog = site_and_catalog
    item_id, cells, form = case
    item = catalog.by_id[item_id]
    quick = _outcome(_raw(site, item, cells, form), item, site)
    with monkeypatch.context() as patched:
        patched.setattr(validate, "_typed_rows", lambda *_args: None)
        patched.setattr(mask._Masker, "rows", lambda self, specs, rows: tuple(
            mask.Row(self.mapping(specs, row.values, row.locate), row.where) for row in rows))
        general = _outcome(_raw(site, item, cells, form), item, site)
    assert quick == general


def test_the_columns_are_the_catalogs(site_and_catalog):
    _site, catalog = site_and_catalog
    for item_id, types in CATALOG_TYPES.items():
        assert {name: spec.type for name, spec in catalog.by_id[item_id].row_map.items()} == types


def test_a_clean_list_takes_the_quick_path(site_and_catalog, monkeypatch):
    site, catalog = site_and_catalog
    item = catalog.by_id["tenancy/subsidy-payments"]
    taken = []
    original = validate._typed_rows
    monkeypatch.setattr(validate, "_typed_rows", lambda *args: taken.append(original(*args)) or taken[-1])
    good = [["张三", "110101199003074514", "1200", "2026-03", "2026-03-15", "银行代发"]] * 3
    for form in ("yaml", "csv"):
        rows, diagnostics, _ = _outcome(_raw(site, item, good, form), item, site)
        assert diagnostics == [] and len(rows) == 3
    assert len(taken) == 2 and all(t is not None for t in taken)
