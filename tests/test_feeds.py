"""RSS 2.0 feeds: well-formed, complete, dated in Beijing time, stable, public records only."""
import datetime as dt
import email.utils
import re
import shutil
import xml.etree.ElementTree as ET

import feedparser
import pytest
from conftest import FIXTURES, run
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.outputs.feeds import pub_date

BEIJING = dt.timezone(dt.timedelta(hours=8))

TODAY = "2026-06-01"
BASE = "https://www.xiaozhan.gov.cn/zfbz/"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d{2}:\d{2}:\d{2} \+0800$")


def build(site_dir, out):
    result = run("build", "--site", str(site_dir / "site.yaml"), "--out", str(out), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def small(tmp_path):
    site_dir = tmp_path / "small"
    shutil.copytree(FIXTURES / "small", site_dir)
    return site_dir, build(site_dir, tmp_path / "out")


def feeds_of(out):
    return sorted((out / "feeds").rglob("*.xml"))


def test_every_feed_parses_and_has_the_rss_fields(small):
    _, out = small
    paths = feeds_of(out)
    assert {"feeds/all.xml", "feeds/allocation.xml", "feeds/allocation/results.xml"} <= {
        p.relative_to(out).as_posix() for p in paths}
    for path in paths:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "rss20"
        channel = ET.parse(path).getroot().find("channel")  # feedparser forgives what RSS requires
        for tag in ("title", "link", "description", "language"):
            assert (channel.findtext(tag) or "").strip(), (path, tag)
        assert channel.findtext("language") == "zh-cn"
        assert channel.findtext("link").startswith(BASE)
        for item in channel.findall("item"):
            for tag in ("title", "link", "description", "guid", "pubDate"):
                assert (item.findtext(tag) or "").strip(), (path, tag)
            assert item.findtext("link").startswith(BASE)
            assert RFC822.match(item.findtext("pubDate")), item.findtext("pubDate")
        if channel.findall("item"):
            assert RFC822.match(channel.findtext("lastBuildDate"))


def test_item_fields_pubdate_and_masked_summary(small):
    _, out = small
    parsed = feedparser.parse((out / "feeds/allocation/results.xml").read_bytes())
    assert [e.title for e in parsed.entries] == ["小站县2026年第一批公共租赁住房分配结果公示"]
    entry = parsed.entries[0]
    assert entry.link == BASE + "allocation/results/2026-01.html"
    assert entry.id == entry.link
    assert entry.published == "Fri, 03 Apr 2026 00:00:00 +0800"  # 公开日期 2026-04-03, Beijing time
    assert "现将分配结果公示如下" in entry.summary and "名单共 2 条" in entry.summary
    raw = (out / "feeds/allocation/results.xml").read_text(encoding="utf-8")
    assert "<pubDate>Fri, 03 Apr 2026 00:00:00 +0800</pubDate>" in raw
    assert f'<guid isPermaLink="true">{entry.link}</guid>' in raw


def test_withdrawn_scheduled_and_draft_records_are_in_no_feed(small):
    _, out = small
    text = "".join(p.read_text(encoding="utf-8") for p in feeds_of(out))
    for title in ("已过公示期的分配结果", "草稿中的分配结果", "定时发布的分配结果", "过期人", "草稿人", "将来人"):
        assert title not in text
    titles = [e.title for e in feedparser.parse((out / "feeds/all.xml").read_bytes()).entries]
    assert "小站县2026年第一批公共租赁住房分配结果公示" in titles


def test_guid_stable_across_rebuilds_and_new_records(small, tmp_path):
    site_dir, out = small
    before = {e.id: e.title for e in feedparser.parse((out / "feeds/all.xml").read_bytes()).entries}
    (site_dir / "content/policy/laws/new.md").write_text(
        "---\ntitle: 新的办法\ndate: 2026-05-20\nindex_no: XZ/2026-00099\n"
        "fields: {发布部门: 小站县人民政府, 发布日期: 2026-05-20}\n---\n正文。\n", encoding="utf-8")
    again = build(site_dir, tmp_path / "again")
    after = {e.id: e.title for e in feedparser.parse((again / "feeds/all.xml").read_bytes()).entries}
    assert before.items() <= after.items()
    assert after[BASE + "policy/laws/new.html"] == "新的办法"
    assert list(after)[0] == BASE + "policy/laws/new.html"  # newest first


def test_pages_announce_their_feeds_and_catalog_lists_them(small):
    _, out = small
    record = (out / "allocation/results/2026-01.html").read_text(encoding="utf-8")
    for href in ("../../feeds/all.xml", "../../feeds/allocation.xml", "../../feeds/allocation/results.xml"):
        assert '<link rel="alternate" type="application/rss+xml" title="' in record
        assert f'href="{href}"' in record, href
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'type="application/rss+xml"' in home and 'href="feeds/all.xml"' in home
    catalog = (out / "catalog/index.html").read_text(encoding="utf-8")
    for path in feeds_of(out):
        assert f'href="../{path.relative_to(out).as_posix()}"' in catalog, path


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_pub_date_is_rfc822_midnight_in_beijing(day):
    written = pub_date(day)
    assert RFC822.match(written)
    assert written == email.utils.format_datetime(dt.datetime.combine(day, dt.time(), BEIJING))
    assert email.utils.parsedate_to_datetime(written) == dt.datetime.combine(day, dt.time(), BEIJING)
