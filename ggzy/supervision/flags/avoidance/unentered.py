"""应进未进 — approved projects that the catalog requires to enter the platform, with no process in the data (A03)."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.avoidance.common import S7, spec
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.compliance.common import missing
from ggzy.supervision.flags.legal import state_funds, with_decisions
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import Tables

A03 = spec(
    "A03",
    "应进未进",
    "Project that should have entered the platform and did not",
    "A project of the imported approvals list (`--approvals`) that ggzy.rules.catalog.decide() requires to be "
    "traded on the platform (must_trade), and that matches no process in the data: neither by approval code "
    "(planning/budget/projectID) nor by normalised name (planning/budget/project or tender/title) and owner "
    "(buyer/name). Names are compared after NFKC, lower case, and removing spaces, punctuation and symbols.",
    f"{S7}; REQUIREMENTS S11 (应进未进); 新政文〔2017〕144号 第18条 — ggzy.rules.catalog",
    ("--approvals list", "planning/budget/projectID", "planning/budget/project|tender/title", "buyer/name"),
    (Group.PROJECT,),
    "the project's estimate",
    defaults_of("A03"),
)


def normal(expr: pl.Expr) -> pl.Expr:
    """Names and codes as compared: NFKC, lower case, no spaces, punctuation or symbols."""
    return expr.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[\s\p{P}\p{S}]", "")


def _known(tables: Tables) -> tuple[pl.Series, pl.DataFrame]:
    p = tables.processes
    codes = p.select(normal(pl.col("project_id")).alias("c")).drop_nulls()["c"].unique()
    names = (
        pl.concat(
            [
                p.select(normal(pl.col(c)).alias("n"), normal(pl.col("buyer_name")).alias("o"))
                for c in ("project_name", "tender_title")
            ]
        )
        .drop_nulls()
        .unique()
    )
    return codes, names


def compute_a03(tables: Tables, ctx: RunContext) -> Outcome:
    if ctx.approvals is None:
        return Outcome(excluded={"未提供审批清单 (no --approvals list given)": 0})
    approvals = ctx.approvals.rename({"state_funds_share": "share_in", "state_funds_amount": "amount_in"})
    frame = approvals.with_columns(
        pl.col("share_in").alias("state_funds_share"), pl.col("amount_in").alias("state_funds_amount")
    )
    frame = state_funds(frame, option(ctx.settings, "A03", "assume_state_funds_share"), "estimate")
    judged = with_decisions(frame, "estimate")
    judged, funds = missing(judged, pl.col("decided"), "缺少国有资金信息 (state funds unknown and decisive)")
    codes, names = _known(tables)
    matched = normal(pl.col("code")).is_in(codes.implode()).fill_null(False) | pl.struct(
        normal(pl.col("name")).alias("n"), normal(pl.col("owner")).alias("o")
    ).is_in(names.to_struct().implode()).fill_null(False)
    flagged = (
        judged.filter(pl.col("must_trade") & ~matched)
        .sort("row")
        .select(
            pl.col("row").alias("rid"),
            pl.coalesce("code", "name").alias("key"),
            "estimate",
            pl.format(
                "「{}」（{}）估算 ¥{}：{}；平台数据中没有对应的交易（项目代码、名称加项目单位均未匹配）",
                pl.col("name").fill_null("—"),
                pl.col("owner").fill_null("—"),
                pl.col("estimate").round(2),
                "reasons",
            ).alias("evidence"),
        )
    )
    return Outcome(
        hits=hits_frame(flagged, Group.PROJECT, pl.col("estimate"), Phase.FINALIZE),
        evaluated=judged.height,
        skipped=funds,
    )


FLAGS = (flag(A03, compute_a03),)
