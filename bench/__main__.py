"""Run every benchmark in turn and print its figures."""

from __future__ import annotations

import importlib
import sys

BENCHES = (
    "bench.events",
    "bench.sealing",
    "bench.search",
    "bench.search_quality",
    "bench.trade",
    "bench.analyze",
    "bench.collusion_eval",
    "bench.evaluation",
    "bench.ledger",
    "bench.expert_draw",
    "bench.credit",
    "bench.archive_verify",
    "bench.ocds_export",
    "bench.federation",
    "bench.ocds_import",
)


def main() -> None:
    only = sys.argv[1:]
    for name in BENCHES:
        if only and name.split(".")[-1] not in only:
            continue
        print(f"== {name}")
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
