"""The per-record store (.cache/products): unchanged records are not parsed again, and a
run that takes them from the store reports and builds exactly what a fresh one does."""
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.pipeline.sitecheck import check_site, open_store

TODAY = "2026-10-01"


@pytest.fixture
def personal(tmp_path):
    site_dir = tmp_path / "site"
    shutil.copytree(FIXTURES / "personal", site_dir, ignore=shutil.ignore_patterns(".cache"))
    # a per-file warning (bad check digit) so that replaying warnings is tested too
    record = site_dir / "content/allocation/results/2026-01.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("440303197211300011", "440303197211300012"),
                      encoding="utf-8")
    return site_dir


def load(site_dir: Path):
    site = load_site(site_dir / "site.yaml")
    catalog = load_catalog(site)
    report, store = Report(), open_store(site)
    records = check_site(site, catalog, report, store, save=True)
    return records, report, store


def build(site_dir: Path, out: Path):
    return run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY)


def test_second_run_takes_every_record_from_the_cache_with_the_same_result(personal):
    first, first_report, cold = load(personal)
    second, second_report, warm = load(personal)
    assert cold.hits == 0 and warm.hits == len(first) == 3
    assert second == first
    assert [r.row_count for r in second] == [r.row_count for r in first] and first[0].row_count
    assert second_report.sorted() == first_report.sorted()
    assert any(d.code == "id-card-check" or "校验位" in d.message for d in second_report.warnings)


def test_cached_build_output_and_messages_are_identical(personal, tmp_path):
    cold = build(personal, tmp_path / "a")
    warm = build(personal, tmp_path / "b")
    assert cold.returncode == warm.returncode == 0
    assert warm.stderr == cold.stderr
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_an_edited_record_or_its_spreadsheet_is_checked_again(personal, tmp_path):
    assert build(personal, tmp_path / "out").returncode == 0
    load(personal)
    record = personal / "content/policy/laws/notice.md"
    record.write_text(record.read_text(encoding="utf-8").replace("答复", "回复"), encoding="utf-8")
    sheet = personal / "content/tenancy/subsidy-payments/2026-09.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("1260.00", "1300.00"), encoding="utf-8")
    records, _, cache = load(personal)
    assert cache.hits == 1
    titles = {r.slug: r.title for r in records}
    assert "回复" in titles["notice"]
    assert build(personal, tmp_path / "out").returncode == 0
    assert "<td>1300</td>" in (tmp_path / "out/tenancy/subsidy-payments/2026-09.html").read_text(encoding="utf-8")


def test_changing_site_yaml_or_the_local_catalog_checks_everything_again(personal):
    load(personal)
    site_yaml = personal / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "description: 测试\n", encoding="utf-8")
    assert load(personal)[2].hits == 0
    (personal / "content/_catalog.yaml").write_text("categories: []\n", encoding="utf-8")
    assert load(personal)[2].hits == 0


def test_broken_entries_are_ignored_and_errors_never_cached(personal):
    load(personal)
    folder = personal / ".cache/products"
    for entry in folder.iterdir():
        entry.write_bytes(b"not a pickle")
    records, report, cache = load(personal)
    assert cache.hits == 0 and len(records) == 3 and not report.errors
    bad = personal / "content/policy/laws/bad.md"
    good = (personal / "content/policy/laws/notice.md").read_text(encoding="utf-8")
    bad.write_text(good.replace("date: 2026-03-02", "date: 2023-02-30"), encoding="utf-8")
    for _ in range(2):
        _, report, _ = load(personal)
        assert [str(d.location) for d in report.errors] == ["content/policy/laws/bad.md:3:7"]


def test_entries_of_deleted_records_are_pruned_by_the_build(personal, tmp_path):
    assert build(personal, tmp_path / "out").returncode == 0
    store = load(personal)[2]
    assert len(store.entries) == 3 + 3  # a check and a render of each record
    (personal / "content/policy/laws/notice.md").unlink()
    assert build(personal, tmp_path / "out").returncode == 0
    store = load(personal)[2]
    assert sorted(type(e).__name__ for e in store.entries.values()) == ["Checked"] * 2 + ["Rendered"] * 2
    data = [p for p in os.listdir(personal / ".cache/products") if p.endswith(".data")]
    assert len(data) == sum(1 for e in store.entries.values() if getattr(e, "data", False))


def test_validate_and_check_write_nothing_but_use_what_a_build_kept(personal, tmp_path):
    assert run("validate", "--site", str(personal / "site.yaml")).returncode == 0
    assert run("check", "--site", str(personal / "site.yaml"), "--today", TODAY).returncode in (0, 1)
    assert not (personal / ".cache").exists()
    assert build(personal, tmp_path / "out").returncode == 0
    assert load(personal)[2].hits == 3


def test_a_renders_project_names_come_back_from_the_store_unchanged():
    import pickle

    from generator.incremental.products import Rendered
    projects = {"GZF-2026-01": "滨江公租房小区", "GZF-2026-02": ""}
    rendered = Rendered.of({"a/b.html": b"d" * 16}, "摘要", projects, 3, b"i" * 16)
    again = pickle.loads(pickle.dumps(rendered))
    assert type(again) is Rendered and again == rendered
    assert isinstance(again.packed, bytes)  # kept packed: most builds never read them
    assert again.projects == projects and again.projects_key == rendered.projects_key
    assert again.pages == rendered.pages and again.data == 3
    assert Rendered.of({}, "", {"GZF-2026-01": "别的小区"}).projects_key != rendered.projects_key
    with pytest.raises(AttributeError):
        again.no_such_field


def test_heads_and_checks_come_back_from_the_store_as_they_were():
    import datetime as dt
    import pickle

    from generator.incremental.products import Checked
    from generator.model.records import Head
    head = Head("/s/content/a/b/r1.md", "content/a/b/r1.md", "a/b", "r1", "标题", dt.date(2026, 1, 2),
                dt.date(2026, 1, 3), "X/2026-00001", projects=("GZF-1",), row_count=2, index_no_at=(4, 11))
    check = Checked(head, (), 7, (("/s/rows.csv", 1, 2, 3, 4),))
    again = pickle.loads(pickle.dumps(check, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is Checked and type(again.head) is Head
    assert again == check and again.head.published == dt.date(2026, 1, 3)
    assert str(again.head.locate("index_no")) == "content/a/b/r1.md:4:11"
    assert str(again.head.locate("title")) == "content/a/b/r1.md:1:1"
