"""`bundle DIR`: everything a machine without a route to the package registries needs to
install the generator, with search (government intranets, 政务外网, have none).

Made on a machine that reaches PyPI and npm, for a named platform and Python version:

    wheels/      the generator's wheel and a wheel of each runtime dependency (pyproject.toml's
                 dependencies, not the test extras), binary only, for that platform and Python
    pagefind/    Pagefind's extended binary (Chinese segmentation), taken from its npm package
    示例网站/    the demo's site.yaml and content/, to check an installation with
    install.sh   (Linux) or install.bat (Windows): a venv, `pip install --no-index`, Pagefind
                 beside the venv's python, where search.find_binary() looks
    说明.txt     what is in the folder and how to install it, in Chinese

The generator's pages need templates/ and themes/, which it finds beside its package
(generator.HOME): a wheel built from pyproject.toml carries the package only. The bundle
adds them to the wheel's .data/purelib, which pip installs into site-packages, beside
generator/, and removes again on uninstall.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import os
import platform as host
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import HOME, __version__
from ..model.diagnostics import ConfigError, Location, Report
from . import bundletext

PAGEFIND_VERSION = "1.6.0"
DISTRIBUTION = "zfbz-generator"
SHIPPED = ("templates", "themes")  # found beside the package (render/pages.py)
DEMO = "示例网站"


@dataclass(frozen=True)
class Target:
    pip_platforms: tuple[str, ...]  # pip download --platform, each
    npm_package: str  # Pagefind's package for this platform
    binary: str  # its extended binary, under package/bin/
    windows: bool


# manylinux2014 is glibc 2.17: 统信 UOS and 麒麟 (glibc 2.28) and older systems run it. pip does not
# take a wheel tagged manylinux_2_17 only for manylinux2014, hence both.
TARGETS = {
    "linux-x86_64": Target(("manylinux2014_x86_64", "manylinux_2_17_x86_64"), "@pagefind/linux-x64",
                           "pagefind_extended", False),
    "linux-aarch64": Target(("manylinux2014_aarch64", "manylinux_2_17_aarch64"), "@pagefind/linux-arm64",
                            "pagefind_extended", False),
    "windows-x86_64": Target(("win_amd64",), "@pagefind/windows-x64", "pagefind_extended.exe", True),
}


def this_platform() -> str | None:
    """This machine's name in TARGETS, or None when it is not one of them."""
    machine = host.machine().lower()
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(machine)
    system = "windows" if sys.platform == "win32" else "linux" if sys.platform.startswith("linux") else None
    name = f"{system}-{arch}"
    return name if name in TARGETS else None


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _fail(where: str, message: str, hint: str = "") -> ConfigError:
    report = Report()
    report.error(Location(where), "bundle", message, hint)
    return ConfigError(report)


# ---- checks before anything is written ---------------------------------------------------------

def _project() -> dict:
    pyproject = HOME / "pyproject.toml"
    if not (pyproject.is_file() and (HOME / "generator").is_dir()):
        raise _fail(str(HOME), "找不到生成器的源代码（pyproject.toml）：离线安装包只能从源代码目录生成",
                    "在源代码目录中安装（pip install -e .）后再运行 bundle")
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]


def _check_python(python: str, project: dict) -> None:
    if not re.fullmatch(r"3\.\d{1,2}", python):
        raise _fail("命令行", f"“{python}”不是 Python 版本号", "写作 主版本.次版本，如 3.11")
    floor = re.fullmatch(r">=\s*3\.(\d+)", project.get("requires-python", ">=3.0").strip())
    if floor and int(python.split(".")[1]) < int(floor.group(1)):
        raise _fail("命令行", f"生成器需要 Python 3.{floor.group(1)} 或更新版本，不能为 Python {python} 生成安装包")


def _check_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise _fail(str(dest), "这是一个文件，不是文件夹", "换一个不存在的或空的文件夹")
    if dest.is_dir() and any(dest.iterdir()):
        raise _fail(str(dest), "文件夹不是空的：离线安装包只写入空文件夹或新文件夹",
                    "换一个不存在的文件夹，或先清空这个文件夹")


# ---- the parts -------------------------------------------------------------------------------

NETWORK_HINT = "这台电脑需要能访问 PyPI 和 npm 的软件源（或 pip、npm 设置的镜像）"


def _run(command: list[str], what: str, cwd: Path | None = None, hint: str = NETWORK_HINT) -> str:
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900,
                                env=_quiet_env())
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise _fail(what, f"{what} 无法运行（{problem}）") from None
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        detail = "\n    ".join(lines[-6:]) or "无输出"
        raise _fail(what, f"{what} 失败（退出码 {result.returncode}）：\n    {detail}", hint)
    return result.stdout


def _quiet_env() -> dict:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.pop("PYTHONPATH", None)  # pip builds and downloads; our own import path is no concern of it
    return env


def _generator_wheel(wheels: Path, work: Path) -> Path:
    """The generator's wheel, built from a copy of the sources (setuptools leaves build/ and
    *.egg-info in the folder it builds in, and takes whatever an old build/ still holds)."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(HOME / name, source / name)
    shutil.copytree(HOME / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(source), "-w", str(wheels)],
         "pip wheel（生成器本身）")
    built = sorted(wheels.glob("zfbz_generator-*.whl"))
    if len(built) != 1:
        raise _fail("pip wheel", f"没有得到生成器的 wheel 文件（{[p.name for p in built]}）")
    _add_shipped(built[0])
    return built[0]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _add_shipped(wheel: Path) -> None:
    """templates/ and themes/ into the wheel's .data/purelib, with their RECORD lines."""
    with zipfile.ZipFile(wheel) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
        record = next(name for name in old.namelist() if name.endswith(".dist-info/RECORD"))
        lines = [line for line in old.read(record).decode("utf-8").splitlines() if line]
    purelib = record.split("/")[0].removesuffix(".dist-info") + ".data/purelib/"
    added = [(purelib + path.relative_to(HOME).as_posix(), path.read_bytes())
             for folder in SHIPPED for path in sorted((HOME / folder).rglob("*"))
             if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in path.parts)]
    if not added:
        raise _fail(str(HOME), "源代码目录中没有 templates/ 和 themes/")
    partial = wheel.with_name(wheel.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in entries:
            if info.filename != record:
                new.writestr(info, data)
        for name, data in added:
            new.writestr(name, data)
        lines[-1:-1] = [_record_line(name, data) for name, data in added]  # RECORD's own line stays last
        new.writestr(record, "\n".join(lines) + "\n")
    partial.replace(wheel)


def _dependency_wheels(wheels: Path, target: Target, python: str, project: dict) -> None:
    platforms = [arg for tag in target.pip_platforms for arg in ("--platform", tag)]
    # markers of the dependencies are judged by pip as for this machine; none of ours differs by
    # system (tests/test_bundle.py installs what this gives)
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", *platforms,
          "--python-version", python, "--implementation", "cp", "--dest", str(wheels), *project["dependencies"]],
         "pip download（依赖的软件包）")


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise _fail("npm", "没有找到 npm：需要用它下载中文全文搜索程序 Pagefind",
                    "Debian、Ubuntu、统信 UOS、麒麟上 apt-get install npm；Windows 上安装 nodejs.org 的 Node.js")
    return npm


def _pagefind(folder: Path, target: Target, npm: str, work: Path) -> Path:
    """Pagefind's extended binary, the one member of its npm package we take."""
    spec = f"{target.npm_package}@{PAGEFIND_VERSION}"
    packed = work / "npm"
    packed.mkdir()
    _run([npm, "pack", spec], f"npm pack {spec}", cwd=packed)
    tarballs = sorted(packed.glob("*.tgz"))
    if len(tarballs) != 1:
        raise _fail("npm", f"npm pack {spec} 没有得到一个 .tgz 文件")
    folder.mkdir()
    binary = folder / target.binary
    with tarfile.open(tarballs[0], "r:gz") as tar:
        try:
            member = tar.getmember(f"package/bin/{target.binary}")
        except KeyError:
            raise _fail("npm", f"{spec} 中没有 bin/{target.binary}") from None
        if not member.isfile():
            raise _fail("npm", f"{spec} 中的 bin/{target.binary} 不是普通文件")
        with tar.extractfile(member) as data, binary.open("wb") as out:
            shutil.copyfileobj(data, out)
    binary.chmod(0o755)
    return binary


def _check_pagefind(binary: Path) -> None:
    """The binary runs and is the version asked for (only when made for this machine)."""
    shown = _run([str(binary), "--version"], "Pagefind --version", hint="下载的文件可能不完整，请重新生成安装包")
    if PAGEFIND_VERSION not in shown:
        raise _fail("npm", f"下载的 Pagefind 版本不对：{shown.strip()}，应为 {PAGEFIND_VERSION}")


def _demo(folder: Path) -> None:
    folder.mkdir()
    shutil.copy2(HOME / "site.yaml", folder / "site.yaml")
    shutil.copytree(HOME / "content", folder / "content")


def _texts(dest: Path, name: str, target: Target, python: str) -> list[str]:
    """install.sh or install.bat, and 说明.txt; the names written."""
    values = {**(bundletext.WINDOWS if target.windows else bundletext.LINUX),
              "@PYTHON@": python, "@PYTHON_TUPLE@": python.replace(".", ", "), "@PLATFORM@": name,
              "@VERSION@": __version__, "@PAGEFIND@": PAGEFIND_VERSION, "@DEMO@": DEMO,
              "@DISTRIBUTION@": DISTRIBUTION, "@DATE@": datetime.date.today().isoformat()}
    installer = "install.bat" if target.windows else "install.sh"
    script = bundletext.fill(bundletext.INSTALL_BAT if target.windows else bundletext.INSTALL_SH, values)
    readme = bundletext.fill(bundletext.README, values)
    if target.windows:  # cmd.exe and Notepad of Chinese Windows: code page 936, CRLF
        (dest / installer).write_bytes(script.replace("\n", "\r\n").encode("gbk"))
        (dest / "说明.txt").write_bytes(readme.replace("\n", "\r\n").encode("gbk"))
    else:
        (dest / installer).write_text(script, encoding="utf-8", newline="\n")
        (dest / installer).chmod(0o755)
        (dest / "说明.txt").write_text(readme, encoding="utf-8", newline="\n")
    return [installer, "说明.txt"]


# ---- the command -----------------------------------------------------------------------------

@dataclass
class Made:
    wheels: list[str]
    pagefind: Path
    size: int  # bytes of the whole bundle


def make(dest: Path, name: str, python: str, say=print) -> Made:
    """The bundle for platform `name` and Python `python` in `dest`, a new or empty folder.
    Raises ConfigError (nothing left in dest) when it cannot be made."""
    target = TARGETS[name]
    project = _project()
    _check_python(python, project)
    _check_dest(dest)
    npm = _npm()
    say(f"生成离线安装包：{name}，Python {python}，写到 {dest}")
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="zfbz-bundle-") as work:
            wheels = dest / "wheels"
            wheels.mkdir()
            say("生成器本身的 wheel ……")
            _generator_wheel(wheels, Path(work))
            say(f"依赖的软件包（{name}，Python {python}）……")
            _dependency_wheels(wheels, target, python, project)
            say(f"中文全文搜索程序 Pagefind {PAGEFIND_VERSION}（{target.npm_package}）……")
            binary = _pagefind(dest / "pagefind", target, npm, Path(work))
        if name == this_platform():
            _check_pagefind(binary)
        _demo(dest / DEMO)
        _texts(dest, name, target, python)
    except BaseException:
        for child in dest.iterdir():  # dest was empty: all of it is ours
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if created:
            dest.rmdir()
        raise
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    return Made(sorted(p.name for p in wheels.iterdir()), binary, size)
