"""交易目录 — project categories, the default must-enter catalog, and the checks it drives (S11).

One definition, two uses: registration refuses a choice that breaks the catalog; supervision uses
the same functions to find projects that should have entered the platform and did not (应进未进).
The thresholds are data; the supervision office edits them as new catalog versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from ggzy.rules.base import Citation, Regime
from ggzy.rules.procedures import Method, Procedure

ORDER16 = "必须招标的工程项目规定（国家发展改革委令第16号）"
REG = "招标投标法实施条例"
GP_LAW = "政府采购法"
SEED = "新乡市人民政府关于加强公共资源交易监管的实施意见（新政文〔2017〕144号）"
HENAN_GP = "河南省政府集中采购目录及标准"


class Category(StrEnum):
    CONSTRUCTION = "construction"
    WORKS_GOODS = "works_goods"
    WORKS_SERVICES = "works_services"
    GP_GOODS = "gp_goods"
    GP_SERVICES = "gp_services"
    GP_WORKS = "gp_works"
    LAND = "land"
    MINING = "mining"
    STATE_PROPERTY = "state_property"
    CONFISCATED = "confiscated"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def regime(self) -> Regime:
        return Regime.PROCUREMENT if self in (Category.GP_GOODS, Category.GP_SERVICES) else Regime.TENDERING


CATEGORY_LABELS = {
    Category.CONSTRUCTION: "工程施工",
    Category.WORKS_GOODS: "工程重要设备、材料",
    Category.WORKS_SERVICES: "工程勘察、设计、监理等服务",
    Category.GP_GOODS: "政府采购货物",
    Category.GP_SERVICES: "政府采购服务",
    Category.GP_WORKS: "政府采购工程",
    Category.LAND: "国有建设用地使用权",
    Category.MINING: "矿业权",
    Category.STATE_PROPERTY: "国有产权",
    Category.CONFISCATED: "罚没物品",
}
TRANSFERS = frozenset({Category.LAND, Category.MINING, Category.STATE_PROPERTY, Category.CONFISCATED})


@dataclass(frozen=True)
class Entry:
    """One row of the catalog: which categories, from what estimate it must enter, be tendered, be open."""

    key: str
    label: str
    categories: frozenset[Category]
    must_trade_at: Decimal | None  # None: never forced in; 0: always
    must_tender_at: Decimal | None
    must_open_at: Decimal | None
    state_funded_only: bool  # 16号令: applies to projects using state funds
    citation: Citation


@dataclass(frozen=True)
class Catalog:
    version: int
    entries: tuple[Entry, ...]
    state_funds_amount: Decimal = Decimal(2_000_000)  # 16号令 第2条: budget funds ≥ ¥2 million…
    state_funds_share: Decimal = Decimal(10)  # …and ≥ 10% of the investment
    state_control_share: Decimal = Decimal(50)  # 条例 第8条: state-controlled or dominant → open tender

    def entry_for(self, category: Category) -> Entry | None:
        return next((e for e in self.entries if category in e.categories), None)


DEFAULT = Catalog(
    version=1,
    entries=(
        Entry(
            "construction",
            "工程施工",
            frozenset({Category.CONSTRUCTION, Category.GP_WORKS}),
            Decimal(4_000_000),
            Decimal(4_000_000),
            None,
            True,
            Citation(ORDER16, "第5条", True),
        ),
        Entry(
            "works_goods",
            "与工程建设有关的重要设备、材料",
            frozenset({Category.WORKS_GOODS}),
            Decimal(2_000_000),
            Decimal(2_000_000),
            None,
            True,
            Citation(ORDER16, "第5条", True),
        ),
        Entry(
            "works_services",
            "勘察、设计、监理等服务",
            frozenset({Category.WORKS_SERVICES}),
            Decimal(1_000_000),
            Decimal(1_000_000),
            None,
            True,
            Citation(ORDER16, "第5条", True),
        ),
        Entry(
            "gp",
            "政府采购货物和服务（分散采购限额标准、公开招标数额标准）",
            frozenset({Category.GP_GOODS, Category.GP_SERVICES}),
            Decimal(1_000_000),
            None,
            Decimal(4_000_000),
            False,
            Citation(HENAN_GP, "限额标准", True),
        ),
        Entry(
            "transfers",
            "土地、矿业权、国有产权、罚没物品",
            TRANSFERS,
            Decimal(0),
            None,
            None,
            False,
            Citation(SEED, "第18条"),
        ),
    ),
)


@dataclass(frozen=True)
class Facts:
    category: Category
    estimate: Decimal
    state_funds_share: Decimal  # percent of the investment from state funds, 0–100
    state_funds_amount: Decimal


@dataclass
class Decision:
    must_trade: bool
    must_tender: bool
    must_open: bool
    reasons: list[str] = field(default_factory=list)  # every finding, for the registration page
    tender_reasons: list[str] = field(default_factory=list)  # why it must be (openly) tendered


def _state_funded(f: Facts, c: Catalog) -> bool:
    return f.state_funds_amount >= c.state_funds_amount and f.state_funds_share >= c.state_funds_share


def decide(f: Facts, c: Catalog) -> Decision:
    """Whether the project must be traded on the platform, must be tendered, must be openly tendered."""
    e = c.entry_for(f.category)
    if e is None:
        return Decision(False, False, False, ["该类别不在交易目录内，不强制进场（任何部门不得强制目录外项目进场）"])
    funded = _state_funded(f, c) or not e.state_funded_only
    d = Decision(False, False, False)
    if e.must_trade_at is not None and funded and f.estimate >= e.must_trade_at:
        d.must_trade = True
        d.reasons.append(f"{e.label}达到进场标准 ¥{e.must_trade_at:,.0f}（{e.citation}）")
    if e.must_tender_at is not None and funded and f.estimate >= e.must_tender_at:
        d.must_tender = True
        d.tender_reasons.append(
            f"属依法必须招标的项目：{e.label}单项合同估算价 ≥ ¥{e.must_tender_at:,.0f}（{e.citation}）"
        )
        if f.state_funds_share >= c.state_control_share:
            d.must_open = True
            d.tender_reasons.append(f"国有资金占控股或主导地位，应当公开招标（《{REG}》第8条）")
    if e.must_open_at is not None and f.estimate >= e.must_open_at:
        d.must_tender = d.must_open = True
        d.tender_reasons.append(
            f"达到公开招标数额标准 ¥{e.must_open_at:,.0f}，应当公开招标（《{GP_LAW}》第27条；{e.citation}）"
        )
    d.reasons.extend(d.tender_reasons)
    if not d.reasons:
        d.reasons.append("未达到目录规定的进场和招标标准")
    return d


def violations(f: Facts, p: Procedure, c: Catalog, *, exception_ref: str = "") -> list[str]:
    """Why this procedure may not be used for this project (empty when it may)."""
    out: list[str] = []
    if f.category in TRANSFERS:
        out.append(f"「{f.category.label}」须以拍卖、挂牌方式交易，请选择相应交易方式（{SEED}第18条）")
        return out
    if p.regime is not f.category.regime and f.category is not Category.GP_WORKS:
        out.append(f"「{f.category.label}」适用{f.category.regime.label}程序，不能选择「{p.name}」")
    d = decide(f, c)
    if d.must_tender and p.method not in (
        Method.OPEN_TENDER,
        Method.INVITED_TENDER,
        Method.GP_OPEN_TENDER,
        Method.GP_INVITED_TENDER,
    ):
        out.append(f"本项目必须招标，不能采用「{p.name}」：" + "；".join(d.tender_reasons))
    elif d.must_open and p.invited and not exception_ref:
        out.append(
            f"本项目应当公开招标，采用「{p.name}」须经批准并填写批准文号（《{REG}》第8条、《{GP_LAW}》第27条）："
            + "；".join(d.tender_reasons)
        )
    return out
