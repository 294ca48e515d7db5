"""Every part of an attachment a reader can be shown is checked: Word headers, footers, text
boxes, notes and comments; Excel comments and hidden sheets, rows and columns; PDF forms
printed one digit per box; text files in any encoding and markup. A text file that cannot
be read is an error, not a warning."""
import codecs
import datetime as dt
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from test_attachments import FOLDER, ID, TODAY, attached_site, pdf, scanned
from test_table_sources import ods

from generator.config.fieldtypes import id_check_digit
from generator.privacy import attach_pdf, attach_text, attachscan
from generator.privacy.mask import mask_id_card, mask_phone

MASKED = "110***1233"
MOBILE = "13912345678"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _run(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def patch(path: Path, parts: dict | None = None, document=None) -> None:
    """Add or replace parts of an Office file; `document(xml)` edits word/document.xml."""
    with zipfile.ZipFile(path) as archive:
        items = {name: archive.read(name) for name in archive.namelist()}
    items.update({name: data if isinstance(data, bytes) else data.encode() for name, data in (parts or {}).items()})
    if document:
        items["word/document.xml"] = document(items["word/document.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items.items():
            archive.writestr(name, data)


def in_body(xml: str):
    return lambda document: document.replace("<w:sectPr", xml + "<w:sectPr", 1) if "<w:body><w:sectPr" in document \
        else document.replace("</w:body>", xml + "</w:body>")


# -- Word --------------------------------------------------------------------------------

def word_header(path):
    document = docx.Document()
    document.add_paragraph("配租结果公示")
    document.sections[0].header.paragraphs[0].text = f"经办人身份证号 {ID}"
    document.save(path)


def word_footer(path):
    document = docx.Document()
    document.add_paragraph("配租结果公示")
    document.sections[0].footer.paragraphs[0].text = f"联系人 {ID}"
    document.save(path)


def word_first_page_header(path):
    document = docx.Document()
    document.add_paragraph("配租结果公示")
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = f"首页 {ID}"
    document.save(path)


def word_even_footer_of_section_2(path):
    document = docx.Document()
    document.add_paragraph("第一部分")
    document.add_section()
    document.settings.odd_and_even_pages_header_footer = True
    footer = document.sections[1].even_page_footer
    footer.is_linked_to_previous = False
    footer.paragraphs[0].text = f"偶数页 {ID}"
    document.save(path)


def word_text_box(path):
    docx.Document().save(path)
    box = f"<w:txbxContent>{_run('身份证号 ' + ID)}</w:txbxContent>"
    patch(path, document=in_body(
        '<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:Choice Requires="wps">{box}</mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>'
        "</mc:AlternateContent></w:r></w:p>"))


def word_footnote(path):
    docx.Document().save(path)
    patch(path, {"word/footnotes.xml":
                 f'<w:footnotes {W_NS}><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
                 f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>'
                 f'<w:footnote w:id="1">{_run("见附表")}</w:footnote>'
                 f'<w:footnote w:id="2">{_run("申请人 " + ID)}</w:footnote></w:footnotes>'})


def word_endnote(path):
    docx.Document().save(path)
    patch(path, {"word/endnotes.xml": f'<w:endnotes {W_NS}><w:endnote w:id="1">{_run(ID)}</w:endnote></w:endnotes>'})


def word_comment(path):
    document = docx.Document()
    paragraph = document.add_paragraph("张三已入住")
    document.add_comment(paragraph.runs, text="核对：张三", author="经办人")
    document.add_comment(paragraph.runs, text=f"身份证 {ID}", author="经办人")
    document.save(path)


def word_deleted_text(path):
    docx.Document().save(path)
    patch(path, document=in_body(
        f'<w:p><w:r><w:t>张三</w:t></w:r><w:del w:id="1" w:author="x"><w:r><w:delText>{ID}</w:delText></w:r></w:del></w:p>'))


def word_nested_table(path):
    docx.Document().save(path)
    inner = f"<w:tbl><w:tr><w:tc>{_run(ID)}</w:tc></w:tr></w:tbl>"
    patch(path, document=in_body(f"<w:tbl><w:tr><w:tc>{_run('姓名')}</w:tc><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"))


# -- Excel -------------------------------------------------------------------------------

def sheet_book(path, edit):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    for row in (["姓名", "备注"], ["张三", "已核"], ["李四", "已核"]):
        book.active.append(row)
    edit(book)
    book.save(path)


def excel_comment(path):
    sheet_book(path, lambda book: setattr(book.active["B2"], "comment", Comment(f"身份证 {ID}", "经办人")))


def excel_hidden_sheet(path):
    def edit(book):
        old = book.create_sheet("旧名单")
        old.append(["王五", ID])
        old.sheet_state = "hidden"
    sheet_book(path, edit)


def excel_hidden_row(path):
    def edit(book):
        book.active.append(["王五", ID])
        book.active.row_dimensions[4].hidden = True
    sheet_book(path, edit)


def excel_hidden_column(path):
    def edit(book):
        book.active["D2"] = ID
        book.active.column_dimensions["D"].hidden = True
    sheet_book(path, edit)


def excel_text_box(path):
    sheet_book(path, lambda book: None)
    patch(path, {"xl/drawings/drawing1.xml":
                 '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
                 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor><xdr:sp>'
                 f'<xdr:txBody><a:p><a:r><a:t>联系人 {ID}</a:t></a:r></a:p></xdr:txBody>'
                 "</xdr:sp></xdr:twoCellAnchor></xdr:wsDr>"})


def ods_comment(path):
    ods(path, [["姓名", "备注"], ["张三", "已核"]], comment=f"身份证 {ID}")


def word_embedded_sheet(path):
    inner = path.with_name("inner.xlsx")
    sheet_book(inner, lambda book: book.active.append(["王五", ID]))
    docx.Document().save(path)
    patch(path, {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": inner.read_bytes()})
    inner.unlink()


# -- PDF ---------------------------------------------------------------------------------

def boxes(number: str, label: str = "ID") -> bytes:
    """A content stream printing each digit in a box of its own, as a paper form does."""
    return f"BT /F1 12 Tf 20 100 Td ({label}) Tj ".encode() + b" ".join(
        f"16 0 Td ({d}) Tj".encode() for d in number) + b" ET"


def pdf_digit_boxes(path):
    path.write_bytes(pdf([boxes(ID)]))


def pdf_annotation(path):
    path.write_bytes(pdf(["Name list"], annotations={0: f"ID {ID}"}))


# -- text --------------------------------------------------------------------------------

def text(data: str, encoding: str, bom: bytes = b""):
    return lambda path: path.write_bytes(bom + data.encode(encoding))


LINE = f"张三\t{ID}"
LEAKS = {  # case: (file name, writer, place after the folder, said after the masked number)
    "word-header": ("a.docx", word_header, "a.docx:页眉", ""),
    "word-footer": ("a.docx", word_footer, "a.docx:页脚", ""),
    "word-first-page-header": ("a.docx", word_first_page_header, "a.docx:首页页眉", ""),
    "word-even-page-footer-section-2": ("a.docx", word_even_footer_of_section_2, "a.docx:第 2 节偶数页页脚", ""),
    "word-text-box": ("a.docx", word_text_box, "a.docx:文本框 1", ""),
    "word-footnote": ("a.docx", word_footnote, "a.docx:脚注 2", ""),
    "word-endnote": ("a.docx", word_endnote, "a.docx:尾注 1", ""),
    "word-comment": ("a.docx", word_comment, "a.docx:批注 2", ""),
    "word-deleted-text": ("a.docx", word_deleted_text, "a.docx:第 1 段", ""),
    "word-nested-table": ("a.docx", word_nested_table, "a.docx:表格 1 第 1 行第 2 列", ""),
    "word-embedded-excel-sheet": ("a.docx", word_embedded_sheet,
                                  "a.docx:嵌入的 Microsoft_Excel_Worksheet.xlsx 中的 Sheet1!B4", ""),
    "ods-comment": ("a.ods", ods_comment, "a.ods:Sheet1 的批注 1", ""),
    "excel-comment": ("a.xlsx", excel_comment, "a.xlsx:Sheet1!B2 的批注", ""),
    "excel-hidden-sheet": ("a.xlsx", excel_hidden_sheet, "a.xlsx:旧名单!B1", "（在隐藏的工作表中）"),
    "excel-hidden-row": ("a.xlsx", excel_hidden_row, "a.xlsx:Sheet1!B4", "（在隐藏的行中）"),
    "excel-hidden-column": ("a.xlsx", excel_hidden_column, "a.xlsx:Sheet1!D2", "（在隐藏的列中）"),
    "excel-text-box": ("a.xlsx", excel_text_box, "a.xlsx:图形中的文字（xl/drawings/drawing1.xml）", ""),
    "pdf-digit-boxes": ("a.pdf", pdf_digit_boxes, "a.pdf:第 1 页", "（逐位分开印刷）"),
    "pdf-annotation": ("a.pdf", pdf_annotation, "a.pdf:第 1 页的批注", ""),
    "excel-unicode-text": ("a.txt", text(f"姓名\t身份证号\r\n{LINE}\r\n", "utf-16-le", codecs.BOM_UTF16_LE), "a.txt:2:4", ""),
    "utf-16-be-text": ("a.txt", text(f"姓名\n{LINE}\n", "utf-16-be", codecs.BOM_UTF16_BE), "a.txt:2:4", ""),
    "utf-16-without-bom": ("a.txt", text(f"姓名\n{LINE}\n", "utf-16-le"), "a.txt:2:4", ""),
    "utf-8-bom-csv": ("a.csv", text(f"姓名,身份证号\n张三,{ID}\n", "utf-8", codecs.BOM_UTF8), "a.csv:2:4", ""),
    "gbk-text": ("a.txt", text(f"名单\n{LINE}\n", "gbk"), "a.txt:2:4", ""),
    "tsv": ("a.tsv", text(f"姓名\t身份证号\n{LINE}\n", "utf-8"), "a.tsv:2:4", ""),
    "json": ("a.json", text(f'[\n  {{"姓名": "张三", "证件": "{ID}"}}\n]\n', "utf-8"), "a.json:2:23", ""),
    "json-escapes": ("a.json", text('{"证件": "110101\\u00319\\u003900307-1233"}\n'.replace("-", ""), "utf-8"),
                     "a.json:1:9", ""),
    "html-character-reference": ("a.html", text("<p>张三 110101&#49;99003071233</p>\n", "utf-8"), "a.html:1:7", ""),
    "htm-inline-markup": ("a.htm", text("<td>110101<b>19900307</b>1233</td>\n", "utf-8"), "a.htm:1:5", ""),
    "xml": ("a.xml", text(f"<名单>\n  <人 证件=\"{ID}\"/>\n</名单>\n", "utf-8"), "a.xml:2:10", ""),
}


@pytest.mark.parametrize("case", LEAKS)
def test_a_number_in_this_part_of_an_attachment_stops_the_build(tmp_path, case):
    name, write, place, note = LEAKS[case]
    site = attached_site(tmp_path / "site", name)
    write(tmp_path / "site" / FOLDER / name)
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    said = result.stdout + result.stderr
    assert result.returncode == 1, said
    errors = [line for line in said.splitlines() if "error[attachment-leak]" in line]
    assert errors == [f"{FOLDER}/{place}: error[attachment-leak]: 附件中有未隐藏的身份证号 {MASKED}{note}"], said
    assert ID not in said and not (tmp_path / "out").exists()


# -- what cannot be read -----------------------------------------------------------------

def truncated(make):
    def write(path):
        make(path)
        data = path.read_bytes()
        path.write_bytes(data[:len(data) // 2])
    return write


UNREADABLE = {
    "damaged-docx": ("a.docx", truncated(word_header)),
    "damaged-xlsx": ("a.xlsx", truncated(excel_comment)),
    "damaged-pdf": ("a.pdf", lambda path: path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")),
    "text-in-no-known-encoding": ("a.txt", lambda path: path.write_bytes(b"\x81\xff" * 5)),
    "docx-that-is-not-a-zip": ("a.docx", lambda path: path.write_text("不是 Word 文件", encoding="utf-8")),
}


@pytest.mark.parametrize("case", UNREADABLE)
def test_a_text_attachment_that_cannot_be_read_is_an_error(tmp_path, case):
    name, write = UNREADABLE[case]
    site = attached_site(tmp_path / "site", name)
    write(tmp_path / "site" / FOLDER / name)
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 1, result.stderr
    assert f"{FOLDER}/{name}: error[attachment-unreadable]: 附件“{name}”读不出来" in result.stderr


def test_an_undecodable_byte_order_mark_is_named(tmp_path):
    (tmp_path / "u.txt").write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate
    [line] = scanned(tmp_path, "u.txt")
    assert "error[attachment-unreadable]" in line and "UTF-16" in line


# -- what is not a leak ------------------------------------------------------------------

def test_a_table_of_small_numbers_in_a_pdf_is_not_joined_into_a_number():
    page = "1 2 0 3 4 5 6 7 8 9 1 0 2 2\n3 1 4 1 5 9 2 6 5 3 5 8 9 7 9 3 2 3 8 4 6\n1 3 5 7 9 2 4 6 8 0 1 2"
    assert attach_pdf.joined(page) == []


def test_digits_in_boxes_are_joined_only_into_a_whole_plausible_number():
    assert attach_pdf.joined(" ".join(ID)) == [ID]
    assert attach_pdf.joined(" ".join(MOBILE)) == [MOBILE]
    assert attach_pdf.joined(" ".join("1391234567")) == []  # 10 digits: nothing
    assert attach_pdf.joined(" ".join("77" + ID + "5")) == [ID]  # among other boxes on the line
    assert attach_pdf.joined(" ".join(MOBILE + "0")) == []  # 12 digits: not a mobile


def test_a_pdf_with_digit_boxes_of_a_hotline_passes(tmp_path):
    (tmp_path / "h.pdf").write_bytes(pdf([boxes("12329", "Tel")]))
    assert scanned(tmp_path, "h.pdf") == []


def test_html_without_numbers_passes_and_attributes_are_read(tmp_path):
    (tmp_path / "ok.html").write_text("<p>咨询电话 <b>12329</b>，面积 55.5&#13217;</p>\n", encoding="utf-8")
    assert scanned(tmp_path, "ok.html") == []
    (tmp_path / "attr.html").write_text(f'<a href="tel:{MOBILE}">联系我们</a>\n', encoding="utf-8")
    assert scanned(tmp_path, "attr.html") == ["attr.html:1:14: error[attachment-leak]: 附件中有未隐藏的手机号 139****5678"]


def test_a_number_seen_both_raw_and_without_markup_is_reported_once(tmp_path):
    (tmp_path / "a.html").write_text(f"<td>{ID}</td>\n", encoding="utf-8")
    assert scanned(tmp_path, "a.html") == [f"a.html:1:5: error[attachment-leak]: 附件中有未隐藏的身份证号 {MASKED}"]


def test_markdown_emphasis_splitting_a_number_is_removed(tmp_path):
    # a .md file beside a record is itself a record, so this is checked on the file alone
    (tmp_path / "a.md").write_text("# 名单\n\n张三 110101**19900307**1233\n", encoding="utf-8")
    assert scanned(tmp_path, "a.md") == [f"a.md:3:4: error[attachment-leak]: 附件中有未隐藏的身份证号 {MASKED}"]


def test_the_view_of_a_line_keeps_the_column_of_each_character():
    seen, offsets = attach_text.view("a<b>12</b>&#51;", attach_text._MARKUP, attach_text._markup)
    assert seen == "a123" and offsets == (0, 4, 5, 10)


def test_a_word_file_with_only_pictures_is_still_a_warning(tmp_path):
    docx.Document().save(tmp_path / "p.docx")
    patch(tmp_path / "p.docx", document=in_body("<w:p><w:r><w:drawing/></w:r></w:p>"))
    [line] = scanned(tmp_path, "p.docx")
    assert "warning[attachment-unchecked]" in line and "只有图片" in line


def test_a_clean_word_file_with_headers_and_notes_passes(tmp_path):
    path = tmp_path / "c.docx"
    document = docx.Document()
    document.add_paragraph("配租结果公示")
    document.sections[0].header.paragraphs[0].text = "咨询电话 12329"
    document.save(path)
    patch(path, {"word/footnotes.xml": f'<w:footnotes {W_NS}><w:footnote w:id="1">{_run("2024-03-15 发文")}'
                                       "</w:footnote></w:footnotes>"})
    assert scanned(tmp_path, "c.docx") == []
    passages, _ = attachscan.read(path, "c.docx")
    assert [str(p.place) for p in passages] == ["c.docx:第 1 段", "c.docx:页眉", "c.docx:脚注 1", "c.docx:文档属性"]


# -- any number, any text kind, any encoding ---------------------------------------------

@st.composite
def personal_numbers(draw):
    if draw(st.booleans()):
        birth = draw(st.dates(dt.date(1920, 1, 1), dt.date(2025, 12, 31)))
        first17 = f"{draw(st.integers(110000, 659999))}{birth:%Y%m%d}{draw(st.integers(0, 999)):03d}"
        number = first17 + id_check_digit(first17)
        return number, "身份证号", mask_id_card(number)
    number = f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 999999999)):09d}"
    return number, "手机号", mask_phone(number)


def disguised(number: str, suffix: str, how: str, cut: int) -> str:
    """The number as the file holds it: split by markup, a digit written as a reference or escape."""
    if how == "plain" or suffix in (".txt", ".csv", ".tsv"):
        return number
    if suffix == ".md":
        return number[:cut] + "**" + number[cut:]
    if suffix == ".json":
        return number[:cut] + f"\\u{ord(number[cut]):04x}" + number[cut + 1:]
    if how == "reference":
        return number[:cut] + f"&#{ord(number[cut])};" + number[cut + 1:]
    return number[:cut] + "<b>" + number[cut:] + "</b>"


WORDS = st.text(st.sampled_from("张三李四王五申请人身份证号联系电话，：。、 ()abcYZ"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(found=personal_numbers(), suffix=st.sampled_from(attachscan.TEXT_FILES),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gb18030"]),
       how=st.sampled_from(["plain", "reference", "markup"]), cut=st.integers(1, 10),
       before=WORDS, after=WORDS, lines_above=st.integers(0, 3))
def test_a_number_in_any_text_attachment_is_found_at_its_line_and_column(
        tmp_path_factory, found, suffix, encoding, how, cut, before, after, lines_above):
    number, name, masked = found
    line = before + disguised(number, suffix, how, cut) + after
    text = "名单\n" * lines_above + line + "\n"
    bom = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""
    folder = tmp_path_factory.mktemp("text")
    (folder / f"a{suffix}").write_bytes(bom + text.encode(encoding))
    lines = scanned(folder, f"a{suffix}")
    assert f"a{suffix}:{lines_above + 1}:{len(before) + 1}: error[attachment-leak]: 附件中有未隐藏的{name} {masked}" in lines
    # the raw line may hold another number too (a split ID's tail can pass as a card): on that line
    assert all(l.startswith(f"a{suffix}:{lines_above + 1}:") for l in lines) and not any(number in l for l in lines)
