import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.source import yamlsource
from generator.source.yamlsource import YamlProblem


def test_scalars_stay_as_typed():
    data = yamlsource.parse("a: 0755\nb: 1.50\nc: 2023-02-30\nd: true\ne: ~\nf: 110101199003071233\n")
    assert data == {"a": "0755", "b": "1.50", "c": "2023-02-30", "d": True, "e": None,
                    "f": "110101199003071233"}


def test_positions_of_keys_and_values():
    data = yamlsource.parse("title: x\nfields:\n  文号: 第1号\n")
    assert data.key_pos["fields"] == (2, 1)
    assert data["fields"].value_pos["文号"] == (3, 7)


def test_line_offset_for_front_matter():
    data = yamlsource.parse("title: x\n", line_offset=1)
    assert data.key_pos["title"] == (2, 1)


@pytest.mark.parametrize("text,line,code", [
    ("a: 1\na: 2\n", 2, "duplicate-key"),
    ("a:\n\tb: 1\n", 2, "yaml-tab"),
    ("a: &x [1]\nb: *x\n", 2, "yaml-alias"),
    ("a: [1\n", 2, "yaml-syntax"),
    ("x: !!python/object:os.system 1\n", 1, "yaml-tag"),
])
def test_problems_carry_line_and_code(text, line, code):
    with pytest.raises(YamlProblem) as caught:
        yamlsource.parse(text)
    assert (caught.value.line, caught.value.code) == (line, code)


def test_alias_bomb_fails_fast():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join(["*" + previous] * 9) + "]")
        previous = name
    start = time.perf_counter()
    with pytest.raises(YamlProblem) as caught:
        yamlsource.parse("\n".join(lines) + "\n")
    assert caught.value.code == "yaml-alias"
    assert time.perf_counter() - start < 1


def test_decode_rejects_gbk_with_position():
    with pytest.raises(YamlProblem) as caught:
        yamlsource.decode("title: ok\ndate: 2026-01-01\n标题: 公告\n".encode("gbk"))
    assert caught.value.line == 3 and caught.value.code == "encoding"
    assert "GBK" in caught.value.hint


def test_decode_accepts_bom():
    assert yamlsource.decode("\ufefftitle: 公告\n".encode("utf-8")) == "title: 公告\n"


def test_front_matter_split_keeps_body_line():
    front, body, body_line = yamlsource.split_front_matter("---\ntitle: x\ndate: y\n---\n正文第一行\n")
    assert front == "title: x\ndate: y\n" and body == "正文第一行\n" and body_line == 5


_keys = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=8)
_values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@given(st.dictionaries(_keys, _values, min_size=1, max_size=8))
def test_any_mapping_of_strings_round_trips(mapping):
    import json
    text = "\n".join(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                     for k, v in mapping.items()) + "\n"
    assert yamlsource.parse(text) == mapping
