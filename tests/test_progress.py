"""Progress bar on a terminal only; plain lines when piped or in CI."""
import io
import time

from conftest import run
from rich.console import Console

from generator.commands.progress import BuildProgress

RECORD = "---\ntitle: 办法\ndate: 2026-01-05\nindex_no: TEST/2026-00001\n" \
         "fields:\n  发布部门: 测试局\n  发布日期: 2026-01-05\n---\n正文。\n"


def test_piped_build_prints_no_control_characters(site, tmp_path):
    site_path = site({"content/policy/laws/rules.md": RECORD})
    for env in ({"CI": ""}, {"CI": "1"}):
        result = run("build", "--site", str(site_path), "--today", "2026-11-23", env=env)
        assert result.returncode == 0, result.stderr
        assert "生成完成：发布 1 条记录" in result.stdout and "用时" in result.stdout
        for text in (result.stdout, result.stderr):
            assert "\x1b" not in text and "\r" not in text


def _terminal():
    buffer = io.StringIO()
    return buffer, Console(file=buffer, force_terminal=True, width=100)


def test_bar_shows_the_stage_on_a_terminal_once_the_delay_is_over():
    buffer, console = _terminal()
    with BuildProgress(True, delay=0, console=console) as bar:
        deadline = time.monotonic() + 10
        while not bar.shown and time.monotonic() < deadline:
            time.sleep(0.01)
        bar.stage("渲染")
        bar.progress.refresh()
    assert "渲染" in buffer.getvalue() and "1/3" in buffer.getvalue()


def test_short_builds_and_pipes_stay_silent():
    buffer, console = _terminal()
    with BuildProgress(True, delay=60, console=console) as bar:
        bar.stage("读取/检查")
        bar.stage("写入")
    assert buffer.getvalue() == ""
    buffer, console = _terminal()
    with BuildProgress(False, delay=0, console=console) as bar:
        bar.stage("渲染")
    assert buffer.getvalue() == ""


def test_bar_counts_the_records_processed():
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    with BuildProgress(True, delay=0, console=console) as bar:
        bar.stage("读取/检查")
        bar.tick(30, 100)
        bar.tick(20, 100)
        assert bar.counted().completed == 50
        bar.tick(5, 7)  # a second round (records rendered after the check) starts its own count
        assert bar.counted().completed == 5 and bar.counted().total == 7
