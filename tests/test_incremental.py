"""Rebuilds: a second build writes nothing, an edit touches exactly the files that show
what changed, and whatever the path taken, the output is the one a clean build gives."""
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import carry_register, copy_fixture, run

TODAY = "2026-06-01"
TITLE = "小站县公共租赁住房管理办法"
RECORD = "content/policy/laws/banfa.md"


def build(site: Path, out: Path, today: str = TODAY):
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", today)
    assert result.returncode == 0, result.stderr
    return result


def manifest(out: Path) -> dict:
    lists = json.loads((out.parent / (out.name + ".manifest.json")).read_text(encoding="utf-8"))
    lists.pop("site")  # which site's output this is (outguard.py)
    return lists


def snapshot(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def mtimes(out: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def clean_build(site: Path, tmp_path: Path, today: str = TODAY, out: Path | None = None) -> dict:
    """A build from nothing; from nothing but the publication register of the build at `out` when given."""
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache"))
    if out is not None:
        carry_register(out, fresh, tmp_path / "fresh-out")
    build(fresh, tmp_path / "fresh-out", today)
    return snapshot(tmp_path / "fresh-out")


@pytest.fixture
def built(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    out = tmp_path / "out"
    build(site, out)
    return site, out


def test_second_build_writes_nothing(built):
    site, out = built
    before = mtimes(out)
    result = build(site, out)
    assert manifest(out) == {"added": [], "changed": [], "removed": []}
    assert mtimes(out) == before
    assert "新增 0 个文件，更新 0 个，删除 0 个" in result.stdout
    again = build(site, out)  # warnings and the summary are told again, not lost
    untimed = lambda text: re.sub(r"用时 [0-9.]+ 秒", "", text)  # noqa: E731
    assert untimed(again.stdout) == untimed(result.stdout) and again.stderr == result.stderr


def test_an_edited_record_updates_exactly_the_files_that_show_it(built, tmp_path):
    site, out = built
    showing = {path for path, data in snapshot(out).items()
               if TITLE.encode() in data and not path.startswith("pagefind/")}
    assert {"policy/laws/banfa.html", "index.html", "policy/laws/index.html", "feeds/all.xml"} <= showing
    record = site / RECORD
    record.write_text(record.read_text(encoding="utf-8").replace(TITLE, TITLE + "（修订）"), encoding="utf-8")
    build(site, out)
    changes = {kind: {p for p in paths if not p.startswith("pagefind/")}  # its files are named by content
               for kind, paths in manifest(out).items()}
    # and the year's statistics, which count the records updated after publication (更新日期)
    assert changes == {"added": set(), "removed": set(), "changed": showing | {"report/2026.html"}}
    assert snapshot(out) == clean_build(site, tmp_path, out=out)


def test_a_template_change_renders_every_page_again(built, tmp_path):
    site, out = built
    base = Path(__file__).resolve().parent.parent / "templates" / "base.html"
    own = site / "templates" / "base.html"
    own.parent.mkdir(exist_ok=True)
    own.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- 本地模板 --></body>"), encoding="utf-8")
    build(site, out)
    pages = {p for p in snapshot(out) if p.endswith(".html")}
    assert pages and pages <= set(manifest(out)["changed"])
    assert snapshot(out) == clean_build(site, tmp_path, out=out)


def test_a_later_day_withdraws_what_expired_and_an_uneventful_day_changes_nothing(tmp_path):
    site = copy_fixture("small", tmp_path / "site")
    listing = site / "content/allocation/results/2026-01.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace("to: 2026-12-31", "to: 2026-08-31"),
                       encoding="utf-8")
    out = tmp_path / "out"
    build(site, out)
    assert (out / "allocation/results/2026-01.html").exists()
    build(site, out, "2026-08-31")  # the last day of its 公示期: nothing appears or expires
    assert manifest(out) == {"added": [], "changed": [], "removed": []}
    build(site, out, "2026-09-01")  # its URL now holds the 已撤下 page
    assert "allocation/results/2026-01.html" in manifest(out)["changed"]
    assert "本信息已撤下" in (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")
    assert snapshot(out) == clean_build(site, tmp_path, "2026-09-01", out=out)
    build(site, out, "2026-06-01")  # back to an earlier day: it is shown again
    assert "allocation/results/2026-01.html" in manifest(out)["changed"]
    assert "本信息已撤下" not in (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")


def test_a_file_removed_from_the_output_comes_back(built):
    site, out = built
    (out / "index.html").unlink()
    build(site, out)
    assert manifest(out)["added"] == ["index.html"]
    assert (out / "index.html").exists()


def test_output_changed_by_hand_is_set_right_by_an_edit_build(built, tmp_path):
    """Pages and index files edited or deleted by hand are made again by a build that also has
    an edit to make, not only by a no-op one; a file added by hand is no build's: it stays,
    with a warning, and is never listed for upload."""
    site, out = built
    page = out / "policy/laws/banfa.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>手工改动</p></body>"), encoding="utf-8")
    fragments = sorted((out / "pagefind").rglob("*.pf_fragment"))
    if not fragments and os.environ.get("CI"):
        pytest.fail("Pagefind is missing (CI is set, so this is a failure): no search index to edit by hand")
    fragment = fragments[0] if fragments else None  # without Pagefind (a fresh clone) the rest is still tested
    if fragment:
        fragment.unlink()
    stray = out / "policy/laws/stray.html"
    stray.write_text("手工添加", encoding="utf-8")
    listing = site / "content/allocation/results/2026-01.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace("房号: 1-102", "房号: 1-103"), encoding="utf-8")
    result = build(site, out)
    changes = manifest(out)
    assert "policy/laws/banfa.html" in changes["changed"]
    assert "policy/laws/stray.html" not in {p for paths in changes.values() for p in paths}
    assert "1 个文件不是本站以前的生成写下的" in result.stderr and "policy/laws/stray.html" in result.stderr
    assert fragment is None or fragment.relative_to(out).as_posix() in changes["added"]
    assert stray.read_text(encoding="utf-8") == "手工添加"
    stray.unlink()
    assert snapshot(out) == clean_build(site, tmp_path, out=out)


def test_state_is_kept_beside_the_output(built):
    _, out = built
    assert (out.parent / "out.state").is_file()
    assert not any("state" in p.name for p in out.rglob("*"))


def test_every_step_of_a_series_of_edits_gives_the_clean_build_output(built, tmp_path):
    """Kept pages, renders and open data must never go stale: after each step the output is
    byte for byte what a build from nothing gives."""
    site, out = built
    record, listing = site / RECORD, site / "content/allocation/results/2026-01.yaml"
    approval = site / "content/construction/approvals/xiaozhan-gzf.md"
    original = record.read_text(encoding="utf-8")
    steps = [
        lambda: record.write_text(original.replace(TITLE, TITLE + "（修订）"), encoding="utf-8"),
        lambda: listing.write_text(listing.read_text(encoding="utf-8") + "\n", encoding="utf-8"),
        lambda: record.write_text(original, encoding="utf-8"),
        # the body alone: the feeds' summaries change, no listing does
        lambda: record.write_text(original.replace("制定本办法", "特制定本办法"), encoding="utf-8"),
        lambda: (site / "content/allocation/results/draft.yaml").unlink(),
        # one group of the ledger each: a list's cells (open data), a project code (project
        # pages), an attachment's bytes (a deleted record's 已撤下 page has its own tests: a
        # build from nothing knows nothing of it)
        lambda: listing.write_text(listing.read_text(encoding="utf-8").replace("房号: 1-102", "房号: 1-103"),
                                   encoding="utf-8"),
        lambda: approval.write_text(approval.read_text(encoding="utf-8").replace(
            "2025-500199-70-01-000001", "2025-500199-70-01-000002"), encoding="utf-8"),
        lambda: (approval.parent / "pifu.txt").write_text("立项批复（更正）\n", encoding="utf-8"),
    ]
    for number, step in enumerate(steps):
        step()
        build(site, out)
        assert snapshot(out) == clean_build(site, tmp_path / str(number), out=out), f"step {number}"


def remembered_stamp(site: Path, shown: str):
    """The (size, mtime, ctime, inode) under which the store remembers a record file's key."""
    from generator.config.site import load_site
    from generator.pipeline.sitecheck import open_store
    return open_store(load_site(site / "site.yaml")).file_keys[shown][0]


def test_edits_that_keep_a_files_size_and_mtime_are_seen(built, tmp_path):
    """Unchanged record files are known by their size, mtime, ctime and inode and not read
    again; an edit that keeps the size, then also the mtime, and a file replaced by
    another of the same size and mtime (as git checkout does) must still be seen."""
    site, out = built
    record = site / RECORD

    def remember():
        time.sleep(1.1)  # a file changed less than a second before a build is read again by the next one
        (out.parent / (out.name + ".state")).unlink()  # no quick no-op: the store is read and saved
        build(site, out)
        stamp = record.stat()
        assert remembered_stamp(site, RECORD) == (stamp.st_size, stamp.st_mtime_ns, stamp.st_ctime_ns,
                                                   stamp.st_ino)
        return stamp

    def same_size(old: str, new: str) -> None:
        text = record.read_text(encoding="utf-8")
        assert len(old.encode()) == len(new.encode()) and old in text
        record.write_text(text.replace(old, new), encoding="utf-8")

    def replaced(old: str, new: str, stamp) -> None:
        other = record.with_name(".banfa.tmp")
        other.write_text(record.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        os.utime(other, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        os.replace(other, record)

    steps = [
        lambda stamp: same_size("总则", "概则"),
        lambda stamp: (same_size("概则", "通则"), os.utime(record, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))),
        lambda stamp: replaced("通则", "细则", stamp),
    ]
    for number, step in enumerate(steps):
        stamp = remember()
        step(stamp)
        assert record.stat().st_size == stamp.st_size
        build(site, out)
        assert snapshot(out) == clean_build(site, tmp_path / str(number), out=out), f"step {number}"


def test_a_change_the_search_index_does_not_read_keeps_the_index(built, tmp_path):
    """The index reads a list's text, not its rows: a row edited does not run Pagefind again,
    a body edited does; both give the clean build's output."""
    from test_search import _need_pagefind

    from generator.outputs.search import find_binary
    _need_pagefind()  # a failure under CI, a skip elsewhere (the README's test command on a fresh clone)
    site, out = built
    log = tmp_path / "pagefind.log"
    logging = tmp_path / "pagefind"  # the real Pagefind, each run noted
    logging.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{find_binary()}" "$@"\n', encoding="utf-8")
    logging.chmod(0o755)
    env = {"PAGEFIND_BINARY_PATH": str(logging)}

    def build_noting_runs() -> int:
        log.unlink(missing_ok=True)
        result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", TODAY, env=env)
        assert result.returncode == 0, result.stderr
        return len(log.read_text().split()) if log.exists() else 0

    assert build_noting_runs() == 1  # another binary: the index is made again
    listing = site / "content/allocation/results/2026-01.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace("房号: 1-102", "房号: 1-103"), encoding="utf-8")
    assert build_noting_runs() == 0
    assert "allocation/results/2026-01.html" in manifest(out)["changed"]
    assert snapshot(out) == clean_build(site, tmp_path / "rows", out=out)
    listing.write_text(listing.read_text(encoding="utf-8").replace("现将分配结果公示如下", "现将分配结果予以公示"),
                       encoding="utf-8")
    assert build_noting_runs() == 1
    assert snapshot(out) == clean_build(site, tmp_path / "body", out=out)


def test_an_edit_checks_and_renders_that_record_alone(built, monkeypatch):
    """Every other record, lists with all their rows and lists with rows past their 公示期限
    alike, is taken from the store: its render key must be the one it was stored under."""
    from generator.pipeline import build as builder
    from generator.pipeline import workers
    site, out = built
    processed = []
    real_run = workers.run
    monkeypatch.setattr(workers, "run", lambda job, tasks, tick=None: (
        processed.append(sorted(t.file.shown for t in tasks)), real_run(job, tasks, tick))[1])
    listing = site / "content/allocation/results/2026-01.yaml"
    edits = [(site / RECORD, "制定本办法", "特制定本办法"), (listing, "房号: 1-102", "房号: 1-103")]
    for path, old, new in edits:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        processed.clear()
        builder.build(site / "site.yaml", out, today=TODAY)
        assert processed == [[path.relative_to(site).as_posix()], []]


def test_the_build_result_counts_what_was_made_and_what_was_taken_as_it_was(built):
    """BuildResult says how many records were rendered and how many ledger groups were made
    or reused: a body edit renders that record alone and makes its group, its feeds, its
    search shard and the sitemap's neighbours again; a title edit makes the shared pages that
    list it; nothing is made when nothing changed."""
    from generator.pipeline.build import build as build_in_process
    site, out = built
    record = site / RECORD
    record.write_text(record.read_text(encoding="utf-8").replace("制定本办法", "特制定本办法"), encoding="utf-8")
    body = build_in_process(site / "site.yaml", out, today=TODAY)
    assert body.rendered == 1
    assert 0 < body.groups_made < body.groups_reused
    # the year's statistics count the records updated after publication: this one is, from now on
    assert [p for p in body.changes.changed if not p.startswith(("feeds/", "pagefind/"))] == [
        "policy/laws/banfa.html", "report/2026.html"]
    again = build_in_process(site / "site.yaml", out, today=TODAY)
    assert (again.rendered, again.groups_made, again.groups_reused) == (0, 0, 0)  # not even read
    record.write_text(record.read_text(encoding="utf-8").replace(TITLE, TITLE + "（修订）"), encoding="utf-8")
    title = build_in_process(site / "site.yaml", out, today=TODAY)
    assert title.rendered == 1
    assert "policy/laws/index.html" in title.changes.changed and "index.html" in title.changes.changed
    assert title.groups_made > body.groups_made


REPEALED = """---
title: 小站县公共租赁住房管理暂行办法
date: 2019-03-01
published: 2026-06-01
index_no: XZ/2019-00001
fields:
  发布部门: 小站县人民政府
  发布日期: 2019-03-01
  有效性: 已废止
  有效性日期: 2026-03-05
  替代文件: XZ/2026-00001
---
旧办法。
"""
EXPLAINER = """---
title: 管理办法政策解读
date: 2026-03-06
published: 2026-06-01
index_no: XZ/2026-00090
fields:
  解读主体: 小站县住房和城乡建设局
  解读方式: 文字解读
  解读时间: 2026-03-06
  被解读文件索引号: XZ/2026-00001
---
解读。
"""


def test_pages_linked_by_index_number_follow_the_records_they_show(built, tmp_path):
    """A page shows the title, address and 有效性 of the records it links to and of those
    linking to it: each edit of one is seen on the other as a build from nothing shows it."""
    site, out = built
    record = site / RECORD
    original = record.read_text(encoding="utf-8")
    old, explainer = site / "content/policy/laws/old.md", site / "content/interpretation/local/jiedu.md"
    old.write_text(REPEALED, encoding="utf-8")
    build(site, out)
    assert '现行文件：<a href="../../policy/laws/banfa.html">小站县公共租赁住房管理办法</a>' in \
        (out / "policy/laws/old.html").read_text(encoding="utf-8")
    explainer.parent.mkdir(parents=True)
    explainer.write_text(EXPLAINER, encoding="utf-8")  # a new 解读: the document's page lists it
    build(site, out)
    assert "policy/laws/banfa.html" in manifest(out)["changed"]
    assert snapshot(out) == clean_build(site, tmp_path / "added", out=out)
    record.write_text(original.replace(TITLE, TITLE + "（修订）"), encoding="utf-8")  # the target's title
    build(site, out)
    assert {"policy/laws/old.html", "interpretation/local/jiedu.html"} <= set(manifest(out)["changed"])
    assert f"{TITLE}（修订）</a>" in (out / "policy/laws/old.html").read_text(encoding="utf-8")
    assert snapshot(out) == clean_build(site, tmp_path / "retitled", out=out)
    old.write_text(REPEALED.replace("已废止", "已修改"), encoding="utf-8")  # the replaced one's 有效性
    build(site, out)
    assert "本文件修改了：" in (out / "policy/laws/banfa.html").read_text(encoding="utf-8")
    assert snapshot(out) == clean_build(site, tmp_path / "modified", out=out)
    record.rename(record.with_name("banfa-2026.md"))  # renamed: the links follow its new address
    build(site, out)
    fresh = clean_build(site, tmp_path / "renamed", out=out)
    for path in ("policy/laws/old.html", "interpretation/local/jiedu.html", "policy/laws/banfa-2026.html"):
        assert (out / path).read_bytes() == fresh[path], path
    assert 'href="../../policy/laws/banfa-2026.html"' in (out / "policy/laws/old.html").read_text(encoding="utf-8")
    (site / "content/policy/laws/banfa-2026.md").unlink()  # deleted: both that name it fail, with their lines
    before = snapshot(out)
    result = run("build", "--site", str(site / "site.yaml"), "--out", str(out), "--today", TODAY)
    assert result.returncode == 1
    assert "content/policy/laws/old.md:11:9: error[unknown-index-no]: 替代文件“XZ/2026-00001”" in result.stderr
    assert "content/interpretation/local/jiedu.md:10:13: error[unknown-index-no]:" in result.stderr
    assert snapshot(out) == before
def test_a_notice_expiring_overnight_leaves_its_line_as_a_clean_build_does(tmp_path):
    """The item list's line for an expired 公示 comes from the heads and the day (SectionInput)."""
    site = copy_fixture("small", tmp_path / "site")
    listing = site / "content/allocation/results/2026-01.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace("to: 2026-12-31", "to: 2026-08-31"),
                       encoding="utf-8")
    out = tmp_path / "out"
    line = '<time datetime="2026-04-03">2026-04-03</time> 至 <time datetime="2026-08-31">2026-08-31</time> 公示'
    build(site, out, "2026-08-31")
    assert line not in (out / "allocation/results/index.html").read_text(encoding="utf-8")
    build(site, out, "2026-09-01")
    assert "allocation/results/index.html" in manifest(out)["changed"]
    assert line in (out / "allocation/results/index.html").read_text(encoding="utf-8")
    assert snapshot(out) == clean_build(site, tmp_path, "2026-09-01", out=out)


def test_a_no_information_note_added_or_removed_changes_its_item_page_alone(built, tmp_path):
    site, out = built
    note = site / "content/planning/annual/_说明.yaml"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text("text: 本栏目2026年度无此类信息。\nchecked: 2026-05-20\n", encoding="utf-8")
    build(site, out)
    assert manifest(out) == {"added": [], "changed": ["planning/annual/index.html"], "removed": []}
    assert "本栏目2026年度无此类信息。" in (out / "planning/annual/index.html").read_text(encoding="utf-8")
    assert snapshot(out) == clean_build(site, tmp_path, out=out)
    note.unlink()
    build(site, out)
    assert manifest(out) == {"added": [], "changed": ["planning/annual/index.html"], "removed": []}
    assert "本事项暂无公开信息。" in (out / "planning/annual/index.html").read_text(encoding="utf-8")
    shutil.rmtree(tmp_path / "fresh")
    shutil.rmtree(tmp_path / "fresh-out")
    assert snapshot(out) == clean_build(site, tmp_path, out=out)
