"""Screenshots of the demo site for the README: `python docs/screenshots/make.py`.

Builds the demo with a fixed date, serves it on a local port and photographs four
page types in Debian's Chromium (the same browser the accessibility checks use).
"""
from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    "home.png": "index.html",
    "catalog.png": "catalog/index.html",
    "list-record.png": "allocation/housing-stock/2026-10.html",
    "project.png": "projects/2024-500103-70-01-000123.html",
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(out), "--today", "2026-11-23"],
                       cwd=ROOT, check=True, capture_output=True)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            for name, path in PAGES.items():
                page.goto(base + path)
                page.screenshot(path=str(Path(__file__).parent / name), full_page=False)
                print(name, path)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
