"""Open data: CSV (UTF-8 with BOM) and JSON of every list item, masked, catalog columns."""
import csv
import io
import json
import shutil

import pytest
from conftest import FIXTURES, ROOT, run

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.outputs.opendata import SOURCE_COLUMNS

RAW_IDS = ["110101199003071233", "11010119900307002X", "310104197511080029", "440305200012314565",
           "11010519491231002X"]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    site_dir = tmp_path_factory.mktemp("data") / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    out = site_dir.parent / "out"
    result = run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", "2026-06-01")
    assert result.returncode == 0, result.stderr
    return site_dir, out


def catalog_columns(site_dir, item_id):
    item = load_catalog(load_site(site_dir / "site.yaml")).by_id[item_id]
    return [spec.name for spec in item.rows if spec.publish]


def read_csv(path):
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with the UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_bom_round_trips_and_has_the_catalog_columns(small):
    site_dir, out = small
    rows = read_csv(out / "data/allocation/results.csv")
    header, body = rows[0], rows[1:]
    assert header == [*SOURCE_COLUMNS, *catalog_columns(site_dir, "allocation/results")]
    assert len(body) == 2 and all(len(r) == len(header) for r in body)
    first = dict(zip(header, body[0]))
    assert first["保障对象姓名"] == "欧阳晓梅" and first["身份证号"] == "110***1233"
    assert first["面积"] == "45.50" and first["索引号"] == "XZ/2026-00002" and first["公开日期"] == "2026-04-03"
    # written again by the csv module, the parsed rows come back unchanged
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    assert buffer.getvalue().encode("utf-8-sig") == (out / "data/allocation/results.csv").read_bytes()


def test_json_matches_the_csv(small):
    site_dir, out = small
    data = json.loads((out / "data/allocation/results.json").read_text(encoding="utf-8"))
    rows = read_csv(out / "data/allocation/results.csv")
    assert data["列"] == rows[0] and data["行数"] == 2
    assert [[row[c] for c in data["列"]] for row in data["行"]] == rows[1:]
    assert data["网页"] == "https://www.xiaozhan.gov.cn/zfbz/allocation/results/index.html"


def test_no_raw_id_and_no_withdrawn_scheduled_or_draft_rows(small):
    _, out = small
    everything = b"".join(p.read_bytes() for p in (out / "data").rglob("*") if p.is_file())
    for raw in RAW_IDS:
        assert raw.encode() not in everything and raw.lower().encode() not in everything
    text = everything.decode("utf-8-sig", errors="replace")
    for name in ("过期人", "草稿人", "将来人"):
        assert name not in text


def test_every_list_item_has_data_and_its_page_links_it(small):
    site_dir, out = small
    catalog = load_catalog(load_site(site_dir / "site.yaml")).for_level("县级")
    list_items = [i for i in catalog.items if i.rows and not i.on_request_only]
    assert list_items
    for item in list_items:
        assert (out / f"data/{item.id}.csv").is_file() and (out / f"data/{item.id}.json").is_file(), item.id
    page = (out / "allocation/results/index.html").read_text(encoding="utf-8")
    assert 'href="../../data/allocation/results.csv"' in page and 'href="../../data/allocation/results.json"' in page
    document_items = [i for i in catalog.items if not i.rows]
    assert not any((out / f"data/{i.id}.csv").exists() for i in document_items)


def test_a_row_whose_own_period_ended_leaves_data_and_pages(tmp_path):
    """The demo blacklist: 李红军's 公示期限 ended 2025-12-31, the others run into 2027."""
    out = tmp_path / "out"
    result = run("build", "--out", str(out), "--today", "2026-11-23", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    rows = read_csv(out / "data/credit/blacklist.csv")
    names = [dict(zip(rows[0], r))["姓名"] for r in rows[1:]]
    assert "李红军" not in names and "范涛" in names
    assert "李红军" not in (out / "credit/blacklist/2025-batch1.html").read_text(encoding="utf-8")
    assert "500***2776" not in (out / "data/credit/blacklist.json").read_text(encoding="utf-8")


def test_csv_lines_are_what_csv_writer_writes():
    """The joined fast path and the csv module agree on every kind of cell: plain, quoted,
    with line breaks, formula starts, empty, and rows without cells."""
    import random

    from generator.outputs.opendata import _csv_cell, _csv_lines
    pieces = ["a", "中文", "1", ",", '"', "\r", "\n", "=", "+", "@", "\t", "-", " ", "'", ""]
    randomly = random.Random(8)
    for _ in range(3000):
        width = randomly.choice([0, 1, 1, 3, 8])
        rows = [["".join(randomly.choice(pieces) for _ in range(randomly.randint(0, 3))) for _ in range(width)]
                for _ in range(randomly.randint(0, 4))]
        if randomly.random() < 0.5:  # most lists: nothing to quote
            rows = [[cell.strip(',"\r\n=+@\t') for cell in row] for row in rows]
        source = [randomly.choice(["BENCH/2024-00001", "11500000/2024-001", "=x"]),
                  randomly.choice(["名单", "a,b", 'say "x"']), "2024-03-15"]
        expected = io.StringIO(newline="")
        csv.writer(expected).writerows([_csv_cell(c) for c in [*source, *row]] for row in rows)
        assert _csv_lines(source, rows) == expected.getvalue(), (source, rows)


def test_row_lines_escape_each_cell_as_the_template_would():
    import random

    from markupsafe import escape

    from generator.render.pages import row_lines
    pieces = ["a", "中", "<", ">", "&", '"', "'", "\x00", "\x01", "1", ""]
    randomly = random.Random(8)
    for _ in range(3000):
        width = randomly.choice([0, 1, 2, 5])
        rows = [["".join(randomly.choice(pieces) for _ in range(randomly.randint(0, 3))) for _ in range(width)]
                for _ in range(randomly.randint(0, 4))]
        offset = randomly.choice([0, 100, 300])
        expected = [f"    <tr><td>{offset + n}</td>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>\n"
                    for n, row in enumerate(rows, 1)]
        assert row_lines(rows, offset) == expected, rows
