"""定标文书 — the award notice (中标通知书) and the contract drafted from the award, as PDFs with Chinese text
(reportlab's built-in CID font STSong-Light, as the evaluation report: no font file, reproducible bytes)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ggzy.core.clock import SHANGHAI

FONT = "STSong-Light"


@dataclass(frozen=True)
class Letter:
    title: str  # 中标通知书 / 合同
    to: str
    lines: list[str]
    sender: str
    at: datetime


def _styles() -> tuple[ParagraphStyle, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18, spaceAfter=6)
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=18, leading=26, alignment=1, spaceAfter=12)
    return body, h1


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(letter: Letter) -> bytes:
    body, h1 = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=letter.title,
        invariant=True,
    )
    story: list[object] = [Paragraph(_esc(letter.title), h1), Paragraph(_esc(letter.to) + "：", body)]
    story += [Paragraph(_esc(line), body) for line in letter.lines]
    story += [
        Spacer(1, 16),
        Paragraph(_esc(letter.sender), ParagraphStyle("r", parent=body, alignment=2)),
        Paragraph(f"{letter.at.astimezone(SHANGHAI):%Y年%m月%d日}", ParagraphStyle("r2", parent=body, alignment=2)),
    ]
    doc.build(story)
    return out.getvalue()


def money(v: Decimal | None) -> str:
    return f"¥{v:,.2f}" if v is not None else "—"
