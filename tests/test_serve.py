"""`serve`: a real server process on a free loopback port, driven as a browser would."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT

RECORD = "---\ntitle: 示例县公共租赁住房管理办法\ndate: 2026-01-05\nindex_no: TEST/2026-00001\n" \
         "fields:\n  发布部门: 测试县住房和城乡建设局\n  发布日期: 2026-01-05\n---\n{body}\n"
PAGE = "policy/laws/rules.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(url: str, predicate, timeout: float = 20) -> tuple[int, str]:
    """Poll until the page satisfies predicate; the rebuild happens in the server's own time."""
    deadline = time.monotonic() + timeout
    last = (0, "")
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
        except (urllib.error.URLError, ConnectionError):
            pass
        else:
            if predicate(*last):
                return last
        time.sleep(0.2)
    raise AssertionError(f"页面在 {timeout} 秒内没有变化：{last[0]} {last[1][:500]}")


async def _reload_message(port: int, poke, timeout: float = 20) -> dict:
    """Connect as the browser's livereload script does, poke the sources until told to reload."""
    from tornado.websocket import websocket_connect

    messages = []
    ws = await websocket_connect(f"ws://127.0.0.1:{port}/livereload",
                                 on_message_callback=lambda m: m and messages.append(json.loads(m)))
    ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    ws.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}}))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            reloads = [m for m in messages if m.get("command") == "reload"]
            if reloads:
                return reloads[0]
            poke()  # livereload drops reloads that come too soon after the last: poke again
            await asyncio.sleep(1)
    finally:
        ws.close()
    raise AssertionError(f"没有收到刷新通知：{messages}")


def start(site_path, port, *extra, preexec_fn=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("GENERATOR_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port),
                             "--site", str(site_path), "--today", "2026-11-23", *extra],
                            cwd=site_path.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=preexec_fn)


def test_serve_rebuilds_shows_errors_and_stops(site, tmp_path):
    site_path = site({"content/policy/laws/rules.md": RECORD.format(body="第一版正文。")})
    record = site_path.parent / "content/policy/laws/rules.md"
    port = free_port()
    url = f"http://127.0.0.1:{port}/{PAGE}"
    server = start(site_path, port)
    try:
        status, page = wait_for(url, lambda status, text: status == 200)
        assert "第一版正文。" in page
        assert "livereload.js" in page  # the browser reloads itself on a rebuild

        record.write_text(RECORD.format(body="第二版正文。"), encoding="utf-8")
        wait_for(url, lambda status, text: "第二版正文。" in text)

        record.write_text(RECORD.format(body="第三版。").replace("2026-01-05\nindex_no", "2026-02-30\nindex_no"),
                          encoding="utf-8")
        status, page = wait_for(url, lambda status, text: "生成失败" in text)
        assert status == 500
        assert "content/policy/laws/rules.md:3:7" in page and "不存在" in page
        status, home = fetch(f"http://127.0.0.1:{port}/")
        assert "生成失败" in home  # every page shows it, not just the broken record's

        record.write_text(RECORD.format(body="修好了。"), encoding="utf-8")
        status, page = wait_for(url, lambda status, text: "修好了。" in text)
        assert status == 200

        poke = lambda: record.write_text(RECORD.format(body=f"第{time.monotonic()}版。"), encoding="utf-8")  # noqa: E731
        assert asyncio.run(_reload_message(port, poke))["command"] == "reload"
    finally:
        os.kill(server.pid, signal.SIGTERM)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert "Traceback" not in err
    assert "预览已停止" in out
    assert "error[bad-date]" in err  # the diagnostics went to the terminal too
    assert not list(tmp_path.glob("site/output*"))  # the preview never touches output/


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN])
def test_ctrl_c_stops_cleanly(site, inherited):
    # SIG_IGN: started from a script's background job (or a test run that was), SIGINT comes
    # in ignored, and Python then never turns it into KeyboardInterrupt
    site_path = site({"content/policy/laws/rules.md": RECORD.format(body="正文。")})
    port = free_port()
    server = start(site_path, port, preexec_fn=lambda: signal.signal(signal.SIGINT, inherited))
    try:
        wait_for(f"http://127.0.0.1:{port}/", lambda status, text: status == 200)
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode in (0, 130)
    assert "Traceback" not in err


def test_a_taken_port_is_a_clear_error(site):
    site_path = site({"content/policy/laws/rules.md": RECORD.format(body="正文。")})
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        server = start(site_path, sock.getsockname()[1])
        out, err = server.communicate(timeout=60)
    assert server.returncode == 2
    assert "--port" in err and "Traceback" not in err
