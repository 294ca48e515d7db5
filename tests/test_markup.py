"""Markdown bodies: captions for every table, nothing executable."""
import pytest

from generator.render.markup import Markdown

TABLE = "| 区 | 套数 |\n| --- | --- |\n| 东城 | 12 |\n"


def caption_and_rest(text: str) -> tuple[list[str], str]:
    html = Markdown().convert(text)
    import re
    return re.findall(r"<caption>(.*?)</caption>", html), html


@pytest.mark.parametrize("text, caption", [
    (f"表1 各区房源：\n\n{TABLE}", "表1 各区房源"),
    (f"表 2\n\n{TABLE}", "表 2"),
    (f"各区房源情况如下：\n\n{TABLE}", "各区房源情况如下"),
    (f"## 房源分布\n\n{TABLE}", "房源分布"),
    (TABLE, "表 1"),
    (f"表示感谢，现有房源如下表。\n\n{TABLE}", "表 1"),
])
def test_every_markdown_table_gets_a_caption(text, caption):
    captions, html = caption_and_rest(text)
    assert captions == [caption]
    assert '<th scope="col">区</th>' in html


def test_a_line_taken_as_caption_is_not_repeated_as_a_paragraph():
    _, html = caption_and_rest(f"表1 各区房源：\n\n{TABLE}")
    assert "<p>" not in html


def test_long_paragraph_stays_a_paragraph():
    long = "现将有关情况说明如下，" * 8
    captions, html = caption_and_rest(f"## 说明\n\n{long}\n\n{TABLE}")
    assert captions == ["说明"] and f"<p>{long}</p>" in html


def test_tables_in_lists_and_quotes_get_captions_too():
    captions, _ = caption_and_rest("> 表3 引用的表格：\n>\n> | a |\n> | --- |\n> | 1 |\n")
    assert captions == ["表3 引用的表格"]
