"""The output folder is the build's alone (issue 24): what --out and --package refuse, that
nothing no build of ours wrote is ever deleted, one build at a time, and that a build killed
while writing is fully accounted for by the next manifest and package."""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run

TODAY = "2026-06-01"
ENV = {"PYTHONPATH": str(ROOT)}  # the generator of this checkout, whatever the working folder


def build(site: Path, out, *extra, cwd=None, env=None):
    return run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", TODAY, *extra,
               cwd=cwd, env={**ENV, **(env or {})})


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def lists(out: Path) -> dict:
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_text(encoding="utf-8"))
    return {kind: manifest[kind] for kind in ("added", "changed", "removed")}


@pytest.fixture
def small(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "small", site, ignore=shutil.ignore_patterns(".cache"))
    return site


def _refused(result, *words):
    assert result.returncode == 2, result.stdout + result.stderr
    assert "error[unsafe-output]" in result.stderr
    for word in words:
        assert word in result.stderr
    assert "生成完成" not in result.stdout


# --- where the output may be -------------------------------------------------------------

def test_out_content_is_refused(small):
    before = snapshot(small)
    _refused(build(small, small / "content"), "内容文件夹")
    assert snapshot(small) == before


def test_out_inside_content_is_refused(small):
    before = snapshot(small)
    _refused(build(small, small / "content" / "x"), "content/x")
    assert snapshot(small) == before
    assert not (small / "content/x").exists()


def test_out_dot_the_site_folder_is_refused(small):
    before = snapshot(small)
    _refused(build(small, ".", cwd=small), "站点文件夹")
    assert snapshot(small) == before


def test_out_dotdot_containing_the_site_is_refused(small):
    before = snapshot(small)
    _refused(build(small, "..", cwd=small), "包含站点文件夹")
    assert snapshot(small) == before


@pytest.mark.parametrize("name", ["templates", "themes", "themes/default/static"])
def test_out_in_templates_or_themes_is_refused(small, name):
    (small / name).mkdir(parents=True)
    _refused(build(small, small / name))


def test_the_default_output_inside_the_site_is_fine(small):
    result = run("build", "--site", str(small / "site.yaml"), "--today", TODAY, env=ENV)
    assert result.returncode == 0, result.stderr
    assert (small / "output/index.html").is_file()
    again = build(small, "output", cwd=small)  # the same folder named from the site root
    assert again.returncode == 0, again.stderr


def test_out_home_folder_is_refused(small, tmp_path, monkeypatch):
    from generator.model.diagnostics import ConfigError
    from generator.pipeline.build import build as build_in_process
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents/工作.txt").write_text("不能删", encoding="utf-8")
    (home / ".bashrc").write_text("x", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    before = snapshot(home)
    for out in (home, tmp_path):  # the home folder, and a folder containing it
        with pytest.raises(ConfigError) as refused:
            build_in_process(small / "site.yaml", out, TODAY)
        assert "用户主目录" in refused.value.report.errors[0].message
    assert snapshot(home) == before


def test_a_file_system_root_is_refused(small):
    """Checked on the guard alone: a build is never pointed at / in a test."""
    from generator.config.site import load_site
    from generator.model.diagnostics import ConfigError
    from generator.publish import outguard
    with pytest.raises(ConfigError) as refused:
        outguard.check_place(load_site(small / "site.yaml"), Path(Path.cwd().anchor))
    assert "根目录" in refused.value.report.errors[0].message


def test_a_non_empty_foreign_folder_is_refused(small, tmp_path):
    other = tmp_path / "shared"
    (other / "sub").mkdir(parents=True)
    (other / "sub/report.docx").write_bytes(b"somebody's work")
    (other / "index.html").write_text("别人的页面", encoding="utf-8")
    before = snapshot(other)
    _refused(build(small, other), "不是空文件夹")
    assert snapshot(other) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build(small, empty).returncode == 0


def test_an_output_that_is_a_file_is_refused(small, tmp_path):
    target = tmp_path / "out"
    target.write_text("a file", encoding="utf-8")
    _refused(build(small, target), "不是文件夹")
    assert target.read_text(encoding="utf-8") == "a file"


def test_serve_refuses_the_same_outputs(small):
    result = run("serve", "--site", str(small / "site.yaml"), "--out", str(small / "content"), "--port", "1",
                 env=ENV)
    _refused(result, "内容文件夹")


# --- nothing that no build of ours wrote is deleted -----------------------------------------

def test_foreign_files_in_the_output_are_kept_and_reported(small, tmp_path):
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (out / "notes.txt").write_text("站长的笔记", encoding="utf-8")
    (out / "policy/laws/mine.html").write_text("手工页面", encoding="utf-8")
    (out / "extra").mkdir()
    (out / "extra/logo.png").write_bytes(b"\x89PNG")
    banfa = small / "content/policy/laws/banfa.md"
    banfa.write_text(banfa.read_text(encoding="utf-8").replace("制定本办法", "制定本细则"), encoding="utf-8")
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    assert "warning[foreign-files]" in result.stderr and "3 个文件不是本站以前的生成写下的" in result.stderr
    assert "extra/logo.png" in result.stderr
    listed = {p for paths in lists(out).values() for p in paths}
    assert "policy/laws/banfa.html" in listed
    assert not listed & {"notes.txt", "policy/laws/mine.html", "extra/logo.png"}
    assert (out / "notes.txt").read_text(encoding="utf-8") == "站长的笔记"
    assert (out / "policy/laws/mine.html").is_file() and (out / "extra/logo.png").is_file()
    (small / "content/policy/laws/banfa.md").unlink()  # a record removed: its page is ours, the rest stays
    assert build(small, out).returncode == 0
    assert (out / "notes.txt").is_file() and (out / "extra/logo.png").is_file()


def test_without_a_state_nothing_is_deleted(small, tmp_path):
    """The state is the memory of what is ours: without it a build removes nothing."""
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (small / "content/construction/approvals/xiaozhan-gzf.md").unlink()
    out.with_name("out.state").unlink()
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    assert (out / "construction/approvals/xiaozhan-gzf/pifu.txt").is_file()
    assert "construction/approvals/xiaozhan-gzf/pifu.txt" in result.stderr  # reported, left for a person
    assert lists(out)["removed"] == []


def test_foreign_state_is_refused(small, tmp_path):
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    before = snapshot(out)
    other = tmp_path / "other"
    shutil.copytree(small, other, ignore=shutil.ignore_patterns(".cache"))
    site_yaml = other / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("xiaozhan.gov.cn", "dazhan.gov.cn"),
                         encoding="utf-8")
    (other / "content/policy/laws/banfa.md").unlink()
    _refused(build(other, out), "另一个站点")
    assert snapshot(out) == before
    out.with_name("out.state").unlink()  # the manifest names the site too
    _refused(build(other, out), "另一个站点")
    assert snapshot(out) == before


def test_a_moved_site_keeps_its_output(small, tmp_path):
    """The same site (same base_url) from another folder: its own output, not a foreign one."""
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    moved = tmp_path / "moved"
    shutil.move(small, moved)
    result = build(moved, out)
    assert result.returncode == 0, result.stderr


# --- --package ----------------------------------------------------------------------------

@pytest.mark.parametrize("target,words", [
    ("site/site.yaml", ["会覆盖站点配置"]),
    ("site/content/upload.zip", ["内容文件夹"]),
    ("out/upload.zip", ["输出目录"]),
    ("out.state", ["生成记录"]),
    ("folder", ["已有的文件夹"]),
    ("notes.txt", ["不是 zip 文件"]),
])
def test_package_targets_are_refused_before_anything_is_written(small, tmp_path, target, words):
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("不是 zip", encoding="utf-8")
    before = snapshot(tmp_path)
    result = build(small, tmp_path / "out", "--package", str(tmp_path / target))
    _refused(result, *words)
    assert snapshot(tmp_path) == before  # no output, no state, no lock: nothing at all
    assert not (tmp_path / "out").exists()


def test_package_may_replace_an_earlier_zip(small, tmp_path):
    package = tmp_path / "upload.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("old.html", "old")
    result = build(small, tmp_path / "out", "--package", str(package))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(package) as archive:
        assert "index.html" in archive.namelist() and "old.html" not in archive.namelist()


# --- one build at a time --------------------------------------------------------------------

_STARTER = """
import os, sys, time
from generator.commands.cli import main
ready, go = sys.argv[1], sys.argv[2]
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.001)
sys.exit(main(sys.argv[3:]))
"""


def _wait_for(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)


def test_concurrent_builds_one_waits_out(small, tmp_path):
    """Two builds started at the same instant on one output: one builds, the other says so and
    touches nothing. The builder holds the lock (a test hook) until the other has given up."""
    out, release = tmp_path / "out", tmp_path / "release"
    env = dict(os.environ, PYTHONPATH=str(ROOT), GENERATOR_TEST_HOLD_LOCK=str(release))
    env.pop("GENERATOR_DEBUG", None)
    args = ["build", "--site", str(small / "site.yaml"), "--out", str(out), "--today", TODAY]
    builds = [subprocess.Popen([sys.executable, "-c", _STARTER, str(tmp_path / f"ready{n}"), str(tmp_path / "go"),
                                *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for n in range(2)]
    try:
        _wait_for(lambda: all((tmp_path / f"ready{n}").exists() for n in range(2)), "both builds to start")
        (tmp_path / "go").touch()  # the barrier: both go at once
        _wait_for(lambda: any(b.poll() is not None for b in builds), "one build to give up")
        loser = next(b for b in builds if b.poll() is not None)
        assert Path(str(release) + ".held").exists()  # the other one holds the lock
        stdout, stderr = loser.communicate()
        assert loser.returncode == 2, stdout + stderr
        assert "另一个生成正在进行" in stderr and "生成完成" not in stdout
        release.touch()
        winner = next(b for b in builds if b is not loser)
        stdout, stderr = winner.communicate(timeout=300)
        assert winner.returncode == 0, stderr
    finally:
        release.touch()
        for b in builds:
            if b.poll() is None:
                b.kill()
                b.wait()
    reference = tmp_path / "reference"
    assert build(small, reference).returncode == 0
    assert snapshot(out) == snapshot(reference)
    assert lists(out)["added"] == sorted(snapshot(reference))
    again = build(small, out)  # the lock went with the process that held it
    assert again.returncode == 0, again.stderr


def test_a_lock_left_by_a_dead_build_does_not_block(small, tmp_path):
    out = tmp_path / "out"
    dead = build(small, out, env={"GENERATOR_TEST_DIE_AFTER": "1"})
    assert dead.returncode == 137
    assert out.with_name("out.lock").exists()
    result = build(small, out)
    assert result.returncode == 0, result.stderr


# --- withdrawal without a state -------------------------------------------------------------

def test_withdrawal_without_state_uses_the_pages_in_the_output(small, tmp_path):
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (small / "content/policy/laws/banfa.md").unlink()
    out.with_name("out.state").unlink()
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    page = (out / "policy/laws/banfa.html").read_text(encoding="utf-8")
    assert "本信息已撤下" in page and "公共租赁住房管理" not in page
    assert "policy/laws/banfa.html" in lists(out)["changed"]


def test_withdrawal_without_state_uses_the_last_manifest(small, tmp_path):
    """The page gone from the output too: the manifest of the last build still names it."""
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (small / "content/policy/laws/banfa.md").unlink()
    out.with_name("out.state").unlink()
    (out / "policy/laws/banfa.html").unlink()
    result = build(small, out)
    assert result.returncode == 0, result.stderr
    assert "本信息已撤下" in (out / "policy/laws/banfa.html").read_text(encoding="utf-8")


# --- a build killed while writing ------------------------------------------------------------

def _edit(site: Path) -> None:
    """Changes that add, change and remove output files."""
    banfa = site / "content/policy/laws/banfa.md"
    banfa.write_text(banfa.read_text(encoding="utf-8").replace("制定本办法", "制定本细则"), encoding="utf-8")
    (site / "content/construction/approvals/xiaozhan-gzf.md").unlink()  # its attachment goes: removed
    shutil.copy(banfa, banfa.with_name("banfa-2026.md"))  # new pages: added
    text = banfa.with_name("banfa-2026.md").read_text(encoding="utf-8")
    text = text.replace("XZ/2026-00001", "XZ/2026-00099")  # a new record, published on the build's day (not backdated)
    banfa.with_name("banfa-2026.md").write_text(text.replace("published: 2026-03-05", f"published: {TODAY}"),
                                                encoding="utf-8")


def _copy_output(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest)  # copy2: sizes and mtimes as the state recorded them
    for suffix in (".state", ".manifest.json"):
        shutil.copy2(source.with_name(source.name + suffix), dest.with_name(dest.name + suffix))


def _completed_then_edited(site: Path, tmp_path: Path) -> tuple[Path, dict, dict, int]:
    """(output of a completed build, its files, the files of a build after _edit, how many
    write steps that build took): what a killed build is compared with."""
    base = tmp_path / "base"
    assert build(site, base).returncode == 0
    completed = snapshot(base)
    _edit(site)
    reference, tally = tmp_path / "reference", tmp_path / "steps"
    _copy_output(base, reference)
    assert build(site, reference, env={"GENERATOR_TEST_STEPS": str(tally)}).returncode == 0
    return base, completed, snapshot(reference), int(tally.read_text())


def test_kill_during_write_is_listed_by_the_next_build(small, tmp_path):
    """A build dies (as kill -9: a test hook calls os._exit) at random steps of its write
    phase; the next build leaves the output as an uninterrupted build would, and its manifest
    and zip list exactly the files that differ from the last completed build."""
    base, completed, final, steps = _completed_then_edited(small, tmp_path)
    expected = {"added": sorted(final.keys() - completed.keys()), "removed": sorted(completed.keys() - final.keys()),
                "changed": sorted(p for p in final.keys() & completed.keys() if final[p] != completed[p])}
    assert lists(tmp_path / "reference") == expected and expected["added"] and expected["removed"] and expected["changed"]
    points = sorted({1, 2, 3, steps - 2, steps - 1, steps, *random.Random(24).sample(range(4, steps - 2), 6)})
    for point in points:
        out = tmp_path / f"out{point}"
        _copy_output(base, out)
        killed = build(small, out, env={"GENERATOR_TEST_DIE_AFTER": str(point)})
        assert killed.returncode == 137, killed.stderr
        journal = out.with_name(out.name + ".journal")
        assert journal.exists() == (point > 1)  # step 1: the journal itself was half-written
        package = tmp_path / f"upload{point}.zip"
        result = build(small, out, "--package", str(package))
        assert result.returncode == 0, result.stderr
        assert snapshot(out) == final, f"killed at step {point}"
        assert lists(out) == expected, f"killed at step {point}"
        with zipfile.ZipFile(package) as archive:
            assert archive.namelist() == sorted(expected["added"] + expected["changed"]), f"killed at step {point}"
        assert not journal.exists()
        assert not [p for p in out.rglob("*") if ".tmp" in p.name]


def test_a_killed_build_leaves_the_old_output_or_the_new_one(small, tmp_path):
    """Killed at any step of its write phase, a build is carried through by the next run
    before that run reads anything, even when the next run then fails on an error in the
    content: the output is the last completed build's (killed before its plan was in the
    journal) or the killed build's, whole, never a mix."""
    base, completed, final, steps = _completed_then_edited(small, tmp_path)
    broken = small / "content/policy/laws/broken.md"
    for point in sorted({1, 2, 3, 4, steps - 1, steps, *random.Random(7).sample(range(5, steps - 1), 8)}):
        out = tmp_path / f"out{point}"
        _copy_output(base, out)
        killed = build(small, out, env={"GENERATOR_TEST_DIE_AFTER": str(point)})
        assert killed.returncode == 137, killed.stderr
        broken.write_text("---\ntitle: 缺少其他字段\n---\n", encoding="utf-8")
        failed = build(small, out)
        broken.unlink()
        assert failed.returncode == 1, failed.stderr
        found = snapshot(out)
        assert found == (completed if point == 1 else final), f"killed at step {point}"  # 1: the journal half-written
        assert not out.with_name(out.name + ".staging").exists()


def _same_register(out: Path, source: Path) -> None:
    """The publication register of the build at `source` in the state at `out`: a killed build
    that the next one carried through published banfa's edit, so changing it back is an update
    (更新日期) whichever step it was killed at; the reference must know it too."""
    from generator.incremental import state
    kept = state.load(out)
    kept.register = state.load(source).register
    state.save(state.state_path(out), kept)


def test_builds_killed_one_after_another_are_all_listed(small, tmp_path):
    """Killed, edited back in part, killed again: the next build lists what differs from the
    last completed build, neither more (a page changed and changed back) nor less."""
    base = tmp_path / "base"
    assert build(small, base).returncode == 0
    completed = snapshot(base)
    banfa = small / "content/policy/laws/banfa.md"
    original = banfa.read_text(encoding="utf-8")
    rng = random.Random(2424)
    for round_ in range(3):
        out = tmp_path / f"out{round_}"
        _copy_output(base, out)
        shutil.rmtree(small)
        shutil.copytree(FIXTURES / "small", small, ignore=shutil.ignore_patterns(".cache"))
        _edit(small)
        first = build(small, out, env={"GENERATOR_TEST_DIE_AFTER": str(rng.randrange(2, 30))})
        assert first.returncode == 137, first.stderr
        banfa.write_text(original, encoding="utf-8")  # its page as the completed build had it
        second = build(small, out, env={"GENERATOR_TEST_DIE_AFTER": str(rng.randrange(2, 30))})
        assert second.returncode == 137, second.stderr
        result = build(small, out)
        assert result.returncode == 0, result.stderr
        reference = tmp_path / f"reference{round_}"
        _copy_output(base, reference)
        _same_register(reference, out)
        assert build(small, reference).returncode == 0
        final = snapshot(reference)
        assert snapshot(out) == final
        assert lists(out) == {"added": sorted(final.keys() - completed.keys()),
                              "changed": sorted(p for p in final.keys() & completed.keys() if final[p] != completed[p]),
                              "removed": sorted(completed.keys() - final.keys())}
        if final["policy/laws/banfa.html"] == completed["policy/laws/banfa.html"]:  # else it shows 更新日期 now
            assert "policy/laws/banfa.html" not in lists(out)["changed"]


class _FakeMsvcrt:
    """msvcrt.locking as Windows does it, for the lock's Windows branch: a byte range locked by
    one open file cannot be locked by another until it is unlocked."""
    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self):
        self.held = {}  # (inode, offset) -> fd

    def locking(self, fd, mode, nbytes):
        key = (os.fstat(fd).st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            self.held.pop(key, None)
        elif self.held.setdefault(key, fd) != fd:
            raise OSError(36, "Resource deadlock avoided")


def test_the_lock_without_fcntl_uses_the_windows_byte_lock(tmp_path, monkeypatch):
    from generator.model.diagnostics import ConfigError
    from generator.publish import outlock

    monkeypatch.setattr(outlock, "fcntl", None)
    monkeypatch.setattr(outlock, "msvcrt", _FakeMsvcrt(), raising=False)
    out = tmp_path / "out"
    with outlock.OutputLock(out):
        with pytest.raises(ConfigError) as refused:
            outlock.OutputLock(out).__enter__()
        assert "另一个生成正在进行" in refused.value.report.diagnostics[0].message
    with outlock.OutputLock(out):  # released when the first build ended
        pass
