"""Fast readers for the usual shapes of a record: its `rows:` block, and its head.

Lists hold most of a site's YAML (allocation lists of thousands of rows), and making
PyYAML's node and mark objects for every cell is most of the time it takes to read them.
Rows are almost always written one of two ways:

    rows:
      - {姓名: 张三, 身份证号: "110101…", 面积: 60.5}
      - 姓名: 李四
        身份证号: '110101…'

one value per key, on one line, plain, 'single' or "double" quoted. This module reads such
a block with a regular expression per line and gives the same values, and the same line
and column for every key and value, as yamlsource's full parse; the rest of the file goes
through the full parse with the block blanked out. On anything else in the block (a
comment after a row, an escape, a value over two lines, a duplicate key, a character that
means something to YAML) it declines, and the full parse reads the whole file and gives
the diagnostics. tests/test_yamlrows.py checks that the two agree on generated input.
"""
from __future__ import annotations

import re

_ROWS_KEY = re.compile(r"^rows: *$", re.MULTILINE)
# Tabs, control characters libyaml refuses and YAML's other line breaks: the full parse.
_CONTROL = re.compile("[\t\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# A plain key or value: no character that YAML could read as syntax anywhere in it.
_PLAIN = r"[^ \-:,'\"#&*!|>%@`?\[\]{}\\][^:,#?\[\]{}\"']*(?<! )"
_KEY = "(?P<key>" + _PLAIN + ")"
_VALUE = "(?P<value>\"[^\"\\\\]*\"|'(?:[^']|'')*'|" + _PLAIN + ")"
_PAIR = re.compile(_KEY + "(: +)" + _VALUE + "( *, *| *$)")  # findall: (key, colon, value, end)
_BLOCK_FIRST = re.compile("( *)- " + _KEY + ": +" + _VALUE + " *")
_BLOCK_MORE = re.compile("( *)" + _KEY + ": +" + _VALUE + " *")
# What yamlsource keeps of a plain value's YAML meaning: true/false and null.
_PLAIN_MEANING = dict.fromkeys("yes Yes YES true True TRUE on On ON".split(), True)
_PLAIN_MEANING.update(dict.fromkeys("no No NO false False FALSE off Off OFF".split(), False))
_PLAIN_MEANING.update(dict.fromkeys(("~", "null", "Null", "NULL")))


class _Decline(Exception):
    pass


def split(text: str, ydict: type, ylist: type):
    """(the text with the rows block blanked, the line of `rows:`, the rows) when the file
    has a top-level rows block of the usual shape; else None."""
    found = list(_ROWS_KEY.finditer(text))
    if len(found) != 1:
        return None
    start = found[0].end() + 1
    lines = text[start:].split("\n")
    block = _block_of(lines)
    if not block or _CONTROL.search(text, start, start + sum(len(line) + 1 for line in block)):
        return None
    key_line = text.count("\n", 0, start)
    try:
        rows = _rows(block, key_line + 1, ydict, ylist)
    except _Decline:
        return None
    return text[:start] + "\n" * len(block) + "\n".join(lines[len(block):]), key_line, rows


def _block_of(lines: list[str]) -> list[str]:
    """The block's lines: up to the next line that starts a top-level key."""
    for n, line in enumerate(lines):
        if line and line[0] not in " #" and not line.startswith("- "):
            return lines[:n]
    return lines


def _rows(block: list[str], first_line: int, ydict: type, ylist: type):
    rows = ylist()
    rows.item_pos = []
    indent, row = None, None
    for n, line in enumerate(block):
        content = line.lstrip(" ")
        lead = len(line) - len(content)
        content = content.rstrip(" ")
        if not content or content[0] == "#":
            continue
        number = first_line + n
        if indent is None:
            indent = lead
            rows.pos = (number, indent + 1)
        if content.startswith("- {") and content.endswith("}") and lead == indent:
            inner = content[3:-1]
            inside = inner.strip(" ")
            offset = indent + 3 + len(inner) - len(inner.lstrip(" "))
            _add_row(rows, _flow_row(inside, number, offset, ydict), number, indent + 2)
            row = None  # a flow row is one line
            continue
        match = _BLOCK_FIRST.fullmatch(line)
        if match and len(match.group(1)) == indent:
            row = _new_row(rows, ydict, number, match.start("key"))
            _put(row, match, number)
            continue
        match = _BLOCK_MORE.fullmatch(line)
        if match and row is not None and len(match.group(1)) == indent + 2:
            _put(row, match, number)
            continue
        raise _Decline
    if not rows:
        raise _Decline
    return rows


def _new_row(rows, ydict: type, number: int, col: int):
    row = ydict()
    row.key_pos, row.value_pos = {}, {}
    return _add_row(rows, row, number, col)


def _add_row(rows, row, number: int, col: int):
    row.pos = (number, col + 1)
    rows.append(row)
    rows.item_pos.append(row.pos)
    return row


def _flow_row(inside: str, number: int, offset: int, ydict: type):
    pairs = _PAIR.findall(inside)
    if not pairs or "".join(map("".join, pairs)) != inside or "," in pairs[-1][3]:
        raise _Decline  # something else in the braces, or a trailing comma
    row = ydict(zip([pair[0] for pair in pairs], [_scalar(pair[2]) for pair in pairs]))
    if len(row) != len(pairs):
        raise _Decline  # a duplicate key: the full parse reports it
    row.key_pos = _Places(inside, number, offset, "key")
    row.value_pos = _Places(inside, number, offset, "value")
    return row


class _Places:
    """Where a flow row's keys (or values) stand, worked out only when a diagnostic asks:
    a list has hundreds of thousands of cells and few ever need a line and column."""
    __slots__ = ("inside", "number", "offset", "group", "found")

    def __init__(self, inside: str, number: int, offset: int, group: str):
        self.inside, self.number, self.offset, self.group, self.found = inside, number, offset, group, None

    def get(self, key: str, default=None):
        if self.found is None:
            self.found = {pair.group("key"): (self.number, self.offset + pair.start(self.group) + 1)
                          for pair in _PAIR.finditer(self.inside)}
        return self.found.get(key, default)


def _put(row, match, number: int) -> None:
    """The key and value of a block row's line."""
    key = match.group("key")
    if key in row:
        raise _Decline  # the full parse reports the duplicate
    row[key] = _scalar(match.group("value"))
    row.key_pos[key] = (number, match.start("key") + 1)
    row.value_pos[key] = (number, match.start("value") + 1)


_HEAD_PAIR = re.compile(_KEY + ": +" + _VALUE + " *")
_HEAD_OPEN = re.compile(_KEY + ": *")


def head(text: str, ydict: type, blank_key: str | None = None):
    """The mapping of a record's usual head, as the full parse gives it, or None. The usual
    head is `key: value` lines (values as in a row) and mappings one level deep (`fields:`
    then indented `key: value` lines), with blank and comment lines between; `blank_key`
    (`rows`, when split() has blanked its block) may stand with no value. Anything else (a
    list, a `|` block, a comment after a value, a key with no value) is left to the full
    parse. Each file's head is small, but parsing it is a fixed cost paid 10,000 times."""
    if _CONTROL.search(text):
        return None
    try:
        return _head(text, ydict, blank_key)
    except _Decline:
        return None


def _head(text: str, ydict: type, blank_key: str | None):
    data = ydict()
    data.key_pos, data.value_pos = {}, {}
    inner, indent = None, None  # the mapping being filled, and its lines' indentation
    for number, line in enumerate(text.split("\n"), 1):
        content = line.strip(" ")
        if not content or content[0] == "#":
            continue
        if line[0] == " ":
            match = _BLOCK_MORE.fullmatch(line)
            if inner is None or match is None or (indent is not None and len(match.group(1)) != indent):
                return None
            if indent is None:
                indent = len(match.group(1))
                inner.pos = (number, indent + 1)
                data.value_pos[key] = inner.pos
            _put(inner, match, number)
            continue
        if inner is not None and indent is None and not _left_blank(data, key, blank_key):
            return None
        match = _HEAD_PAIR.fullmatch(line)
        opened = match is None and _HEAD_OPEN.fullmatch(line)
        if not match and not opened:
            return None
        key = (match or opened).group("key")
        if key in data:
            return None  # the full parse reports the duplicate
        if not data:
            data.pos = (number, 1)
        data.key_pos[key] = (number, 1)
        if match:
            data[key] = _scalar(match.group("value"))
            data.value_pos[key] = (number, match.start("value") + 1)
            inner = None
        else:
            inner, indent = ydict(), None
            inner.key_pos, inner.value_pos = {}, {}
            data[key] = inner
    if inner is not None and indent is None and not _left_blank(data, key, blank_key):
        return None
    return data if data else None


def _left_blank(data, key: str, blank_key: str | None) -> bool:
    """For a key with no value and nothing under it: None when it is `blank_key` (split()
    blanked its block); else False, and the full parse says where that null stands."""
    if key != blank_key:
        return False
    data[key] = None
    return True


def _scalar(value: str):
    if value[0] == '"':
        return value[1:-1]
    if value[0] == "'":
        return value[1:-1].replace("''", "'")
    return _PLAIN_MEANING.get(value, value)
