"""No record lost without a word: names that collide with generated pages, attachments that
land on one name, and symbolic links under content/ (issue 24, item 4)."""
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run

TODAY = "2026-06-01"
RESULTS = "content/allocation/results"
APPROVALS = "content/construction/approvals"


@pytest.fixture
def small(tmp_path) -> Path:
    site_dir = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    return site_dir


def build(site_dir: Path, out: Path, *extra):
    return run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY, *extra)


def validate(site_dir: Path):
    return run("validate", "--site", str(site_dir / "site.yaml"))


def _copy_record(site_dir: Path, name: str, source: str = "2026-01.yaml", index_no: str = "XZ/2026-00077") -> Path:
    text = (site_dir / RESULTS / source).read_text(encoding="utf-8")
    text = text.replace("index_no: XZ/2026-00002", f"index_no: {index_no}")
    path = site_dir / RESULTS / name
    path.write_text(text, encoding="utf-8")
    return path


def _long_list(site_dir: Path, name: str, rows: int) -> None:
    text = (site_dir / RESULTS / "2026-01.yaml").read_text(encoding="utf-8").split("rows:")[0]
    text = text.replace("index_no: XZ/2026-00002", "index_no: XZ/2026-00088")
    row = ("  - {保障对象姓名: 张三, 身份证号: \"110101199003071233\", 保障性住房类型: 公共租赁住房, "
           "房号: 1-%d, 面积: \"45.50\", 套型: 一室一厅, 所在建设项目名称: 小站公租房}\n")
    (site_dir / RESULTS / name).write_text(text + "rows:\n" + "".join(row % n for n in range(rows)), encoding="utf-8")


@pytest.mark.parametrize("slug", ["index", "index-2"])
def test_a_record_named_like_a_list_page_is_an_error_with_its_path(small, tmp_path, slug):
    _copy_record(small, f"{slug}.yaml")
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESULTS}/{slug}.yaml: error[reserved-slug]" in result.stderr
    assert "列表页" in result.stderr and "程序内部错误" not in result.stderr
    assert validate(small).returncode == 1


def test_a_record_named_like_a_page_of_another_records_long_list_is_an_error(small, tmp_path):
    _long_list(small, "big.yaml", 150)  # pages big.html and big-2.html
    _copy_record(small, "big-2.yaml")
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESULTS}/big-2.yaml: error[reserved-slug]" in result.stderr
    assert f"{RESULTS}/big.yaml" in result.stderr  # names the list whose page it is
    assert validate(small).returncode == 1


def test_a_record_beside_a_short_list_of_the_same_stem_is_fine(small, tmp_path):
    _long_list(small, "big.yaml", 100)  # one page only
    _copy_record(small, "big-2.yaml")
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "allocation/results/big-2.html").is_file()


@pytest.mark.parametrize("category", ["search", "feeds", "data", "static", "pagefind", "projects", "report",
                                      "annual-report", "catalog"])
def test_a_local_category_named_like_a_generated_folder_is_a_configuration_error(small, tmp_path, category):
    (small / "content/_catalog.yaml").write_text(f"categories:\n  - {{id: {category}, name: 本地分类}}\n",
                                                 encoding="utf-8")
    result = build(small, tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "content/_catalog.yaml:2:5: error[reserved-category]" in result.stderr
    assert f"“{category}”" in result.stderr and "程序内部错误" not in result.stderr


def _with_attachments(site_dir: Path, names: list[str]) -> None:
    record = site_dir / APPROVALS / "xiaozhan-gzf.md"
    for name in names:
        (site_dir / APPROVALS / name).parent.mkdir(parents=True, exist_ok=True)
        (site_dir / APPROVALS / name).write_text(f"附件 {name}", encoding="utf-8")
    listed = "".join(f"  - {name}\n" for name in names)
    text = record.read_text(encoding="utf-8").replace("  - {path: pifu.txt, title: 立项批复}\n", listed)
    record.write_text(text, encoding="utf-8")


def test_two_attachments_landing_on_one_name_are_an_error(small, tmp_path):
    _with_attachments(small, ["sub/dup.txt", "sub2/dup.txt"])
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{APPROVALS}/xiaozhan-gzf.md:11:5: error[duplicate-attachment]" in result.stderr
    assert "“dup.txt”与第 10 行的附件同名" in result.stderr


def test_attachments_differing_only_in_case_are_an_error(small, tmp_path):
    _with_attachments(small, ["a/Plan.txt", "b/plan.txt"])
    assert validate(small).returncode == 1


def test_attachments_with_different_names_in_subfolders_are_published(small, tmp_path):
    _with_attachments(small, ["sub/one.txt", "sub2/two.txt"])
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/construction/approvals/xiaozhan-gzf/two.txt").is_file()


def _symlink(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=target.is_dir())
    except OSError:  # Windows without the right to make links
        pytest.skip("symbolic links cannot be made here")


def test_a_symlinked_item_folder_inside_the_site_is_followed(small, tmp_path):
    shared = small / "shared-results"
    shutil.move(str(small / RESULTS), shared)
    _symlink(small / RESULTS, Path("../../shared-results"))
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "发布 3 条记录" in result.stdout  # as without the link
    assert (tmp_path / "out/allocation/results/2026-01.html").is_file()


def test_a_symlinked_item_folder_leaving_the_site_is_refused_with_a_message(small, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(str(small / RESULTS), outside)
    _symlink(small / RESULTS, outside)
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESULTS}: error[link-outside]" in result.stderr
    assert validate(small).returncode == 1


def test_a_record_file_linking_outside_the_site_is_refused_and_never_echoed(small, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: 机密内容 110101199003071233\n: : bad yaml [\n", encoding="utf-8")
    _symlink(small / RESULTS / "leak.yaml", secret)
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESULTS}/leak.yaml: error[link-outside]" in result.stderr
    for text in ("机密内容", "110101199003071233", "bad yaml"):
        assert text not in result.stdout + result.stderr


def test_a_record_file_linking_inside_the_site_is_read(small, tmp_path):
    kept = small / "drafts" / "copy.yaml"
    kept.parent.mkdir()
    shutil.copy(small / RESULTS / "2026-01.yaml", kept)
    kept.write_text(kept.read_text(encoding="utf-8").replace("XZ/2026-00002", "XZ/2026-00066"), encoding="utf-8")
    _symlink(small / RESULTS / "linked.yaml", Path("../../../drafts/copy.yaml"))
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/allocation/results/linked.html").is_file()


def test_a_symlink_loop_under_content_is_an_error_not_a_hang(small, tmp_path):
    _symlink(small / RESULTS / "loop", Path(".."))
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{RESULTS}/loop: error[link-loop]" in result.stderr


def test_discover_walks_a_plain_tree_as_before(small):
    """The walk that replaced os.walk finds the same record files in the same order."""
    from generator.config.catalog import load_catalog
    from generator.config.site import load_site
    from generator.model.diagnostics import Report
    from generator.source.discover import discover
    site = load_site(small / "site.yaml")
    report = Report()
    files = discover(site.content_dir, site.root, load_catalog(site), report)
    expected = sorted(os.path.join(d, f) for d, _, fs in os.walk(site.content_dir) for f in fs
                      if f.endswith((".yaml", ".md")) and not f.startswith("_"))
    assert sorted(os.path.normpath(f.location) for f in files) == [os.path.normpath(p) for p in expected]
    assert [f.shown for f in files] == sorted(f.shown for f in files)
    assert not report.diagnostics


def test_two_links_pointing_at_each_others_folders_are_a_loop_error(small, tmp_path):
    (small / RESULTS / "2026").mkdir()
    (small / RESULTS / "2025").mkdir()
    _symlink(small / RESULTS / "2026" / "back", Path("../2025"))
    _symlink(small / RESULTS / "2025" / "back", Path("../2026"))
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error[link-loop]" in result.stderr and "程序内部错误" not in result.stderr


def test_a_deleted_record_whose_name_starts_with_index_gets_a_withdrawn_page(small, tmp_path):
    """Only the list pages index and index-N are left out of the withdrawal memory."""
    _copy_record(small, "indexed-list.yaml")
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (small / RESULTS / "indexed-list.yaml").unlink()
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    assert "本信息已撤下" in (out / "allocation/results/indexed-list.html").read_text(encoding="utf-8")
