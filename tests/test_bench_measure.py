"""The benchmark's own measuring (bench/run.py): what it reports must be true of the build,
and measuring must not slow the build down. Nothing here times anything."""
import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT))
from bench import run as bench  # noqa: E402

# a parent and a forked child, each holding 150 MiB of its own for a second: the largest
# single process (what the kernel's rusage reports) is half of what the machine gives them
_FORKED_CHILD_HOLDS_MEMORY = """
import os, time
pid = os.fork()
block = bytearray(150 * 1024 * 1024)
block[::4096] = b"x" * len(block[::4096])  # touched, so resident
time.sleep(1.0)
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_peak_adds_up_the_memory_of_worker_processes():
    _seconds, peak = bench.timed([sys.executable, "-c", _FORKED_CHILD_HOLDS_MEMORY], ROOT)
    assert peak >= 280


def test_the_sampler_reads_less_often_when_reading_is_slow(monkeypatch):
    # reading smaps_rollup of a large process is slow and stalls it: the sampler must back off
    reads = []

    def slow_pss(pid):
        reads.append(pid)
        bench.time.sleep(0.01)
        return 1024

    monkeypatch.setattr(bench, "_pss_kib", slow_pss)
    bench.timed([sys.executable, "-c", "import time; time.sleep(1.0)"], ROOT)
    # every 20 ms regardless would be about 30 reads; a tenth of the time is under 12
    assert 1 <= len(reads) < 15


def test_full_runs_0_needs_an_earlier_output(tmp_path):
    with pytest.raises(SystemExit, match="--full-runs 0"):
        bench.ours(*bench.ours_setup(tmp_path, 3, 20), 1, None)


def test_full_builds_alternate_and_compare_each_round_with_ours(monkeypatch):
    # the machine's speed drifts between rounds: the ratio is taken round by round (5, 4.5,
    # 5.5: median 5), not between the medians of each (66 / 12 = 5.5)
    seconds = iter([10.0, 50.0, 20.0, 90.0, 12.0, 66.0, 1.0, 2.0])
    order = []

    def fake_timed(command, _cwd):
        order.append(command[0])
        return next(seconds), 100.0

    monkeypatch.setattr(bench, "timed", fake_timed)
    cleaned = []
    generators = {name: bench.Generator([name], ROOT, lambda n, name=name: cleaned.append((name, n)))
                  for name in ("ours", "pelican")}
    results = bench.full_builds(generators, 3)
    assert order == ["ours", "pelican"] * 3
    assert cleaned == [("ours", 0), ("pelican", 0), ("ours", 1), ("pelican", 1), ("ours", 2), ("pelican", 2)]
    assert results["ours"]["full_s"] == 12.0 and results["pelican"]["full_s"] == 66.0
    assert results["pelican"]["times_ours"] == 5.0
    assert "times_ours" not in results["ours"]
    # with --full-runs 0 ours is not among them: no ratio against whichever comes first
    alone = bench.full_builds({"hugo": generators["ours"], "pelican": generators["pelican"]}, 1)
    assert not any("times_ours" in result for result in alone.values())


def test_unsampled_runs_never_read_the_process_memory(monkeypatch):
    # the no-op and edit rebuilds are timed unsampled: reading smaps stalls the process read
    reads = []
    monkeypatch.setattr(bench, "_pss_kib", lambda pid: reads.append(pid) or 1024)
    bench.timed([sys.executable, "-c", "import time; time.sleep(0.3)"], ROOT, sample=False)
    assert reads == []
    bench.timed([sys.executable, "-c", "import time; time.sleep(0.3)"], ROOT)
    assert reads


def test_full_runs_0_brings_the_earlier_output_up_to_date_before_timing(tmp_path, monkeypatch):
    # the output an earlier run left may be from other code: one untimed build first, so that
    # no full build is timed as a no-op; then the no-op and edit runs, and the restoring build
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content/a.md").write_text("---\ntitle: 一\n---\n正文\n", encoding="utf-8")
    out = tmp_path / "out"
    out.with_name("out.state").write_bytes(b"")
    calls = []

    def fake_timed(command, _cwd, sample=True):
        calls.append(("edited" if "次修改" in (root / "content/a.md").read_text(encoding="utf-8") else "as is",
                      sample))
        return 1.0, 10.0

    monkeypatch.setattr(bench, "timed", fake_timed)
    generator = bench.Generator(["generator", "--out", str(out)], ROOT, lambda n: None)
    result = bench.ours(generator, root, 2, None)
    assert calls[0] == ("as is", False)  # the untimed build that brings the output up to date
    assert calls[1:] == [("as is", False)] * 2 + [("as is", True)] + [("edited", False)] * 2 + \
        [("edited", True), ("as is", False)]
    assert result["full_s"] is None and result["noop_s"] == 1.0 and result["edit_s"] == 1.0
    assert (root / "content/a.md").read_text(encoding="utf-8") == "---\ntitle: 一\n---\n正文\n"
