"""Attachments are published as they are: their text is checked for personal data before any build writes."""
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import run, write_site

from generator.model.diagnostics import Report
from generator.privacy import attachscan, leakgate

ID = "110101199003071233"
TODAY = "2026-10-01"
FOLDER = "content/tenancy/subsidy-payments"


def pdf(pages: list, annotations: dict | None = None) -> bytes:
    """A minimal PDF: each page shows its text in Helvetica, or (None) only an image, as a scan does,
    or (bytes) runs its own content stream; `annotations` gives a page (by index) a note's text."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               4: b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                  b"/BitsPerComponent 8 /Length 1 >>\nstream\n\xff\nendstream"}
    kids = []
    for n, text in enumerate(pages):
        page, content = 10 + 2 * n, 11 + 2 * n
        kids.append(f"{page} 0 R".encode())
        stream = (b"q 200 0 0 200 0 0 cm /Im1 Do Q" if text is None else text if isinstance(text, bytes)
                  else f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
        note = (annotations or {}).get(n)
        annots = b" /Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 20 20] /Contents (%s) >>]" % note.encode() \
            if note else b""
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents %d 0 R "
                         b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >>%s >>" % (content, annots))
        objects[content] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages))
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[number]) if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def xlsx(path: Path, cells: dict) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["姓名", "备注", "证件号"])
    for ref, value in cells.items():
        book.active[ref] = value
    book.save(path)


def word(path: Path, paragraphs: list[str], table: list | None = None) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.save(path)


def attached_site(root: Path, name: str) -> Path:
    return write_site(root, {f"{FOLDER}/a.yaml":
                             "title: 租赁补贴发放\ndate: 2026-09-28\nindex_no: TEST/2026-00001\n"
                             "rows:\n  - {保障对象姓名: 张三, 身份证号: '440305200012314565', 发放金额: 100,"
                             " 发放年月: 2026-09}\n"
                             f"attachments: [{name}]\n"})


def make(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "clean":
        path.write_text("名单见正文。\n", encoding="utf-8")
    elif kind == "clean-xlsx":
        xlsx(path, {"A2": "张三", "B2": "已核"})
    elif kind == "clean-docx":
        word(path, ["配租名单见正文。"])
    elif kind == "clean-pdf":
        path.write_bytes(pdf(["Name list, see the page"]))
    elif kind == "xlsx":
        xlsx(path, {"A2": "张三", "B2": "已核", "C3": f"身份证 {ID}"})
    elif kind == "docx":
        word(path, ["配租名单如下：", f"张三，身份证号 {ID}，已入住。"])
    elif kind == "pdf":
        path.write_bytes(pdf(["Name list, page one", f"Zhang San {ID}"]))


@pytest.mark.parametrize("name, kind, place", [
    ("list.xlsx", "xlsx", "list.xlsx:Sheet1!C3"),
    ("list.docx", "docx", "list.docx:第 2 段"),
    ("list.pdf", "pdf", "list.pdf:第 2 页"),
])
def test_a_raw_id_in_an_attachment_fails_the_build_and_keeps_the_output(tmp_path, name, kind, place):
    site = attached_site(tmp_path / "site", name)
    attachment = tmp_path / "site" / FOLDER / name
    make(attachment, "clean-" + kind)
    out = tmp_path / "out"
    first = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    make(attachment, kind)
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.returncode == 1
    line = next(l for l in result.stderr.splitlines() if "attachment-leak" in l)
    assert line.startswith(f"{FOLDER}/{place}: error[attachment-leak]: 附件中有未隐藏的身份证号 110***1233"), line
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before
    assert run("validate", "--site", str(site)).returncode == 1  # validate finds it too


def scanned(tmp_path: Path, name: str, secrets=frozenset()) -> list[str]:
    path = tmp_path / name
    if not path.exists():
        make(path, name.split(".")[-1])
    report = Report()
    attachscan.check_file(path, name, leakgate.Secrets(set(secrets)), {"12329"}, report)
    return [d.format().split("\n")[0] for d in report.diagnostics]


def test_an_image_only_pdf_asks_for_a_person(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(pdf([None, None]))
    [line] = scanned(tmp_path, "scan.pdf")
    assert line.startswith("scan.pdf: warning[attachment-unchecked]") and "没有文字层" in line


def test_pages_without_text_are_named(tmp_path):
    (tmp_path / "mixed.pdf").write_bytes(pdf(["Page one", None, "Page three"]))
    [line] = scanned(tmp_path, "mixed.pdf")
    assert "warning[attachment-unchecked]" in line and "第 2 页没有文字层" in line


@pytest.mark.parametrize("name, why", [("photo.jpg", "图片"), ("old.doc", "旧版 Word"), ("bundle.zip", "压缩包")])
def test_files_without_readable_text_are_warnings(tmp_path, name, why):
    (tmp_path / name).write_bytes(b"\x00binary")
    [line] = scanned(tmp_path, name)
    assert line.startswith(f"{name}: warning[attachment-unchecked]") and why in line


def test_a_word_table_cell_and_a_mobile_are_found(tmp_path):
    word(tmp_path / "t.docx", ["说明"], [["姓名", "电话"], ["张三", "139 1234 5678"]])
    assert scanned(tmp_path, "t.docx") == ["t.docx:表格 1 第 2 行第 2 列: error[attachment-leak]: 附件中有未隐藏的手机号 139****5678"]


def test_a_raw_value_of_the_site_is_found_even_without_a_valid_checksum(tmp_path):
    (tmp_path / "a.csv").write_text("姓名,证件\n张三,111111199001011111\n", encoding="gb18030")
    lines = scanned(tmp_path, "a.csv", {"111111199001011111"})
    assert lines == ["a.csv:2:4: error[attachment-leak]: 附件中有未隐藏的个人信息 111***1111"]


def test_hotlines_and_ordinary_numbers_pass(tmp_path):
    (tmp_path / "a.txt").write_text("咨询电话 12329，项目编码 2024-500103-70-01-000123，面积 55.5㎡\n", encoding="utf-8")
    assert scanned(tmp_path, "a.txt") == []


def test_an_id_typed_as_a_number_in_a_sheet_is_still_a_leak(tmp_path):
    xlsx(tmp_path / "n.xlsx", {"C2": float(ID), "B2": 13912345678.0})
    assert scanned(tmp_path, "n.xlsx") == [
        "n.xlsx:Sheet1!B2: error[attachment-leak]: 附件中有未隐藏的手机号 139****5678",
        "n.xlsx:Sheet1!C2: error[attachment-leak]: 附件中有未隐藏的身份证号或银行卡号（被存成了数字） 110***"]


def test_a_whole_list_is_reported_once_it_is_clear(tmp_path):
    (tmp_path / "all.csv").write_text("\n".join(f"王{n},1391234{n:04d}" for n in range(40)), encoding="utf-8")
    lines = scanned(tmp_path, "all.csv")
    assert len(lines) == attachscan.REPORTED_PER_FILE + 1 and "共有 40 处" in lines[-1]


def test_a_leak_in_a_text_attachment_is_reported_once(tmp_path):
    site = attached_site(tmp_path / "site", "list.csv")
    (tmp_path / "site" / FOLDER / "list.csv").write_text(f"姓名,身份证号\n张三,{ID}\n", encoding="utf-8")
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert errors == [f"{FOLDER}/list.csv:2:4: error[attachment-leak]: 附件中有未隐藏的身份证号 110***1233"]
