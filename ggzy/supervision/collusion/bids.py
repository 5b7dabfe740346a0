"""投标表 — reading bid tables (one row per bid) into tenders, with tender labels and clear refusals.

The format is that of García Rodríguez et al. (2022): a `Tender` id, a `Bid_value`, optionally
`Winner`, a bid-level label `Collusive_competitor` (1 = the bid came from a cartel member) and a
pre-tender estimate `Pre-Tender Estimate (PTE)`. Column names are matched without regard to case,
spaces or underscores, with a few aliases (`tender_id`, `bid`, `label`, `pte`, …).

Tender label (标段标签): a tender is collusive when the share of its bids labelled collusive is at
least `min_share`; the default `min_share=None` means "at least one collusive bid", the definition
of Wallimann, Imhof & Huber (2022) for incomplete cartels. In the four shared files the authors
already spread a tender-level label over all bids of a tender, so every rule gives the same labels.

Tenders that cannot be screened are skipped and counted by reason: fewer than three bids, a bid
that is not a positive number, a missing label. A file that cannot be used at all raises
`BidFileError` with a Chinese message followed by the English one.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from ggzy.supervision.collusion.screens import MIN_BIDS

ALIASES: dict[str, tuple[str, ...]] = {
    "tender": ("tender", "tenderid", "tender_no", "标段", "标段编号", "项目编号"),
    "bid": ("bidvalue", "bid", "price", "报价", "投标报价"),
    "label": ("collusivecompetitor", "label", "collusive", "串标"),
    "pte": ("pretenderestimatepte", "pretenderestimate", "pte", "estimate", "招标控制价", "预算金额"),
}

SKIP_FEW_BIDS = "few_bids"
SKIP_BAD_BID = "bad_bid"
SKIP_NO_LABEL = "no_label"
SKIP_REASONS: dict[str, str] = {
    SKIP_FEW_BIDS: "报价少于 3 个 (fewer than 3 bids)",
    SKIP_BAD_BID: "含非数字或非正数报价 (a bid that is not a positive number)",
    SKIP_NO_LABEL: "缺少标签 (missing label)",
}


class BidFileError(ValueError):
    """A bid file that cannot be used; the message is Chinese first, then English."""


@dataclass(frozen=True)
class BidTable:
    """One market's tenders: ids, bids, optional labels and pre-tender estimates, and what was skipped."""

    name: str
    tenders: list[str]
    bids: list[NDArray[np.float64]]
    labels: NDArray[np.int64] | None = None
    pte: NDArray[np.float64] | None = None
    skipped: Counter[str] = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.tenders)

    @property
    def collusive_share(self) -> float:
        return float(self.labels.mean()) if self.labels is not None and len(self.labels) else float("nan")

    def subset(self, rows: NDArray[np.intp], name: str | None = None) -> BidTable:
        """The tenders at `rows`, as a table of their own (a fold keeps whole tenders, never single bids)."""
        return BidTable(
            name=name or self.name,
            tenders=[self.tenders[i] for i in rows],
            bids=[self.bids[i] for i in rows],
            labels=None if self.labels is None else self.labels[rows],
            pte=None if self.pte is None else self.pte[rows],
        )


def _key(name: str) -> str:
    return re.sub(r"[\s_\-()（）/]+", "", name).lower()


def find_columns(columns: list[str]) -> dict[str, str]:
    """Map our roles (tender, bid, label, pte) to the file's column names; absent roles are left out."""
    by_key = {_key(c): c for c in columns}
    found: dict[str, str] = {}
    for role, names in ALIASES.items():
        for alias in names:
            if _key(alias) in by_key:
                found[role] = by_key[_key(alias)]
                break
    return found


def tender_label(bid_labels: NDArray[np.float64], min_share: float | None = None) -> int:
    """1 when the tender counts as collusive: any collusive bid, or a share of them ≥ `min_share`."""
    if bid_labels.size == 0:
        raise ValueError("a tender without bids has no label")
    share = float(np.mean(bid_labels > 0))
    return int(share > 0) if min_share is None else int(share >= min_share)


def _text(path: Path) -> str:
    """The file as text: UTF-8 (with or without the BOM that Excel writes), else GB18030 (GBK, GB2312)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BidFileError(f"无法读取文件 {path.name} (cannot read file): {e}") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as e:
            raise BidFileError(f"{path.name} 既不是 UTF-8 也不是 GBK 编码 (neither UTF-8 nor GBK)") from e


def _read_csv(path: Path) -> pl.DataFrame:
    text = _text(path)
    if not text.strip():
        raise BidFileError(f"文件为空：{path.name} (empty file)")
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.NoDataError as e:
        raise BidFileError(f"文件为空：{path.name} (empty file)") from e
    except (pl.exceptions.PolarsError, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BidFileError(f"无法读取 CSV 文件 {path.name} (cannot read CSV): {first}") from e
    if frame.height == 0:
        raise BidFileError(f"文件中没有投标记录：{path.name} (no bids in file)")
    return frame


def _number(frame: pl.DataFrame, column: str) -> pl.Series:
    """The column as floats; text that is not a number becomes null."""
    text = frame[column].str.strip_chars().str.replace_all(",", "")
    return text.cast(pl.Float64, strict=False)


def read_bid_table(
    path: Path, *, require_labels: bool = False, min_share: float | None = None, name: str | None = None
) -> BidTable:
    """Read one CSV of bids; raise `BidFileError` when the file cannot be used."""
    frame = _read_csv(path)
    cols = find_columns(frame.columns)
    missing = [role for role in ("tender", "bid") if role not in cols]
    if missing:
        raise BidFileError(
            f"{path.name} 缺少必需的列：{', '.join(missing)}；现有列：{', '.join(frame.columns)} "
            f"(missing required columns: Tender and Bid_value are needed)"
        )
    if require_labels and "label" not in cols:
        raise BidFileError(f"训练文件 {path.name} 没有标签列 Collusive_competitor (training file has no label column)")
    return table_from_frame(frame, cols, name=name or path.stem, min_share=min_share)


def table_from_frame(
    frame: pl.DataFrame, cols: dict[str, str], *, name: str, min_share: float | None = None
) -> BidTable:
    """Group bid rows into tenders (in order of first appearance) and skip what cannot be screened."""
    data = pl.DataFrame(
        {
            "tender": frame[cols["tender"]].cast(pl.String).str.strip_chars(),
            "bid": _number(frame, cols["bid"]),
            "label": _number(frame, cols["label"]) if "label" in cols else pl.Series([None] * frame.height),
            "pte": _number(frame, cols["pte"]) if "pte" in cols else pl.Series([None] * frame.height),
        },
        schema={"tender": pl.String, "bid": pl.Float64, "label": pl.Float64, "pte": pl.Float64},
    ).filter(pl.col("tender").is_not_null() & (pl.col("tender") != ""))
    labels_given = "label" in cols
    if labels_given:
        bad = data.filter(pl.col("label").is_not_null() & ~pl.col("label").is_in([0.0, 1.0]))
        if bad.height:
            raise BidFileError(f"{name} 的标签只能是 0 或 1，发现 {bad['label'][0]} (labels must be 0 or 1)")
    grouped = data.group_by("tender", maintain_order=True).agg(
        pl.col("bid"), pl.col("label"), pl.col("pte").drop_nulls().first()
    )
    return _collect(grouped, name=name, labels_given=labels_given, has_pte="pte" in cols, min_share=min_share)


def _collect(
    grouped: pl.DataFrame, *, name: str, labels_given: bool, has_pte: bool, min_share: float | None
) -> BidTable:
    tenders: list[str] = []
    bids: list[NDArray[np.float64]] = []
    labels: list[int] = []
    ptes: list[float] = []
    skipped: Counter[str] = Counter()
    for tender, raw_bids, raw_labels, pte in grouped.iter_rows():
        values = np.array([np.nan if b is None else b for b in raw_bids], dtype=np.float64)
        if not np.all(np.isfinite(values) & (values > 0)):
            skipped[SKIP_BAD_BID] += 1
            continue
        if values.size < MIN_BIDS:
            skipped[SKIP_FEW_BIDS] += 1
            continue
        if labels_given:
            known = np.array([v for v in raw_labels if v is not None], dtype=np.float64)
            if known.size == 0:
                skipped[SKIP_NO_LABEL] += 1
                continue
            labels.append(tender_label(known, min_share))
        tenders.append(str(tender))
        bids.append(values)
        ptes.append(float(pte) if pte is not None and pte > 0 else float("nan"))
    return BidTable(
        name=name,
        tenders=tenders,
        bids=bids,
        labels=np.array(labels, dtype=np.int64) if labels_given else None,
        pte=np.array(ptes, dtype=np.float64) if has_pte else None,
        skipped=skipped,
    )


def describe_skipped(table: BidTable) -> str:
    """`跳过 12 个标段：报价少于 3 个 10，…` — empty when nothing was skipped."""
    if not table.skipped:
        return ""
    parts = [f"{SKIP_REASONS[k]} {n}" for k, n in sorted(table.skipped.items())]
    return f"{table.name}: 跳过 {sum(table.skipped.values())} 个标段 (skipped tenders)：" + "；".join(parts)
