"""Regenerate the golden output of tests/fixtures/small (run on purpose, then review the diff)."""
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "fixtures" / "small-golden"

if GOLDEN.exists():
    shutil.rmtree(GOLDEN)
subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(HERE / "fixtures/small/site.yaml"),
                "--out", str(GOLDEN), "--today", "2026-06-01"], check=True, cwd=HERE.parent)
(GOLDEN.parent / "small-golden.manifest.json").unlink()
print(f"rewrote {GOLDEN}")
