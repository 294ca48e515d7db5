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
        bench.ours(tmp_path, 3, 20, 1, full_runs=0)
