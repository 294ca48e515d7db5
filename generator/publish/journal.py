"""A commit in progress, recorded beside the output (`<out>.journal`) before its first file changes.

The journal holds the commit's plan (commit.py: the files to move in and remove, the
manifest, the new state), so that a build killed while writing is carried through by the
next run; and it names every path that build was about to write or remove, each with its
digest in the last completed build (none when that build did not have it). The next build tells those paths added, changed or removed against
those digests, not against the output as it finds it, so its manifest and package still
list every file that differs from what the CMS last received. Nothing is ever half-written
inside the output: files are staged beside it and renamed in whole. A journal is merged
into the next one (the older digest wins), so builds killed one after another are all
accounted for; it is removed when a build has completed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Pending:
    base: dict = field(default_factory=dict)  # path -> its digest in the last completed build, or None
    plan: dict = field(default_factory=dict)  # the steps of a commit not carried through (commit.py)


def journal_path(out: Path) -> Path:
    return out.parent / (out.name + ".journal")


def load(out: Path) -> Pending:
    """The journal of a build that did not complete; an empty one when there is none."""
    try:
        data = json.loads(journal_path(out).read_text(encoding="utf-8"))
        plan = data.get("plan") or {}
        return Pending({str(rel): None if digest is None else bytes.fromhex(digest)
                        for rel, digest in data["base"].items()},
                       plan if isinstance(plan, dict) else {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Pending()


def _write(out: Path, base: dict, plan: dict | None) -> None:
    from .write import write_atomic

    data = {"base": dict(sorted(base.items()))}
    if plan:
        data["plan"] = plan
    write_atomic(journal_path(out), json.dumps(data, ensure_ascii=False).encode())


def begin(out: Path, plan: dict, paths, known: dict, previous: Pending) -> None:
    """Records the plan and the paths about to change, each with its digest in `known` (the
    state this build started from), merged with an earlier unfinished build's journal."""
    base = {rel: (known[rel][0].hex() if rel in known else None) for rel in paths}
    base.update((rel, None if digest is None else digest.hex()) for rel, digest in previous.base.items())
    _write(out, base, plan)


def settle(out: Path, pending: Pending) -> None:
    """The plan carried through by a later run: the paths stay, for the next manifest."""
    _write(out, {rel: None if d is None else d.hex() for rel, d in pending.base.items()}, None)


def end(out: Path) -> None:
    journal_path(out).unlink(missing_ok=True)
