"""`new`: scaffolds for every item validate, keep their comments, never overwrite."""
import datetime as dt
import io
import shutil

from conftest import ROOT, run, write_site

from generator.commands import scaffold
from generator.config.catalog import load_catalog
from generator.config.site import load_site

DAY = dt.date(2026, 11, 23)


def demo_site_without_records(tmp_path):
    """The demo's site.yaml and local catalog (with its extra item), no records."""
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copy(ROOT / "content" / "_catalog.yaml", root / "content" / "_catalog.yaml")
    return root / "site.yaml"


def publish(path):
    """What staff do once the examples are replaced: drop `draft: true` (keeping comments)."""
    yaml = scaffold.round_trip_yaml()
    data = yaml.load(path.read_text(encoding="utf-8"))
    del data["draft"]
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_scaffold_for_every_item_validates(tmp_path):
    site_path = demo_site_without_records(tmp_path)
    site = load_site(site_path)
    catalog = load_catalog(site)
    assert "credit/blacklist" in catalog.by_id  # the demo's local item is included
    paths = [scaffold.new_record(site, catalog, item.id, day=DAY) for item in catalog.items]
    result = run("validate", "--site", str(site_path))
    assert result.returncode == 0, result.stderr
    assert "error[" not in result.stderr
    for path in paths:
        publish(path)
    result = run("validate", "--site", str(site_path))
    assert result.returncode == 0, result.stderr
    assert f"{len(paths)} 条记录" in result.stdout
    # every scaffold got its own number of the year, in order
    numbers = [p.read_text(encoding="utf-8").split("index_no: ")[1].split("\n")[0] for p in paths]
    assert numbers == [f"11500000MB0000001M/2026-{n:05}" for n in range(1, len(paths) + 1)]


def test_scaffold_explains_every_field(tmp_path):
    site = load_site(demo_site_without_records(tmp_path))
    catalog = load_catalog(site)
    text = scaffold.new_record(site, catalog, "credit/blacklist", title="2026年第二批信用清单", day=DAY).read_text(encoding="utf-8")
    for key in ("draft: true", "title: 2026年第二批信用清单", "date: 2026-11-23", "published:", "index_no:",
                "project:", "window:", "rows:", "attachments:", "body:", "rows_from"):
        assert key in text
    for spec in catalog.by_id["credit/blacklist"].rows:
        assert f"{spec.name}: " in text
    assert ("身份证号: '110101199003071233' # 身份证号；身份证号；主体类型为“自然人”时必填；"
            "公开时隐藏部分号码（显示为 110***1233）") in text
    assert "单位名称: # 单位名称；文字；主体类型为“法人或其他组织”时必填" in text  # the example row is a person
    assert "公示期限；起止日期；必填" in text


def test_unpublished_and_masked_columns_say_so(site):
    path = site({"content/_catalog.yaml": (
        "items:\n  - id: allocation/results\n    rows:\n"
        "      - {name: 联系电话, type: phone, publish: false}\n"
        "      - {name: 银行卡号, type: bank_card}\n")})
    config = load_site(path)
    text = scaffold.new_record(config, load_catalog(config), "allocation/results", day=DAY).read_text(encoding="utf-8")
    assert "联系电话: '13812345678' # 联系电话；个人手机号；选填；不公开（只供内部核对" in text
    assert "银行卡号；银行卡号；选填；不公开" in text


def test_round_trip_keeps_comments(tmp_path):
    site = load_site(demo_site_without_records(tmp_path))
    path = scaffold.new_record(site, load_catalog(site), "policy/laws", day=DAY)
    before = path.read_text(encoding="utf-8")
    yaml = scaffold.round_trip_yaml()
    data = yaml.load(before)
    data["fields"]["文号"] = "示住建发〔2026〕1号"
    out = io.StringIO()
    yaml.dump(data, out)
    after = out.getvalue()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("  文号:", "  文号: 示住建发〔2026〕1号")]
    assert len(before.splitlines()) == len(after.splitlines())


def test_next_index_number_follows_the_largest_of_the_year(site):
    records = {
        "content/policy/laws/a.md": "---\ntitle: A\ndate: 2026-01-05\nindex_no: TEST/2026-00007\n---\n正文\n",
        "content/policy/laws/b.md": "---\ntitle: B\ndate: 2025-01-05\nindex_no: TEST/2025-00031\n---\n正文\n",
        # a derived number written in (validate's 9xxxx range) does not push the count up
        "content/policy/laws/c.md": "---\ntitle: C\ndate: 2026-01-05\nindex_no: TEST/2026-93120\n---\n正文\n",
    }
    path = site(records)
    config = load_site(path)
    catalog = load_catalog(config)
    assert scaffold.next_index_no(config, catalog, DAY) == "TEST/2026-00008"
    assert scaffold.next_index_no(config, catalog, dt.date(2025, 3, 1)) == "TEST/2025-00032"
    assert scaffold.next_index_no(config, catalog, dt.date(2027, 3, 1)) == "TEST/2027-00001"


def test_next_index_number_with_a_local_format(tmp_path):
    site_yaml = ("title: 测试\ndepartment: 测试局\nlevel: 县级\nbase_url: https://example.gov.cn/\n"
                 "index_prefix: 0012\nindex_format: \"{prefix}-{year}{month:02}-{serial:04}\"\n")
    path = write_site(tmp_path / "site", {
        "content/policy/laws/a.md": "---\ntitle: A\ndate: 2026-01-05\nindex_no: 0012-202601-0041\n---\n正文\n",
    }, site_yaml)
    config = load_site(path)
    assert scaffold.next_index_no(config, load_catalog(config), DAY) == "0012-202611-0042"


def test_new_from_the_command_line(tmp_path):
    site_path = demo_site_without_records(tmp_path)
    result = run("new", "allocation/results", "--title", "第三批分配结果", "--today", "2026-11-23",
                 "--site", str(site_path))
    assert result.returncode == 0, result.stderr
    written = site_path.parent / "content/allocation/results/2026-11-23.yaml"
    assert "已生成" in result.stdout and written.is_file()
    again = run("new", "allocation/results", "--today", "2026-11-23", "--site", str(site_path))
    assert again.returncode == 0
    assert (site_path.parent / "content/allocation/results/2026-11-23-2.yaml").is_file()


def test_existing_file_is_never_overwritten(tmp_path):
    site_path = demo_site_without_records(tmp_path)
    target = site_path.parent / "content/allocation/results/batch3.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("title: 已有的记录\n", encoding="utf-8")
    result = run("new", "allocation/results", "--slug", "batch3", "--site", str(site_path))
    assert result.returncode == 2
    assert "error[file-exists]" in result.stderr and "没有覆盖" in result.stderr
    assert target.read_text(encoding="utf-8") == "title: 已有的记录\n"


def test_unknown_item_is_a_clear_error(tmp_path):
    site_path = demo_site_without_records(tmp_path)
    result = run("new", "allocation/result", "--site", str(site_path))
    assert result.returncode == 2
    assert "目录中没有事项“allocation/result”" in result.stderr
    assert "是否想写“allocation/results”" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any((site_path.parent / "content").rglob("*.yaml")) or \
        list((site_path.parent / "content").rglob("*.yaml")) == [site_path.parent / "content/_catalog.yaml"]


def test_chinese_item_name_is_accepted(tmp_path):
    site_path = demo_site_without_records(tmp_path)
    result = run("new", "分配结果", "--slug", "batch4", "--site", str(site_path))
    assert result.returncode == 0, result.stderr
    assert (site_path.parent / "content/allocation/results/batch4.yaml").is_file()
