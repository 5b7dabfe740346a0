"""The import against the published material in ../shared (marked `conformance`, run by .ci/run): the checker's table
and the merge rules equal what the OCDS 1.1.5 schema (+ bids and lots v1.1.5) states, the checker finds an error
exactly where the schema does, the Prozorro sample round-trips through the store and the exchange's packages, and
the Hangzhou trading centre's real tables import and are analysed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from ocdsmerge.rules import get_merge_rules
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.core.db import Database
from ggzy.exchange.queries import Publisher
from ggzy.supervision.analyze.pipeline import read_tables, run_flags
from ggzy.supervision.flags.cardinal.settings import CardinalSettings
from ggzy.supervision.imports import china, export, store
from ggzy.supervision.imports.ocds import import_ocds
from ggzy.supervision.imports.prepare import dumps
from ggzy.supervision.ocds import check
from ggzy.supervision.ocds.merge import MERGE_RULES
from tests.conftest import SHARED
from tests.supervision.test_ocds_check import MUTANTS, mutated, paths, rich

pytestmark = pytest.mark.conformance

SCHEMA = SHARED / "ocds-schema"
PROZORRO = SHARED / "data" / "ocds" / "ukraine-prozorro-2017" / "derived"
HANGZHOU = SHARED / "data" / "china" / "zhejiang-hangzhou-lishui-2023"


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    release = load(SCHEMA / "1.1/release-schema.json")
    for name in ("bids", "lots"):
        release = merge_patch(release, load(SCHEMA / f"extensions/{name}/v1.1.5/release-schema.json"))
    return release


def test_the_merge_rules_are_those_of_the_schema(schema: dict[str, Any]) -> None:
    assert get_merge_rules(schema) == MERGE_RULES


TYPES = {
    "string": check.S,
    "number": check.N,
    "integer": check.I,
    "boolean": check.B,
    "object": check.O,
    "array": check.A,
}


def stated(prop: dict[str, Any]) -> tuple[set[str], bool, str | None, set[str], frozenset[str] | None, int]:
    """(types, nullable, ref, item types, closed codes, minItems) of a schema property, in the checker's terms."""
    if "$ref" in prop:
        return {check.O}, False, prop["$ref"].split("/")[-1], set(), None, 0
    raw = prop.get("type", [])
    raw = [raw] if isinstance(raw, str) else raw
    types = {check.D if t == "string" and prop.get("format") == "date-time" else TYPES[t] for t in raw if t != "null"}
    items = prop.get("items", {})
    ref = items["$ref"].split("/")[-1] if "$ref" in items else None
    item_raw = items.get("type", [])
    item_types = {TYPES[t] for t in ([item_raw] if isinstance(item_raw, str) else item_raw) if t != "null"}
    codes = prop.get("enum") or items.get("enum")
    closed = frozenset(c for c in codes if c is not None) if codes else None
    return types, "null" in raw, ref, item_types, closed, prop.get("minItems", 0)


def test_the_checker_table_states_every_field_of_the_schema(schema: dict[str, Any]) -> None:
    definitions = {"Release": schema, **schema["definitions"]}
    differences = []
    for name, definition in definitions.items():
        if name not in check.DEFS:
            assert name == "Finance", name  # the lots extension patches a definition the core schema does not have
            continue
        ours = check.DEFS[name]
        assert set(definition.get("required", [])) == set(check.REQUIRED.get(name, ())), name
        for key, prop in definition.get("properties", {}).items():
            fld = ours.get(key)
            if fld is None:
                differences.append(f"{name}.{key} missing")
                continue
            types, nullable, ref, item_types, closed, min_items = stated(prop)
            if key == "currency":
                closed = None  # checked for the ISO 4217 shape, not the 303 codes (module docstring)
            got = (set(fld.types), fld.nullable, fld.ref, set(fld.items), fld.codes, fld.min_items)
            if got != (types, nullable, ref, item_types, closed, min_items):
                differences.append(
                    f"{name}.{key}: ours {got} ≠ schema {(types, nullable, ref, item_types, closed, min_items)}"
                )
        assert set(ours) - set(definition.get("properties", {})) == set(), name
    assert differences == []


def pattern(instance_path: list[Any]) -> str:
    out = ""
    for part in instance_path:
        out = out + "[]" if isinstance(part, int) else f"{out}.{part}" if out else str(part)
    return out


def test_the_checker_finds_an_error_exactly_where_the_schema_does(schema: dict[str, Any]) -> None:
    """Every single-field mutation of a rich release: the paths of the checker's errors equal those of jsonschema-rs
    with the real schema (formats checked), except uniqueItems and uri formats, which the checker does not check."""
    validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True)
    base = rich()
    assert validator.is_valid(base)
    compared = 0
    for path in paths(base):
        for value in (*MUTANTS, KeyError):
            candidate = mutated(base, path, value)
            theirs = set()
            for error in validator.iter_errors(candidate):
                if error.kind.__class__.__name__ in ("UniqueItems",) or "uri" in str(error.message):
                    continue
                where = list(error.instance_path)
                if "required" in error.kind.__class__.__name__.lower():
                    where.append(re.findall(r'"([^"]+)" is a required', error.message)[0])
                theirs.add(pattern(where))
            problems = check.Problems()
            check._check_object(candidate, check._COMPILED["Release"], [], "", problems)
            ours = {p for p, _ in problems.errors}
            assert ours == theirs, (path, value, ours, theirs)
            compared += 1
    assert compared > 1500


def test_the_prozorro_sample_round_trips(db: Database, session: Session, clock: FixedClock) -> None:
    package = load(PROZORRO / "release-package-1.1.json")
    records = {r["ocid"]: r for r in load(PROZORRO / "record-package-1.1.json")["records"]}
    report = import_ocds(db, [PROZORRO / "release-package-1.1.json"], clock=clock)
    assert report.releases_stored == 11 and report.records == 11 and report.rejected == 0
    assert {(e["path"], e["kind"], e["count"]) for e in report.problems.as_json()["errors"]} == {
        ("bids.details[].status", "codelist", 12),
        ("tag[]", "codelist", 5),
    }, "the README's closed-codelist violations, and nothing else"
    pub = Publisher(
        name="round trip", prefix="ocds-be6bcu", uri="https://example.invalid/out.json", published=clock.now()
    )
    again = json.loads(dumps(export.releases_package(session, pub)))
    assert sorted(again["releases"], key=lambda r: r["ocid"]) == sorted(package["releases"], key=lambda r: r["ocid"])
    out = json.loads(dumps(export.records_package(session, pub)))
    assert len(out["records"]) == 11
    for record in out["records"]:
        assert record["compiledRelease"] == records[record["ocid"]]["compiledRelease"], "as ocdskit compile made it"
    report = import_ocds(db, [PROZORRO / "record-package-1.1.json"], clock=clock)
    assert report.duplicates == 11 and report.stored == 0, "the record package holds the same releases"


def test_the_hangzhou_tables_import_and_are_analysed(db: Database, clock: FixedClock, tmp_path: Path) -> None:
    files = [
        HANGZHOU / "hangzhou_tenders_招标项目信息汇总.csv",
        HANGZHOU / "hangzhou_bid_openings_开标项目信息汇总.xlsx",
        HANGZHOU / "hangzhou_awards_中标项目信息汇总.xlsx",
    ]
    releases, report = china.read_tables(china.load_mapping("hangzhou"), files)
    assert report.rows == {"招标": 1909, "开标": 1629, "中标": 1137}
    assert report.joined == {"招标∩开标": 1205, "招标∩中标": 1071, "开标∩中标": 1104}, "the README's figures"
    assert any("不是可识别的日期" in p for p in report.problems), "real dates such as 2023/11/219:30:00 are reported"
    path = tmp_path / "hz.jsonl"
    path.write_bytes(b"".join(dumps(r) + b"\n" for r in releases))
    tables, stats = read_tables(path, progress=False)
    assert stats.releases == len(releases) and stats.schema.total == 0
    outcomes, _, _ = run_flags(tables, CardinalSettings.all_defaults())
    assert outcomes["R018"].evaluated > 1000 and outcomes["B06"].evaluated > 0
    stored = import_ocds(db, [path], clock=clock)
    assert stored.compiled_stored == len(releases)
    with db.unit_of_work() as s:
        assert store.record(s, releases[0]["ocid"]) is not None
