"""Read user-written YAML safely, keeping where every key and value stood.

PyYAML's C parser does the fast work; construction is ours so that we can
- keep every scalar as the string the user typed (no YAML 1.1 guessing that turns
  `0755` into 493, `1.50` into a float or `2023-02-30` into a crash): the catalog's
  field types decide what a value means;
- remember the line and column of every key and value for diagnostics;
- refuse duplicate keys (PyYAML silently keeps the last one: data loss) and
  anchors/aliases (staff never need them, and they make "billion laughs" bombs).
"""
from __future__ import annotations

import re

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from . import yamlrows

_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


class YamlProblem(Exception):
    """A YAML file that cannot be read; carries a 1-based line and column."""

    def __init__(self, line: int, col: int, code: str, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.col, self.code, self.message, self.hint = line, col, code, message, hint


class YDict(dict):
    """A mapping that knows where it, its keys and its values stand in the file."""

    __slots__ = ("pos", "key_pos", "value_pos")


class YList(list):
    __slots__ = ("pos", "item_pos")


def _pos(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# Only true/false (YAML 1.1 spellings) and null keep their YAML meaning; all else is text.
_PLAIN_TAGS = dict.fromkeys("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF".split(), _BOOL)
_PLAIN_TAGS.update(dict.fromkeys(("~", "null", "Null", "NULL", ""), _NULL))
_TRUE = {"yes", "true", "on"}


class _Loader(yaml.CSafeLoader):
    def resolve(self, kind, value, implicit):
        """Called by the C composer for every node: a dict lookup instead of regexps."""
        if kind is ScalarNode:
            return _PLAIN_TAGS.get(value, _STR) if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    # Path-based resolvers are never used; the composer calls these for every node.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def _alias_problem(node) -> YamlProblem:
    line, col = _pos(node.start_mark)
    return YamlProblem(line, col, "yaml-alias", "不支持 YAML 锚点和别名（& 和 *）",
                       "请把内容直接写出来；若 * 是正文的一部分，请给这个值加上引号")


def _tag_problem(node) -> YamlProblem:
    line, col = _pos(node.start_mark)
    return YamlProblem(line, col, "yaml-tag", "不支持的 YAML 标签（!…）", "去掉值前面的 ! 标签")


class _Builder:
    """Turns the composed node tree into plain values, walking it once.

    The C composer reuses one node for an anchor and all its aliases, so a node met
    twice is an alias: refused there, before a "billion laughs" bomb can grow."""

    def __init__(self):
        self.seen: set[int] = set()

    def build(self, node):
        if id(node) in self.seen:
            raise _alias_problem(node)
        self.seen.add(id(node))
        kind = node.__class__
        if kind is ScalarNode:
            tag = node.tag
            if tag == _STR:
                return node.value
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return node.value.lower() in _TRUE
            raise _tag_problem(node)
        if kind is MappingNode and node.tag == _MAP:
            return self.mapping(node)
        if kind is SequenceNode and node.tag == _SEQ:
            return self.sequence(node)
        raise _tag_problem(node)

    def mapping(self, node: MappingNode) -> YDict:
        data = YDict()
        data.pos = _pos(node.start_mark)
        key_pos, value_pos = data.key_pos, data.value_pos = {}, {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                line, col = _pos(key_node.start_mark)
                raise YamlProblem(line, col, "yaml-key", "键必须是一段文字", "检查这一行的缩进和冒号")
            key = key_node.value
            if key in data:
                line, col = _pos(key_node.start_mark)
                raise YamlProblem(line, col, "duplicate-key",
                                  f"键“{key}”重复出现（第 {key_pos[key][0]} 行已有）",
                                  "同一层级的每个键只能写一次，请删除或合并其中一个")
            data[key] = self.build(value_node)
            mark = key_node.start_mark
            key_pos[key] = (mark.line + 1, mark.column + 1)
            mark = value_node.start_mark
            value_pos[key] = (mark.line + 1, mark.column + 1)
        return data

    def sequence(self, node: SequenceNode) -> YList:
        data = YList(self.build(n) for n in node.value)
        data.pos = _pos(node.start_mark)
        data.item_pos = [_pos(n.start_mark) for n in node.value]
        return data


def decode(data: bytes) -> str:
    """UTF-8 text of a file (a BOM is accepted); raises YamlProblem at the bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        hint = "请用编辑器把文件另存为 UTF-8 编码"
        try:
            data.decode("gb18030")
            hint += "（这个文件看起来是 GBK/GB18030 编码）"
        except UnicodeDecodeError:
            pass
        raise YamlProblem(line, col, "encoding", "文件不是 UTF-8 编码", hint) from None
    if "\r" in text:  # files saved on Windows: CRLF (or old Mac CR) line ends
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise YamlProblem(line, offset - text.rfind("\n", 0, offset), "encoding",
                          "文件中有空字符（NUL），不是文本文件", "请确认这是 YAML 或 Markdown 文本")
    return text


_TRANSLATIONS = [
    ("tab", "yaml-tab", "YAML 不能用制表符（Tab）缩进", "请把行首的 Tab 全部换成空格"),
    ("mapping values are not allowed", "yaml-syntax", "这里不能出现冒号",
     "含冒号的值请加引号；或检查上一行的缩进"),
    ("could not find expected ':'", "yaml-syntax", "缺少冒号“:”或缩进不对", "每个键后面要有英文冒号和一个空格"),
    ("did not find expected key", "yaml-syntax", "缩进不一致", "同一层级的键必须左对齐"),
    ("did not find expected '-' indicator", "yaml-syntax", "列表缩进不一致", "同一列表的每一项“-”必须左对齐"),
    ("found unexpected end of stream", "yaml-syntax", "文件意外结束", "检查引号或括号是否成对"),
    ("found undefined alias", "yaml-alias", "不支持 YAML 锚点和别名（& 和 *）",
     "以 * 开头的值请加引号"),
    ("found unknown escape character", "yaml-syntax", "双引号内有无法识别的转义（\\）",
     "改用单引号，或把 \\ 写成 \\\\"),
    ("expected a single document", "yaml-syntax", "文件中有多个 YAML 文档（多余的 ---）",
     "一个记录文件只能有一个 YAML 文档"),
    ("could not determine a constructor", "yaml-tag", "不支持的 YAML 标签（!…）", "去掉值前面的 ! 标签"),
    ("unacceptable character", "encoding", "文件中有不可打印的控制字符", "请删除这个字符"),
]


def _translate(exc: yaml.YAMLError, text: str) -> YamlProblem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = _pos(mark) if mark is not None else (1, 1)
    problem = (getattr(exc, "problem", None) or str(exc)) + " " + (getattr(exc, "context", None) or "")
    lines = text.split("\n")
    if line <= len(lines) and "\t" in lines[line - 1][:col]:
        problem = "tab " + problem
    for needle, code, message, hint in _TRANSLATIONS:
        if needle in problem:
            return YamlProblem(line, col, code, message, hint)
    return YamlProblem(line, col, "yaml-syntax", f"YAML 语法错误（{problem.strip()}）",
                       "检查这一行附近的缩进、冒号和引号")


def parse(text: str, line_offset: int = 0):
    """Parse one YAML document of user text; line_offset shifts every position."""
    if line_offset:
        text = "\n" * line_offset + text
    fast = yamlrows.split(text, YDict, YList) if "rows:" in text else None
    if fast:
        rest, key_line, rows = fast
        try:
            data = yamlrows.head(rest, YDict, "rows") or _parse(rest)
        except YamlProblem:
            return _parse(text)  # the full parse places the problem
        if isinstance(data, YDict) and data.key_pos.get("rows") == (key_line, 1) and data["rows"] is None:
            data["rows"], data.value_pos["rows"] = rows, rows.pos
            return data
    return yamlrows.head(text, YDict) or _parse(text)


def _parse(text: str):
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _Builder().build(node)
    except YamlProblem as problem:
        if problem.code == "yaml-alias":
            problem.line, problem.col = _first_alias(text) or (problem.line, problem.col)
        raise
    except yaml.YAMLError as exc:
        raise _translate(exc, text) from None
    except RecursionError:
        raise YamlProblem(1, 1, "yaml-depth", "YAML 嵌套层级过深", "记录不需要这么多层嵌套") from None
    finally:
        loader.dispose()


def _first_alias(text: str):
    """Where the first alias (*name) stands: only called on the error path."""
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return _pos(event.start_mark)
    return None


_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split a Markdown record into (front matter, body, line where the body starts).

    Raises YamlProblem when the front matter is missing or not closed.
    """
    first_line, _, rest = text.partition("\n")
    if first_line.rstrip() != "---":
        raise YamlProblem(1, 1, "front-matter", "Markdown 记录必须以 --- 开始的 YAML 头信息开头",
                          "第一行写 ---，接着写 title、date 等，再用一行 --- 结束")
    end = _FRONT_MATTER_END.search(rest)
    if end is None:
        raise YamlProblem(1, 1, "front-matter", "YAML 头信息没有结束的 --- 行",
                          "在头信息最后单独写一行 ---")
    front = rest[: end.start()]
    body = rest[end.end():]
    if body.startswith("\n"):
        body = body[1:]
    body_line = 1 + front.count("\n") + 2
    return front, body, body_line
