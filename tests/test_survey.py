"""The survey of the output: what the last build wrote, as the file system holds it now,
from a forked process or, without fork, from this one."""
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.incremental import survey


def written(out: Path, files: dict) -> dict:
    """Writes the files and returns what a build would have recorded of them."""
    known = {}
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stat = path.stat()
        known[rel] = (b"digest", stat.st_size, stat.st_mtime_ns)
    return known


def test_changed_missing_and_extra_files_are_told_apart(tmp_path):
    out = tmp_path / "out"
    known = written(out, {"index.html": b"<p>a</p>", "a/b.html": b"b", "a/c.html": b"c", "pagefind/x.pf": b"x"})
    (out / "a/b.html").write_bytes(b"bb")
    (out / "pagefind/x.pf").unlink()
    (out / "a/new.html").write_bytes(b"new")
    expected = (["a/b.html"], ["pagefind/x.pf"], ["a/new.html"])
    assert survey.compare(out, known) == expected
    found = survey.Survey(out, known)
    assert found.result() == expected
    assert not found.intact()
    assert found.damaged() == {"a/b.html", "pagefind/x.pf"}
    assert found.existing() == {"index.html", "a/b.html", "a/c.html", "a/new.html"}


def test_an_untouched_output_is_intact_and_a_missing_one_is_not(tmp_path):
    out = tmp_path / "out"
    known = written(out, {"index.html": b"x", "feeds/all.xml": b"y"})
    assert survey.Survey(out, known).intact()
    assert survey.Survey(tmp_path / "none", {}).intact()
    assert survey.Survey(tmp_path / "none", known).damaged() == set(known)


def test_without_fork_the_survey_is_made_in_process(tmp_path, monkeypatch):
    out = tmp_path / "out"
    known = written(out, {"index.html": b"x"})
    (out / "index.html").write_bytes(b"xy")
    monkeypatch.delattr(os, "fork", raising=False)  # gone already in .ci/run's no-fork round
    found = survey.Survey(out, known)
    assert found._child is None
    assert found.damaged() == {"index.html"}


@pytest.mark.skipif(not hasattr(os, "fork") or os.environ.get("ZFBZ_START_METHOD") == "spawn",
                    reason="the survey forks only where there is fork")
def test_an_unasked_survey_is_reaped(tmp_path):
    found = survey.Survey(tmp_path, {})
    pid = found._child[0]
    found.close()
    try:
        os.kill(pid, 0)  # raises: the child is gone, not a zombie
        gone = False
    except ProcessLookupError:
        gone = True
    assert gone


names = st.lists(st.sampled_from(["index.html", "a/1.html", "a/2.html", "b/c/3.html", "d.xml"]), unique=True)


@settings(max_examples=25, deadline=None)
@given(names, names, names)
def test_the_forked_answer_is_the_in_process_one(tmp_path_factory, kept, touched, removed):
    out = tmp_path_factory.mktemp("out")
    known = written(out, {rel: rel.encode() for rel in kept})
    for rel in touched:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"changed " + rel.encode())
    for rel in removed:
        (out / rel).unlink(missing_ok=True)
    assert survey.Survey(out, known).result() == survey.compare(out, known)
