"""Cardinal 输出格式 — results as the JSON `ocdscardinal indicators --no-meta` prints, byte for byte where it is
deterministic (group order, serde_json/ryu number formatting)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import orjson
import polars as pl

from ggzy.supervision.flags.cardinal.settings import INDICATORS

Results = dict[str, dict[str, dict[str, float]]]
_ORDER = {code: index for index, code in enumerate(INDICATORS)}


def format_float(value: float) -> str:
    """A float as Rust's serde_json writes it (ryu): `1.0`, `0.16666666666666666`, `1e16`, `1e-7`; non-finite → null."""
    if not math.isfinite(value):
        return "null"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    digits = stripped
    point = len(digits) + exponent  # the value is 0.DIGITS × 10^point
    text: str
    if exponent >= 0 and point <= 16:
        text = digits + "0" * exponent + ".0"
    elif 0 < point <= 16:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -5 < point <= 0:
        text = "0." + "0" * -point + digits
    elif len(digits) == 1:
        text = f"{digits}e{point - 1}"
    else:
        text = f"{digits[0]}.{digits[1:]}e{point - 1}"
    return ("-" if sign else "") + text


def cardinal_hits(hits: pl.DataFrame) -> pl.DataFrame:
    """Only Cardinal's indicators: `--format cardinal` prints exactly what ocdscardinal would."""
    return hits.filter(pl.col("indicator").is_in(INDICATORS))


def ordered_hits(hits: pl.DataFrame) -> pl.DataFrame:
    """Results in the order Cardinal sets them: per release while reading, then each indicator's finalize pass."""
    ranked = hits.with_columns(
        pl.col("indicator").replace_strict(_ORDER, default=len(_ORDER), return_dtype=pl.Int64).alias("rank")
    )
    fold = ranked.filter(pl.col("phase") == "fold").sort("order", "rank", "sub", maintain_order=True)
    # Cardinal's finalize passes walk hash maps, so its own order there changes from run to run; ours is fixed.
    final = ranked.filter(pl.col("phase") == "finalize").sort("rank", "order", "sub", "group", "key")
    return pl.concat([fold, final])


def build_results(hits: pl.DataFrame) -> Results:
    """Nested results {group: {id: {indicator: value}}}, groups ordered as Cardinal's IndexMap leaves them."""
    groups: dict[str, dict[str, dict[str, float]]] = {"OCID": {}, "Tenderer": {}}
    for group, key, indicator, value in ordered_hits(hits).select("group", "key", "indicator", "value").iter_rows():
        groups.setdefault(group, {}).setdefault(key, {})[indicator] = value
    order = list(groups)
    for name in ("OCID", "Tenderer"):  # Cardinal drops these two if empty with IndexMap::swap_remove
        if not groups[name]:
            at = order.index(name)
            last = order.pop()
            if last != name:
                order[at] = last
    return {
        name: {
            key: dict(sorted(entry.items(), key=lambda kv: _ORDER.get(kv[0], 99)))
            for key, entry in groups[name].items()
        }
        for name in order
    }


def dumps(results: Results) -> str:
    """Compact JSON, keys escaped like serde_json, numbers formatted like ryu."""
    out = []
    for name, entries in results.items():
        inner = []
        for key, values in entries.items():
            body = ",".join(f"{_key(code)}:{format_float(value)}" for code, value in values.items())
            inner.append(f"{_key(key)}:{{{body}}}")
        out.append(f"{_key(name)}:{{{','.join(inner)}}}")
    return "{" + ",".join(out) + "}"


def _key(text: Any) -> str:
    return orjson.dumps(str(text)).decode()
