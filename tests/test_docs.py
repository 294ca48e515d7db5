"""The guides stay true to the code: every diagnostic code and command they name exists."""
import re

from conftest import ROOT

from generator.commands.cli import build_parser

GUIDES = [ROOT / "docs" / "staff.md", ROOT / "docs" / "webmaster.md"]
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "generator").rglob("*.py"))


def test_diagnostic_codes_in_the_guides_exist():
    for guide in GUIDES:
        for code in re.findall(r"(?:error|warning)\[([a-z-]+)\]", guide.read_text(encoding="utf-8")):
            assert f'"{code}"' in SOURCES, f"{guide.name}: {code}"


def test_commands_in_the_guides_exist():
    verbs = set(build_parser()._subparsers._group_actions[0].choices)
    for guide in GUIDES + [ROOT / "README.md"]:
        for verb in re.findall(r"python -m generator (\w+)", guide.read_text(encoding="utf-8")):
            assert verb in verbs | {"check"}, f"{guide.name}: {verb}"  # check: issue 6, being built
