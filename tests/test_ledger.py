"""The ledger (publish/ledger.py) and its commit (publish/commit.py) on their own: a group is
taken as it was only when its key and its files are, a part goes with its whole, nothing
unclaimed of ours survives a commit and nothing that is not ours is removed."""
from pathlib import Path

import pytest

from generator.incremental.keys import digest
from generator.publish import commit, journal
from generator.publish.ledger import Ledger, Output


def _commit(out: Path, ledger: Ledger, existing: set) -> tuple[dict, dict]:
    """(the files entries, the groups) a state would keep after committing."""
    plan = commit.plan(ledger, existing, journal.Pending())
    commit.commit(ledger.output, plan, journal.Pending(), None,
                  lambda path: path.write_bytes(b"state"))
    return plan.changes.written, ledger.saved_groups()


def _files(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def first(tmp_path):
    """A first build: group a (one file), section with two page parts, and a foreign file."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "theirs.html").write_bytes(b"not ours")
    ledger = Ledger(Output(out, tmp_path / "staging", {}), {})
    ledger.reuse("a", b"k1")
    ledger.put("a", "a.html", b"A1")
    ledger.reuse("section", b"s1")
    with ledger.within("section"):
        for name in ("index.html", "list.html"):
            ledger.reuse(f"page:{name}", b"p1")
            ledger.put(f"page:{name}", name, name.encode())
    files, groups = _commit(out, ledger, {"theirs.html"})
    return out, files, groups


def test_a_group_whose_key_and_files_are_unchanged_is_taken_as_it_was(first, tmp_path):
    out, files, groups = first
    ledger = Ledger(Output(out, tmp_path / "staging2", files), groups)
    assert ledger.reuse("section", b"s1")  # its parts come with it
    assert ledger.reuse("a", b"k1")
    assert sorted(ledger.claimed) == ["a.html", "index.html", "list.html"]
    assert ledger.saved_groups() == groups


def test_a_new_key_or_a_damaged_file_makes_the_group_again(first, tmp_path):
    out, files, groups = first
    assert not Ledger(Output(out, tmp_path / "s", files), groups).reuse("a", b"k2")
    damaged = Ledger(Output(out, tmp_path / "s", files, damaged={"list.html"}), groups)
    assert not damaged.reuse("section", b"s1")  # one part damaged: the whole is made again
    with damaged.within("section"):
        assert damaged.reuse("page:index.html", b"p1")  # its intact part is still taken
        assert not damaged.reuse("page:list.html", b"p1")
    assert damaged.saved_groups()["section"][2] == ("page:index.html", "page:list.html")


def test_what_nobody_claims_is_removed_if_ours_and_kept_if_not(first, tmp_path):
    out, files, groups = first
    ledger = Ledger(Output(out, tmp_path / "staging2", files), groups)
    ledger.reuse("a", b"k2")
    ledger.put("a", "a.html", b"A2")
    _commit(out, ledger, set(files) | {"theirs.html"})
    assert _files(out) == {"a.html": b"A2", "theirs.html": b"not ours"}


def test_unchanged_bytes_are_not_moved_and_changed_ones_are(first, tmp_path):
    out, files, groups = first
    before = (out / "index.html").stat().st_mtime_ns
    ledger = Ledger(Output(out, tmp_path / "staging2", files), groups)
    ledger.reuse("section", b"s2")
    with ledger.within("section"):
        for name, data in (("index.html", b"index.html"), ("list.html", b"new list")):
            ledger.reuse(f"page:{name}", b"p2")
            ledger.put(f"page:{name}", name, data)
    ledger.reuse("a", b"k1")
    plan = commit.plan(ledger, set(files), journal.Pending())
    assert [move[0] for move in plan.moves] == ["list.html"]
    assert (plan.changes.changed, plan.changes.unchanged) == (["list.html"], 2)
    commit.commit(ledger.output, plan, journal.Pending(), None, lambda p: p.write_bytes(b""))
    assert (out / "index.html").stat().st_mtime_ns == before
    assert plan.changes.written["list.html"][0] == digest(b"new list")


def test_two_groups_on_one_path_are_never_committed(tmp_path):
    ledger = Ledger(Output(tmp_path / "out", tmp_path / "staging", {}), {})
    for name in ("record:a", "record:b"):
        ledger.open(name, b"k")
        ledger.put(name, "item/a.html", name.encode())
    with pytest.raises(ValueError):
        commit.plan(ledger, set(), journal.Pending())


def test_a_forgotten_group_leaves_nothing_claimed(tmp_path):
    ledger = Ledger(Output(tmp_path / "out", tmp_path / "staging", {}), {})
    ledger.reuse("search:pagefind/", b"k")
    ledger.put("search:pagefind/", "pagefind/x.pf", b"x")
    ledger.forget("search:")
    assert ledger.claimed == {} and "search:pagefind/" not in ledger.saved_groups()


def test_a_leak_in_a_shared_file_is_reported(tmp_path):
    ledger = Ledger(Output(tmp_path / "out", tmp_path / "staging", {}), {})
    ledger.open("page:index.html", b"k")
    ledger.put("page:index.html", "index.html", "<p>身份证 11010519491231002X</p>".encode())
    assert ledger.report.has_errors()
    assert "11010519491231002X" not in "".join(d.format() for d in ledger.report.diagnostics)
