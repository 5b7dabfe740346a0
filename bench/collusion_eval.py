"""Collusion evaluation: leave-one-market-out and within-market CV by tender, ours vs the plain random forest.

Reads the four shared files in place (`../shared/data/collusion/`, never copied) and prints the
markdown tables of docs/detection.md:

    PYTHONPATH=. .venv/bin/python -m bench.collusion_eval [--data DIR] [--only lomo,within,transfer,oracle]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import polars as pl

from ggzy.supervision.collusion.bids import BidTable, read_bid_table
from ggzy.supervision.collusion.evaluate import baseline_probability, pooled, tender_folds, tender_metrics
from ggzy.supervision.collusion.model import CollusionModel
from ggzy.supervision.collusion.screens import screens_by_size

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "collusion"
MARKETS: dict[str, str] = {
    "Ticino": "DB_Collusion_Switzerland_Ticino_processed.csv",
    "GR+See-Gaster": "DB_Collusion_Switzerland_GR_and_See-Gaster_processed.csv",
    "Japan": "DB_Collusion_Japan_processed.csv",
    "Italy": "DB_Collusion_Italy_processed.csv",
}
Metrics = dict[str, float | int | None]


def load(data: Path) -> dict[str, BidTable]:
    return {name: read_bid_table(data / file, require_labels=True, name=name) for name, file in MARKETS.items()}


def run(train: list[BidTable], test: BidTable) -> tuple[Metrics, Metrics, Metrics, float]:
    """Ours balanced (the default), ours with the market prior, the baseline; and the test file's familiarity."""
    assert test.labels is not None
    model = CollusionModel.fit(train)
    market = model.score(test, prior="market")
    balanced = model.score(test, prior="balanced")
    base = baseline_probability(train, test)
    return (
        tender_metrics(test.labels, balanced.probability),
        tender_metrics(test.labels, market.probability),
        tender_metrics(test.labels, base),
        balanced.familiarity,
    )


def _f(v: float | int | None) -> str:
    return "—" if v is None else (str(v) if isinstance(v, int) else f"{v:.3f}")


HEADER = (
    "| test market | tenders | model | accuracy | balanced acc. | recall collusive | recall competitive | ROC AUC |\n"
    "|---|---|---|---|---|---|---|---|"
)


def rows(name: str, results: tuple[Metrics, Metrics, Metrics, float]) -> list[str]:
    balanced, market, base, g = results
    out = []
    for label, m in ((f"ours (g={g:.2f})", balanced), ("ours --prior market", market), ("baseline RF", base)):
        cells = [m["accuracy"], m["balanced_accuracy"], m["recall_collusive"], m["recall_competitive"], m["roc_auc"]]
        out.append(f"| {name} | {m['tenders']} | {label} | " + " | ".join(_f(c) for c in cells) + " |")
    return out


def lomo(tables: dict[str, BidTable]) -> None:
    print("\n### Leave one market out (train on the other three files, test on this one)\n")
    print(HEADER)
    for name, test in tables.items():
        train = [t for n, t in tables.items() if n != name]
        print("\n".join(rows(name, run(train, test))), flush=True)


def transfer(tables: dict[str, BidTable]) -> None:
    print("\n### Transnational, as in Huber, Imhof & Ishii (2022): train on both Swiss files, test on Japan\n")
    print(HEADER)
    print("\n".join(rows("Japan", run([tables["Ticino"], tables["GR+See-Gaster"]], tables["Japan"]))), flush=True)


def within(tables: dict[str, BidTable], k: int = 5) -> None:
    print(f"\n### Within each market: {k}-fold cross-validation by tender (held-out fold ranked alone)\n")
    print(HEADER)
    for name, table in tables.items():
        parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"balanced": [], "market": [], "base": []}  # type: ignore[type-arg]
        gs = []
        for train_rows, test_rows in tender_folds(table, k):
            train, test = table.subset(train_rows), table.subset(test_rows)
            assert test.labels is not None
            model = CollusionModel.fit([train])
            balanced = model.score(test)
            gs.append(balanced.familiarity)
            parts["balanced"].append((test.labels, balanced.probability))
            parts["market"].append((test.labels, model.score(test, prior="market").probability))
            parts["base"].append((test.labels, baseline_probability([train], test)))
        result = (pooled(parts["balanced"]), pooled(parts["market"]), pooled(parts["base"]), float(np.mean(gs)))
        print("\n".join(rows(name, result)), flush=True)


ORACLE = {"CV": "CV", "SPD": "SPD", "DIFFP": "DIFFP", "RD": "RD", "KURT": "KURT", "SKEW": "SKEW", "KS": "KSTEST"}


def file_variants(bids: list[np.ndarray]) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    """The file authors' own definitions, inferred from their numbers (see docs/detection.md)."""
    out: dict[str, list[float]] = {"DIFFP*": [], "RD*": [], "KS*": []}
    for b in bids:
        b = np.sort(b)
        u = np.unique(b)
        out["DIFFP*"].append((u[1] - u[0]) / u[0] if u.size > 1 else 0.0)  # distinct values
        s = b[:-1].std(ddof=1)  # all bids but the highest, not the losing bids
        out["RD*"].append((b[1] - b[0]) / s if s > 0 else np.nan)
        span = b[-1] - b[0]
        if span > 0:  # KS distance from the uniform law on [lowest, highest]
            f = (b - b[0]) / span
            i = np.arange(1, b.size + 1)
            out["KS*"].append(float(max((i / b.size - f).max(), (f - (i - 1) / b.size).max())))
        else:
            out["KS*"].append(np.nan)
    return {k: np.array(v) for k, v in out.items()}


def agreement(ours: np.ndarray, theirs: np.ndarray) -> float:  # type: ignore[type-arg]
    """Share of tenders that agree to the file's four decimals; the file writes 0 where a screen is undefined."""
    agree = np.where(np.isfinite(ours), np.abs(np.nan_to_num(ours) - theirs) <= 5.1e-5, theirs == 0)
    return float(agree.mean())


def oracle(data: Path) -> None:
    """Share of tenders (≥ 3 bids) where a screen equals the file's precomputed one to its 4 decimals."""
    pairs = [*ORACLE.items(), ("DIFFP*", "DIFFP"), ("RD*", "RD"), ("KS*", "KSTEST")]
    print("\n### Our screens against the precomputed columns (share of tenders agreeing to ±0.00005)\n")
    print("`X*` are the file authors' variants as we inferred them, not screens of ours.\n")
    print("| market | tenders | " + " | ".join(f"{a} vs {b}" for a, b in pairs) + " |")
    print("|---|---|" + "---|" * len(pairs))
    for name, file in MARKETS.items():
        frame = pl.read_csv(data / file, infer_schema_length=None)
        grouped = frame.group_by("Tender", maintain_order=True).agg(
            pl.col("Bid_value").cast(pl.Float64), *[pl.col(c).first() for c in ORACLE.values()]
        )
        grouped = grouped.filter(pl.col("Bid_value").list.len() >= 3)
        bids = [np.array(b, dtype=np.float64) for b in grouped["Bid_value"].to_list()]
        ours = {**screens_by_size(bids), **file_variants(bids)}
        shares = [f"{agreement(ours[mine], grouped[theirs].to_numpy()):.3f}" for mine, theirs in pairs]
        print(f"| {name} | {grouped.height} | " + " | ".join(shares) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--only", default="oracle,within,lomo,transfer")
    args = parser.parse_args()
    started = time.perf_counter()
    only = set(args.only.split(","))
    if "oracle" in only:
        oracle(args.data)
    tables = load(args.data)
    for section, fn in (("within", within), ("lomo", lomo), ("transfer", transfer)):
        if section in only:
            fn(tables)
    print(f"\n(finished in {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
