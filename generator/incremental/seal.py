"""Files a build reads back are sealed: the state beside the output, and the store, the
compiled templates and the parsed catalog under `.cache/`. They are pickles and compiled
code, so whoever could write one could run code in the next build. Each is written with an
HMAC-SHA256 tag under a key of this user account (one derived from it for each kind of
file), kept outside the site and the output, and checked before anything in it is read: a file that does not carry the tag of this account's
key (changed by someone else, made on another machine or account, cut short, or written by
a version before the seal) is ignored as a missing one would be, with one warning.

Pickle stays because it is the fast way to load the store, which every build loads whole.
The tag costs one pass of SHA-256 over the bytes (docs/performance.md).

The key: 32 random bytes in `key` under ZFBZ_KEY_DIR when set, else under
%LOCALAPPDATA%\\zfbz-generator on Windows, $XDG_STATE_HOME/zfbz-generator or
~/.local/state/zfbz-generator elsewhere; made on first use, readable by its owner only.
When it can be neither read nor made, this process uses a key of its own: what it writes
serves later builds of the same process (serve) and is ignored by the next one.
"""
from __future__ import annotations

import hmac
import os
import sys
from pathlib import Path

from ..model.diagnostics import WARNING, Diagnostic, Location

ENV = "ZFBZ_KEY_DIR"
MAGIC = b"zfbz-sealed-1\n"
_TAG = 32  # bytes of HMAC-SHA256
_KEY = 32
_keys: dict[str, bytes] = {}  # key folder -> its key, read once a process
_ephemeral: set[str] = set()  # key folders that could not be used: this process's own key
_warned: set[tuple] = set()  # (what, where) told of once a process

STATE, CACHE = "state", "cache"  # what a warning is about: each is told once a process
_UNSEALED = "不是本账户在本机写的（可能被他人改动过，或来自另一台计算机、另一个账户或旧版本的生成器），已忽略"
_MESSAGES = {
    STATE: ("state-unsealed", "上次生成的状态文件" + _UNSEALED,
            "这次完整生成。如果不是您自己复制了文件或升级了生成器，请检查还有谁能写输出文件夹所在的文件夹。"),
    CACHE: ("cache-unsealed", "缓存文件" + _UNSEALED,
            "没有用上的缓存这次重新处理。如果不是您自己复制了文件或升级了生成器，请检查还有谁能写 .cache 文件夹。"),
}


def key_folder() -> Path | None:
    """Where the key is; None when there is no home folder to put it in."""
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "zfbz-generator"
    base = os.environ.get("XDG_STATE_HOME", "")
    if os.name != "nt" and os.path.isabs(base):  # the XDG specification: a relative one is to be ignored
        return Path(base) / "zfbz-generator"
    home = os.path.expanduser("~")
    if not os.path.isabs(home):
        return None
    local = ("AppData", "Local") if os.name == "nt" else (".local", "state")
    return Path(home, *local, "zfbz-generator")


def key() -> bytes:
    """This account's key, read (or made) once a process; never raises."""
    folder = key_folder()
    name = str(folder)
    found = _keys.get(name)
    if found is None:
        try:
            if folder is None:
                raise ValueError("找不到用户主文件夹")
            found = _read_or_make(folder)
        except (OSError, ValueError) as problem:
            found = os.urandom(_KEY)
            _ephemeral.add(name)
            _warn_key(folder, problem)
        _keys[name] = found
    return found


def _read_or_make(folder: Path) -> bytes:
    path = folder / "key"
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Written whole under a name of this process, then linked to its name: a second process
    # making the key at the same time finds the name taken and reads the first one's key,
    # never a half-written one.
    temporary = folder / f".key.tmp{os.getpid()}"
    temporary.unlink(missing_ok=True)  # left by a process of the same number that was killed
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(handle, os.urandom(_KEY))
    finally:
        os.close(handle)
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: its key is the one
        except OSError:  # no hard links on this file system: at worst, of two processes making the key
            if not path.exists():  # at once, the files the first one seals are ignored next time
                os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    with open(path, "rb") as handle:
        found = handle.read(_KEY + 1)
    if len(found) != _KEY:
        raise ValueError(f"密钥文件 {path} 的长度不对，可以删除它，下次运行会重新生成")
    return found


def _warn_key(folder: Path | None, problem: Exception) -> None:
    reason = problem.strerror if isinstance(problem, OSError) and problem.strerror else str(problem)
    _print(Diagnostic(Location(str(folder or "~")), WARNING, "key-unavailable",
                      f"无法读取或创建本账户的签名密钥（{reason}），状态和缓存文件只在本次运行中使用",
                      f"以后每次都完整生成。请让这个文件夹可写，或设置环境变量 {ENV} 指向一个只有您能写的文件夹。"))


def _print(diagnostic: Diagnostic) -> None:
    print(diagnostic.format(), file=sys.stderr, flush=True)


class Sealer:
    """Seals and checks the files of one kind (`purpose`: a state cannot pass for a store
    file), under a key of its own made from the account's key once: the store reads 256
    files a build."""

    def __init__(self, purpose: bytes, about: str = CACHE):
        self.about = about
        self.key = hmac.digest(key(), b"zfbz-seal\0" + purpose, "sha256")
        self.ephemeral = str(key_folder()) in _ephemeral

    def _tag(self, payload) -> bytes:
        return hmac.digest(self.key, payload, "sha256")  # one call into OpenSSL, which lets go of the GIL

    def write(self, path: Path, payload: bytes) -> None:
        """payload sealed, written atomically: under a temporary name, then renamed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
        with open(temporary, "wb") as handle:
            handle.write(MAGIC + self._tag(payload))
            handle.write(payload)
        os.replace(temporary, path)

    def read(self, path: Path) -> memoryview | None:
        """The payload of a file this sealer wrote (with this account's key); None when the
        file is missing or unreadable, or does not carry the tag (then with a warning, once
        a process for each .cache folder or state). Nothing of it is used before its tag is
        checked."""
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        start = len(MAGIC) + _TAG
        payload = memoryview(data)[start:]
        if data[:len(MAGIC)] == MAGIC and hmac.compare_digest(data[len(MAGIC):start], self._tag(payload)):
            return payload
        group = (self.about, _group(path))
        if not self.ephemeral and group not in _warned:  # else the key's warning says it all
            _warned.add(group)
            code, message, hint = _MESSAGES[self.about]
            _print(Diagnostic(Location(str(path)), WARNING, code, message, hint))
        if self.about == CACHE and not self.ephemeral:
            _discard(path)  # never to be used: validate and check, which write no cache, would warn each run
        return None


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _group(path: Path) -> str:
    """Where a warning is about: the `.cache` folder a file is under, else its folder."""
    for folder in path.parents:
        if folder.name == ".cache":
            return str(folder)
    return str(path.parent)


def write(path: Path, payload: bytes, purpose: bytes) -> None:
    Sealer(purpose).write(path, payload)


def read(path: Path, purpose: bytes, about: str = CACHE) -> memoryview | None:
    return Sealer(purpose, about).read(path)
