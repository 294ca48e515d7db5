"""The offline bundle (python -m generator bundle): made for this machine, installed into a
fresh venv with no registry in reach, it builds the demo site with its Chinese search index,
the same site a build from the sources makes.

Making a bundle downloads from PyPI and npm: where they cannot be reached the tests that need
a bundle skip, saying why, except under CI (CI set), where that is a failure.
"""
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run

from generator.commands import bundle
from generator.outputs import search

TODAY = "2026-11-23"
# where the install and the build would go if they went to the network: nowhere
OFFLINE = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "PIP_CONFIG_FILE": os.devnull}


def _installed_env(**more) -> dict:
    """The environment of a user's shell: none of the sources on the import path, no Pagefind named."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PAGEFIND_BINARY_PATH", "GENERATOR_DEBUG"}}
    return dict(env, **OFFLINE, **more)


def _demo_copy(root: Path) -> Path:
    """The demo's records without its templates/ and themes/: the installed package must bring those."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    shutil.copytree(ROOT / "content", root / "content")
    return root / "site.yaml"


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    if bundle.this_platform() not in {"linux-x86_64", "linux-aarch64"}:
        pytest.skip("the tests run a bundle's install.sh: Linux only (install.bat is checked as text)")
    dest = tmp_path_factory.mktemp("bundle") / "离线安装包"
    result = run("bundle", str(dest))
    if result.returncode != 0:
        reason = f"no bundle (PyPI or npm out of reach?): {result.stderr.strip()[-600:]}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)
    assert "完成：" in result.stdout, result.stdout
    return dest


@pytest.fixture(scope="module")
def venv(made, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("installed")
    target = work / "venv"
    result = subprocess.run(["sh", str(made / "install.sh"), str(target)], cwd=work, capture_output=True, text=True,
                            env=_installed_env(PYTHON=sys.executable), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"中文全文搜索程序： {target / 'bin' / 'pagefind_extended'}" in result.stdout, result.stdout
    return target


def test_bundle_holds_the_wheels_pagefind_and_the_installer(made):
    wheels = {p.name.split("-")[0].lower() for p in (made / "wheels").glob("*.whl")}
    assert {"zfbz_generator", "jinja2", "pyyaml", "python_calamine", "pypdf", "tornado"} <= wheels
    assert not wheels & {"pytest", "hypothesis", "playwright"}  # the test extras stay out
    binary = made / "pagefind" / "pagefind_extended"
    assert os.access(binary, os.X_OK)
    assert bundle.PAGEFIND_VERSION in subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    assert sorted(p.name for p in made.iterdir()) == ["install.sh", "pagefind", "wheels", "示例网站", "说明.txt"]
    assert "Python 3." in (made / "说明.txt").read_text(encoding="utf-8")


def test_the_generators_wheel_carries_templates_and_themes_under_a_true_record(made):
    wheel = next((made / "wheels").glob("zfbz_generator-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = {}
        for line in archive.read(record).decode().splitlines():
            name, digest, size = line.rsplit(",", 2)
            listed[name] = (digest, size)
        assert set(listed) == names
        for name in names - {record}:
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert listed[name] == (f"sha256={expected}", str(len(data))), name
    data = wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".data/purelib/"
    for shipped in ("templates/base.html", "templates/search.html", "themes/default/static/search.js"):
        assert data + shipped in names


def test_installed_offline_it_builds_the_demo_with_search_as_the_sources_do(venv, tmp_path):
    python = venv / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import generator; print(generator.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, env=_installed_env())
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr  # the installed copy, not the sources
    out = tmp_path / "out"
    result = subprocess.run([str(python), "-m", "generator", "build", "--site", str(_demo_copy(tmp_path / "site")),
                             "--out", str(out), "--today", TODAY], cwd=tmp_path, capture_output=True, text=True,
                            env=_installed_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "search-unavailable" not in result.stderr, result.stderr
    assert (out / "search/index.html").is_file()
    assert (out / "pagefind/pagefind.js").is_file() and any((out / "pagefind/index").iterdir())
    assert any((out / "pagefind/fragment").iterdir())
    assert "zh-cn" in (out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8")
    reference = tmp_path / "reference"
    result = run("build", "--site", str(_demo_copy(tmp_path / "site2")), "--out", str(reference), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    ours = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    theirs = {p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file()}
    pages = {rel for rel in theirs if not rel.startswith("pagefind/")}  # the sources' build may lack Pagefind
    assert pages <= ours and {rel for rel in ours if not rel.startswith("pagefind/")} == pages
    for rel in sorted(pages):
        assert (out / rel).read_bytes() == (reference / rel).read_bytes(), rel


def test_a_failed_download_leaves_nothing_behind(made, tmp_path):
    dest = tmp_path / "new"
    result = run("bundle", str(dest), "--python", "3.99")  # no wheels for it: after the generator's own
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip download（依赖的软件包） 失败" in result.stderr
    assert not dest.exists()  # neither what was written into it nor the folder itself


def test_without_npm_it_stops_before_writing(tmp_path):
    bare = tmp_path / "bin"  # a PATH without npm
    bare.mkdir()
    result = run("bundle", str(tmp_path / "new"), env={"PATH": str(bare)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "没有找到 npm" in result.stderr
    assert not (tmp_path / "new").exists()


def test_a_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "别人的文件.txt").write_text("x", encoding="utf-8")
    result = run("bundle", str(tmp_path))
    assert result.returncode == 2
    assert "文件夹不是空的" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["别人的文件.txt"]


@pytest.mark.parametrize("args, message", [
    (["--python", "3.10"], "需要 Python 3.11"),
    (["--python", "3"], "不是 Python 版本号"),
    (["--platform", "macos-arm64"], "没有平台“macos-arm64”"),
])
def test_a_target_it_cannot_make_is_refused_before_anything_is_written(tmp_path, args, message):
    result = run("bundle", str(tmp_path / "new"), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "new").exists()


def test_the_windows_installer_is_gbk_with_crlf_and_fully_filled_in(tmp_path):
    written = bundle._texts(tmp_path, "windows-x86_64", bundle.TARGETS["windows-x86_64"], "3.12")
    assert written == ["install.bat", "说明.txt"]
    for name in written:
        data = (tmp_path / name).read_bytes()
        text = data.decode("gbk")
        assert "@" not in text.replace("@echo off", "")  # every placeholder filled in
        assert data.count(b"\n") == data.count(b"\r\n")
    script = (tmp_path / "install.bat").read_text(encoding="gbk")
    assert 'set "WANT=3.12"' in script and "(3, 12)" in script and "pagefind_extended.exe" in script


def test_the_linux_installer_is_valid_shell_and_fully_filled_in(tmp_path):
    bundle._texts(tmp_path, "linux-aarch64", bundle.TARGETS["linux-aarch64"], "3.11")
    script = (tmp_path / "install.sh").read_text(encoding="utf-8")
    assert "@" not in script and "want=3.11" in script
    assert subprocess.run(["sh", "-n", str(tmp_path / "install.sh")]).returncode == 0
    assert os.access(tmp_path / "install.sh", os.X_OK)


def test_pagefind_beside_the_interpreter_is_found_after_the_npm_one(tmp_path, monkeypatch):
    folder = tmp_path / "venv" / "bin"
    folder.mkdir(parents=True)
    beside = folder / ("pagefind_extended.exe" if os.name == "nt" else "pagefind_extended")
    beside.write_bytes(b"")
    beside.chmod(0o755)
    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    monkeypatch.setattr(sys, "executable", str(folder / "python"))
    monkeypatch.setattr(search, "_npm_binaries", lambda: [])
    assert search.find_binary() == beside
    npm = tmp_path / "node_modules/@pagefind/linux-x64/bin/pagefind_extended"
    npm.parent.mkdir(parents=True)
    npm.write_bytes(b"")
    npm.chmod(0o755)
    monkeypatch.setattr(search, "_npm_binaries", lambda: [npm])
    assert search.find_binary() == npm
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "chosen"))
    (tmp_path / "chosen").write_bytes(b"")
    assert search.find_binary() == tmp_path / "chosen"
