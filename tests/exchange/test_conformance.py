"""Offline OCDS 1.1.5 validation (issue 14 item 1): the export of generated trades of every procedure, ended in every
way a section ends today, validates against the release-package, record-package and release schemas with the
bids extension merged in (JSON Merge Patch, RFC 7386), with 0 errors; the codelist values used are in the
published CSV files, and every ocid has the registered prefix's shape. Reads ../shared/ocds-schema."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from sqlalchemy.orm import Session

from ggzy.core.clock import FixedClock
from ggzy.exchange import ocds, queries
from ggzy.projects.models import Section
from ggzy.rules.procedures import Method
from tests.conftest import SHARED
from tests.exchange.builders import OUTCOMES

pytestmark = pytest.mark.conformance

SCHEMA = SHARED / "ocds-schema"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
VERSIONED_URL = "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386."""
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


def codelist(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as f:
        return {row["Code"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    release = merge_patch(
        load(SCHEMA / "1.1/release-schema.json"), load(SCHEMA / "extensions/bids/v1.1.5/release-schema.json")
    )
    versioned = load(SCHEMA / "1.1/versioned-release-validation-schema.json")

    def retrieve(uri: str) -> Any:
        return {RELEASE_URL: release, VERSIONED_URL: versioned}[uri.split("#")[0]]

    def validator(schema: Any) -> Any:
        return jsonschema_rs.Draft4Validator(schema, retriever=retrieve, validate_formats=True)

    return {
        "release": validator(release),
        "release-package": validator(load(SCHEMA / "1.1/release-package-schema.json")),
        "record-package": validator(load(SCHEMA / "1.1/record-package-schema.json")),
    }


def errors(validator: Any, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(doc)]


def test_the_export_of_every_procedure_validates_offline_with_no_error(
    session: Session, clock: FixedClock, trade: Callable[..., Section], schemas: dict[str, Any]
) -> None:
    sections = [trade(method=m, outcome="opened") for m in Method]
    sections += [trade(method=Method.OPEN_TENDER, outcome=o) for o in OUTCOMES if o != "opened"]
    sections += [trade(method=Method.GP_OPEN_TENDER, outcome=o) for o in ("failed", "terminated", "clarified")]
    pub = queries.Publisher(
        "新乡市公共资源交易平台", "ocds-ab12cd", "https://ggzy.example/api/ocds/releases", clock.now()
    )
    found = list(queries.steps(session))
    rels = json.loads(ocds.dumps(queries.releases(session, found, prefix=pub.prefix)))
    assert len(rels) >= 3 * len(Method)
    package = json.loads(ocds.dumps(queries.release_package(rels, pub)))
    problems = errors(schemas["release-package"], package)
    for r in rels:
        problems += [f"{r['id']}: {p}" for p in errors(schemas["release"], r)]
    for s in sections:
        record = json.loads(ocds.dumps(queries.record_package(session, f"{pub.prefix}-{s.code}", pub)))
        problems += [f"record {s.code}: {p}" for p in errors(schemas["record-package"], record)]
        problems += [
            f"compiled {s.code}: {p}" for p in errors(schemas["release"], record["records"][0]["compiledRelease"])
        ]
    assert problems == []
    # the validators do see errors, through the package's reference to the release schema too
    broken = json.loads(json.dumps(package))
    broken["releases"][-1]["tender"]["status"] = "finished"
    broken["releases"][-1]["tender"]["value"]["amount"] = "5000000.00"
    assert len(errors(schemas["release-package"], broken)) >= 2
    opened = next(r for r in rels if "bids" in r)
    opened["bids"]["details"][0]["tenderers"] = "not an array"
    assert errors(schemas["release"], opened)
    # OCDS's conformance checks beyond the schema: the ocid prefix and the codelists
    assert all(re.match(r"^ocds-[a-z0-9]{6}-", r["ocid"]) for r in rels)
    lists = SCHEMA / "1.1/codelists"
    bids = SCHEMA / "extensions/bids/v1.1.5/codelists"
    used = {
        "releaseTag.csv": {t for r in rels for t in r["tag"]},
        "initiationType.csv": {r["initiationType"] for r in rels},
        "tenderStatus.csv": {r["tender"]["status"] for r in rels},
        "method.csv": {r["tender"]["procurementMethod"] for r in rels},
        "procurementCategory.csv": {r["tender"]["mainProcurementCategory"] for r in rels},
        "partyRole.csv": {role for r in rels for p in r["parties"] for role in p["roles"]},
        "currency.csv": {r["tender"]["value"]["currency"] for r in rels},
    }
    for name, values in used.items():
        assert values <= codelist(lists / name), name
    assert {d["status"] for r in rels for d in r.get("bids", {}).get("details", [])} <= codelist(bids / "bidStatus.csv")
    measures = {s["measure"] for r in rels for s in r.get("bids", {}).get("statistics", [])}
    assert measures and measures <= codelist(bids / "bidStatistics.csv")
    statuses = {r["tender"]["status"] for r in rels}
    assert {"planning", "active", "unsuccessful", "cancelled"} <= statuses and "complete" not in statuses


def test_the_demo_citys_export_and_its_countys_file_validate_offline_with_no_error(
    session: Session,
    clock: FixedClock,
    ident: Any,
    files: Any,
    opening_env: Any,
    keys: Any,
    tmp_path: Path,
    schemas: dict[str, Any],
) -> None:
    from ggzy import demo

    demo.build(
        session,
        clock=clock,
        ident=ident,
        trades=demo.TradeKit(files=files, env=opening_env, signer=keys.log_private, var=tmp_path),
    )
    pub = queries.Publisher(
        "新乡市公共资源交易平台", ocds.DEFAULT_PREFIX, "https://ggzy.example/api/ocds/releases", clock.now()
    )
    rels = json.loads(ocds.dumps(queries.releases(session, list(queries.steps(session)), prefix=pub.prefix)))
    statuses = {r["tender"]["status"] for r in rels}
    assert len(rels) >= 9 and {"active", "unsuccessful"} <= statuses  # the opened school, the failed dyke, the road
    problems = errors(schemas["release-package"], json.loads(ocds.dumps(queries.release_package(rels, pub))))
    lines = (tmp_path / "demo-county-ocds.jsonl").read_text(encoding="utf-8").splitlines()
    county = [json.loads(line) for line in lines if line.strip()]
    assert len(county) >= 10
    for r in county:
        problems += [f"county {r['ocid']}: {p}" for p in errors(schemas["release"], r)]
        assert re.match(r"^ocds-[a-z0-9]{6}-", r["ocid"])
    assert problems == []
