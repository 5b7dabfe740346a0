"""Portal search: the officials' synonym table (seeded), and every notice re-indexed with its codes whole.

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0016"
branch_labels = None
depends_on = None

# The default set (ggzy/notices/synonyms.py explains the direction: a word of the query → what it also means).
SEED: list[tuple[str, str]] = [
    ("道路", "公路 市政道路 路面 辅道 国道 省道 县道 快速路 匝道"),
    ("公路", "国道 省道 县道 乡道 辅道 快速路"),
    ("修路", "道路 公路 路面"),
    ("学校", "中学 小学 中小学 学院 校舍 幼儿园 职业学校 高中 初中"),
    ("中小学", "中学 小学"),
    ("医院", "卫生院 卫生服务中心 人民医院 中医院 医疗中心"),
    ("桥梁", "大桥 立交 高架"),
    ("污水", "雨污分流 雨污 截污 排水 污水处理"),
    ("供水", "自来水 给水 水厂"),
    ("绿化", "园林 绿地 景观 绿道 养护"),
    ("水利", "堤防 河道 水库 泵站 闸站 水电 农田水利"),
    ("堤防", "堤坝 河堤 海塘"),
    ("路灯", "照明 亮化"),
    ("住房", "安置房 保障房 公租房 住宅 商品住宅"),
    ("安置房", "回迁房 拆迁安置"),
    ("物业", "物业服务 物业管理"),
    ("电脑", "计算机 台式机 笔记本"),
    ("设备", "仪器 器械"),
    ("维修", "修缮 改造 维护 养护"),
    ("改造", "提升改造 改建 修缮 整治"),
    ("监理", "工程监理 全过程工程咨询"),
    ("设计", "勘察设计 工程设计"),
    ("信息化", "信息系统 软件 数字化 智慧"),
    ("医疗设备", "医用设备 医疗器械"),
]
_CODE = re.compile(r"[A-Za-z0-9]+(?:[-/_.][A-Za-z0-9]+)+")


def _code(c: str) -> str:
    return re.sub(r"[-/_.]", "", c).lower()


def upgrade() -> None:
    table = op.create_table(
        "search_synonym",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("word", sa.String(20), nullable=False),
        sa.Column("alternatives", sa.String(400), nullable=False),
        sa.Column("note", sa.String(200), server_default=sa.text("''"), nullable=False),
        sa.Column("created_by", sa.String(26), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonym")),
        sa.UniqueConstraint("word", name=op.f("uq_search_synonym_word")),
    )
    now = datetime(2026, 12, 4, tzinfo=UTC)
    op.bulk_insert(
        table,
        [
            {"id": f"0SYN{i:022d}", "word": w, "alternatives": a, "note": "默认", "created_by": None, "created_at": now}
            for i, (w, a) in enumerate(SEED)
        ],
    )
    # Re-index: each notice's project, section and approval codes, and the codes in its body, as whole terms
    # (the bigrams already stored stay as they are).
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT t.id, t.terms, n.body, p.code, p.approval_code, s.code FROM notice_terms t "
            "JOIN notice n ON n.id = t.notice_id LEFT JOIN project p ON p.id = n.project_id "
            "LEFT JOIN section s ON s.id = n.section_id"
        )
    ).all()
    updates = []
    for tid, terms, body, pcode, approval, scode in rows:
        have = set(terms.split())
        codes = [_code(c) for c in (pcode, scode, approval) if c] + [
            _code(m) for m in _CODE.findall(body or "") if any(ch.isdigit() for ch in m)
        ]
        extra = [c for c in dict.fromkeys(codes) if c not in have]
        if extra:
            updates.append({"i": tid, "t": terms + " " + " ".join(extra)})
    if updates:
        bind.execute(sa.text("UPDATE notice_terms SET terms = :t WHERE id = :i"), updates)
        if bind.dialect.name == "sqlite":
            op.execute("INSERT INTO notice_fts(notice_fts) VALUES ('rebuild')")


def downgrade() -> None:
    op.drop_table("search_synonym")
