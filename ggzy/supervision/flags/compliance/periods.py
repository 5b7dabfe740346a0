"""期限类合规指标 — submission period by procedure (C01), candidate publicity (C03), late clarification (C07)."""

from __future__ import annotations

import polars as pl

from ggzy.rules import tendering
from ggzy.rules.procedures import PROCEDURES
from ggzy.supervision.flags.base import Group, Outcome, Phase, RunContext, flag, hits_frame
from ggzy.supervision.flags.compliance.common import missing, scoped, spec, unit, unmapped
from ggzy.supervision.flags.legal import counted_days, period_table, regimes, with_days
from ggzy.supervision.ocds.tables import Tables

NON_COMPETITIVE = "单一来源采购没有投标期（其公示期另计）(single source has no submission period)"
NO_DATES = "缺少或无效的投标期日期 (tender/tenderPeriod dates missing or invalid)"

C01 = spec(
    "C01",
    "投标期短于法定期限",
    "Submission period shorter than the law requires",
    "tenderPeriod.startDate → endDate, in Beijing days (working days where the procedure counts them), is shorter "
    "than the bid period of the release's procedure row (ggzy.rules.procedures), the procedure found from "
    "procurementMethodDetails, else procurementMethod, through the [procedures] mapping.",
    "招标投标法 第24条 (20日); 政府采购法 第35条 (20日); 财政部令第74号 第29条、第45条 (3个工作日); "
    "财库〔2014〕214号 第10条 (10日) — ggzy.rules.procedures",
    (
        "tender/procurementMethodDetails|procurementMethod",
        "tender/tenderPeriod/startDate",
        "tender/tenderPeriod/endDate",
        "tender/mainProcurementCategory (for 公开招标/邀请招标)",
    ),
    "the days counted",
)


def compute_c01(tables: Tables, ctx: RunContext) -> Outcome:
    frame = scoped(tables, ctx, ["tender_start", "tender_end"])
    skipped = unmapped(frame)
    competitive = [m.value for m, row in PROCEDURES.items() if row.competitive]
    mapped = frame.filter(pl.col("proc").is_not_null())
    chosen = mapped.filter(pl.col("proc").is_in(competitive))
    dated = with_days(with_days(chosen, "tender_start"), "tender_end")
    dated, more = missing(
        dated, pl.col("tender_start_day").is_not_null() & pl.col("tender_end_day").is_not_null(), NO_DATES
    )
    judged = counted_days(dated.join(period_table("bid_period"), on="proc"), "tender_start_day", "tender_end_day")
    judged, out_of_range = missing(judged, pl.col("counted").is_not_null(), "日期超出1990–2100年 (date out of range)")
    flagged = judged.filter(pl.col("counted") < pl.col("days")).select(
        "rid",
        pl.col("ocid").alias("key"),
        "counted",
        pl.format(
            "投标期 {} {}，少于法定 {} {}（{}）",
            "counted",
            unit(pl.col("working")),
            "days",
            unit(pl.col("working")),
            "citation",
        ).alias("evidence"),
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, pl.col("counted"), Phase.FOLD),
        evaluated=judged.height,
        skipped=skipped | more | out_of_range,
        excluded={NON_COMPETITIVE: mapped.height - chosen.height},
    )


C03 = spec(
    "C03",
    "中标候选人公示期过短",
    "Candidate publicity too short",
    "The candidate publicity (ggzySupervision.candidatePublicity start → end, Beijing calendar days) of a "
    "procedure under the Bidding Law is shorter than the minimum publicity period.",
    f"{tendering.PUBLICITY_MIN.citation} ({tendering.PUBLICITY_MIN.value}{tendering.PUBLICITY_MIN.unit.value}) — "
    "ggzy.rules.tendering.PUBLICITY_MIN",
    (
        "tender/ggzySupervision/candidatePublicity/startDate",
        "tender/ggzySupervision/candidatePublicity/endDate",
        "tender/procurementMethodDetails|procurementMethod",
    ),
    "the days of publicity",
)


def compute_c03(tables: Tables, ctx: RunContext) -> Outcome:
    rule = tendering.PUBLICITY_MIN
    frame = scoped(tables, ctx, ["publicity_start", "publicity_end"])
    frame, no_data = missing(
        frame,
        pl.col("publicity_start").is_not_null() & pl.col("publicity_end").is_not_null(),
        "缺少中标候选人公示期 (no candidate publicity period)",
    )
    skipped = no_data | unmapped(frame)
    mapped = frame.join(regimes(), on="proc")
    chosen = mapped.filter(pl.col("regime") == rule.regime.value)
    dated = with_days(with_days(chosen, "publicity_start"), "publicity_end")
    dated, bad = missing(
        dated,
        pl.col("publicity_start_day").is_not_null() & pl.col("publicity_end_day").is_not_null(),
        "公示期日期无效 (invalid publicity dates)",
    )
    days = pl.col("publicity_end_day") - pl.col("publicity_start_day")
    flagged = dated.filter(days < int(rule.value)).select(
        "rid",
        pl.col("ocid").alias("key"),
        days.alias("days"),
        pl.format("公示 {} 日，少于 {} 日（{}）", days, pl.lit(int(rule.value)), pl.lit(str(rule.citation))).alias(
            "evidence"
        ),
    )
    return Outcome(
        hits=hits_frame(flagged, Group.OCID, pl.col("days"), Phase.FOLD),
        evaluated=dated.height,
        skipped=skipped | bad,
        excluded={"政府采购程序无中标候选人公示期规则 (not a Bidding Law procedure)": mapped.height - chosen.height},
    )


C07 = spec(
    "C07",
    "澄清或修改过晚且未顺延截止时间",
    "Late clarification or amendment without extending the deadline",
    "A tender amendment (tender/amendments[].date) or clarification document (tender/documents[] of documentType "
    "clarifications, datePublished) issued before the deadline but closer to the final tenderPeriod.endDate than "
    "the procedure's clarification lead (ggzy.rules.procedures): the deadline was not moved as the law requires.",
    "招标投标法实施条例 第21条 (15日); 政府采购法实施条例 第31条 (15日); 财政部令第74号 第29条; "
    "财库〔2014〕214号 第10条 — ggzy.rules.procedures",
    (
        "tender/amendments/date|tender/documents/datePublished",
        "tender/tenderPeriod/endDate",
        "tender/procurementMethodDetails|procurementMethod",
    ),
    "the days from the latest short clarification to the deadline",
)


def compute_c07(tables: Tables, ctx: RunContext) -> Outcome:
    frame = scoped(tables, ctx, ["tender_end"])
    changed = tables.amendments.select("rid").unique()
    frame, none = missing(
        frame, pl.col("rid").is_in(changed["rid"].implode()), "没有澄清或修改 (no amendment or clarification)"
    )
    skipped = none | unmapped(frame)
    periods = period_table("clarification_lead")
    mapped = frame.filter(pl.col("proc").is_not_null())
    chosen = mapped.join(periods, on="proc")
    dated = with_days(chosen, "tender_end")
    dated, no_end = missing(dated, pl.col("tender_end_day").is_not_null(), NO_DATES)
    changes = with_days(tables.amendments.rename({"date": "changed"}), "changed").filter(
        pl.col("changed_day").is_not_null()
    )
    pairs = counted_days(dated.join(changes, on="rid"), "changed_day", "tender_end_day")
    before = pairs.filter(pl.col("counted") >= 0)
    short = (
        before.filter(pl.col("counted") < pl.col("days"))
        .sort("counted")
        .group_by("rid", maintain_order=True)
        .first()
        .select(
            "rid",
            pl.col("ocid").alias("key"),
            "counted",
            pl.format(
                "{}（{}）距投标截止仅 {} {}，少于 {} {}，截止时间未顺延（{}）",
                "kind",
                "changed",
                "counted",
                unit(pl.col("working")),
                "days",
                unit(pl.col("working")),
                "citation",
            ).alias("evidence"),
        )
        .sort("rid")
    )
    return Outcome(
        hits=hits_frame(short, Group.OCID, pl.col("counted"), Phase.FOLD),
        evaluated=before.select("rid").n_unique(),
        skipped=skipped | no_end,
        excluded={"该程序无澄清期限规则 (no clarification lead for this procedure)": mapped.height - chosen.height},
    )


FLAGS = (flag(C01, compute_c01), flag(C03, compute_c03), flag(C07, compute_c07))
