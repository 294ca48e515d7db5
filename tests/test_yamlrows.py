"""The fast rows reader (generator/source/yamlrows.py) against yamlsource's full parse: the same
values and the same line and column of every key and value, or the same problem."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.source import yamlrows, yamlsource
from generator.source.yamlsource import YamlProblem, YDict, YList


def _tree(data):
    if isinstance(data, YDict):
        places = [(k, data.key_pos.get(k), data.value_pos.get(k)) for k in data]
        return ("map", data.pos, places, [(k, _tree(v)) for k, v in data.items()])
    if isinstance(data, YList):
        return ("seq", data.pos, data.item_pos, [_tree(v) for v in data])
    return data


def _outcome(parse, text):
    try:
        return _tree(parse(text))
    except YamlProblem as problem:
        return ("problem", problem.line, problem.col, problem.code)


def _same_as_full_parse(text: str) -> None:
    assert _outcome(yamlsource.parse, text) == _outcome(yamlsource._parse, text)


USUAL = """title: 2026年第一批公租房配租结果
date: 2026-03-01
rows:
  - {姓名: 张三, 身份证号: "110101199003074514", 面积: 60.5, 备注: 'it''s'}
  - {姓名: 李四, 身份证号: "11010119900307453X", 面积: 45, 备注: ~}

  # 第二批
  - 姓名: 王五
    身份证号: '110101199003074530'
    面积: yes
body: 正文
"""


def test_the_usual_shapes_take_the_fast_path_and_agree():
    rest, key_line, rows = yamlrows.split(USUAL, YDict, YList)
    assert key_line == 3 and len(rows) == 3
    assert rest.count("\n") == USUAL.count("\n") and "张三" not in rest
    _same_as_full_parse(USUAL)
    data = yamlsource.parse(USUAL)
    assert data["rows"][0]["备注"] == "it's" and data["rows"][1]["备注"] is None
    assert data["rows"][2]["面积"] is True and data["body"] == "正文"
    assert data["rows"][2].key_pos.get("身份证号") == (9, 5)


def test_front_matter_offset_is_kept():
    front = "title: 名单\nrows:\n  - {姓名: 张三}\n"
    assert yamlsource.parse(front, line_offset=1)["rows"][0].value_pos.get("姓名") == (4, 10)
    assert _tree(yamlsource.parse(front, line_offset=1)) == _tree(yamlsource._parse("\n" + front))


DECLINED = [
    "rows:\n  - {a: b}  # 注释\n",  # a comment after a row
    "rows:\n  - {a: b, a: c}\n",  # a duplicate key: the full parse reports it
    "rows:\n  - a: 很长的\n      文字\n",  # a value over two lines
    "rows:\n  - {a: \"x\\ty\"}\n",  # an escape
    "rows:\n  - {a: b}\n    - {a: c}\n",  # indentation changes
    "rows:\n  - {a: b,}\n",  # a trailing comma
    "rows:\n  - {}\n",
    "rows:\n  - a:\n",
    "rows:\n  - {a: &x b}\n  - {a: *x}\n",  # an alias
    "rows:\n\t- {a: b}\n",
    "rows:\n",
]


def test_unusual_blocks_take_the_full_parse():
    for text in DECLINED:
        assert yamlrows.split(text, YDict, YList) is None, text
        _same_as_full_parse(text)


# Mostly what values hold, now and then a character that means something to YAML.
_SAFE = st.sampled_from(list("张三李四（）号ab09 .-=<~") + ["yes", "null", "No", "2026-03-01", "60.5"])
_TRICKY = st.sampled_from(list(":,#'\"\\{}[]?&*!|>%@`\t") + ["\u3000", "\x85", "\x07", ": ", " #"])
_TEXT = st.lists(st.one_of(_SAFE, _SAFE, _SAFE, _SAFE, _SAFE, _SAFE, _TRICKY), min_size=1, max_size=6).map("".join)


@st.composite
def _scalar(draw):
    text = draw(_TEXT)
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "raw", "empty"]))
    if style == "empty":
        return draw(st.sampled_from(["", "''", '""']))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "").replace('"', "") + '"'
    return text


@st.composite
def _row(draw, indent: int):
    keys = draw(st.lists(st.sampled_from(["姓名", "身份证号", "面积", "b c"] * 4 + ["a", "-x", "k:", "yes"]), min_size=1, max_size=4, unique=True))
    pairs = [(k, draw(_scalar())) for k in keys]
    pad = " " * indent
    if draw(st.booleans()):
        sep = draw(st.sampled_from([", ", ",", " , "]))
        return pad + "- {" + sep.join(f"{k}: {v}" for k, v in pairs) + "}" + draw(st.sampled_from(["", "", "", " ", "  # 注"]))
    lines = [f"{pad}- {pairs[0][0]}: {pairs[0][1]}"]
    lines += [f"{pad}  {k}: {v}" for k, v in pairs[1:]]
    return "\n".join(lines)


@st.composite
def _document(draw):
    indent = draw(st.sampled_from([0, 2, 2, 4]))
    rows = draw(st.lists(st.sampled_from([indent] * 9 + [indent + 1]).flatmap(_row), min_size=1, max_size=4))
    between = draw(st.sampled_from(["", "", "\n", "\n  # 注释", "\n \n"]))
    head = draw(st.sampled_from(["", "title: 名单\n", "title: 名单\nfields:\n  年度: 2026\n"]))
    tail = draw(st.sampled_from(["", "body: 正文\n", "rows: 重复\n", "- x\n", "  多出的缩进\n", "...\n", "", "", ""]))
    return head + "rows:" + draw(st.sampled_from(["", " ", "  "])) + "\n" + (between + "\n").join(rows) + "\n" + tail


@settings(max_examples=600, deadline=None)
@given(_document())
def test_fast_and_full_parse_agree(text):
    _same_as_full_parse(text)


_WORD = st.tuples(st.sampled_from(list("张三李四ab09（") + ["yes", "null", "No", "2026-03-01"]),
                  st.lists(_SAFE, max_size=5).map("".join)).map(lambda t: (t[0] + t[1]).rstrip(" "))


@st.composite
def _clean_document(draw):
    indent = draw(st.sampled_from([0, 2, 4]))
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        keys = draw(st.lists(st.sampled_from(["姓名", "身份证号", "面积", "b c", "yes"]), min_size=1, max_size=4, unique=True))
        values = [draw(st.one_of(_WORD, _WORD.map(lambda w: f"'{w}'"), _WORD.map(lambda w: f'"{w}"'))) for _ in keys]
        pad = " " * indent
        if draw(st.booleans()):
            lines.append(pad + "- {" + ", ".join(f"{k}: {v}" for k, v in zip(keys, values)) + "}")
        else:
            lines.append(f"{pad}- {keys[0]}: {values[0]}")
            lines += [f"{pad}  {k}:  {v} " for k, v in zip(keys[1:], values[1:])]
    return "title: 名单\nrows:\n" + "\n".join(lines) + "\nbody: 正文\n"


@settings(max_examples=300, deadline=None)
@given(_clean_document())
def test_clean_rows_take_the_fast_path_and_agree(text):
    assert yamlrows.split(text, YDict, YList) is not None
    _same_as_full_parse(text)


# -- a record's head: top-level `key: value` lines and one level of nested mappings ---------
_HEAD_KEYS = st.sampled_from(["title", "date", "index_no", "标题", "yes", "b c", "a", "fields", "rows", "-x", "k:"])


@st.composite
def _head_line(draw):
    key = draw(_HEAD_KEYS)
    shape = draw(st.sampled_from(["pair"] * 6 + ["nested", "nested", "empty", "comment", "blank", "odd"]))
    if shape == "pair":
        return f"{key}:{draw(st.sampled_from([' ', ' ', '  ']))}{draw(_scalar())}{draw(st.sampled_from(['', '', ' ', '  # 注']))}"
    if shape == "nested":
        indent = " " * draw(st.sampled_from([2, 2, 4, 1]))
        inner = [f"{indent}{draw(_HEAD_KEYS)}: {draw(_scalar())}" for _ in range(draw(st.integers(0, 3)))]
        if inner and draw(st.integers(0, 5)) == 0:  # a line indented otherwise
            inner.append(" " * draw(st.sampled_from([1, 3, 6])) + f"x: {draw(_scalar())}")
        return "\n".join([f"{key}:"] + inner)
    if shape == "empty":
        return f"{key}:"
    if shape == "comment":
        return draw(st.sampled_from(["# 注释", "  # 注释", "#"]))
    if shape == "blank":
        return draw(st.sampled_from(["", " ", "  "]))
    return draw(st.sampled_from(["- x", "body: |\n  正文", "---", "...", "attachments:\n  - a.pdf", "a: [1, 2]",
                                 "  stray: 1", "title: 'unclosed", "? x", "a: b: c"]))


@st.composite
def _head_document(draw):
    lines = draw(st.lists(_head_line(), min_size=1, max_size=7))
    rows = draw(st.sampled_from(["", "", "rows:\n  - {姓名: 张三, 面积: 60}\n", "rows:\n  - 姓名: 李四\n"]))
    return "\n".join(lines) + "\n" + rows


@settings(max_examples=800, deadline=None)
@given(_head_document())
def test_the_quick_head_and_the_full_parse_agree(text):
    _same_as_full_parse(text)


def test_the_usual_head_takes_the_quick_path():
    text = 'title: "名单"\ndate: 2026-03-01\n# 注\nfields:\n  年度: "2026"\n  开工套数: 12\nproject: X-1\n'
    data = yamlrows.head(text, YDict)
    assert data is not None and data["fields"]["开工套数"] == "12" and data.value_pos["fields"] == (5, 3)
    assert _tree(data) == _tree(yamlsource._parse(text))
    for unusual in ("body: |\n  正文\n", "attachments:\n  - a.pdf\n", "title: x # 注\n", "draft:\n"):
        assert yamlrows.head(unusual, YDict) is None, unusual
