"""The commit: the output brought to what the ledger claimed, all or nothing.

Everything is decided before the first file moves: which staged files go in (with the size
and mtime they keep through the rename), which of the last build's files go, the manifest,
and the state, written beside the output as `<out>.state.next`. That plan goes to the
journal (journal.py); from then on the build is rolled forward: if it dies while moving,
the next run carries out the rest of the plan before anything else (recover()), so the
output is the previous build's or this one's, never a mix, as soon as any build looks at
it again. A file whose bytes the output already holds is not touched (the CMS upload and
the web server's caches see no change). Files the last build wrote that nobody claimed are
removed, and nothing else ever is: other files are listed as foreign.
"""
from __future__ import annotations

import filecmp
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import journal, write
from .outguard import beside
from .write import Changes, checkpoint, manifest_bytes, manifest_data, manifest_path, write_atomic


@dataclass
class Plan:
    changes: Changes
    moves: list = field(default_factory=list)  # (path, size, mtime_ns): staged files that go in
    removing: list = field(default_factory=list)  # the last build's files nobody claimed


def _listed(rel: str, file_digest: bytes, in_place: bool, existing: set, base: dict, changes: Changes) -> None:
    """Where the manifest lists a file: against what the last *completed* build had (`base`,
    for paths a build that died may have touched), else against the output."""
    if rel in base:
        was = base[rel]
        listed = changes.added if was is None else None if was == file_digest else changes.changed
    else:
        listed = None if in_place else changes.changed if rel in existing else changes.added
    if listed is None:
        changes.unchanged += 1
    else:
        listed.append(rel)


def plan(ledger, existing: set, pending: journal.Pending) -> Plan:
    """`existing`: every file the output holds now (survey.Survey.existing)."""
    if ledger.clashes:  # a check of ours let two files onto one path: nothing is written
        raise ValueError(f"two groups make {ledger.clashes[0]}")
    output, base = ledger.output, pending.base
    known, staging, out = output.known, output.staging, output.out
    result = Plan(Changes())
    changes = result.changes
    for rel, file_digest in sorted(ledger.claimed.items()):
        if output.holds(rel, file_digest):
            changes.written[rel] = known[rel]
            _listed(rel, file_digest, True, existing, base, changes)
            continue
        staged = f"{staging}/{rel}"
        if rel in existing and rel not in known and _same(staged, f"{out}/{rel}"):  # no record of it: compared
            st = os.stat(f"{out}/{rel}")
            changes.written[rel] = (file_digest, st.st_size, st.st_mtime_ns)
            _listed(rel, file_digest, True, existing, base, changes)
            continue
        st = os.stat(staged)  # a rename keeps the size and mtime: the state can be written before it
        changes.written[rel] = (file_digest, st.st_size, st.st_mtime_ns)
        result.moves.append((rel, st.st_size, st.st_mtime_ns))
        _listed(rel, file_digest, False, existing, base, changes)
    claimed = ledger.claimed
    result.removing = sorted(rel for rel in known.keys() | base.keys() if rel not in claimed)
    changes.removed = [rel for rel in result.removing if rel not in base or base[rel] is not None]
    changes.foreign = sorted(existing - known.keys() - claimed.keys() - base.keys())
    return result


def _same(staged: str, placed: str) -> bool:
    try:
        return filecmp.cmp(staged, placed, shallow=False)
    except OSError:
        return False


def commit(output, result: Plan, pending: journal.Pending, site: dict | None, save_state) -> None:
    """Carries out the plan for `output` (ledger.Output): `save_state(path)` writes the state
    as it will be to `path` first; then the journal makes the plan durable, the files move, and
    the manifest and the state take their places together, last. `site`: outguard.identity."""
    out = output.out
    state_next = beside(out, ".state.next")
    save_state(state_next)
    write.start_writing()
    steps = {"staging": str(output.staging), "moves": result.moves, "removing": result.removing,
             "manifest": manifest_data(result.changes, site),
             "state": [str(state_next), str(beside(out, ".state"))]}
    journal.begin(out, steps, [*[move[0] for move in result.moves], *result.removing], output.known, pending)
    checkpoint()
    carry_out(out, steps)
    journal.end(out)


def carry_out(out: Path, steps: dict) -> bool:
    """The plan's steps, each done at most once (a run that died partway did the rest):
    staged files moved in, the last build's unclaimed files removed, emptied folders too,
    the manifest written and the new state put in place. False when a staged file is gone
    and the output does not hold it either: the output cannot be completed, and the next
    build sets it right from the previous state."""
    staging = steps["staging"]
    folders = set()
    for rel, size, mtime_ns in steps["moves"]:
        path = f"{out}/{rel}"
        folder = path.rpartition("/")[0]
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        try:
            os.replace(f"{staging}/{rel}", path)
        except FileNotFoundError:
            if not _moved(path, size, mtime_ns):
                return False
        checkpoint()
    for rel in steps["removing"]:
        try:
            os.unlink(f"{out}/{rel}")
        except (FileNotFoundError, NotADirectoryError):
            pass
        checkpoint()
    _remove_emptied_folders(out, steps["removing"])
    write_atomic(manifest_path(out), manifest_bytes(steps["manifest"]))
    state_next, state = steps["state"]
    try:
        os.replace(state_next, state)
    except FileNotFoundError:
        pass  # put in place by the run that died
    checkpoint()
    return True


def _moved(path: str, size: int, mtime_ns: int) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (size, mtime_ns)


def recover(out: Path) -> None:
    """A build that died committing is carried through (its plan is in the journal) before
    this one looks at the output. Its paths stay in the journal: this build's manifest lists
    them against the last build that completed, whose manifest the webmaster saw."""
    pending = journal.load(out)
    if not pending.plan:
        return
    if not carry_out(out, pending.plan):
        Path(pending.plan["state"][0]).unlink(missing_ok=True)  # the previous state stands
    journal.settle(out, pending)


def _remove_emptied_folders(out: Path, removed: list[str]) -> None:
    """The folders that removing these files left empty, and theirs in turn: walking the
    whole output for them was slow, and only these can have emptied (docs/performance.md)."""
    folders = {(out / rel).parent for rel in removed}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
