"""Author and creating application of bid files (电子办法 art. 49): PDF Info dictionary, XMP, OOXML docProps."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from ggzy.bidding import docmeta
from ggzy.bidding.docmeta import DocMeta
from tests.bidding.files import docx, pdf


def test_pdf_literal_strings_with_escapes_and_nested_parentheses() -> None:
    meta = docmeta.extract_bytes(pdf(rb"/Author (Zhang \(San\) (CEO)) /Creator (Word\040\061\0629) /Producer (A\\B)"))
    assert meta == DocMeta("pdf", author="Zhang (San) (CEO)", application="Word 129", producer="A\\B")


def test_pdf_utf16_hex_and_literal_strings_decode_to_chinese() -> None:
    utf16 = "\ufeff张三".encode("utf-16-be")
    literal = b"(" + utf16.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    info = b"/Author " + literal + b" /Creator <FEFF 5F20 4E09> /Producer <FEFF00570050005>"
    meta = docmeta.extract_bytes(pdf(info))
    assert (meta.author, meta.application, meta.producer) == (
        "张三",
        "张三",
        "WPP",
    )  # an odd last digit is padded with 0


def test_pdf_utf8_values_written_without_a_bom_are_read_as_utf8() -> None:
    assert docmeta.extract_bytes(pdf("/Author (王五)".encode())).author == "王五"


def test_the_newest_incremental_update_wins() -> None:
    data = pdf(b"/Author (Old) /Producer (P1)") + b"2 0 obj\n<< /Author (New) >>\nendobj\n%%EOF\n"
    meta = docmeta.extract_bytes(data)
    assert (meta.author, meta.producer) == ("New", "P1")


def test_xmp_fills_in_what_the_info_dictionary_lacks() -> None:
    xmp = (
        b"<x:xmpmeta><rdf:RDF><rdf:Description><dc:creator><rdf:Seq><rdf:li>Zhao &amp; Liu</rdf:li></rdf:Seq>"
        b"</dc:creator><xmp:CreatorTool>WPS \xe6\x96\x87\xe5\xad\x97</xmp:CreatorTool></rdf:Description></rdf:RDF>"
        b"</x:xmpmeta>\n"
    )
    meta = docmeta.extract_bytes(pdf(b"/Producer (Skia)", body=xmp))
    assert (meta.author, meta.application, meta.producer) == ("Zhao & Liu", "WPS 文字", "Skia")


def test_a_pdf_without_metadata_or_with_a_broken_string_gives_none() -> None:
    assert docmeta.extract_bytes(pdf(b"/Title (x)")) == DocMeta("pdf")
    assert docmeta.extract_bytes(b"%PDF-1.7\n/Author (never closed") == DocMeta("pdf")
    assert docmeta.extract_bytes(pdf(b"/Author <zz>")) == DocMeta("pdf")


def test_control_characters_are_dropped_and_values_are_bounded() -> None:
    meta = docmeta.extract_bytes(pdf(b"/Author (a\\nb\\tc\x07) /Creator (" + b"x" * 1200 + b")"))
    assert meta.author == "abc"
    assert meta.application == "x" * docmeta.MAX_VALUE
    assert docmeta.extract_bytes(pdf(b"/Author (" + b"y" * 5000 + b")")).author is None  # past the scan window


def test_docx_core_and_app_properties() -> None:
    meta = docmeta.extract_bytes(docx())
    assert meta == DocMeta(
        "ooxml", author="张三", application="Microsoft Office Word", last_modified_by="李四", company="某建设集团"
    )


def test_files_on_disk_are_read_by_path(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf(b"/Author (Disk)"))
    (tmp_path / "b.docx").write_bytes(docx(creator="Disk"))
    (tmp_path / "c.txt").write_bytes(b"plain")
    (tmp_path / "d.bin").write_bytes(b"")
    assert docmeta.extract(tmp_path / "a.pdf").author == "Disk"
    assert docmeta.extract(tmp_path / "b.docx").author == "Disk"
    assert docmeta.extract(tmp_path / "c.txt") == docmeta.extract(tmp_path / "d.bin") == DocMeta("other")


@pytest.mark.parametrize(
    "member",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><cp:coreProperties xmlns:cp="urn:x">&a;</cp:coreProperties>',
        "<not-closed>",
    ],
)
def test_hostile_or_broken_ooxml_gives_no_metadata_and_no_error(member: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("docProps/core.xml", member)
    assert docmeta.extract_bytes(buf.getvalue()) == DocMeta("other")


def test_a_zip_bomb_member_is_not_inflated_past_the_limit() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docProps/app.xml", b"<a>" + b" " * (docmeta.MAX_XML + 10) + b"</a>")
        z.writestr("docProps/core.xml", "<x/>")
    meta = docmeta.extract_bytes(buf.getvalue())
    assert meta.kind == "ooxml" and meta.application is None


def test_a_zip_that_is_not_ooxml_or_is_broken_is_other() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hi")
    assert docmeta.extract_bytes(buf.getvalue()) == DocMeta("other")
    assert docmeta.extract_bytes(b"PK\x03\x04garbage") == DocMeta("other")
