"""Bid files the bidding tests generate: small PDFs and OOXML packages with known metadata."""

from __future__ import annotations

import io
import zipfile

CORE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">
  <dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{modified_by}</cp:lastModifiedBy>
</cp:coreProperties>"""
APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
  <Application>{application}</Application><Company>{company}</Company>
</Properties>"""


def pdf(info: bytes, *, body: bytes = b"") -> bytes:
    """A minimal PDF whose Info dictionary is `info` (the bytes between << and >>)."""
    return b"%PDF-1.4\n" + body + b"1 0 obj\n<< " + info + b" >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n"


def docx(
    creator: str = "张三",
    modified_by: str = "李四",
    application: str = "Microsoft Office Word",
    company: str = "某建设集团",
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("docProps/core.xml", CORE_XML.format(creator=creator, modified_by=modified_by))
        z.writestr("docProps/app.xml", APP_XML.format(application=application, company=company))
    return buf.getvalue()
