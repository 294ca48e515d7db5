"""The 政府信息公开工作年度报告 (generator/annual/): each check fails on a planted wrong cell
and names that cell, the 表一 counts from the records, the scaffold, the pages and data,
and when `check` says the report is due."""
import datetime as dt
import json
import re

from conftest import MINIMAL_SITE, run, write_site

from generator.annual import due, forms, load, review, scaffold
from generator.config.site import load_site
from generator.config.workdays import for_site
from generator.model.diagnostics import Report

COLS = forms.APPLICANTS


def _set(text: str, row: str, **cells) -> str:
    """The report text with cells of the row `row` (its last key) changed."""
    pattern = re.compile(r"^(\s*" + re.escape(row) + r": )\{([^}]*)\}", re.M)
    match = pattern.search(text)
    assert match, row
    current = dict(part.split(": ") for part in match.group(2).split(", "))
    current.update({k: str(v) for k, v in cells.items()})
    return text[:match.start()] + match.group(1) + "{" + ", ".join(f"{k}: {v}" for k, v in current.items()) + "}" \
        + text[match.end():]


def _report(year=2025, published="2026-01-20"):
    text = scaffold.text_of(year, f"TEST/{year + 1}-00001", "测试县住房和城乡建设局")
    text = text.replace("（待填写）", "本年度工作情况。")
    return text.replace("published:\n", f"published: {published}\n") if published else text


def _check(tmp_path, files: dict) -> Report:
    site = load_site(write_site(tmp_path / "site", {f"content/_annual/{y}.yaml": t for y, t in files.items()}))
    report = Report()
    review.gather(site, [], report)
    return report


def _where(text: str, row: str, column: str) -> str:
    """line:col of the cell as the file has it."""
    for number, line in enumerate(text.split("\n"), 1):
        if re.match(r"\s*" + re.escape(row) + ":", line):
            return f"{number}:{line.index(column + ': ') + len(column) + 3}"
    raise AssertionError(row)


def _one(report: Report, code: str):
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, [d.format() for d in report.diagnostics]
    return found[0]


def test_scaffold_of_both_templates_is_clean(tmp_path):
    report = _check(tmp_path, {2025: _report(2025), 2020: _report(2020)})
    assert not report.errors and not report.warnings, [d.format() for d in report.diagnostics]


def test_ar1_balance_names_the_carried_out_cell(tmp_path):
    text = _set(_report(), "四、结转下年度继续办理", 自然人=3)
    found = _one(_check(tmp_path, {2025: text}), "annual-balance")
    assert found.severity == "error"
    assert "表二 “四、结转下年度继续办理” × “自然人”" in found.message
    assert str(found.location).endswith(_where(text, "四、结转下年度继续办理", "自然人"))


def test_ar2_results_total_names_the_total_cell(tmp_path):
    text = _set(_report(), "2.重复申请", 商业企业=2)
    found = _one(_check(tmp_path, {2025: text}), "annual-total")
    assert "表二 “（七）总计” × “商业企业”" in found.message
    assert str(found.location).endswith(_where(text, "（七）总计", "商业企业"))


def test_ar3_row_total_names_the_row(tmp_path):
    text = _set(_report(), "（一）予以公开", 自然人=1)
    report = _check(tmp_path, {2025: text})
    found = [d for d in report.diagnostics if d.code == "annual-row-total"]
    assert len(found) == 1
    assert "表二 “（一）予以公开” × “总计”" in found[0].message
    assert str(found[0].location).endswith(_where(text, "（一）予以公开", "总计"))


def test_ar4_review_total_names_the_group(tmp_path):
    text = _set(_report(), "复议后起诉", 结果纠正=1)
    found = _one(_check(tmp_path, {2025: text}), "annual-review-total")
    assert "表三 “行政诉讼 · 复议后起诉” × “总计”" in found.message
    assert str(found.location).endswith(_where(text, "复议后起诉", "总计"))


def test_ar5_blank_cell_is_an_error_not_zero(tmp_path):
    text = _report().replace("1.属于国家秘密: {自然人: 0,", "1.属于国家秘密: {自然人: ,")
    found = _one(_check(tmp_path, {2025: text}), "annual-blank")
    assert found.severity == "error"
    assert "表二 “（三）不予公开 1.属于国家秘密” × “自然人”" in found.message


def test_ar5_not_a_whole_number(tmp_path):
    text = _set(_report(), "行政许可", 本年处理决定数量="3.5")
    found = _one(_check(tmp_path, {2025: text}), "annual-number")
    assert "表一 “行政许可” × “本年处理决定数量”" in found.message
    assert str(found.location).endswith(_where(text, "行政许可", "本年处理决定数量"))


def test_ar5_fee_may_be_a_decimal_but_not_negative(tmp_path):
    column = "本年收费金额（单位：万元）"
    assert not _check(tmp_path / "a", {2025: _set(_report(), "行政事业性收费", **{column: "0.35"})}).errors
    found = _one(_check(tmp_path / "b", {2025: _set(_report(), "行政事业性收费", **{column: "-1"})}), "annual-number")
    assert f"表一 “行政事业性收费” × “{column}”" in found.message


def test_ar6_carry_over_names_this_years_cell(tmp_path):
    last = _set(_set(_report(2024, "2025-01-20"), "一、本年新收政府信息公开申请数量", 自然人=2),
                "四、结转下年度继续办理", 自然人=2)
    text = _report(2025)
    found = _one(_check(tmp_path, {2024: last, 2025: text}), "annual-carry-over")
    assert "表二 “二、上年结转政府信息公开申请数量” × “自然人” 为 0" in found.message and "为 2" in found.message
    assert found.location.path.endswith("2025.yaml")
    assert str(found.location).endswith(_where(text, "二、上年结转政府信息公开申请数量", "自然人"))


def test_ar6_and_ar7_skipped_with_info_without_last_year(tmp_path):
    report = _check(tmp_path, {2025: _report(2025)})
    skipped = [d for d in report.diagnostics if d.code == "annual-skipped"]
    assert len(skipped) == 2 and all(d.severity == "info" for d in skipped)
    assert not report.errors and not report.warnings


def test_ar7_in_force_is_a_warning_at_the_cell(tmp_path):
    last = _set(_report(2024, "2025-01-20"), "行政规范性文件", 现行有效件数=5)
    text = _set(_report(2025), "行政规范性文件", 本年制发件数=0, 现行有效件数=4)
    report = _check(tmp_path, {2024: last, 2025: text})
    found = [d for d in report.diagnostics if d.code == "annual-in-force"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "表一 “行政规范性文件” × “现行有效件数” 为 4" in found[0].message and "= 5" in found[0].message


def test_ar8_text_figure_differs_from_the_table(tmp_path):
    text = _report().replace("一、总体情况: |\n  本年度工作情况。", "一、总体情况: |\n  本年度工作情况。\n  本年新收政府信息公开申请 14 件。")
    found = _one(_check(tmp_path, {2025: text}), "annual-text-figure")
    assert found.severity == "warning"
    assert "表二 “一、本年新收政府信息公开申请数量” × “总计” 为 0" in found.message
    line = text.split("\n").index("  本年新收政府信息公开申请 14 件。") + 1
    assert str(found.location).endswith(f":{line}:{2 + len('本年新收政府信息公开申请 ') + 1}")


def test_ar8_review_figure_in_the_text(tmp_path):
    text = _set(_report(), "行政复议", 结果维持=2, 总计=2)
    text = text.replace("六、其他需要报告的事项: |\n  本年度工作情况。", "六、其他需要报告的事项: |\n  被申请行政复议 2 件。")
    assert not [d for d in _check(tmp_path, {2025: text}).diagnostics if d.code == "annual-text-figure"]


def test_ar9_row_of_the_other_template(tmp_path):
    text = _report(2025).replace("  行政规范性文件: {", "  规范性文件: {")
    report = _check(tmp_path, {2025: text})
    found = [d for d in report.diagnostics if d.code == "annual-template"]
    assert len(found) == 1 and found[0].severity == "error"
    assert "“规范性文件”是2019 年模板" in found[0].message


def test_ar9_other_template_in_a_2020_report(tmp_path):
    text = _report(2020).replace("  行政许可: {上一年项目数量: 0, 本年增/减: 0, 处理决定数量: 0}",
                                 "  行政许可: {上一年项目数量: 0, 本年增/减: 0, 处理决定数量: 0, 本年处理决定数量: 0}")
    found = _one(_check(tmp_path, {2020: text}), "annual-template")
    assert "表一 “行政许可” × “本年处理决定数量”" in found.message and "2021 年模板" in found.message


def test_ar9_other_results_as_one_row_in_2021(tmp_path):
    lines = _report(2025).split("\n")
    start = lines.index("    （六）其他处理:")
    zeros = "{" + ", ".join(f"{c}: 0" for c in COLS) + "}"
    lines[start:start + 4] = [f"    （六）其他处理: {zeros}"]
    found = _one(_check(tmp_path, {2025: "\n".join(lines)}), "annual-template")
    assert "（六）其他处理" in found.message and "2019 年模板" in found.message


def test_unknown_section_and_missing_cell(tmp_path):
    text = _report().replace("五、存在的主要问题及改进情况:", "五、存在的问题:").replace(", 尚未审结: 0, 总计: 0}", ", 总计: 0}", 1)
    report = _check(tmp_path, {2025: text})
    codes = sorted(d.code for d in report.errors)
    assert codes == ["annual-missing", "annual-missing", "annual-unknown"], [d.format() for d in report.errors]


def test_published_placeholder_is_an_error_but_a_draft_may_have_it(tmp_path):
    text = scaffold.text_of(2025, "TEST/2026-00001", "局")
    assert not _check(tmp_path / "a", {2025: text}).errors
    report = _check(tmp_path / "b", {2025: text.replace("published:\n", "published: 2026-01-10\n")})
    found = [d for d in report.errors if d.code == "annual-text"]
    assert len(found) == 3 and "“一、总体情况”还有“待填写”的内容" in found[0].message


def test_correction_notes_are_read(tmp_path):
    text = _report() + "更正说明:\n  - {日期: 2026-02-10, 说明: 更正了表二的一处数字}\n"
    site = load_site(write_site(tmp_path / "site", {"content/_annual/2025.yaml": text}))
    reports = review.gather(site, [], Report())
    assert reports[2025].corrections == (load.Correction(dt.date(2026, 2, 10), "更正了表二的一处数字"),)
    bad = _check(tmp_path / "b", {2025: _report() + "更正说明:\n  - {日期: 2026-02-10}\n"})
    assert _one(bad, "annual-correction")


# -- 表一 counted from the records ---------------------------------------------------------
def _policy(name, kind, issued, validity="", validity_date="", department="测试县住房和城乡建设局"):
    extra = f"  有效性: {validity}\n" if validity else ""
    extra += f"  有效性日期: {validity_date}\n" if validity_date else ""
    return (f"content/policy/documents/{name}.md",
            f"---\ntitle: 文件{name}\ndate: {issued}\nfields:\n  发布部门: {department}\n  发布日期: {issued}\n"
            f"  文件类型: {kind}\n{extra}---\n正文。\n")


def test_table1_counted_from_records_and_differences_warned(tmp_path):
    text = _report(2025)
    text = re.sub(r"^  规章: .*\n", "", text, flags=re.M)  # left out: counted
    text = _set(text, "行政规范性文件", 本年制发件数=1)  # given: checked against the count (2)
    files = dict([
        _policy("a", "行政规范性文件", "2025-03-01"),
        _policy("b", "行政规范性文件", "2025-06-01"),
        _policy("c", "行政规范性文件", "2020-06-01", "已废止", "2025-07-01"),
        _policy("d", "规章", "2025-05-01"),
        _policy("e", "规章", "2025-05-02", department="测试县人民政府"),  # not the bureau's
    ])
    files["content/_annual/2025.yaml"] = text
    result = run("validate", "--site", str(write_site(tmp_path / "site", files)))
    assert result.returncode == 0, result.stderr
    assert "表一 “行政规范性文件” × “本年制发件数” 填写为 1，而按本专栏法规政策记录统计为 2" in result.stderr
    site = load_site(tmp_path / "site" / "site.yaml")
    from conftest import checked_records  # noqa: F401 - the heads only; the facts come from a check
    from generator.pipeline.sitecheck import check_site
    from generator.config.catalog import load_catalog
    report = Report()
    check_site(site, load_catalog(site), report)
    annual = review.gather(site, _checks(site), Report())[2025]
    table = annual.template.table(forms.ACTIVE)
    assert annual.value(table, ("规章",), forms.ISSUED) == 1
    assert annual.value(table, ("规章",), forms.IN_FORCE) == 1
    assert (forms.ACTIVE, ("规章",), forms.ISSUED) in annual.counted
    assert annual.value(table, ("行政规范性文件",), forms.REPEALED) == 0  # given as 0 in the file


def _checks(site):
    from generator.check import expire
    from generator.config.catalog import load_catalog
    from generator.pipeline import workers
    from generator.pipeline.sitecheck import open_store
    from generator.source.discover import discover
    catalog = load_catalog(site)
    job = workers.Job(site, catalog, expire.today(None), open_store(site), None, None,
                      {i.id for i in catalog.for_level(site.level).items})
    return workers.check_files(job, discover(site.content_dir, site.root, catalog, Report()), Report()).checks


# -- the command line, pages and data ---------------------------------------------------------
def test_new_annual_report_scaffolds_and_refuses_to_overwrite(tmp_path):
    site_yaml = write_site(tmp_path / "site", {})
    first = run("new", "annual-report", "--year", "2026", "--site", str(site_yaml))
    assert first.returncode == 0, first.stderr
    path = tmp_path / "site" / "content" / "_annual" / "2026.yaml"
    before = path.read_text(encoding="utf-8")
    assert "（七）总计: {自然人: 0" in before and "# 表二" in before
    again = run("new", "annual-report", "--year", "2026", "--site", str(site_yaml))
    assert again.returncode == 2 and "file-exists" in again.stderr
    assert path.read_text(encoding="utf-8") == before


def test_build_fails_on_an_annual_error(tmp_path):
    text = _set(_report(), "四、结转下年度继续办理", 自然人=3, 总计=3)
    site_yaml = write_site(tmp_path / "site", {"content/_annual/2025.yaml": text})
    result = run("build", "--site", str(site_yaml), "--out", str(tmp_path / "out"), "--today", "2026-03-01")
    assert result.returncode == 1 and "annual-balance" in result.stderr
    assert not (tmp_path / "out" / "annual-report").exists()


def test_pages_and_data_of_the_demo(tmp_path):
    from conftest import ROOT
    out = tmp_path / "out"
    result = run("build", "--out", str(out), "--today", "2026-12-03", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    index = (out / "annual-report" / "index.html").read_text(encoding="utf-8")
    assert index.index("2025年政府信息公开工作年度报告") < index.index("2024年") < index.index("2020年")
    page = (out / "annual-report" / "2025.html").read_text(encoding="utf-8")
    assert 'rowspan="22"' in page and "（本列数据的勾稽关系为" in page
    assert "按本专栏公开的法规政策文件" in page and "索引号" in page
    assert 'headers="t2-g t2-g2 t2-r4 t2-app t2-c0"' in page  # （三）不予公开 1.属于国家秘密 × 自然人
    assert "report/2025.html" in page
    old = (out / "annual-report" / "2020.html").read_text(encoding="utf-8")
    assert 'rowspan="20"' in old and "对外公开总数量" in old
    raw = (out / "data" / "annual-report" / "2025.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    data = json.loads((out / "data" / "annual-report" / "2025.json").read_text(encoding="utf-8"))
    assert len(data["单元格"]) == 2 * 3 + 4 + 25 * 7 + 15
    for page in ("index.html", "catalog/index.html"):
        assert "annual-report/index.html" in (out / page).read_text(encoding="utf-8")
    assert "2025年本专栏公开统计" in (out / "report" / "2025.html").read_text(encoding="utf-8")


# -- the deadline ------------------------------------------------------------------------------
def _due_on(today: str, published=None):
    from conftest import ROOT
    site = load_site(ROOT / "site.yaml")  # its calendar declares 2027's 元旦 and 春节 (and the 调休 Sunday 01-31)
    published = {2025: dt.date(2026, 1, 22), **(published or {})}
    return due.due(site, published, dt.date.fromisoformat(today), for_site(site))


def test_due_info_in_december_and_january(tmp_path):
    assert [(d.year, d.severity) for d in _due_on("2026-11-30")] == []
    assert [(d.year, d.severity) for d in _due_on("2026-11-30", {2025: None})] == [(2025, "error")]
    found = _due_on("2026-12-03")
    assert [(d.year, d.severity) for d in found] == [(2026, "info")]
    assert [(d.year, d.severity) for d in _due_on("2027-01-04")] == [(2026, "info")]


def test_due_across_new_year_and_spring_festival():
    # 2027-01-15: Jan 18–22, 25–29 and the worked Sunday Jan 31 are 11 working days: still info
    assert [(d.severity, d.deadline) for d in _due_on("2027-01-15")] == [("info", dt.date(2027, 1, 31))]
    assert "11 个工作日" in _due_on("2027-01-15")[0].message
    assert [d.severity for d in _due_on("2027-01-20")] == ["warning"]
    late = _due_on("2027-02-01")
    assert [d.severity for d in late] == ["error"] and late[0].late_days == 1
    assert [d.severity for d in _due_on("2027-02-15")] == ["error"]  # 春节 2-05..2-12 are not counted late
    assert _due_on("2027-02-15")[0].late_days == 5  # Feb 1–4, then Feb 15
    assert _due_on("2027-01-20", {2026: dt.date(2027, 1, 18)}) == []


def test_deadline_setting(tmp_path):
    site = load_site(write_site(tmp_path / "a", {}, MINIMAL_SITE + "annual_report:\n  deadline: 01-28\n"))
    assert site.annual_report.deadline == (1, 28)
    assert due.deadline_of(site, 2026) == dt.date(2027, 1, 28)
    bad = run("validate", "--site", str(write_site(tmp_path / "b", {}, MINIMAL_SITE + "annual_report:\n  deadline: 02-30\n")))
    assert bad.returncode == 2 and "annual_report.deadline" in bad.stderr


def test_check_on_the_demo_reports_the_report_due():
    from conftest import ROOT
    result = run("check", "--today", "2026-12-03", cwd=ROOT)
    assert "2026 年政府信息公开工作年度报告应在 2027-01-31 前公开" in result.stdout
    january = run("check", "--today", "2027-01-20", cwd=ROOT)
    assert re.search(r"警告\s+2026 年政府信息公开工作年度报告", january.stdout)


def test_check_says_nothing_of_the_report_without_an_annual_folder(tmp_path):
    from generator.commands import check as check_command
    from generator.config.catalog import load_catalog
    site = load_site(write_site(tmp_path / "a", {}))
    found = check_command.check(site, load_catalog(site), [], dt.date(2026, 2, 10))
    assert not [f for f in found if f.kind == "annual"]
    (tmp_path / "a" / "content" / "_annual").mkdir()
    found = check_command.check(site, load_catalog(site), [], dt.date(2026, 2, 10))
    assert [f.severity for f in found if f.kind == "annual"] == ["error"]


# -- AR-10: a published report is never silently changed ----------------------------------
def _build(site_yaml, out, day: str):
    return run("build", "--site", str(site_yaml), "--out", str(out), "--today", day)


def test_a_published_report_changed_without_a_correction_note_is_an_error(tmp_path):
    """Published 2026-01-20 and built then; changed on 2026-02-05: without a 更正说明 dated
    after its publication the build fails and the output keeps the published report; with one,
    the page shows it with its date. A second change on a later day needs a note of its own."""
    path = "content/_annual/2025.yaml"
    site_yaml = write_site(tmp_path / "site", {path: _report()})
    source, out = site_yaml.parent / path, tmp_path / "out"
    assert _build(site_yaml, out, "2026-01-20").returncode == 0
    published = (out / "annual-report/2025.html").read_bytes()
    changed = source.read_text(encoding="utf-8").replace("本年度工作情况。", "本年度工作情况（修订）。", 1)
    source.write_text(changed, encoding="utf-8")
    failed = _build(site_yaml, out, "2026-02-05")
    assert failed.returncode == 1 and "error[annual-changed]" in failed.stderr
    assert "已于 2026-01-20 公开" in failed.stderr and "2026-01-21 以后的更正说明" in failed.stderr
    assert (out / "annual-report/2025.html").read_bytes() == published
    early = changed + "更正说明:\n  - {日期: 2026-01-20, 说明: 公开当天的说明不算更正}\n"
    source.write_text(early, encoding="utf-8")
    assert "annual-changed" in _build(site_yaml, out, "2026-02-05").stderr
    noted = changed + "更正说明:\n  - {日期: 2026-02-05, 说明: 更正了总体情况中的一处表述}\n"
    source.write_text(noted, encoding="utf-8")
    assert _build(site_yaml, out, "2026-02-05").returncode == 0
    page = (out / "annual-report/2025.html").read_text(encoding="utf-8")
    assert "2026-02-05" in page and "更正了总体情况中的一处表述" in page
    again = noted.replace("（修订）", "（再次修订）")
    source.write_text(again, encoding="utf-8")
    second = _build(site_yaml, out, "2026-02-10")
    assert second.returncode == 1 and "2026-02-06 以后的更正说明" in second.stderr
    source.write_text(again + "  - {日期: 2026-02-10, 说明: 再次更正}\n", encoding="utf-8")
    assert _build(site_yaml, out, "2026-02-10").returncode == 0


def test_edits_on_the_day_of_publication_and_a_first_build_need_no_correction_note(tmp_path):
    path = "content/_annual/2025.yaml"
    site_yaml = write_site(tmp_path / "site", {path: _report()})
    source, out = site_yaml.parent / path, tmp_path / "out"
    assert _build(site_yaml, out, "2026-01-20").returncode == 0
    source.write_text(source.read_text(encoding="utf-8").replace("本年度工作情况。", "当天改过。", 1), encoding="utf-8")
    assert _build(site_yaml, out, "2026-01-20").returncode == 0  # still the day it was published
    fresh = _build(site_yaml, tmp_path / "fresh", "2026-03-01")  # no state: what was published is not known
    assert fresh.returncode == 0, fresh.stderr


def _files(out) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_an_edited_or_added_report_is_rebuilt_as_a_build_from_nothing_makes_it(tmp_path):
    """The reports are one ledger group: an edit re-makes their pages and data exactly as a
    clean build does, and a build that changes nothing re-makes nothing."""
    path = "content/_annual/2025.yaml"
    site_yaml = write_site(tmp_path / "site", {path: _report()})
    source, out = site_yaml.parent / path, tmp_path / "out"
    assert _build(site_yaml, out, "2026-01-20").returncode == 0
    source.write_text(source.read_text(encoding="utf-8").replace("本年度工作情况。", "全年工作情况。", 1), encoding="utf-8")
    (site_yaml.parent / "content/_annual/2024.yaml").write_text(_report(2024, "2025-01-20"), encoding="utf-8")
    assert _build(site_yaml, out, "2026-01-20").returncode == 0
    fresh = _build(site_yaml, tmp_path / "fresh", "2026-01-20")
    assert fresh.returncode == 0, fresh.stderr
    assert _files(out) == _files(tmp_path / "fresh")
    index = (out / "annual-report/index.html").read_text(encoding="utf-8")
    assert index.index("2025年政府信息公开工作年度报告") < index.index("2024年政府信息公开工作年度报告")
    assert "全年工作情况。" in (out / "annual-report/2025.html").read_text(encoding="utf-8")
    from generator.pipeline.build import build
    again = build(site_yaml, out, today="2026-01-20")
    assert (again.rendered, again.groups_made) == (0, 0)
