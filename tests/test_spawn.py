"""Builds without fork: Windows and macOS start worker processes afresh (spawn), and the
workers must get what they need explicitly. A site big enough for the process pool is built
both ways; the outputs must be byte for byte the same. `.ci/run` also runs the build,
incremental and privacy tests with ZFBZ_START_METHOD=spawn (conftest then removes os.fork
from the test process)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, carry_register

from generator.pipeline import workers

sys.path.insert(0, str(ROOT / "bench"))
from synth import write_site  # noqa: E402

RECORDS = 260  # more than workers.PARALLEL_FROM: the pool is used
TODAY = "2026-11-23"
# The command line with os.fork gone, as on Windows.
NO_FORK = "import os, runpy, sys\nif hasattr(os, 'fork'): del os.fork\nsys.argv[0] = 'generator'\n" \
          "runpy.run_module('generator', run_name='__main__')\n"


def snapshot(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build(site: Path, out: Path, method: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ZFBZ_START_METHOD=method, PYTHONPATH=str(ROOT))
    env.pop("GENERATOR_DEBUG", None)
    command = [sys.executable, "-c", NO_FORK] if method == "spawn" else [sys.executable, "-m", "generator"]
    return subprocess.run([*command, "build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", TODAY],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    root = tmp_path_factory.mktemp("spawn")
    write_site(root / "a", RECORDS, max_rows=40)
    shutil.copytree(root / "a", root / "b")
    return root


def test_the_pool_is_used_at_this_size():
    assert RECORDS >= workers.PARALLEL_FROM


def test_a_build_without_fork_gives_the_same_output(sites):
    forked = build(sites / "a", sites / "out-a", "fork" if hasattr(os, "fork") else "spawn")
    spawned = build(sites / "b", sites / "out-b", "spawn")
    assert forked.returncode == 0, forked.stderr
    assert spawned.returncode == 0, spawned.stderr
    assert "发布 " in spawned.stdout and "程序内部错误" not in spawned.stderr
    assert snapshot(sites / "out-b") == snapshot(sites / "out-a")


def test_an_edit_rebuild_without_fork_gives_the_clean_output(sites, tmp_path):
    record = sorted((sites / "b/content").rglob("*.md"))[3]
    record.write_text(record.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    edited = build(sites / "b", sites / "out-b", "spawn")
    assert edited.returncode == 0, edited.stderr
    clean = tmp_path / "clean"
    shutil.copytree(sites / "b", clean, ignore=shutil.ignore_patterns(".cache"))
    carry_register(sites / "out-b", clean, tmp_path / "out")  # the record was updated after publication
    assert build(clean, tmp_path / "out", "spawn").returncode == 0
    assert snapshot(sites / "out-b") == snapshot(tmp_path / "out")


def test_the_start_method_follows_the_system_and_the_environment(monkeypatch):
    monkeypatch.delenv("ZFBZ_START_METHOD", raising=False)
    assert workers.start_method() == ("fork" if hasattr(os, "fork") else "spawn")
    monkeypatch.setenv("ZFBZ_START_METHOD", "spawn")
    assert workers.start_method() == "spawn"
    monkeypatch.setenv("ZFBZ_START_METHOD", "fork")
    monkeypatch.delattr(os, "fork", raising=False)
    assert workers.start_method() == "spawn"  # asked for, but not there
