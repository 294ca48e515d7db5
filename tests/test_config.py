
import pytest
from conftest import MINIMAL_SITE, ROOT, run

from generator.config.site import documented_keys, load_site


def test_demo_site_yaml_loads():
    site = load_site(ROOT / "site.yaml")
    assert site.level == "市级" and site.base_url.endswith("/")
    assert site.privacy.hotlines and site.privacy.id_keep_start == 3


@pytest.mark.parametrize("extra,location,message", [
    ("titel: x\n", "site.yaml:6:1", "site.yaml 中没有“titel”这一设置"),
    ("privacy:\n  mask_name: true\n", "site.yaml:7:3", "没有“privacy.mask_name”这一设置"),
    ("privacy:\n  id_card_mask: {keep_start: 8}\n", "site.yaml:7:30", "应在 0 到 6 之间"),
    ("page_size: 很多\n", "site.yaml:6:12", "不是整数"),
    ("calendar:\n  holidays: [2027-02-30]\n", "site.yaml:7:13", "日期“2027-02-30”不存在"),
    ("index_format: \"{prefix}-{year}\"\n", "site.yaml:6:15", "必须含有 {serial}"),
])
def test_bad_settings_are_configuration_errors(site, extra, location, message):
    path = site({}, MINIMAL_SITE + extra)
    result = run("validate", "--site", str(path))
    assert result.returncode == 2, result.stderr
    line = next(l for l in result.stderr.splitlines() if "error[" in l)
    assert line.split(": error")[0].endswith(location) and message in line


def test_missing_required_and_bad_values_reported_together(site):
    path = site({}, "title: x\nlevel: 省级\nbase_url: www.example.gov.cn\n")
    result = run("validate", "--site", str(path))
    assert result.returncode == 2
    for message in ("缺少必填设置“department”", "缺少必填设置“index_prefix”", "不是公开层级", "不是完整网址"):
        assert message in result.stderr


def test_missing_site_yaml(tmp_path):
    result = run("validate", "--site", str(tmp_path / "site.yaml"))
    assert result.returncode == 2 and "找不到 site.yaml" in result.stderr


def test_usage_error_exit_2():
    result = run("validate", "--no-such-flag")
    assert result.returncode == 2 and "命令行参数错误" in result.stderr


def test_every_key_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [key for key in documented_keys() if f"`{key}`" not in readme]
    assert not missing, f"README 未说明的设置：{missing}"


def test_a_bad_today_is_a_usage_error_not_a_crash():
    from conftest import run
    for verb in ("build", "check", "new allocation/results", "serve"):
        result = run(*verb.split(), "--today", "2026-02-30")
        assert result.returncode == 2, verb
        assert "不是日期" in result.stderr and "Traceback" not in result.stderr
