"""索引号: the real-world default form <index_prefix>/<YYYY>-<NNNNN>, or the site's own index_format."""
import pytest
from conftest import MINIMAL_SITE

from generator.config.catalog import load_catalog
from generator.config.site import index_pattern, load_site
from generator.model.diagnostics import Report
from generator.pipeline.sitecheck import check_site

LOCAL = MINIMAL_SITE.replace("index_prefix: TEST", "index_prefix: \"0012\"") + \
    "index_format: \"{prefix}-{year}{month:02}-{serial:04}\"\n"
FIELDS = "fields: {发布部门: 测试县人民政府, 发布日期: 2026-01-05}\n"


def record(index_no: str) -> str:
    return f"---\ntitle: A\ndate: 2026-01-05\nindex_no: {index_no}\n{FIELDS}---\n正文\n"


def warnings(site, index_no: str, site_yaml: str = MINIMAL_SITE) -> list[str]:
    path = site({"content/policy/laws/a.md": record(index_no)}, site_yaml)
    config = load_site(path)
    report = Report()
    check_site(config, load_catalog(config), report)
    return [d.format().split("\n")[0] for d in report.diagnostics]


@pytest.mark.parametrize("index_no, site_yaml, ok", [
    ("TEST/2026-00001", MINIMAL_SITE, True),
    ("TEST/2019-12345", MINIMAL_SITE, True),  # the year is that of the first writing, not checked
    ("TEST/2026-1", MINIMAL_SITE, False),  # five digits at least
    ("OTHER/2026-00001", MINIMAL_SITE, False),
    ("TEST-2026-00001", MINIMAL_SITE, False),
    ("0012-202601-0041", LOCAL, True),
    ("0012/2026-00041", LOCAL, False),
])
def test_a_number_not_in_the_sites_form_is_a_warning(site, index_no, site_yaml, ok):
    lines = warnings(site, index_no, site_yaml)
    if ok:
        assert lines == []
    else:
        [line] = lines
        assert line.startswith("content/policy/laws/a.md:4:11: warning[index-no-format]") and index_no in line


def test_derived_numbers_follow_the_local_form(site):
    path = site({"content/policy/laws/a.md": f"---\ntitle: A\ndate: 2026-03-05\n{FIELDS}---\n正文\n"}, LOCAL)
    config = load_site(path)
    [head] = check_site(config, load_catalog(config), Report())
    assert index_pattern(config).fullmatch(head.index_no) and head.index_no.startswith("0012-202603-")
