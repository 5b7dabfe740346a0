"""模式检查 — OCDS 1.1.5 releases checked by type, required field, closed codelist and date format, reported by
JSON path with counts per path and a few examples (issue 14 item 2).

The platform's own typed checks, not a JSON Schema validator: the runtime has no copy of the schema (none ships in a
package on PyPI, and `../shared` is not there at run time). The table below states, for OCDS 1.1.5 core and the bids
and lots extensions (v1.1.5), each field's JSON type, whether null is allowed, the required fields, the closed
codelists and the non-empty arrays; `tests/supervision/test_ocds_check_schema.py` (marked `conformance`) compares it
field by field with `../shared/ocds-schema` and compares the errors found with jsonschema-rs's on generated bad
releases. Known differences, all stated there: `currency` is checked for the ISO 4217 shape (three capital letters),
not against the 303-code list; `uniqueItems` and `uri` formats are not checked.

Paths are written `awards[].value.amount` (pattern, counted) and `releases[3].awards[0].value.amount` (example).
Fields that are not in the table (other extensions, local fields) are counted as additional fields, not errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import jsonschema_rs

# A field: (JSON types, nullable, definition name for objects / item spec for arrays, closed codelist, min items).
# Types: s string, n number, i integer, b boolean, d date-time string, o object (a named definition or free), a array.
S, N, I, B, D, O, A = "s", "n", "i", "b", "d", "o", "a"  # noqa: E741
ANY = "*"


@dataclass(frozen=True)
class Field:
    types: tuple[str, ...]
    nullable: bool = True
    ref: str | None = None  # object definition, or for arrays the item definition
    items: tuple[str, ...] = ()  # array item types when not objects
    codes: frozenset[str] | None = None  # closed codelist (for arrays: of the items)
    min_items: int = 0


def f(*types: str, null: bool = True, ref: str | None = None, codes: tuple[str, ...] | None = None) -> Field:
    return Field(types, null, ref, codes=frozenset(codes) if codes else None)


def arr(
    ref: str | None = None, *, items: tuple[str, ...] = (), codes: tuple[str, ...] | None = None, min_items: int = 0
) -> Field:
    return Field(
        (A,),
        nullable=ref is None and not items,
        ref=ref,
        items=items,
        codes=frozenset(codes) if codes else None,
        min_items=min_items,
    )


def obj(ref: str) -> Field:
    return Field((O,), nullable=False, ref=ref)


STR, DATE, NUM, INT, BOOL, SI = f(S), f(D), f(N), f(I), f(B), f(S, I)
STATUS = ("planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn")
TAGS = (
    "planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate", "tenderCancellation", "award",
    "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment", "implementation",
    "implementationUpdate", "contractTermination", "compiled",
)  # fmt: skip
CURRENCY = re.compile(r"^[A-Z]{3}$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
STRICT_ARRAY = Field((A,), nullable=False, items=(O,))  # Amendment.changes: objects, their fields deprecated

DEFS: dict[str, dict[str, Field]] = {
    "Release": {
        "ocid": f(S, null=False),
        "id": f(S, null=False),
        "date": f(D, null=False),
        "tag": Field((A,), nullable=False, items=(S,), codes=frozenset(TAGS), min_items=1),
        "initiationType": f(S, null=False, codes=("tender",)),
        "parties": arr("Organization"),
        "buyer": obj("OrganizationReference"),
        "planning": obj("Planning"),
        "tender": obj("Tender"),
        "awards": arr("Award"),
        "contracts": arr("Contract"),
        "language": STR,
        "relatedProcesses": arr("RelatedProcess"),
        "bids": obj("Bids"),
    },
    "Planning": {
        "rationale": STR,
        "budget": obj("Budget"),
        "documents": arr("Document"),
        "milestones": arr("Milestone"),
    },
    "Tender": {
        "id": f(S, I, null=False),
        "title": STR,
        "description": STR,
        "status": f(S, codes=STATUS),
        "procuringEntity": obj("OrganizationReference"),
        "items": arr("Item"),
        "value": obj("Value"),
        "minValue": obj("Value"),
        "procurementMethod": f(S, codes=("open", "selective", "limited", "direct")),
        "procurementMethodDetails": STR,
        "procurementMethodRationale": STR,
        "mainProcurementCategory": f(S, codes=("goods", "works", "services")),
        "additionalProcurementCategories": Field((A,), items=(S,)),
        "awardCriteria": STR,
        "awardCriteriaDetails": STR,
        "submissionMethod": Field((A,), items=(S,)),
        "submissionMethodDetails": STR,
        "tenderPeriod": obj("Period"),
        "enquiryPeriod": obj("Period"),
        "hasEnquiries": BOOL,
        "eligibilityCriteria": STR,
        "awardPeriod": obj("Period"),
        "contractPeriod": obj("Period"),
        "numberOfTenderers": INT,
        "tenderers": arr("OrganizationReference"),
        "documents": arr("Document"),
        "milestones": arr("Milestone"),
        "amendments": arr("Amendment"),
        "amendment": obj("Amendment"),
        "lots": arr("Lot"),
        "lotDetails": Field((O,), nullable=False),
        "lotGroups": arr("LotGroup"),
    },
    "Award": {
        "id": f(S, I, null=False),
        "title": STR,
        "description": STR,
        "status": f(S, codes=("pending", "active", "cancelled", "unsuccessful")),
        "date": DATE,
        "value": obj("Value"),
        "suppliers": arr("OrganizationReference"),
        "items": arr("Item", min_items=1),
        "contractPeriod": obj("Period"),
        "documents": arr("Document"),
        "amendments": arr("Amendment"),
        "amendment": obj("Amendment"),
        "relatedBid": STR,
        "relatedLots": Field((A,), items=(S,)),
    },
    "Contract": {
        "id": f(S, I, null=False),
        "awardID": f(S, I, null=False),
        "title": STR,
        "description": STR,
        "status": f(S, codes=("pending", "active", "cancelled", "terminated")),
        "period": obj("Period"),
        "value": obj("Value"),
        "items": arr("Item", min_items=1),
        "dateSigned": DATE,
        "documents": arr("Document"),
        "implementation": obj("Implementation"),
        "relatedProcesses": arr("RelatedProcess"),
        "milestones": arr("Milestone"),
        "amendments": arr("Amendment"),
        "amendment": obj("Amendment"),
    },
    "Implementation": {
        "transactions": arr("Transaction"),
        "milestones": arr("Milestone"),
        "documents": arr("Document"),
    },
    "Milestone": {
        "id": f(S, I, null=False),
        "title": STR,
        "type": STR,
        "description": STR,
        "code": STR,
        "dueDate": DATE,
        "dateMet": DATE,
        "dateModified": DATE,
        "status": f(S, codes=("scheduled", "met", "notMet", "partiallyMet")),
        "documents": arr("Document"),
        "relatedLots": Field((A,), items=(S,)),
    },
    "Document": {
        "id": f(S, I, null=False),
        "documentType": STR,
        "title": STR,
        "description": STR,
        "url": STR,
        "datePublished": DATE,
        "dateModified": DATE,
        "format": STR,
        "language": STR,
        "relatedLots": Field((A,), items=(S,)),
    },
    "Budget": {
        "id": SI,
        "description": STR,
        "amount": obj("Value"),
        "project": STR,
        "projectID": SI,
        "uri": STR,
        "source": STR,
    },
    "Transaction": {
        "id": f(S, I, null=False),
        "source": STR,
        "date": DATE,
        "value": obj("Value"),
        "payer": obj("OrganizationReference"),
        "payee": obj("OrganizationReference"),
        "uri": STR,
        "amount": obj("Value"),
        "providerOrganization": obj("Identifier"),
        "receiverOrganization": obj("Identifier"),
    },
    "OrganizationReference": {
        "name": STR,
        "id": f(S, I, null=False),
        "identifier": obj("Identifier"),
        "address": obj("Address"),
        "additionalIdentifiers": arr("Identifier"),
        "contactPoint": obj("ContactPoint"),
    },
    "Organization": {
        "name": STR,
        "id": f(S, null=False),
        "identifier": obj("Identifier"),
        "additionalIdentifiers": arr("Identifier"),
        "address": obj("Address"),
        "contactPoint": obj("ContactPoint"),
        "roles": Field((A,), items=(S,)),
        "details": Field((O,)),
    },
    "Item": {
        "id": f(S, I, null=False),
        "description": STR,
        "classification": obj("Classification"),
        "additionalClassifications": arr("Classification"),
        "quantity": NUM,
        "unit": Field((O,), nullable=False),
        "relatedLot": STR,
    },
    "Amendment": {
        "date": DATE,
        "rationale": STR,
        "id": STR,
        "description": STR,
        "amendsReleaseID": STR,
        "releaseID": STR,
        "changes": STRICT_ARRAY,
    },
    "Classification": {"scheme": STR, "id": SI, "description": STR, "uri": STR},
    "Identifier": {"scheme": STR, "id": SI, "legalName": STR, "uri": STR},
    "Address": {"streetAddress": STR, "locality": STR, "region": STR, "postalCode": STR, "countryName": STR},
    "ContactPoint": {"name": STR, "email": STR, "telephone": STR, "faxNumber": STR, "url": STR},
    "Value": {"amount": NUM, "currency": STR},
    "Period": {"startDate": DATE, "endDate": DATE, "maxExtentDate": DATE, "durationInDays": INT},
    "RelatedProcess": {
        "id": f(S, null=False),
        "relationship": Field((A,), items=(S,)),
        "title": STR,
        "scheme": STR,
        "identifier": STR,
        "uri": STR,
    },
    # bids extension v1.1.5
    "Bids": {"statistics": arr("BidsStatistic"), "details": arr("Bid")},
    "BidsStatistic": {
        "id": f(S, null=False),
        "measure": f(S, null=False),
        "date": DATE,
        "value": f(N, null=False),
        "currency": STR,
        "notes": STR,
        "relatedLot": STR,
    },
    "Bid": {
        "id": f(S, null=False),
        "date": DATE,
        "status": f(S, codes=("invited", "pending", "valid", "disqualified", "withdrawn")),
        "tenderers": arr("OrganizationReference"),
        "value": obj("Value"),
        "documents": arr("Document"),
        "relatedLots": Field((A,), items=(S,)),
    },
    # lots extension v1.1.5
    "Lot": {
        "id": f(S, null=False),
        "title": STR,
        "description": STR,
        "status": f(S, codes=STATUS),
        "value": obj("Value"),
        "contractPeriod": obj("Period"),
    },
    "LotGroup": {
        "id": f(S, null=False),
        "relatedLots": Field((A,), items=(S,)),
        "optionToCombine": BOOL,
        "maximumValue": obj("Value"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "Release": ("ocid", "id", "date", "tag", "initiationType"),
    "Tender": ("id",), "Award": ("id",), "Contract": ("id", "awardID"), "Milestone": ("id",), "Document": ("id",),
    "Transaction": ("id",), "Item": ("id",), "BidsStatistic": ("id", "measure", "value"), "Bid": ("id",),
}  # fmt: skip
# ggzy's own extension (docs/analyze.md) is known: its values are read by the flags with their own type checks.
KNOWN_FREE = frozenset({"ggzySupervision"})
KNOWN_EXTENSIONS = {
    "ocds_bid_extension": "bids",
    "ocds_lots_extension": "lots",
}
TYPE_NAMES = {S: "string", N: "number", I: "integer", B: "boolean", D: "date-time string", O: "object", A: "array"}
MAX_EXAMPLES = 3


def json_type(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        return "number"
    if kind is Decimal:
        return "number"
    if kind is dict:
        return "object"
    if kind is list:
        return "array"
    if value is None:
        return "null"
    return kind.__name__


def _is_numeric_text(value: str) -> bool:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return bool(value.strip())


@dataclass
class PathIssue:
    path: str  # pattern: awards[].value.amount
    kind: str  # type | number-as-text | required | codelist | empty | date-time | currency | additional
    message: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class Problems:
    """Counts per (path, kind), with the first examples; `additional` holds fields outside the table (not errors)."""

    errors: dict[tuple[str, str], PathIssue] = field(default_factory=dict)
    additional: dict[str, PathIssue] = field(default_factory=dict)
    releases_with_errors: int = 0
    extensions_unknown: list[str] = field(default_factory=list)

    def add(self, pattern: str, kind: str, message: str, where: str) -> None:
        key = (pattern, kind)
        issue = self.errors.get(key)
        if issue is None:
            issue = self.errors[key] = PathIssue(pattern, kind, message)
        issue.count += 1
        if len(issue.examples) < MAX_EXAMPLES:
            issue.examples.append(where)

    def add_additional(self, pattern: str, where: str) -> None:
        issue = self.additional.get(pattern)
        if issue is None:
            issue = self.additional[pattern] = PathIssue(pattern, "additional", "不在 OCDS 1.1.5 及已知扩展中的字段")
        issue.count += 1
        if len(issue.examples) < MAX_EXAMPLES:
            issue.examples.append(where)

    @property
    def total(self) -> int:
        return sum(i.count for i in self.errors.values())

    def merge(self, other: Problems) -> None:
        for (pattern, kind), issue in other.errors.items():
            mine = self.errors.get((pattern, kind))
            if mine is None:
                self.errors[(pattern, kind)] = PathIssue(pattern, kind, issue.message, issue.count, issue.examples[:])
            else:
                mine.count += issue.count
                mine.examples.extend(issue.examples[: MAX_EXAMPLES - len(mine.examples)])
        for pattern, issue in other.additional.items():
            mine = self.additional.get(pattern)
            if mine is None:
                self.additional[pattern] = PathIssue(
                    pattern, "additional", issue.message, issue.count, issue.examples[:]
                )
            else:
                mine.count += issue.count
                mine.examples.extend(issue.examples[: MAX_EXAMPLES - len(mine.examples)])
        self.releases_with_errors += other.releases_with_errors
        for url in other.extensions_unknown:
            if url not in self.extensions_unknown:
                self.extensions_unknown.append(url)

    def lines(self, limit: int = 30) -> list[str]:
        """The terminal's and the report's text: one line per path, most frequent first."""
        out: list[str] = []
        if self.errors:
            out.append(
                f"模式错误 schema errors: {self.total} 处，涉及 {self.releases_with_errors} 个 release，"
                f"{len(self.errors)} 个路径 (paths)"
            )
        for issue in sorted(self.errors.values(), key=lambda i: (-i.count, i.path, i.kind))[:limit]:
            out.append(
                f"  {issue.path} [{issue.kind}] ×{issue.count}: {issue.message} — 例 e.g. {'; '.join(issue.examples)}"
            )
        if len(self.errors) > limit:
            out.append(f"  …… 另有 {len(self.errors) - limit} 个路径 (more paths)")
        for url in self.extensions_unknown:
            out.append(f"未知扩展 unknown extension (其字段不作检查 fields not checked): {url}")
        if self.additional:
            total = sum(i.count for i in self.additional.values())
            out.append(f"附加字段 additional fields (非错误 not errors): {total} 处，{len(self.additional)} 个路径")
            for issue in sorted(self.additional.values(), key=lambda i: (-i.count, i.path))[:10]:
                out.append(f"  {issue.path} ×{issue.count} — 例 e.g. {issue.examples[0]}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "errors": [
                {"path": i.path, "kind": i.kind, "message": i.message, "count": i.count, "examples": i.examples}
                for i in sorted(self.errors.values(), key=lambda i: (-i.count, i.path, i.kind))
            ],
            "releases_with_errors": self.releases_with_errors,
            "additional": [
                {"path": i.path, "count": i.count, "examples": i.examples}
                for i in sorted(self.additional.values(), key=lambda i: (-i.count, i.path))
            ],
            "unknown_extensions": self.extensions_unknown,
        }


def check_extensions(urls: Any, problems: Problems) -> None:
    """A package's `extensions`: those not known offline are reported (their fields count as additional)."""
    if not isinstance(urls, list):
        return
    for url in urls:
        if not isinstance(url, str) or not any(name in url for name in KNOWN_EXTENSIONS):
            text = str(url)[:200]
            if text not in problems.extensions_unknown:
                problems.extensions_unknown.append(text)


_JSON_TYPES = {S: "string", D: "string", N: "number", I: "integer", B: "boolean", O: "object", A: "array"}


def _field_schema(key: str, fld: Field) -> dict[str, Any]:
    """The JSON Schema of one field of the table, at least as strict as the checks below (and no stricter where it
    matters: a release it accepts has no error and no additional field)."""
    if fld.ref is not None and fld.types == (O,):
        return {"$ref": f"#/definitions/{fld.ref}"}
    out: dict[str, Any] = {}
    types = sorted({_JSON_TYPES[t] for t in fld.types}) + (["null"] if fld.nullable else [])
    out["type"] = types[0] if len(types) == 1 else types
    if D in fld.types:
        out["pattern"] = DATE_TIME.pattern
    if key == "currency":
        out["pattern"] = CURRENCY.pattern
    if A in fld.types:
        if fld.ref is not None:
            out["items"] = {"$ref": f"#/definitions/{fld.ref}"}
        elif fld.items:
            item = _field_schema(key, Field(fld.items, nullable=False, codes=fld.codes))
            out["items"] = item
        if fld.min_items:
            out["minItems"] = fld.min_items
    elif fld.codes is not None:
        out["enum"] = sorted(fld.codes) + ([None] if fld.nullable else [])
    return out


def fast_schema() -> dict[str, Any]:
    """DEFS as a JSON Schema (Draft 4) with no additional property allowed: the fast path's validator."""

    def definition(name: str) -> dict[str, Any]:
        properties = {key: _field_schema(key, fld) for key, fld in DEFS[name].items()}
        properties.update({key: {} for key in KNOWN_FREE})
        out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        if REQUIRED.get(name):
            out["required"] = list(REQUIRED[name])
        return out

    return {**definition("Release"), "definitions": {name: definition(name) for name in DEFS}}


_FAST = jsonschema_rs.Draft4Validator(fast_schema())


def check_release(release: dict[str, Any], where: str, problems: Problems) -> int:
    """Check one release (or compiled release) and add its problems; return how many errors it has. `where` names it
    in the examples: `releases[3]`, `records[0].compiledRelease`, or `line 12:` for JSON Lines.

    A release that the fast validator (jsonschema-rs over `fast_schema()`: the same table, additional fields not
    allowed) accepts has nothing to report; any other is walked here to name each problem by its path."""
    try:
        if _FAST.is_valid(release):
            return 0
    except (ValueError, TypeError, OverflowError):  # a value it cannot take (a Decimal, a huge integer): walk it
        pass
    before = problems.total
    _check_object(release, _COMPILED["Release"], [], where, problems)
    found = problems.total - before
    if found:
        problems.releases_with_errors += 1
    return found


# Compiled form of DEFS: per field the Python types accepted as they are, and what else to look at.
_NUMBER_TYPES = {S: (str,), D: (str,), N: (int, float, Decimal), I: (int,), B: (bool,), O: (dict,), A: (list,)}


@dataclass(frozen=True)
class _Spec:
    plain: frozenset[type]  # types that need no further look (numbers, booleans, strings without a rule, null)
    field: Field
    ref: str | None
    item: _Spec | None  # for arrays of non-objects
    string_rule: bool  # a date-time, codelist or currency to check on strings


def _compile(fld: Field, key: str) -> _Spec:
    plain: set[type] = set()
    for t in fld.types:
        if t in (O, A):
            continue
        plain.update(_NUMBER_TYPES[t])
    rule = D in fld.types or fld.codes is not None or key == "currency"
    if rule:
        plain.discard(str)
    if fld.nullable:
        plain.add(type(None))
    item = _compile(Field(fld.items, nullable=False, codes=fld.codes), key) if fld.items else None
    return _Spec(frozenset(plain), fld, fld.ref, item, rule)


_COMPILED: dict[str, tuple[dict[str, _Spec], tuple[str, ...]]] = {
    name: ({key: _compile(fld, key) for key, fld in spec.items()}, REQUIRED.get(name, ()))
    for name, spec in DEFS.items()
}


def _pattern(path: list[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += "[]"
        else:
            out = f"{out}.{part}" if out else part
    return out


def _concrete(where: str, path: list[str | int]) -> str:
    out = where
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = part
        elif out.endswith(":"):
            out += part
        else:
            out += f".{part}"
    return out


def _add(problems: Problems, path: list[str | int], kind: str, message: str, where: str, shown: Any = None) -> None:
    example = _concrete(where, path)
    if shown is not None:
        example = f"{example}={str(shown)[:40]!r}"
    problems.add(_pattern(path), kind, message, example)


def _check_object(
    value: dict[str, Any],
    compiled: tuple[dict[str, _Spec], tuple[str, ...]],
    path: list[str | int],
    where: str,
    problems: Problems,
) -> None:
    specs, required = compiled
    for key in required:
        if key not in value:
            path.append(key)
            _add(problems, path, "required", "缺少必填字段 required field missing", where)
            path.pop()
    for key, item in value.items():
        spec = specs.get(key)
        if spec is None:
            if key not in KNOWN_FREE:
                path.append(key)
                problems.add_additional(_pattern(path), _concrete(where, path))
                path.pop()
            continue
        if type(item) in spec.plain:
            continue
        path.append(key)
        _check_value(item, spec, path, where, problems)
        path.pop()


def _check_value(item: Any, spec: _Spec, path: list[str | int], where: str, problems: Problems) -> None:
    fld = spec.field
    types = fld.types
    kind = type(item)
    if item is None:
        expected = "/".join(TYPE_NAMES[t] for t in types)
        _add(problems, path, "type", f"应为 {expected}，实为 null", where)
        return
    if kind is str:
        if S in types or D in types:
            if D in types and not DATE_TIME.match(item):
                _add(problems, path, "date-time", "不是 RFC 3339 日期时间 not an RFC 3339 date-time", where, item)
            elif fld.codes is not None and item not in fld.codes:
                _add(problems, path, "codelist", "不在封闭代码表中 not in the closed codelist", where, item)
            elif path[-1] == "currency" and not CURRENCY.match(item):
                _add(problems, path, "currency", "不是 ISO 4217 币种代码 not an ISO 4217 code", where, item)
            return
        if (N in types or I in types) and _is_numeric_text(item):
            _add(problems, path, "number-as-text", "数字写成了文本 a number given as text", where, item)
            return
    elif kind is float:
        if I in types and item.is_integer():
            return
    elif kind is Decimal:  # amounts read from tables (imports.china): exact decimals
        if I in types and item == item.to_integral_value():
            return
    elif kind is dict:
        if O in types:
            if spec.ref is not None:
                _check_object(item, _COMPILED[spec.ref], path, where, problems)
            return
    elif kind is list and A in types:
        _check_array(item, spec, path, where, problems)
        return
    expected = "/".join(TYPE_NAMES[t] for t in types)
    got = json_type(item)
    _add(problems, path, "type", f"应为 {expected}，实为 {got} (expected {expected}, got {got})", where)


def _check_array(items: list[Any], spec: _Spec, path: list[str | int], where: str, problems: Problems) -> None:
    fld = spec.field
    if len(items) < fld.min_items:
        _add(problems, path, "empty", f"数组至少应有 {fld.min_items} 项 (array needs ≥ {fld.min_items} items)", where)
    if spec.ref is not None:
        compiled = _COMPILED[spec.ref]
        for index, element in enumerate(items):
            if type(element) is dict:
                path.append(index)
                _check_object(element, compiled, path, where, problems)
                path.pop()
            else:
                got = json_type(element)
                path.append(index)
                _add(problems, path, "type", f"应为 object，实为 {got} (expected object, got {got})", where)
                path.pop()
        return
    item_spec = spec.item
    if item_spec is not None:
        for index, element in enumerate(items):
            if type(element) in item_spec.plain:
                continue
            path.append(index)
            _check_value(element, item_spec, path, where, problems)
            path.pop()
