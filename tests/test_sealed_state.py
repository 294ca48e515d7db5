"""The state beside the output and everything under .cache/ are sealed with a key of the
user account (generator/incremental/seal.py): a file someone else wrote, one made with another key, or
one cut short is ignored as a missing one, never unpickled or run."""
import os
import pickle
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import jinja2.bccache
import pytest
from conftest import FIXTURES, ROOT, carry_register, copy_fixture, run

from generator.incremental import products, seal, state

TODAY = "2026-06-01"


class Payload:
    """A pickle that makes a folder when it is loaded: what an attacker would put there."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def malicious(marker: Path) -> bytes:
    data = pickle.dumps(Payload(marker))
    pickle.loads(data)  # it does run when unpickled: the tests below would see it
    assert marker.is_dir()
    marker.rmdir()
    return data


def build(site: Path, out: Path, env=None, today: str = TODAY):
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", today, env=env)
    assert result.returncode == 0, result.stderr
    return result


def snapshot(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.relative_to(out).as_posix().startswith("pagefind/")}


def clean_build(site: Path, tmp_path: Path, today: str = TODAY, out: Path | None = None) -> dict:
    """A build from nothing; from nothing but the publication register of the build at `out` when given."""
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache"))
    if out is not None:
        carry_register(out, fresh, tmp_path / "fresh-out")
    build(fresh, tmp_path / "fresh-out", today=today)
    return snapshot(tmp_path / "fresh-out")


@pytest.fixture
def built(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    shutil.rmtree(site / ".cache", ignore_errors=True)
    out = tmp_path / "out"
    build(site, out)
    return site, out


def test_a_state_replaced_by_a_malicious_pickle_is_not_run(built, tmp_path):
    site, out = built
    marker = tmp_path / "ran"
    state.state_path(out).write_bytes(malicious(marker))
    result = build(site, out)
    assert not marker.exists()
    assert result.stderr.count("warning[state-unsealed]") == 1
    assert "另一台计算机、另一个账户" in result.stderr
    assert snapshot(out) == clean_build(site, tmp_path, out=out)
    assert "state-unsealed" not in build(site, out).stderr  # the build sealed a state of its own


def test_cache_files_replaced_by_malicious_pickles_are_not_run(built, tmp_path):
    site, out = built
    marker = tmp_path / "ran"
    evil = malicious(marker)
    cache = sorted(p for p in (site / ".cache").rglob("*") if p.is_file())
    assert {p.parent.name for p in cache} == {"products", "templates", "catalog"}
    assert any(p.suffix == ".data" for p in cache)
    cache.append(site / ".cache/products/files.pickle")  # there when the record files are older than the build
    for path in cache:  # Jinja's own format: its magic, then a pickle it loads
        path.write_bytes(jinja2.bccache.bc_magic + evil if path.parent.name == "templates" else evil)
    (site / ".cache/products/index-zz.pickle").write_bytes(evil)  # a segment the store never wrote
    record = site / "content/policy/laws/banfa.md"
    record.write_text(record.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    result = build(site, out)
    assert not marker.exists()
    assert result.stderr.count("warning[cache-unsealed]") == 1  # once, for the whole of .cache
    assert snapshot(out) == clean_build(site, tmp_path, out=out)
    again = build(site, out)  # every file it ignored is replaced or removed: no warning next time
    assert "unsealed" not in again.stderr
    assert not (site / ".cache/products/index-zz.pickle").exists()


def test_validate_warns_once_about_an_unsealed_cache_and_removes_it(built, tmp_path):
    """validate and check write no cache: a cache file they cannot trust is removed, or every
    run would warn again until the next build (after an upgrade, say)."""
    site, _ = built
    marker = tmp_path / "ran"
    planted = site / ".cache/products/files.pickle"
    planted.write_bytes(malicious(marker))
    first = run("validate", "--site", str(site / "site.yaml"))
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("warning[cache-unsealed]") == 1 and not marker.exists()
    assert not planted.exists()
    second = run("validate", "--site", str(site / "site.yaml"))
    assert "unsealed" not in second.stderr


def test_an_open_data_file_not_sealed_is_made_again(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "personal", site, ignore=shutil.ignore_patterns(".cache"))
    results = site / "content/allocation/results"
    first = (results / "2026-01.yaml").read_text(encoding="utf-8")
    for n in (2, 3):
        (results / f"2026-0{n}.yaml").write_text(first.replace("第一批", f"第{n}批").replace("00002", f"0009{n}"),
                                                 encoding="utf-8")
    out, today = tmp_path / "out", "2026-10-01"
    build(site, out, today=today)
    data = sorted((site / ".cache/products").glob("*.data"))
    assert len(data) == 4  # three lists of one item: editing one makes its item's files from all three
    marker = tmp_path / "ran"
    evil = malicious(marker)
    for path in data:
        path.write_bytes(evil)
    (results / "2026-01.yaml").write_text(first.replace("第一批", "第一批（更正）"), encoding="utf-8")
    result = build(site, out, today=today)
    assert not marker.exists()
    assert "warning[cache-unsealed]" in result.stderr
    assert snapshot(out) == clean_build(site, tmp_path, today, out=out)


def test_a_state_sealed_with_another_key_is_ignored(built, tmp_path, monkeypatch):
    site, out = built
    assert state.load(out) is not None
    other = {"ZFBZ_KEY_DIR": str(tmp_path / "another-user")}
    result = build(site, out, env=other)  # the state and .cache of another account, as if copied
    assert "warning[state-unsealed]" in result.stderr and "warning[cache-unsealed]" in result.stderr
    assert snapshot(out) == clean_build(site, tmp_path, out=out)
    assert state.load(out) is None  # sealed now with the other key, not this one
    monkeypatch.setenv("ZFBZ_KEY_DIR", other["ZFBZ_KEY_DIR"])
    assert state.load(out) is not None


def test_truncated_or_bitflipped_files_are_ignored(built, capsys):
    site, out = built
    path = state.state_path(out)
    whole = path.read_bytes()
    flipped = bytearray(whole)
    flipped[-1] ^= 1
    for damaged in (whole[:len(whole) // 2], whole[:len(seal.MAGIC) + 10], b"", bytes(flipped)):
        path.write_bytes(damaged)
        assert state.load(out) is None
    path.write_bytes(whole)
    assert state.load(out) is not None
    folder, context = site / ".cache/products", _context(site)
    assert products.Store(folder, context).entries
    for segment in folder.glob("index-*.pickle"):
        segment.write_bytes(segment.read_bytes()[:-7])
    capsys.readouterr()
    assert products.Store(folder, context).entries == {}
    assert "cache-unsealed" in capsys.readouterr().err


def _context(site: Path) -> bytes:
    from generator.config.site import load_site
    from generator.pipeline.sitecheck import open_store
    return open_store(load_site(site / "site.yaml")).context


def test_a_state_file_cannot_pass_for_a_store_file(built):
    """Each file is sealed for what it is: a sealed file moved to another's place is ignored."""
    site, out = built
    segment = next((site / ".cache/products").glob("index-*.pickle"))
    shutil.copyfile(segment, state.state_path(out))
    assert state.load(out) is None


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_key_is_made_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    folder = tmp_path / "state" / "zfbz-generator"
    monkeypatch.setenv("ZFBZ_KEY_DIR", str(folder))
    key = seal.key()
    assert len(key) == 32 and (folder / "key").read_bytes() == key
    assert stat.S_IMODE((folder / "key").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.name for p in folder.iterdir()] == ["key"]  # no temporary file left


def test_the_key_folder_defaults_to_the_users_state_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("ZFBZ_KEY_DIR", raising=False)
    if os.name == "nt":
        monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
        assert seal.key_folder() == tmp_path / "local" / "zfbz-generator"
    else:
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
        assert seal.key_folder() == tmp_path / "xdg" / "zfbz-generator"
        monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
        assert seal.key_folder() == Path.home() / ".local" / "state" / "zfbz-generator"
    monkeypatch.setenv("ZFBZ_KEY_DIR", str(tmp_path / "chosen"))
    assert seal.key_folder() == tmp_path / "chosen"


CHILD = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.001)
from generator.incremental import seal
print(seal.key().hex())
"""


def test_processes_making_the_key_at_once_agree_on_it(tmp_path):
    go = tmp_path / "go"
    env = dict(os.environ, ZFBZ_KEY_DIR=str(tmp_path / "keys"))
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), str(go)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    time.sleep(0.5)  # all started and waiting
    go.write_text("")
    answers = [child.communicate(timeout=60) for child in children]
    assert all(err == "" for _, err in answers), answers
    keys = {out.strip() for out, _ in answers}
    assert len(keys) == 1 and bytes.fromhex(keys.pop()) == (tmp_path / "keys" / "key").read_bytes()


def test_an_unusable_key_folder_means_full_builds_never_a_crash(built, tmp_path):
    site, out = built
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    unusable = {"ZFBZ_KEY_DIR": str(blocker / "zfbz-generator")}  # under a file: cannot be made
    for _ in range(2):
        result = build(site, out, env=unusable)
        assert result.stderr.count("warning[key-unavailable]") == 1
        assert "unsealed" not in result.stderr  # the key's warning says it all
        assert snapshot(out) == clean_build(site, tmp_path, out=out)
        shutil.rmtree(tmp_path / "fresh")
        shutil.rmtree(tmp_path / "fresh-out")


def test_a_key_file_of_the_wrong_length_is_not_used(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "key").write_bytes(b"short")
    monkeypatch.setenv("ZFBZ_KEY_DIR", str(folder))
    key = seal.key()
    assert len(key) == 32 and key != b"short"
    assert "warning[key-unavailable]" in capsys.readouterr().err
    assert (folder / "key").read_bytes() == b"short"  # left for the user to look at


def test_without_a_key_folder_a_process_still_reads_back_what_it_wrote(tmp_path, monkeypatch, capsys):
    """serve rebuilds in one process: its later builds use the store and state it wrote."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ZFBZ_KEY_DIR", str(blocker / "sub"))
    target = tmp_path / "sealed"
    seal.write(target, b"payload", b"test")
    assert seal.read(target, b"test") == b"payload"
    assert seal.read(target, b"other") is None
    assert "key-unavailable" in capsys.readouterr().err


def test_without_a_home_folder_the_key_is_this_processs_own(tmp_path, monkeypatch, capsys):
    for name in ("ZFBZ_KEY_DIR", "XDG_STATE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(seal.os.path, "expanduser", lambda path: path)  # as when HOME and the user are unknown
    assert seal.key_folder() is None
    assert len(seal.key()) == 32
    assert "找不到用户主文件夹" in capsys.readouterr().err
    seal.write(tmp_path / "sealed", b"payload", b"test")
    assert seal.read(tmp_path / "sealed", b"test") == b"payload"
