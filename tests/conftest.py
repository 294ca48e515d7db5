import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.check.validate import after_check, check_record
from generator.model.diagnostics import Location
from generator.privacy import leakgate
from generator.source import yamlsource
from generator.source.discover import discover, read

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
# Every footer identifier (docs/webmaster.md), fictional and well-formed: `check` finds none missing.
IDENTIFIERS = """\
site_id_code: "5001120001"
site_name: 测试县住房和城乡建设局网站
conac_id: 0123456789ABCDEF0123456789ABCDEF
icp_record: 渝ICP备05000001号-1
police_record: 渝公网安备 50011202000001号
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


def checked_records(site, catalog, report) -> list:
    """Every record of the site in full (rows and all), checked file by file as a build's
    workers check it (workers._check: read, check_record, after_check); the problems go to
    the report. For tests that need more than the heads build.check_site returns."""
    visible = {i.id for i in catalog.for_level(site.level).items}
    records = []
    for file in discover(site.content_dir, site.root, catalog, report):
        try:
            raw = read(file)
        except yamlsource.YamlProblem as problem:
            report.error(Location(file.shown, problem.line, problem.col), problem.code, problem.message, problem.hint)
            continue
        record = check_record(raw, catalog.by_id[file.item_id], site, report)
        if record is not None:
            after_check(record, catalog, site, visible, report)
            records.append(record)
    return records


def leaks(files: dict, secrets=frozenset(), allowed=frozenset()) -> list:
    """The leak gate on each file as a build runs it (publish/ledger.py Ledger.put): one Gate, the files in
    path order; the leaks found."""
    gate = leakgate.Gate(set(secrets), allowed)
    return [leak for leak in (gate.leak(path, files[path]) for path in sorted(files)) if leak]


def carry_register(out: Path, site: Path, fresh_out: Path) -> None:
    """Beside `fresh_out`, a build state holding nothing but the publication register of the
    build at `out` (incremental/register.py): what a build from nothing is given of the past.
    The register is an input, like the content: a clean build without it cannot know which
    pages changed after publication (更新日期)."""
    from generator.config.site import load_site
    from generator.incremental import state
    from generator.publish import outguard
    last = state.load(out)
    if last is not None and last.register is not None:
        kept = state.State(site=outguard.identity(load_site(site / "site.yaml")), register=last.register)
        state.save(state.state_path(fresh_out), kept)


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
