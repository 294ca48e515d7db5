"""What the last build was made from, kept beside the output (`<out>.state`), never inside it.

A rebuild whose inputs are all as they were, on a day that shows the same records,
writes nothing and need not read a single record: it replays the last build's
warnings and summary. The inputs are every file the output can depend on, by path,
size, modification and change time and inode: site.yaml, the content folder (records, spreadsheets,
attachments, the local catalog), the files records point to outside it, the site's
templates and theme, the generator's own code, templates and themes, and the Pagefind
binary. The day matters only through the dates on which a record appears or goes away
(its 公开日期, the day after its 公示期 or a row's 公示期限 ends).

The state also keeps a digest of each output file as written, so that the next full
build can tell an unchanged file without reading it back, and which files are ours to
remove when they are no longer made. Without a state the next build is a full one that
removes nothing: files no longer made are left in the output and reported. The state is
sealed with this account's key (seal.py): one changed by someone else, or copied from
another machine or account, is ignored.
"""
from __future__ import annotations

import datetime as dt
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .. import HOME
from ..outputs import search
from . import keys, seal, stamps

FORMAT = "state-5"
_PACKAGE = HOME
_OWN = [_PACKAGE / "generator", _PACKAGE / "templates", _PACKAGE / "themes"]


def state_path(out: Path) -> Path:
    return out.parent / (out.name + ".state")


@dataclass
class State:
    inputs: bytes = b""  # fingerprint of every input file
    deps: list = field(default_factory=list)  # files records point to outside the content folder
    transitions: list = field(default_factory=list)  # sorted dates on which visibility changes
    today: dt.date | None = None
    files: dict = field(default_factory=dict)  # output path -> (digest, size, mtime_ns)
    summary: object = None  # what the build reported: replayed when nothing changed
    packed_groups: bytes = b""  # the ledger's groups, pickled: see `groups`
    site: object = None  # outguard.identity of the site whose build this is: another site's is refused
    register: object = None  # register.Register: what was first published when (None in a state of an older version)
    allowed: tuple | None = None  # the numbers the leak gate let through into these files (None: not known)

    @property
    def groups(self) -> dict:
        """The ledger's groups of that build, name -> (key, files, parts) (publish/ledger.py):
        unpickled only by a build that goes on, not by one that finds nothing changed."""
        return pickle.loads(self.packed_groups) if self.packed_groups else {}

    @staticmethod
    def pack(groups: dict) -> bytes:
        return pickle.dumps(groups, protocol=pickle.HIGHEST_PROTOCOL)


_PURPOSE = b"state"


def load(out: Path) -> State | None:
    """The last build's state; None when it is missing, or not sealed by this account's key
    (seal.py: nothing in it is unpickled then), or from another version: build in full."""
    payload = seal.read(state_path(out), _PURPOSE, seal.STATE)
    if payload is None:
        return None
    try:
        version, state = pickle.loads(payload)
    except Exception:  # sealed by us, so only from a version that pickled other classes
        return None
    return state if version == FORMAT and isinstance(state, State) else None


def save(path: Path, state: State) -> None:
    """Sealed, at `path`: the commit (publish/commit.py) writes it beside the state and
    puts it in place with the manifest, last."""
    seal.write(path, pickle.dumps((FORMAT, state), protocol=pickle.HIGHEST_PROTOCOL), _PURPOSE)


def _walk(folder: Path, hasher, seen: dict | None = None) -> None:
    """Every file under folder, by path, size and mtime, in a stable order; each file's
    stat goes to `seen` (path -> os.stat_result) when given."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name in ("__pycache__", ".cache", "node_modules"):
            continue
        if _is_folder(entry, folder):
            _walk(Path(entry.path), hasher, seen)
        else:
            _stat(entry.path, hasher, seen)


def _is_folder(entry, folder: Path) -> bool:
    """A folder to walk into, through a link too, but not a link back to a folder above
    it: that loop would never end (load.discover reports it)."""
    try:
        if not entry.is_dir(follow_symlinks=True):
            return False
    except OSError:  # too many levels of links
        return False
    if not entry.is_symlink():
        return True
    target, here = os.path.realpath(entry.path), os.path.realpath(folder)
    return not (here == target or here.startswith(target.rstrip(os.sep) + os.sep))


def _stat(path, hasher, seen: dict | None = None) -> None:
    try:
        st = os.stat(path)
    except OSError:
        hasher.update(f"{path}\0missing\n".encode())
        return
    if seen is not None:
        seen[path] = st
    hasher.update(f"{path}\0{stamps.of(st)}\n".encode())


def fingerprint(site, site_path: Path, theme: Path, deps: list[str], strict: bool, seen: dict | None = None) -> bytes:
    """`seen`, when given, gets the stat of each file of the content folder: a build that
    goes on need not stat its record files again (Store.file_key)."""
    hasher = keys.hasher()
    hasher.update(f"{FORMAT}\0{strict}\0{os.environ.get('PAGEFIND_BINARY_PATH', '')}\n".encode())
    _stat(str(site_path.resolve()), hasher)
    for folder in (site.content_dir, site.templates_dir, theme, *_OWN):
        hasher.update(f"folder {folder}\n".encode())
        _walk(folder, hasher, seen if folder == site.content_dir else None)
    _stat(str(site.catalog_path), hasher)
    for path in deps:
        _stat(path, hasher)
    try:
        _stat(str(search.find_binary()), hasher)
    except search.SearchUnavailable:
        hasher.update(b"no search\n")
    return hasher.digest()


def outside_deps(site, records) -> list[str]:
    """rows_from spreadsheets and attachments that live outside the content folder."""
    content = os.path.normpath(site.content_dir.absolute()) + os.sep  # no resolve(): slow for 10,000 records,
    root = str(site.root.absolute())  # and a symlink under content/ is followed by fingerprint() anyway
    paths = [os.path.normpath(os.path.join(root, r.rows_source)) for r in records if r.rows_source]
    paths += [os.path.normpath(a.path.absolute()) for r in records for a in r.attachments]
    return sorted({p for p in paths if not p.startswith(content)})


def transitions(records) -> list[dt.date]:
    """The days on which some record or row appears or goes away."""
    days = set()
    for record in records:
        days.add(record.published)
        if record.window is not None:
            days.add(record.window.end + dt.timedelta(days=1))
        for end in record.row_ends:
            if end is not None:
                days.add(end + dt.timedelta(days=1))
    return sorted(days)


def same_day_view(state: State, day: dt.date) -> bool:
    """Whether the records visible on `day` are those visible on the state's day."""
    if state.today is None:
        return False
    low, high = sorted((state.today, day))
    return not any(low < t <= high for t in state.transitions)
