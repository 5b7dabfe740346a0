"""评标报告 — the report as a PDF with Chinese text: the committee, the clearing, every expert's scores,
the ranking and the reasons for every rejection (条例 art. 53). reportlab's built-in CID font STSong-Light
(Adobe-GB1) needs no font file: readers supply the glyphs, so the PDF stays small and reproducible.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from ggzy.core.clock import SHANGHAI
from ggzy.entities.models import User
from ggzy.evaluation import queries
from ggzy.evaluation.models import Evaluation
from ggzy.evaluation.scoring import Sheet
from ggzy.projects.models import Project, Section
from ggzy.rules import evaluation as rules

FONT = "STSong-Light"
COLUMNS_PER_TABLE = 12


@dataclass
class Data:
    title: str
    section: str
    method: str
    at: datetime
    members: list[tuple[int, str, bool]]  # seat, name, chair
    criteria: list[tuple[str, str, str, Decimal]]  # id, name, kind, max
    bids: list[dict[str, object]]
    sheets: dict[int, Sheet]
    names: dict[str, str]
    base: str | None
    outliers: list[dict[str, str]]
    signs: list[str]
    questions: list[tuple[str, str, str]]
    quotes: list[tuple[int, str, Decimal, bool]]
    record: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def gather(session: Session, e: Evaluation, section: Section, project: Project, *, at: datetime) -> Data:
    method = queries.method_of(e)
    members = queries.members(session, e.id)
    users = {m.user_id: session.get(User, m.user_id) for m in members}
    sheets = queries.revealed_sheets(session, e)
    seat = {m.user_id: m.seat for m in members}
    bids = queries.bids(session, e.id)
    names = {b.org_id: b.name for b in bids}
    result = json.loads(e.result or "{}")
    return Data(
        title=project.name,
        section=f"{section.name}（{section.code}）",
        method=method.label,
        at=at,
        members=[(m.seat, (u.display_name if (u := users[m.user_id]) else m.user_id), m.is_chair) for m in members],
        criteria=[(c.id, c.name, c.kind, c.max_score) for c in method.criteria],
        bids=[
            {
                "org_id": b.org_id,
                "name": b.name,
                "price": b.price,
                "evaluated": b.evaluated,
                "notes": [n["text"] for n in json.loads(b.notes)],
                "reasons": json.loads(b.reasons),
                "subjective": b.subjective,
                "price_score": b.price_score,
                "total": b.total,
                "rank": b.rank,
            }
            for b in bids
        ],
        sheets={seat[u]: s for u, s in sheets.items()},
        names=names,
        base=result.get("base"),
        outliers=result.get("outliers", []),
        signs=[s["detail"] for s in json.loads(e.signs)],
        questions=[
            (names.get(q.org_id, q.org_id), q.question, q.answer or "（未答复）")
            for q in queries.questions(session, e.id)
        ],
        quotes=[(q.round, names.get(q.org_id, q.org_id), q.price, q.final) for q in queries.quotes(session, e.id)],
        record=e.negotiation_record,
    )


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13)
    h1 = ParagraphStyle("h1", fontName=FONT, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=FONT, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=9)
    return body, h1, h2, cell


def _money(v: object) -> str:
    return f"{v:,.2f}" if isinstance(v, Decimal) else "—"


def _table(rows: Sequence[Sequence[object]], widths: list[float] | None = None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def render(d: Data) -> bytes:
    body, h1, h2, cell = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"评标报告 {d.title}",
        invariant=True,
    )
    p = Paragraph
    story: list[object] = [
        p("评标报告", h1),
        p(f"项目：{d.title}　标段：{d.section}", body),
        p(f"评标办法：{d.method}　报告生成时间：{d.at.astimezone(SHANGHAI):%Y年%m月%d日 %H:%M}", body),
        p("一、评标委员会", h2),
        p("　".join(f"专家{s}：{n}{'（组长）' if c else ''}" for s, n, c in d.members), body),
        p("二、清标情况", h2),
    ]
    notes = [(b["name"], n) for b in d.bids for n in b["notes"]]  # type: ignore[attr-defined]
    if notes:
        story.append(
            _table(
                [["投标人", "清标发现"]] + [[p(str(n), cell), p(str(t), cell)] for n, t in notes], [70 * mm, 190 * mm]
            )
        )
    else:
        story.append(p("未发现算术错误、漏项、超过最高投标限价或异常一致的情形。", body))
    for s in d.signs:
        story.append(p(f"异常一致（已报监管，{rules.ABNORMAL_IDENTITY}）：{s}", body))
    story.append(p("三、评审结果与排序", h2))
    if d.base:
        story.append(p(f"评标基准价：{Decimal(d.base):,.2f} 元", body))
    rows: list[list[object]] = [
        ["排名", "投标人", "投标报价（元）", "评审价格（元）", "专家评分（平均）", "价格分", "总分"]
    ]
    for b in d.bids:
        if b["rank"] is not None:
            rows.append(
                [
                    str(b["rank"]),
                    p(str(b["name"]), cell),
                    _money(b["price"]),
                    _money(b["evaluated"]),
                    _money(b["subjective"]),
                    _money(b["price_score"]),
                    _money(b["total"]),
                ]
            )
    story.append(_table(rows))
    story.append(p("四、否决投标及理由", h2))
    rejected = [b for b in d.bids if b["reasons"]]
    if rejected:
        story.append(
            _table(
                [["投标人", "否决理由"]]
                + [[p(str(b["name"]), cell), p("；".join(map(str, b["reasons"])), cell)] for b in rejected],  # type: ignore[call-overload]
                [70 * mm, 190 * mm],
            )
        )
    else:
        story.append(p("无。", body))
    story += _sheets(d, body, h2, cell)
    if d.outliers:
        story.append(p("六、评分偏离提示", h2))
        for o in d.outliers:
            story.append(
                p(
                    f"专家{o['seat']}对「{d.names.get(o['org_id'], o['org_id'])}」"
                    f"评分 {o['value']}，其他专家平均 {o['others']}",
                    body,
                )
            )
    if d.questions:
        story.append(p("七、书面澄清（《招标投标法实施条例》第52条）", h2))
        story.append(
            _table([["投标人", "问题", "答复"]] + [[p(a, cell), p(b, cell), p(c, cell)] for a, b, c in d.questions])
        )
    if d.quotes:
        story.append(p("八、报价轮次", h2))
        story.append(
            _table(
                [["轮次", "供应商", "报价（元）", "最后报价"]]
                + [[str(r), p(n, cell), _money(v), "是" if f else ""] for r, n, v, f in d.quotes]
            )
        )
    if d.record:
        story.append(p("九、协商情况记录", h2))
        story.append(p(d.record.replace("\n", "<br/>"), body))
    story.append(p("评标委员会成员签字", h2))
    story.append(p("　".join(f"专家{s}：{n}" for s, n, _ in d.members) + f"（{rules.REPORT_SIGNED}）", body))
    doc.build(story)
    return out.getvalue()


def _sheets(d: Data, body: ParagraphStyle, h2: ParagraphStyle, cell: ParagraphStyle) -> list[object]:
    p = Paragraph
    scored = [c for c in d.criteria if c[2] == "score"]
    qualification = [c for c in d.criteria if c[2] == "qualification"]
    out: list[object] = [p("五、各专家评审表", h2)]
    out.append(
        p(
            "评审因素："
            + "；".join(
                f"{cid} {name}{f'（{m}分）' if kind == 'score' else '（合格制）'}" for cid, name, kind, m in d.criteria
            ),
            body,
        )
    )
    for seat in sorted(d.sheets):
        sheet = d.sheets[seat]
        out.append(p(f"专家{seat}", body))
        orgs = sorted(set(sheet.scores) | set(sheet.passes), key=lambda o: d.names.get(o, o))
        for i in range(0, max(len(scored), 1), COLUMNS_PER_TABLE):
            chunk = scored[i : i + COLUMNS_PER_TABLE]
            if not chunk:
                break
            last = i + COLUMNS_PER_TABLE >= len(scored)
            header: list[object] = ["投标人", *[c[0] for c in chunk], *(["合计"] if last else [])]
            rows: list[list[object]] = [header]
            for o in orgs:
                s = sheet.scores.get(o, {})
                row: list[object] = [d.names.get(o, o)[:24], *[str(s.get(c[0], "—")) for c in chunk]]
                if last:
                    row.append(str(sum(s.values(), Decimal(0))))
                rows.append(row)
            widths = [60 * mm] + [(200 * mm) / (len(header) - 1)] * (len(header) - 1)
            t = _table(rows, widths)
            t.setStyle(TableStyle([("FONT", (1, 1), (-1, -1), "Helvetica", 7)]))  # figures: a cheaper font
            out.append(t)
        fails = [
            f"{d.names.get(o, o)}：{cid} 不合格（{reason}）"
            for o in orgs
            for cid, (ok, reason) in sheet.passes.get(o, {}).items()
            if not ok
        ]
        if qualification:
            out.append(p("资格与符合性审查：" + ("；".join(fails) if fails else "均合格"), cell))
        out.append(Spacer(1, 4))
    return out
