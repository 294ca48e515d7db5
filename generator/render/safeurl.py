"""Which link addresses may reach a page: one rule for bodies, `markdown` fields and `url` fields.

An address is read as a browser would read it, only more suspiciously:
1. character references are decoded (`&#58;`, `&#x6A;`, `&colon;`, as html.unescape does);
2. whitespace and control characters are removed wherever they are (a browser drops tab and
   newline inside a scheme, and leading spaces and control characters);
3. the result is checked once as it is and once with its percent-escapes decoded (`%6A`),
   in case a server or a CMS decodes them on the way.
What remains must be an `http`, `https`, `mailto` or `tel` address (the scheme in any case),
or relative: no colon before the first `/`, `?` or `#` (`a/b.html`, `../x`, `#h-1`, `?q=1`).
Anything else (`javascript:`, `vbscript:`, `data:`, `file:`, an unknown scheme, or a colon
after something that is no scheme at all) is refused.

`//host/path` takes the page's own scheme, http or https: it is an http(s) address to another
host, allowed as `https://host/` is. Neither could run script in the page.
"""
from __future__ import annotations

import html
import re
from urllib.parse import unquote

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
ALLOWED_TEXT = "http、https、mailto、tel"

# ASCII controls and space, C1 controls and no-break space, soft hyphen, and the Unicode
# spaces, joiners, direction marks and byte-order mark: none is visible in a link
_INVISIBLE = re.compile("[\x00-\x20\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f"
                        "\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]")
_END_OF_SCHEME = re.compile(r"[/?#]")


def scheme_of(value: str) -> str | None:
    """The scheme a browser (or a careless server) could read in `value`, lower case, when it
    is not an allowed one; None when the address is allowed. `''` stands for a colon after
    something that is no scheme."""
    text = _INVISIBLE.sub("", html.unescape(value)) if "&" in value else _INVISIBLE.sub("", value)
    candidates = (text, _INVISIBLE.sub("", unquote(text))) if "%" in text else (text,)
    for candidate in candidates:
        head = _END_OF_SCHEME.split(candidate, 1)[0]
        if ":" in head:
            scheme = head.split(":", 1)[0]
            if not (scheme.isascii() and scheme.lower() in ALLOWED_SCHEMES):
                return scheme.lower() if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else ""
    return None


def safe_url(value: str) -> bool:
    """Whether a link to `value` may be written into a page (see the module's rule)."""
    return scheme_of(value) is None


# Where a Markdown text names an address: an inline link or image `](…)`, a reference
# definition `[r]: …`, an autolink `<http://…>` or `<ftp://…>`. Approximate (code spans are
# not told apart) but only used to warn staff: the page itself is made safe by
# markup._SafeLinks whatever this finds.
_INLINE = re.compile(r"\]\(")
_OTHER_TARGET = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*(?:<([^>\n]*)>|(\S+))"
                           r"|<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>", re.MULTILINE)
_TITLE = re.compile(r"""\s+(?:"[^"]*"|'[^']*'|\([^)]*\))\s*$""")


def _inline_target(text: str, start: int) -> str:
    """The address of an inline link whose `(` ends at `start`: up to the `)` that closes it
    on the same line, without a title."""
    depth, end = 0, start
    while end < len(text) and text[end] != "\n":
        if text[end] == "(":
            depth += 1
        elif text[end] == ")":
            if depth == 0:
                break
            depth -= 1
        end += 1
    target = text[start:end].strip()
    if target.startswith("<") and ">" in target:
        return target[1:target.index(">")]
    return _TITLE.sub("", target)


def refused_links(text: str) -> list[tuple[int, str]]:
    """(offset, scheme) of each address in Markdown `text` that a page will not link to."""
    found = []
    if "](" in text:
        for match in _INLINE.finditer(text):
            scheme = scheme_of(_inline_target(text, match.end()))
            if scheme is not None:
                found.append((match.start(), scheme))
    if "]:" in text or "://" in text:
        for match in _OTHER_TARGET.finditer(text):
            scheme = scheme_of(next(group for group in match.groups() if group is not None))
            if scheme is not None:
                found.append((match.start(), scheme))
    return sorted(found)


def link_warning(scheme: str) -> str:
    shown = f"“{scheme}:”" if scheme else ""
    return f"链接使用了不允许的协议{shown}，页面上改为不能点击的 #"
