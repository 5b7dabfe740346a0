"""The push's OCDS checks (ggzy/federation/validate.py) are written in the module so that nothing under ../shared is
read at run time; here they are held against the published codelists (OCDS 1.1.5 and the bids extension), and every
release our own export makes of generated trades passes them. Reads ../shared/ocds-schema (conformance run)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ggzy.federation import validate
from tests.conftest import SHARED

pytestmark = pytest.mark.conformance

CODELISTS = SHARED / "ocds-schema" / "1.1" / "codelists"
BIDS = SHARED / "ocds-schema" / "extensions" / "bids" / "v1.1.5" / "codelists"


def codes(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


@pytest.mark.parametrize(
    ("ours", "published"),
    [
        (validate.RELEASE_TAGS, CODELISTS / "releaseTag.csv"),
        (validate.TENDER_STATUS, CODELISTS / "tenderStatus.csv"),
        (validate.AWARD_STATUS, CODELISTS / "awardStatus.csv"),
        (validate.CONTRACT_STATUS, CODELISTS / "contractStatus.csv"),
        (validate.METHODS, CODELISTS / "method.csv"),
        (validate.CATEGORIES, CODELISTS / "procurementCategory.csv"),
        (validate.BID_STATUS, BIDS / "bidStatus.csv"),
    ],
)
def test_each_codelist_is_the_published_one(ours: frozenset[str], published: Path) -> None:
    assert ours == codes(published)
