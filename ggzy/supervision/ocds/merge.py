"""合并 — releases merged into a compiled release as OCDS 1.1 specifies, by the Open Contracting Partnership's
reference implementation `ocdsmerge` (the library `ocdskit compile` uses), with the merge rules of OCDS 1.1.5 and the
bids and lots extensions given here, so that nothing is fetched from the network.

The rules are what `ocdsmerge.get_merge_rules()` derives from the release schema (+ the extensions' patches):
`omitWhenMerged` fields and arrays merged whole (`wholeListMerge`: arrays of strings, arrays of objects without
`id`); every other array of objects is merged by `id`. `tests/supervision/test_ocds_merge.py` checks this table
against the schema in `../shared/ocds-schema` (marked `conformance`).
"""

from __future__ import annotations

import warnings
from typing import Any

from ocdsmerge import Merger
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning

OMIT = ("id", "date", "tag")
WHOLE_LIST = (
    "awards.amendment.changes",
    "awards.amendments.changes",
    "awards.items.additionalClassifications",
    "awards.suppliers.additionalIdentifiers",
    "buyer.additionalIdentifiers",
    "contracts.amendment.changes",
    "contracts.amendments.changes",
    "contracts.implementation.transactions.payee.additionalIdentifiers",
    "contracts.implementation.transactions.payer.additionalIdentifiers",
    "contracts.items.additionalClassifications",
    "contracts.relatedProcesses.relationship",
    "parties.additionalIdentifiers",
    "parties.roles",
    "relatedProcesses.relationship",
    "tender.additionalProcurementCategories",
    "tender.amendment.changes",
    "tender.amendments.changes",
    "tender.items.additionalClassifications",
    "tender.procuringEntity.additionalIdentifiers",
    "tender.submissionMethod",
    "tender.tenderers.additionalIdentifiers",
    # bids extension v1.1.5
    "bids.details.tenderers.additionalIdentifiers",
    # lots extension v1.1.5
    "awards.documents.relatedLots",
    "awards.relatedLots",
    "bids.details.documents.relatedLots",
    "bids.details.relatedLots",
    "contracts.documents.relatedLots",
    "contracts.implementation.documents.relatedLots",
    "contracts.implementation.milestones.documents.relatedLots",
    "contracts.implementation.milestones.relatedLots",
    "contracts.milestones.documents.relatedLots",
    "contracts.milestones.relatedLots",
    "planning.documents.relatedLots",
    "planning.milestones.documents.relatedLots",
    "planning.milestones.relatedLots",
    "tender.documents.relatedLots",
    "tender.lotGroups.relatedLots",
    "tender.milestones.documents.relatedLots",
    "tender.milestones.relatedLots",
)
MERGE_RULES: dict[tuple[str, ...], str] = {
    **{(key,): "omitWhenMerged" for key in OMIT},
    **{tuple(path.split(".")): "wholeListMerge" for path in WHOLE_LIST},
}
_MERGER = Merger(merge_rules=MERGE_RULES)


class MergeFailed(Exception):
    """The releases cannot be merged (a field that is an object in one release and an array in another, …)."""


def compile_releases(releases: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The compiled release of one ocid's releases (any order: they are sorted by `date`), and ocdsmerge's warnings
    (two objects with the same `id` in one array)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OCDSMergeWarning)
        try:
            compiled = _MERGER.create_compiled_release(releases)
        except (OCDSMergeError, TypeError, AttributeError) as error:
            raise MergeFailed(str(error)[:300]) from error
    return compiled, [str(w.message)[:300] for w in caught if issubclass(w.category, OCDSMergeWarning)]
