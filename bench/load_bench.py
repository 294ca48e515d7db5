"""Time loading and validating a synthetic site: `python bench/load_bench.py --records 10000`.

Prints the median of several runs. Never run as a test.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

from generator.config.catalog import load_catalog  # noqa: E402
from generator.config.site import load_site  # noqa: E402
from generator.model.diagnostics import Report  # noqa: E402
from generator.pipeline.sitecheck import check_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=500, help="lists have 20 to this many rows")
    parser.add_argument("--work", default=str(Path(__file__).parent / "work" / "load"))
    args = parser.parse_args()
    site_path = synth.write_site(Path(args.work), args.records, max_rows=args.max_rows)
    cold = [_load(site_path, cache=False) for _ in range(args.runs)]
    records, report, _ = cold[-1]
    shutil.rmtree(site_path.parent / ".cache", ignore_errors=True)
    _load(site_path, cache=True)  # fills the cache
    warm = [_load(site_path, cache=True) for _ in range(args.runs)]
    rows = sum(r.row_count for r in records)
    print(f"{len(records)} records ({rows} rows), {len(report.errors)} errors, {len(report.warnings)} warnings")
    for label, runs in (("no cache", cold), ("cached", warm)):
        times = [t for _, _, t in runs]
        print(f"load+validate, {label}: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")


def _load(site_path: Path, cache: bool):
    if not cache:
        shutil.rmtree(site_path.parent / ".cache", ignore_errors=True)
    start = time.perf_counter()
    site = load_site(site_path)
    catalog = load_catalog(site)
    report = Report()
    records = check_site(site, catalog, report, save=True)
    return records, report, time.perf_counter() - start


if __name__ == "__main__":
    main()
