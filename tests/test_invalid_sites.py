"""One broken site per kind of bad input: every defect gives exactly one diagnostic
with the right file, line and code; the run exits 1 and never shows a traceback."""
import re
import shutil

import pytest
from conftest import FIXTURES, MINIMAL_SITE, run

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
DIAGNOSTIC = re.compile(r"^(\S.*?): (error|warning)\[([a-z-]+)\]: (.*)$")


def _expected(case):
    lines = (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    exit_code = int(lines[0].split(":")[1])
    return exit_code, [DIAGNOSTIC.match(line).groups() for line in lines[1:] if line.strip()]


def _diagnostics(stderr):
    return [m.groups() for m in map(DIAGNOSTIC.match, stderr.splitlines()) if m]


@pytest.mark.parametrize("case", CASES)
def test_invalid_site(case, tmp_path):
    root = tmp_path / case
    shutil.copytree(FIXTURES / "invalid" / case / "content", root / "content")
    (root / "site.yaml").write_text(MINIMAL_SITE, encoding="utf-8")
    result = run("validate", "--site", str(root / "site.yaml"))
    exit_code, expected = _expected(case)
    found = _diagnostics(result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == exit_code, result.stderr
    assert len(found) == len(expected), result.stderr
    for (loc, sev, code, message), (e_loc, e_sev, e_code, e_message) in zip(found, expected):
        assert (loc, sev, code) == (e_loc, e_sev, e_code), result.stderr
        assert e_message in message, result.stderr
    # Every diagnostic comes with a hint line for the user.
    assert result.stderr.count("提示：") >= len([d for d in found if d[1] == "error"]) - 1


def test_diagnostics_are_sorted_by_path(tmp_path):
    root = tmp_path / "all"
    for case in CASES:
        if case != "unknown-folders":
            shutil.copytree(FIXTURES / "invalid" / case / "content", root / "content", dirs_exist_ok=True)
    (root / "site.yaml").write_text(MINIMAL_SITE, encoding="utf-8")
    found = _diagnostics(run("validate", "--site", str(root / "site.yaml")).stderr)
    keys = [(loc.split(":")[0],) for loc, *_ in found]
    assert keys == sorted(keys) and len(found) >= 18


def test_non_utf8_record(site):
    path = site({"content/policy/laws/gbk.md": "---\ntitle: 办法\ndate: 2026-01-05\n---\n正文\n".encode("gbk")})
    result = run("validate", "--site", str(path))
    assert result.returncode == 1
    assert "content/policy/laws/gbk.md:2:8: error[encoding]: 文件不是 UTF-8 编码" in result.stderr
    assert "GBK" in result.stderr


def test_bom_is_accepted(site):
    record = ("---\ntitle: 办法\ndate: 2026-01-05\nindex_no: T/1\nfields: {发布部门: 住建局, 发布日期: 2026-01-05}\n"
              "---\n正文\n")
    path = site({"content/policy/laws/bom.md": b"\xef\xbb\xbf" + record.encode()})
    result = run("validate", "--site", str(path))
    assert result.returncode == 0, result.stderr


def test_strict_turns_warnings_into_errors(site):
    record = "---\ntitle: 办法\ndate: 2026-01-05\nfields: {发布部门: 住建局, 发布日期: 2026-01-05}\n---\n正文\n"
    path = site({"content/policy/laws/law.md": record})
    assert run("validate", "--site", str(path)).returncode == 0
    strict = run("validate", "--strict", "--site", str(path))
    assert strict.returncode == 1 and "error[missing-index-no]" in strict.stderr


def test_symlink_out_of_content_is_refused(site, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("保障对象姓名\n张三\n", encoding="utf-8")
    path = site({"content/allocation/results/list.yaml":
                 "title: 公示\ndate: 2026-01-05\nindex_no: T/1\nrows_from: link.csv\n"})
    (path.parent / "content/allocation/results/link.csv").symlink_to(secret)
    result = run("validate", "--site", str(path))
    assert "error[path-escape]" in result.stderr and result.returncode == 1


def test_windows_line_endings_and_upper_case_suffix(site):
    record = ("---\r\ntitle: 办法\r\ndate: 2026-01-05\r\nindex_no: T/1\r\n"
              "fields: {发布部门: 住建局, 发布日期: 2026-01-05}\r\n---\r\n正文\r\n")
    path = site({"content/policy/laws/crlf.MD": record.encode()})
    result = run("validate", "--site", str(path))
    assert result.returncode == 0, result.stderr


def test_broken_link_is_one_diagnostic_and_the_output_stays(site):
    record = "---\ntitle: 办法\ndate: 2026-01-05\nindex_no: T/1\nfields: {发布部门: 住建局, 发布日期: 2026-01-05}\n---\n正文\n"
    path = site({"content/policy/laws/law.md": record})
    assert run("build", "--site", str(path)).returncode == 0
    before = {p: p.read_bytes() for p in (path.parent / "output").rglob("*") if p.is_file()}
    (path.parent / "content/policy/laws/gone.md").symlink_to(path.parent / "nowhere.md")
    for command in ("validate", "build"):
        result = run(command, "--site", str(path))
        assert result.returncode == 1, result.stderr
        assert "content/policy/laws/gone.md:1:1: error[unreadable-file]: 无法读取这个文件" in result.stderr
        assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert {p: p.read_bytes() for p in (path.parent / "output").rglob("*") if p.is_file()} == before
