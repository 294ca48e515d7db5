"""Data as real registers hold it: internal columns, placeholder ID numbers, the ID mask's legal floor."""
import pytest
from conftest import MINIMAL_SITE, checked_records, leaks, run

from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.model.diagnostics import Report
from generator.privacy import leakgate, mask

LOCAL_CATALOG = """\
items:
  - id: tenancy/subsidy-payments
    rows:
      - {name: 联系电话, type: phone, publish: false}
      - {name: 银行卡号, type: bank_card}
      - {name: 工作单位, type: text, publish: false}
"""
CARD = "6222021234567890128"  # Luhn-valid


def record(rows: str) -> str:
    return f"title: 2026年9月租赁补贴发放情况\ndate: 2026-09-28\nindex_no: TEST/2026-00001\nrows:\n{rows}"


def load(path):
    site = load_site(path)
    catalog = load_catalog(site)
    report = Report()
    return site, catalog, checked_records(site, catalog, report), report


def masked(record, catalog, site) -> mask.MaskResult:
    """The record masked as a build's workers mask it."""
    return mask.mask_record(record, catalog.by_id[record.item_id], site)


def test_internal_columns_are_validated_dropped_and_kept_as_secrets(site):
    path = site({"content/_catalog.yaml": LOCAL_CATALOG, "content/tenancy/subsidy-payments/a.yaml": record(
        "  - {保障对象姓名: 张三, 身份证号: '110101199003071233', 发放金额: 100, 发放年月: 2026-09,"
        f" 联系电话: '13912345678', 银行卡号: '{CARD}', 工作单位: 示例公司}}\n")})
    config, catalog, records, report = load(path)
    assert not report.diagnostics
    assert records[0].rows[0].values["联系电话"] == "13912345678"  # validated, typed
    result = masked(records[0], catalog, config)
    shown = result.records[0].rows[0].values
    assert set(shown) == {"保障对象姓名", "身份证号", "发放金额", "发放年月", "发放日期", "发放方式"}
    assert {"13912345678", CARD, "110101199003071233"} <= result.secrets
    assert "示例公司" not in result.secrets  # names of employers may rightly appear elsewhere
    # were a template to print an unpublished value, the leak gate would stop the build
    found = leaks({"a.html": b"<td>139 1234 5678</td>", "b.html": f"<td>{CARD}</td>".encode()}, result.secrets)
    assert [leak.path for leak in found] == ["a.html", "b.html"]


def test_bank_card_columns_are_unpublished_by_default(site):
    path = site({"content/_catalog.yaml": LOCAL_CATALOG})
    item = load_catalog(load_site(path)).by_id["tenancy/subsidy-payments"]
    assert not item.row_map["银行卡号"].publish and not item.row_map["联系电话"].publish


def test_an_invalid_internal_value_is_an_error(site):
    path = site({"content/_catalog.yaml": LOCAL_CATALOG, "content/tenancy/subsidy-payments/a.yaml": record(
        "  - {保障对象姓名: 张三, 身份证号: '110101199003071233', 发放金额: 100, 发放年月: 2026-09,"
        " 联系电话: 'abc'}\n")})
    _, _, records, report = load(path)
    assert not records
    [line] = [d.format() for d in report.diagnostics]
    assert line.startswith("content/tenancy/subsidy-payments/a.yaml:5:") and "“abc”不是电话号码" in line


def test_an_undeclared_column_says_to_declare_it(site):
    path = site({"content/tenancy/subsidy-payments/a.yaml": record(
        "  - {保障对象姓名: 张三, 身份证号: '110101199003071233', 发放金额: 100, 发放年月: 2026-09,"
        " 工作单位: 示例公司}\n")})
    _, _, records, report = load(path)
    [diagnostic] = report.diagnostics
    assert diagnostic.code == "unknown-field" and "工作单位" in diagnostic.message
    assert "content/_catalog.yaml" in diagnostic.hint and "publish: false" in diagnostic.hint


@pytest.mark.parametrize("number, doubt", [
    ("111111111111111111", "校验位不对"),  # placeholders real registers hold
    ("000000000000000000", "校验位不对"),
    ("110101199003071234", "校验位不对"),
    ("110101199002301236", "出生日期不存在"),
    ("110105491231002", ""),
])
def test_every_id_field_value_is_masked_whatever_its_checksum(site, tmp_path, number, doubt):
    path = site({"content/tenancy/subsidy-payments/a.yaml": record(
        f"  - {{保障对象姓名: 张三, 身份证号: '{number}', 发放金额: 100, 发放年月: 2026-09}}\n")})
    config, catalog, records, report = load(path)
    messages = [d.message for d in report.diagnostics]
    assert (any(doubt in m for m in messages) and all(d.severity == "warning" for d in report.diagnostics)
            if doubt else not messages)
    [checked] = records
    shown = masked(checked, catalog, config).records[0].rows[0].values
    assert shown["身份证号"] == number[:3] + "***" + number[-4 if len(number) == 18 else -3:]
    out = tmp_path / "out"
    result = run("build", "--site", str(path), "--out", str(out), "--today", "2026-10-01")
    assert result.returncode == 0, result.stderr
    for file in out.rglob("*"):
        if file.is_file() and not file.name.startswith("wasm."):  # Pagefind's program, not our data
            assert number not in leakgate.readable(file.read_bytes()).decode("utf-8", "replace"), file


@pytest.mark.parametrize("setting, message", [
    ("{keep_start: 7}", "应在 0 到 6 之间（再多就会显示出生日期）"),
    ("{keep_end: 5}", "应在 0 到 4 之间（再多就会显示出生日期）"),
])
def test_an_id_mask_showing_birth_digits_is_a_configuration_error(site, setting, message):
    path = site({}, MINIMAL_SITE + f"privacy:\n  id_card_mask: {setting}\n")
    result = run("validate", "--site", str(path))
    assert result.returncode == 2 and message in result.stderr and "出生日期" in result.stderr


def test_a_local_id_mask_keeps_the_birth_date_hidden(site):
    path = site({"content/tenancy/subsidy-payments/a.yaml": record(
        "  - {保障对象姓名: 张三, 身份证号: '110101199003071233', 发放金额: 100, 发放年月: 2026-09}\n"
        "  - {保障对象姓名: 李四, 身份证号: '110105491231002', 发放金额: 100, 发放年月: 2026-09}\n")},
        MINIMAL_SITE + "privacy:\n  id_card_mask: {keep_start: 6, keep_end: 4}\n")
    config, catalog, records, _ = load(path)
    [checked] = records
    rows = masked(checked, catalog, config).records[0].rows
    assert [r.values["身份证号"] for r in rows] == ["110101***1233", "110105***002"]
