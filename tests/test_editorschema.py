"""`catalog --format jsonschema`: the demo's records pass their item's schema, wrong ones fail."""
import datetime as dt
import json

import jsonschema
import pytest
from conftest import ROOT, run
from ruamel.yaml import YAML

from generator.commands import editorschema
from generator.config.catalog import load_catalog
from generator.config.site import load_site
from generator.source import yamlsource

SITE = load_site(ROOT / "site.yaml")
CATALOG = load_catalog(SITE)


def as_editor_sees(data):
    """YAML 1.2 as yaml-language-server reads it: a date is just a string."""
    if isinstance(data, dict):
        return {str(k): as_editor_sees(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_editor_sees(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def load_record(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        front, body, _ = yamlsource.split_front_matter(text)
        data = YAML(typ="safe", pure=True).load(front)
        data["body"] = body
        return as_editor_sees(data)
    return as_editor_sees(YAML(typ="safe", pure=True).load(text))


def validator(item_id):
    schema = editorschema.item_schema(CATALOG.by_id[item_id], SITE)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=None)


RECORDS = sorted(p for p in (ROOT / "content").rglob("*") if p.suffix in (".yaml", ".md")
                 and not any(part.startswith("_") for part in p.relative_to(ROOT / "content").parts))  # as discover()


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.relative_to(ROOT / "content").as_posix())
def test_every_demo_record_matches_its_schema(path):
    item_id = "/".join(path.relative_to(ROOT / "content").parts[:2])
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(item_id).iter_errors(load_record(path))]
    assert errors == []


def test_wrong_records_fail():
    check = validator("credit/blacklist")
    good = load_record(ROOT / "content/credit/blacklist/2026-batch1.yaml")
    assert check.is_valid(good)
    row = good["rows"][0]
    for change, where in [
        (lambda d: d.update(date="2023年13月1日号"), ["date"]),
        (lambda d: d.update(tittle="x"), []),
        (lambda d: d["rows"][0].update(身份证号=110101199003071233), ["rows", 0, "身份证号"]),  # unquoted: a number
        (lambda d: d["rows"][0].pop("原因"), ["rows", 0]),
        (lambda d: d["rows"][0].update(籍贯="重庆"), ["rows", 0]),
        (lambda d: d.update(rows_from="list.xlsx"), []),  # rows and rows_from together
    ]:
        data = json.loads(json.dumps(good, ensure_ascii=False))
        change(data)
        errors = list(check.iter_errors(data))
        assert errors, change
        assert any(list(e.absolute_path) == where for e in errors), [(list(e.absolute_path), e.message) for e in errors]
    assert row  # the original is untouched
    enum = validator("allocation/results")
    data = load_record(ROOT / "content/allocation/results/2026-batch1.yaml")
    data["rows"][0]["保障性住房类型"] = "公租房"
    assert not enum.is_valid(data)


def test_schema_from_the_command_line(tmp_path):
    result = run("catalog", "--format", "jsonschema", "allocation/results")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    row = schema["properties"]["rows"]["items"]
    assert "身份证号" in row["properties"] and "保障对象姓名" in row["required"]
    assert "公开时隐藏部分号码" in row["properties"]["身份证号"]["description"]
    out = tmp_path / "schemas"
    result = run("catalog", "--format", "jsonschema", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.schema.json"))) == len(CATALOG.items)
    assert (out / "credit.blacklist.schema.json").is_file()
    assert run("catalog", "--format", "jsonschema").returncode == 2
    assert run("catalog", "--format", "jsonschema", "allocation/nothing").returncode == 2
