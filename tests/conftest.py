import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if os.environ.get("ZFBZ_START_METHOD") == "spawn" and hasattr(os, "fork"):
    del os.fork  # the Windows way, as .ci/run asks for it: every pool spawns, nothing forks here
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"

MINIMAL_SITE = """\
title: 测试县住房保障信息公开专栏
department: 测试县住房和城乡建设局
level: 县级
base_url: https://www.example.gov.cn/zfbz/
index_prefix: TEST
"""


def write_site(root: Path, files: dict, site_yaml: str = MINIMAL_SITE) -> Path:
    """A site under root: site.yaml plus files given as {relative path: text or bytes}."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(site_yaml, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root / "site.yaml"


def run(*args, cwd=None, env=None):
    """Run the command line as a user would: a separate process."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("GENERATOR_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture
def site(tmp_path):
    def make(files: dict, site_yaml: str = MINIMAL_SITE) -> Path:
        return write_site(tmp_path / "site", files, site_yaml)
    return make


def copy_fixture(name: str, dest: Path) -> Path:
    shutil.copytree(FIXTURES / name, dest)
    return dest


@pytest.fixture(scope="session", autouse=True)
def key_folder(tmp_path_factory):
    """The sealing key (generator/incremental/seal.py) of a folder of this session, never the real home
    folder's; set in the environment, so that the command-line runs (run()) use it too."""
    folder = tmp_path_factory.mktemp("key")
    before = os.environ.get("ZFBZ_KEY_DIR")
    os.environ["ZFBZ_KEY_DIR"] = str(folder)
    demo_cache = ROOT / ".cache"
    had_cache = demo_cache.exists()
    yield folder
    if not had_cache:  # tests that build the demo in place sealed its cache with this session's key: the
        shutil.rmtree(demo_cache, ignore_errors=True)  # webmaster's next build would warn that it was ignored
    if before is None:
        os.environ.pop("ZFBZ_KEY_DIR", None)
    else:
        os.environ["ZFBZ_KEY_DIR"] = before
