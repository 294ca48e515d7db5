"""No record lost without a word: names that collide with generated pages, attachments that
land on one name, and symbolic links under content/ (issue 24, item 4); names one only on
Windows or macOS (letter case, Unicode NFC and NFD), and every path the build records
written with "/" (issue 28, item 2)."""
import json
import os
import re
import shutil
import unicodedata
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


NFC, NFD = unicodedata.normalize("NFC", "名单é"), unicodedata.normalize("NFD", "名单é")


@pytest.mark.parametrize("names, how", [(["Plan.txt", "plan.txt"], "只有大小写不同"),
                                        (["a/Plan.txt", "b/plan.txt"], "只有大小写不同"),
                                        ([f"{NFC}.txt", f"{NFD}.txt"], "Unicode 编码方式不同")],
                         ids=["case", "case-in-subfolders", "nfc-nfd"])
def test_attachments_one_on_windows_or_macos_are_an_error_in_build_and_validate(small, tmp_path, names, how):
    assert NFC != NFD
    _with_attachments(small, names)
    first, second = (name.rpartition("/")[2] for name in names)
    for result in (build(small, tmp_path / "out"), validate(small)):
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{APPROVALS}/xiaozhan-gzf.md:11:5: error[name-case-collision]" in result.stderr
        assert f"附件“{second}”与第 10 行的附件“{first}”" in result.stderr and how in result.stderr
        assert "提示：在" in result.stderr and "请把其中一个改名" in result.stderr
    assert not (tmp_path / "out").exists()


def test_one_attachment_listed_twice_is_published_once(small, tmp_path):
    _with_attachments(small, ["Plan.txt", "Plan.txt"])
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/construction/approvals/xiaozhan-gzf/Plan.txt").is_file()


@pytest.mark.parametrize("names", [["Notice.yaml", "notice.yaml"], [f"{NFC}.yaml", f"{NFD}.yaml"]],
                         ids=["case", "nfc-nfd"])
def test_record_names_cannot_differ_only_in_case_or_normalization(small, tmp_path, names):
    """A record's slug is lowercase ASCII (or the file is refused), so no two slugs of one item
    are one name on Windows or macOS: the name that is not is reported, the build stops."""
    for number, name in enumerate(names):
        _copy_record(small, name, index_no=f"XZ/2026-0007{number}")
    for result in (build(small, tmp_path / "out"), validate(small)):
        assert result.returncode == 1, result.stdout + result.stderr
        refused = [name for name in names if f"{RESULTS}/{name}: error[bad-slug]" in result.stderr]
        assert refused == [name for name in names if name != "notice.yaml"]
        assert "error[name-case-collision]" not in result.stderr


def test_records_and_attachments_of_one_name_in_different_folders_are_fine(small, tmp_path):
    _copy_record(small, "xiaozhan-gzf.yaml")  # as construction/approvals/xiaozhan-gzf.md
    record = small / APPROVALS / "xiaozhan-gzf.md"
    text = record.read_text(encoding="utf-8").replace("  - {path: pifu.txt, title: 立项批复}\n", "  - Plan.txt\n")
    record.write_text(text, encoding="utf-8")
    (small / APPROVALS / "Plan.txt").write_text("立项批复", encoding="utf-8")
    (small / APPROVALS / "other.md").write_text(text.replace("XZ/2025-00002", "XZ/2025-00009"), encoding="utf-8")
    (small / APPROVALS / "other").mkdir()
    (small / APPROVALS / "other/plan.txt").write_text("另一个", encoding="utf-8")
    (small / APPROVALS / "other.md").write_text(text.replace("XZ/2025-00002", "XZ/2025-00009")
                                                .replace("  - Plan.txt", "  - other/plan.txt"), encoding="utf-8")
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert (out / "allocation/results/xiaozhan-gzf.html").is_file()
    assert (out / "construction/approvals/xiaozhan-gzf.html").is_file()
    assert (out / "construction/approvals/xiaozhan-gzf/Plan.txt").is_file()
    assert (out / "construction/approvals/other/plan.txt").is_file()
    assert validate(small).returncode == 0


@pytest.mark.parametrize("catalog, code", [("categories:\n  - {id: Allocation2, name: 本地分类}\n", "catalog-category"),
                                           ("items:\n  - {id: allocation/Results2, name: 本地事项, kind: document}\n",
                                            "catalog-spec")], ids=["category", "item"])
def test_local_category_and_item_ids_in_another_case_are_refused(small, tmp_path, catalog, code):
    (small / "content/_catalog.yaml").write_text(catalog, encoding="utf-8")
    result = build(small, tmp_path / "out")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error[{code}]" in result.stderr and "小写字母" in result.stderr


def _project(site_dir: Path, path: str, code: str) -> None:
    record = site_dir / path
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r"(?m)^project: .*$", f"project: {code}", text), encoding="utf-8")


def test_project_codes_differing_only_in_case_are_an_error_in_build_and_validate(small, tmp_path):
    _project(small, f"{APPROVALS}/xiaozhan-gzf.md", "XZ-GZF-01")
    _project(small, f"{RESULTS}/2026-01.yaml", "[xz-gzf-01, 2025-500199-70-01-000001]")
    for result in (build(small, tmp_path / "out"), validate(small)):
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{APPROVALS}/xiaozhan-gzf.md:1:1: error[name-case-collision]" in result.stderr
        assert f"项目编码“XZ-GZF-01”与 {RESULTS}/2026-01.yaml 中的“xz-gzf-01”只有大小写不同" in result.stderr
        assert result.stderr.count("error[name-case-collision]") == 1


def test_a_project_code_of_a_lists_rows_in_another_case_is_an_error_in_build(small, tmp_path):
    _project(small, f"{APPROVALS}/xiaozhan-gzf.md", "XZ-GZF-01")
    started = small / "content/construction/started"
    started.mkdir()
    (started / "2026-started.yaml").write_text(
        "title: 小站县2026年开工项目清单\ndate: 2026-03-01\nindex_no: XZ/2026-00090\nrows:\n"
        "  - {项目名称: 小站公租房, 项目编码: xz-gzf-01, 建设地址: 小站县城南, 建设总套数: 120,"
        " 开工时间: 2026-02-15}\n",
        encoding="utf-8")
    result = build(small, tmp_path / "out")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/construction/started/2026-started.yaml:1:1: error[name-case-collision]" in result.stderr
    assert f"“xz-gzf-01”与 {APPROVALS}/xiaozhan-gzf.md 中的“XZ-GZF-01”" in result.stderr
    _project(small, f"{APPROVALS}/xiaozhan-gzf.md", "xz-gzf-01")
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/projects/xz-gzf-01.html").is_file()


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


def _recorded_paths(out: Path) -> dict:
    """Every output path the build recorded: the manifest's lists, the state's files and
    the ledger's groups (kept in the state)."""
    from generator.incremental import state
    manifest = json.loads((out.parent / f"{out.name}.manifest.json").read_text(encoding="utf-8"))
    kept = state.load(out)
    assert kept is not None
    return {**{kind: list(manifest[kind]) for kind in ("added", "changed", "removed")},
            "state": list(kept.files), "groups": [p for _, files, _ in kept.groups.values() for p in files]}


def _posix(path: str) -> bool:
    return ("\\" not in path and not path.startswith("/") and ":" not in path and "//" not in path
            and "" not in path.split("/") and unicodedata.is_normalized("NFC", path))


def test_every_path_the_build_records_is_relative_posix_and_as_on_disk(small, tmp_path):
    """Whatever os.sep is: the manifest, the state and the ledger name each output file by
    its path below the output with "/", as the sources name it (NFC sources here)."""
    (small / APPROVALS / "附件").mkdir()
    (small / APPROVALS / "附件/批复（2025）é.txt").write_text("立项批复", encoding="utf-8")
    record = small / APPROVALS / "xiaozhan-gzf.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("  - {path: pifu.txt, title: 立项批复}\n", "  - 附件/批复（2025）é.txt\n"),
                      encoding="utf-8")
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    recorded = _recorded_paths(out)
    attachment = "construction/approvals/xiaozhan-gzf/批复（2025）é.txt"
    assert attachment in on_disk and any(p.startswith("pagefind/fragment/") for p in on_disk)  # Pagefind's walk
    assert set(recorded["added"]) == set(recorded["state"]) == on_disk
    assert set(recorded["groups"]) <= on_disk  # a record's pages: kept by the store, not the state

    record.write_text(text.replace("pifu.txt", "pifu2.txt").replace("计划", "原计划"), encoding="utf-8")
    shutil.move(small / APPROVALS / "pifu.txt", small / APPROVALS / "pifu2.txt")
    assert build(small, out).returncode == 0
    recorded = _recorded_paths(out)
    assert attachment in recorded["removed"] and "construction/approvals/xiaozhan-gzf.html" in recorded["changed"]
    assert set(recorded["state"]) == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for kind, paths in recorded.items():
        assert paths and all(_posix(p) for p in paths), (kind, [p for p in paths if not _posix(p)])
