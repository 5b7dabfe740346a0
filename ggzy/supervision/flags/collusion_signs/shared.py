"""同源迹象 — bids of one tender from the same machine, address, author, application, file, account or contact."""

from __future__ import annotations

import polars as pl

from ggzy.supervision.flags.base import Compute, Flag, Outcome, RunContext, flag
from ggzy.supervision.flags.cardinal.settings import pipe_set
from ggzy.supervision.flags.collusion_signs.common import (
    ART40,
    bidders,
    outcome,
    repeated,
    shared,
    spec,
    tenders_with_bids,
)
from ggzy.supervision.flags.options import defaults_of, option
from ggzy.supervision.ocds.tables import SIGNAL_NORMAL, Tables

EXT = "bids/details/ggzySupervision"
E49 = "电子招标投标办法 第49条 (time, network address and operator recorded)"

# code, kind in tables.bid_signals, 中文, English, what it is, how values are normalised, source
BID_SIGNS: tuple[tuple[str, str, str, str, str, pl.Expr, str], ...] = (
    (
        "X01",
        "machine",
        "同一机器特征码编制或上传投标文件",
        "Same machine fingerprint",
        f"{EXT}/machineFingerprint",
        SIGNAL_NORMAL["machine"],
        f"{ART40} (一): 不同投标人的投标文件由同一单位或者个人编制; {E49}",
    ),
    (
        "X02",
        "address",
        "同一网络地址上传投标文件",
        "Same upload network address",
        f"{EXT}/uploadAddress",
        SIGNAL_NORMAL["address"],
        f"{ART40} (二): 由同一单位或者个人办理投标事宜; {E49}",
    ),
    (
        "X03",
        "author",
        "投标文件作者相同",
        "Same document author",
        f"{EXT}/documents/author",
        SIGNAL_NORMAL["author"],
        f"{ART40} (一): 由同一单位或者个人编制",
    ),
    (
        "X04",
        "application",
        "投标文件创建程序相同",
        "Same creating application",
        f"{EXT}/documents/application",
        SIGNAL_NORMAL["application"],
        f"{ART40} (一) and (四) 投标文件异常一致",
    ),
    (
        "X05",
        "sha256",
        "投标文件摘要相同",
        "Identical bid file digests",
        f"{EXT}/documents/sha256",
        SIGNAL_NORMAL["sha256"],
        f"{ART40} (四): 不同投标人的投标文件异常一致",
    ),
    (
        "X06",
        "deposit_account",
        "投标保证金从同一账户转出",
        "Deposits from the same bank account",
        f"{EXT}/depositAccount",
        SIGNAL_NORMAL["deposit_account"],
        f"{ART40} (六): 投标保证金从同一单位或者个人的账户转出",
    ),
)


LABELS = {
    "X01": "机器特征码",
    "X02": "上传网络地址",
    "X03": "文件作者",
    "X04": "创建程序",
    "X05": "文件摘要",
    "X06": "保证金账户",
}


def _normalised(rules: dict[str, pl.Expr]) -> pl.Expr:
    """Each kind's own normalisation of `value`, in one expression (the rules never turn a value into null)."""
    kind = pl.col("kind")
    return pl.coalesce(*(pl.when(kind == name).then(rule) for name, rule in rules.items()), pl.col("value"))


def bid_signals(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, dict[str, int]]:
    """Every bid-level kind in one pass: (values repeated within a tender — the reader keeps only those — with their
    tenderers: rid, tenderer, kind, value; how many in-scope tenders have each kind)."""

    def make() -> tuple[pl.DataFrame, dict[str, int]]:
        scope = bidders(tables, ctx).lazy().select("rid").unique()
        kinds = (
            tables.bid_signal_kinds.lazy()
            .join(scope, on="rid", how="semi")
            .select(pl.col("kind").cast(pl.String), "rid")
        )
        counts = kinds.group_by("kind").agg(pl.col("rid").n_unique().alias("n")).collect()
        long = tables.bid_signals.lazy().select("rid", "bid", pl.col("kind").cast(pl.String), "value")
        repeats = long.join(bidders(tables, ctx).lazy(), on=["rid", "bid"])
        return repeats.select("rid", "tenderer", "kind", "value").collect(), dict(counts.iter_rows())

    result: tuple[pl.DataFrame, dict[str, int]] = ctx.cached("signs.bid_signals", make)
    return result


def _bid_sign(code: str, kind: str, label: str) -> Compute:
    def compute(tables: Tables, ctx: RunContext) -> Outcome:
        repeats, counts = bid_signals(tables, ctx)
        values = repeats.filter(pl.col("kind") == kind)
        if code == "X04":
            ignored = [v.strip() for v in pipe_set(option(ctx.settings, code, "ignore"))]
            values = values.filter(~pl.col("value").is_in(ignored))
        judged = counts.get(kind, 0)
        skipped = {f"投标没有 {label} 数据 (no {kind} in the bids)": tenders_with_bids(tables, ctx) - judged}
        return outcome(shared(values.select("rid", "tenderer", "value"), label, tables), judged, skipped)

    return compute


# code, column of tables.parties, 中文, English, normalisation
PARTY_SIGNS: tuple[tuple[str, str, str, str, pl.Expr], ...] = (
    (
        "X07",
        "contact_name",
        "投标人联系人相同",
        "Tenderers share a contact person",
        pl.col("value").str.normalize("NFKC").str.replace_all(r"\s", ""),
    ),
    (
        "X08",
        "telephone",
        "投标人联系电话相同",
        "Tenderers share a telephone number",
        pl.col("value").str.replace_all(r"\D", "").str.replace(r"^0086|^86(1\d{10})$", "$1"),
    ),
    (
        "X09",
        "email",
        "投标人电子邮箱相同",
        "Tenderers share an e-mail address",
        pl.col("value").str.strip_chars().str.to_lowercase(),
    ),
    (
        "X10",
        "address",
        "投标人地址相同",
        "Tenderers share an address",
        pl.col("value").str.normalize("NFKC").str.replace_all(r"[\s,，。.]", "").str.to_lowercase(),
    ),
    (
        "X11",
        "legal_rep",
        "投标人法定代表人相同",
        "Tenderers share a legal representative",
        pl.col("value").str.normalize("NFKC").str.replace_all(r"\s", ""),
    ),
)


def party_signals(tables: Tables, ctx: RunContext) -> tuple[pl.DataFrame, dict[str, int]]:
    """Every contact kind in one pass over the parties that are tenderers of the tender: (repeated values: rid,
    tenderer, kind, value; how many in-scope tenders have each kind for their tenderers)."""

    def make() -> tuple[pl.DataFrame, dict[str, int]]:
        people = bidders(tables, ctx).lazy().select("rid", "tenderer")
        columns = [column for _, column, _, _, _ in PARTY_SIGNS]
        parties = tables.parties.lazy().select("rid", pl.col("party_id").alias("tenderer"), *columns)
        parties = parties.join(people, on=["rid", "tenderer"], how="semi")
        long = parties.unpivot(columns, index=["rid", "tenderer"], variable_name="kind", value_name="value")
        rules = {column: normalise for _, column, _, _, normalise in PARTY_SIGNS}
        long = long.filter(pl.col("value").is_not_null()).with_columns(_normalised(rules).alias("value"))
        counts = long.group_by("kind").agg(pl.col("rid").n_unique().alias("n")).collect()
        repeats = repeated(long, "rid", "kind", "value").unique(["rid", "tenderer", "kind", "value"])
        return repeats.select("rid", "tenderer", "kind", "value").collect(), dict(counts.iter_rows())

    result: tuple[pl.DataFrame, dict[str, int]] = ctx.cached("signs.party_signals", make)
    return result


def _party_sign(column: str, label: str) -> Compute:
    def compute(tables: Tables, ctx: RunContext) -> Outcome:
        repeats, counts = party_signals(tables, ctx)
        values = repeats.filter(pl.col("kind") == column).select("rid", "tenderer", "value")
        judged = counts.get(column, 0)
        skipped = {
            f"投标人在 parties 中没有{label} (no {column} for the tenderers in parties)": tenders_with_bids(tables, ctx)
            - judged
        }
        return outcome(shared(values, label, tables), judged, skipped)

    return compute


def _bid_flags() -> list[Flag]:
    flags = []
    for code, kind, zh, en, path, _normalise, source in BID_SIGNS:
        definition = (
            f"Within one tender, bids of two or more different tenderers carry the same {path} "
            f"(compared after trimming{', ignoring values listed in `ignore`' if code == 'X04' else ''})."
        )
        defaults = defaults_of(code) if code == "X04" else None
        flags.append(
            flag(
                spec(code, zh, en, definition, source, (path, "bids/details/tenderers/id"), defaults),
                _bid_sign(code, kind, LABELS[code]),
            )
        )
    return flags


def _party_flags() -> list[Flag]:
    flags = []
    for code, column, zh, en, _normalise in PARTY_SIGNS:
        path = {
            "contact_name": "contactPoint/name",
            "telephone": "contactPoint/telephone",
            "email": "contactPoint/email",
            "address": "address",
            "legal_rep": "ggzySupervision/legalRepresentative",
        }[column]
        definition = (
            f"Within one tender, two or more tenderers (parties whose id is a tenderer of a bid) have the "
            f"same parties/{path} after normalisation."
        )
        source = f"{ART40} (二): 不同投标人委托同一单位或者个人办理投标事宜; 条例 第34条 (同一法定代表人)"
        requires = (f"parties/{path}", "parties/id", "bids/details/tenderers/id")
        flags.append(
            flag(
                spec(code, zh, en, definition, source, requires),
                _party_sign(column, zh.removeprefix("投标人").removesuffix("相同")),
            )
        )
    return flags


FLAGS: tuple[Flag, ...] = (*_bid_flags(), *_party_flags())
