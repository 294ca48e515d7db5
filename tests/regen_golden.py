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
(GOLDEN.parent / "small-golden.state").unlink(missing_ok=True)  # the build state, beside the output too
(GOLDEN.parent / "small-golden.lock").unlink(missing_ok=True)  # one build at a time (outlock.py)
# The search index depends on the Pagefind version installed (or none): tests/test_search.py checks it.
shutil.rmtree(GOLDEN / "pagefind", ignore_errors=True)
print(f"rewrote {GOLDEN}")
