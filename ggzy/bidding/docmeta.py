"""文件元数据 — author and creating application of bid files (PDF Info dictionary, OOXML docProps), 电子办法 art. 49.

Best effort by design: a regex over the PDF bytes finds the last `/Author`, `/Creator` and `/Producer` (the
newest incremental update wins), falling back to XMP; it cannot see inside compressed object streams or
encrypted PDFs. OOXML files (docx, xlsx, pptx) carry `docProps/core.xml` and `docProps/app.xml`. Other
files get no metadata. Nothing here raises on a strange file: unknown is `None`.
"""

from __future__ import annotations

import io
import mmap
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET  # DOCTYPEs are refused before parsing (see _xml)
from xml.sax.saxutils import unescape

MAX_VALUE = 500
MAX_XML = 1024 * 1024
_PDF_KEY = re.compile(rb"/(Author|Creator|Producer)\s*(\(|<(?!<))")
_XMP = {
    "author": re.compile(rb"<dc:creator>\s*<rdf:Seq>\s*<rdf:li[^>]*>([^<]{1,2000})</rdf:li>"),
    "application": re.compile(rb"<xmp:CreatorTool>([^<]{1,2000})</xmp:CreatorTool>"),
    "producer": re.compile(rb"<pdf:Producer>([^<]{1,2000})</pdf:Producer>"),
}
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}


@dataclass(frozen=True)
class DocMeta:
    kind: str  # "pdf", "ooxml" or "other"
    author: str | None = None
    application: str | None = None  # the creating application (PDF /Creator, OOXML Application)
    producer: str | None = None  # PDF /Producer (the library that wrote the PDF)
    last_modified_by: str | None = None  # OOXML cp:lastModifiedBy
    company: str | None = None  # OOXML Company: the same unit preparing several bids (条例 art. 40)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def extract(path: Path) -> DocMeta:
    """Metadata of a file on disk; PDFs are memory-mapped, never read whole."""
    with open(path, "rb") as f:
        head = f.read(8)
        if head.startswith(b"%PDF-"):
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
                return pdf_metadata(m)
        if head.startswith(b"PK\x03\x04"):
            f.seek(0)
            return ooxml_metadata(f)
    return DocMeta("other")


def extract_bytes(data: bytes) -> DocMeta:
    if data.startswith(b"%PDF-"):
        return pdf_metadata(data)
    if data.startswith(b"PK\x03\x04"):
        return ooxml_metadata(io.BytesIO(data))
    return DocMeta("other")


def pdf_metadata(data: bytes | mmap.mmap) -> DocMeta:
    found: dict[str, str] = {}
    for m in _PDF_KEY.finditer(data):
        raw = _literal(data, m.end()) if m.group(2) == b"(" else _hex(data, m.end())
        if raw is not None:
            found[m.group(1).decode()] = _pdf_text(raw)
    meta = {"author": found.get("Author"), "application": found.get("Creator"), "producer": found.get("Producer")}
    for field, pattern in _XMP.items():
        if meta[field] is None and (x := pattern.search(data)):
            meta[field] = _clean(unescape(x.group(1).decode("utf-8", "replace")))
    return DocMeta("pdf", **meta)


def _literal(data: bytes | mmap.mmap, pos: int) -> bytes | None:
    """A PDF literal string from just after its `(`: balanced parentheses, backslash escapes, octal."""
    out, depth, end = bytearray(), 1, min(len(data), pos + 4 * MAX_VALUE)
    while pos < end:
        c = data[pos]
        pos += 1
        if c == 0x5C and pos < end:  # backslash
            e = data[pos]
            pos += 1
            if e in _ESCAPES:
                out += _ESCAPES[e]
            elif 0x30 <= e <= 0x37:
                digits = bytes([e])
                while len(digits) < 3 and pos < end and 0x30 <= data[pos] <= 0x37:
                    digits += bytes([data[pos]])
                    pos += 1
                out.append(int(digits, 8) & 0xFF)
            elif e not in (0x0A, 0x0D):  # a backslash before a line break continues the line
                out.append(e)
            continue
        depth += {0x28: 1, 0x29: -1}.get(c, 0)
        if depth == 0:
            return bytes(out)
        out.append(c)
    return None


def _hex(data: bytes | mmap.mmap, pos: int) -> bytes | None:
    end = data.find(b">", pos, pos + 8 * MAX_VALUE)
    if end < 0:
        return None
    digits = re.sub(rb"\s", b"", bytes(data[pos:end]))
    if not re.fullmatch(rb"[0-9A-Fa-f]*", digits):
        return None
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def _pdf_text(raw: bytes) -> str:
    """UTF-16BE with a BOM, UTF-8 with a BOM (PDF 2.0), else UTF-8 if it is, else PDFDocEncoding ≈ Latin-1."""
    if raw.startswith(b"\xfe\xff"):
        return _clean(raw[2:].decode("utf-16-be", "replace"))
    if raw.startswith(b"\xef\xbb\xbf"):
        return _clean(raw[3:].decode("utf-8", "replace"))
    try:
        return _clean(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _clean(raw.decode("latin-1"))


def _clean(text: str) -> str:
    return "".join(c for c in text if c.isprintable()).strip()[:MAX_VALUE]


def ooxml_metadata(f: IO[bytes]) -> DocMeta:
    try:
        with zipfile.ZipFile(f) as z:
            core, app = _xml(z, "docProps/core.xml"), _xml(z, "docProps/app.xml")
    except (zipfile.BadZipFile, OSError, EOFError):
        return DocMeta("other")
    if core is None and app is None:
        return DocMeta("other")
    return DocMeta(
        "ooxml",
        author=_text(core, "dc:creator"),
        last_modified_by=_text(core, "cp:lastModifiedBy"),
        application=_text(app, "ep:Application"),
        company=_text(app, "ep:Company"),
    )


def _xml(z: zipfile.ZipFile, name: str) -> ET.Element | None:
    try:
        with z.open(name) as member:
            data = member.read(MAX_XML + 1)  # bounds the decompressed size whatever the header claims
    except (KeyError, zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError):
        return None
    if len(data) > MAX_XML or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        return ET.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entities to expand
    except ET.ParseError:
        return None


def _text(root: ET.Element | None, path: str) -> str | None:
    if root is None:
        return None
    el = root.find(path, _NS)
    if el is None or not el.text:
        return None
    return _clean(el.text) or None
