"""接口示例录制 — while one of the SCENARIOS below runs, records one request and answer per OpenAPI operation,
normalised so that a second run (or the other database) records the same text: keys are made in order, ids, tokens,
keys and digests become stable placeholders in the order they first appear. After the test, the record must equal
the committed ggzy/web/api_examples/<nn>-<test>.json (a readable diff otherwise); `make docs-api` rewrites them
(GGZY_WRITE_API_EXAMPLES=1). The app shows them on /docs (ggzy/web/examples.py); tests/test_api_examples.py checks
that every documented operation has one."""

from __future__ import annotations

import base64
import difflib
import hashlib
import importlib
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from ulid import ULID

from ggzy.core import ids
from ggzy.web.examples import EXAMPLES_DIR

# The tests whose requests are the examples, by node id; the first that reaches an operation gives its example.
SCENARIOS = [
    "tests/test_api_script.py::test_a_script_takes_a_tender_from_registration_to_the_archived_dossier_through_the_api_only",
    "tests/projects/test_api.py::test_an_agency_drives_a_tender_through_the_api_only_while_appointed",
    "tests/award/test_pages.py::test_the_whole_road_over_the_api_from_publicity_to_the_dossier",
    "tests/evaluation/test_procedures.py::test_the_api_opens_a_room_an_expert_scores_and_a_supervisor_watches_without_scores",
    "tests/award/test_performance.py::test_the_page_and_the_api",
    "tests/web/test_api_twins.py::test_the_catalog_and_the_expert_pool_over_the_api",
    "tests/web/test_api_twins.py::test_accounts_over_the_api",
    "tests/web/test_api_twins.py::test_registration_opening_objections_and_guarantees_over_the_api",
    "tests/federation/test_push.py::test_a_whole_tender_goes_in_once_is_published_with_its_source_and_screened",
    "tests/web/test_api.py::test_the_log_api_serves_checkpoints_and_proofs_that_verify",
    "tests/web/test_api.py::test_a_token_identifies_the_caller_until_it_is_revoked",
    "tests/web/test_api.py::test_log_entries_are_for_oversight_only",
    "tests/deposits/test_desk.py::test_the_api_routes_take_the_same_decisions_under_the_same_policy",
    "tests/deposits/test_api.py::test_a_signed_callback_books_once_and_a_forged_one_is_refused_and_logged",
    "tests/deposits/test_api.py::test_before_the_opening_only_the_payer_sees_its_deposit",
    "tests/exchange/test_api.py::test_before_the_opening_an_outsider_sees_no_bid_and_nothing_that_depends_on_how_many_there_are",
    "tests/experts/test_pages.py::test_api_request_and_answer_with_problem_json",
    "tests/cases/test_api.py::test_an_objection_out_of_time_is_a_problem_citing_the_article",
    "tests/supervision/test_assignment.py::test_the_api_refuses_an_assignment_out_of_scope_and_shows_the_holder",
    "tests/projects/test_amend.py::test_the_api_amends_a_returned_registration_and_refuses_otherwise_as_problems",
    "tests/web/test_workbench_deadlines.py::test_the_api_gives_the_same_items_as_the_workbench",
    "tests/web/test_api_reads.py::test_the_rules_in_force_are_public_with_their_article",
    "tests/web/test_api_reads.py::test_the_archive_list_and_a_bidders_bids_are_read_by_whoever_sees_their_pages",
    "tests/web/test_api_reads.py::test_the_public_credit_list_and_a_record_read_as_on_their_pages",
    "tests/web/test_api_reads.py::test_the_evaluations_list_reads_as_the_page_for_each_role",
    "tests/notices/test_synonyms.py::test_the_page_and_its_api_twin",
    "tests/supervision/test_board.py::test_the_page_and_the_api_refuse_another_sector_from_outside",
    "tests/web/test_i18n.py::test_the_api_twin_sets_the_language",
]
COUNTER_MODULES = ("tests.builders", "tests.trade", "tests.deposits.builders")

ULID_TEXT = re.compile(r"\b[0-7][0-9A-HJKMNP-TV-Z]{25}\b")
TOKEN = re.compile(r"\bggzy_[A-Za-z0-9_-]{16,}")
HEX = re.compile(r"\b[0-9a-f]{64}\b")
VERIFIER_KEY = re.compile(r"\+[0-9a-f]{8}\+[A-Za-z0-9+/]{40,}={0,2}")  # a note's signer (C2SP signed-note)
NOTE_SIGNATURE = re.compile(r"(— \S+ )[A-Za-z0-9+/]{40,}={0,2}")  # a signed note's signature line
LONG_B64 = re.compile(r"^[A-Za-z0-9+/_-]{40,}={0,2}$")  # keys, signatures, wrapped shares: random each run
MAX_ITEMS = 3  # a list in an example shows its first few items: enough to read, little to drift
SECRET_FIELDS = frozenset({"password", "new_password", "totp_code", "secret"})
KEPT_HEADERS = ("authorization", "idempotency-key", "content-type")


def _shaped(original: str, n: int) -> str:
    """A stand-in for a random base64 value: as long, from the same alphabet, so its schema still holds."""
    body = original.rstrip("=")
    raw = hashlib.shake_256(f"example-{n}".encode()).digest(len(body))
    encoded = (base64.urlsafe_b64encode if "-" in body or "_" in body else base64.b64encode)(raw).decode()
    return encoded[: len(body)] + original[len(body) :]


class Placeholders:
    """Each distinct generated value gets one stable stand-in of the same shape, numbered by first appearance."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def _stand_in(self, value: str, make: Callable[[int], str]) -> str:
        if value not in self.seen:
            self.seen[value] = make(len(self.seen) + 1)
        return self.seen[value]

    def text(self, s: str) -> str:
        s = TOKEN.sub("ggzy_<token>", s)
        s = NOTE_SIGNATURE.sub(r"\1<signature>", s)
        s = VERIFIER_KEY.sub("+<key-hash>+<public-key>", s)
        s = ULID_TEXT.sub(lambda m: self._stand_in(m.group(), lambda n: f"01EXAMP{n:019d}"), s)
        s = HEX.sub(
            lambda m: self._stand_in(m.group(), lambda n: hashlib.sha256(f"example-{n}".encode()).hexdigest()), s
        )
        if LONG_B64.match(s) and not s.startswith("/") and not HEX.fullmatch(s):
            return self._stand_in(s, lambda n: _shaped(s, n))
        return s

    def value(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.value(x) for x in v[:MAX_ITEMS]]
        if isinstance(v, dict):
            return {self.text(k): f"<{k}>" if k in SECRET_FIELDS else self.value(x) for k, x in v.items()}
        return v


def operations(app: FastAPI) -> list[tuple[re.Pattern[str], str, set[str]]]:
    """The documented paths as patterns, the most literal first (so /projects/mine wins over /projects/{id})."""
    out = []
    for path, item in app.openapi()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        out.append((pattern, path, {m.upper() for m in item}))
    return sorted(out, key=lambda o: (o[1].count("{"), -len(o[1])))


def operation_of(app: FastAPI, method: str, path: str) -> str | None:
    """The documented operation this request is for ("POST /api/v1/projects"), or None (a page, a static file)."""
    if not hasattr(app.state, "example_operations"):
        app.state.example_operations = operations(app)
    for pattern, template, methods in app.state.example_operations:
        if method in methods and pattern.match(path):
            return f"{method} {template}"
    return None


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _body(content_type: str, raw: bytes, ph: Placeholders) -> Any:
    media = _media(content_type)
    if not raw:
        return None
    if media.endswith("json"):
        try:
            return ph.value(json.loads(raw))
        except ValueError:
            return None
    if media == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(f"content-type: {content_type}\r\n\r\n".encode() + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            value = f"<{filename}>" if filename else ph.text(payload.decode())
            if name in fields:  # a repeated field (several files) is a list
                fields[name] = [*([fields[name]] if not isinstance(fields[name], list) else fields[name]), value]
            else:
                fields[str(name)] = value
        return fields
    if media == "application/x-www-form-urlencoded":
        return {k: ph.text(v) for k, v in parse_qsl(raw.decode())}
    if media.startswith("text/") and len(raw) < 4000:
        return ph.text(raw.decode(errors="replace"))
    return None  # binary (a sealed bid, a PDF, a gzip file): the example names the type, not the bytes


class Recorder:
    """While installed, hears every TestClient of the test (the fixture's and those a test makes itself);
    `examples()` gives the first successful exchange of each operation (or, for an operation that never succeeded
    in the run, its first answer)."""

    def __init__(self) -> None:
        self.ph = Placeholders()
        self.records: dict[str, dict[str, Any]] = {}

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        send = TestClient.send
        recorder = self

        def recording_send(client: TestClient, request: httpx.Request, **kw: Any) -> httpx.Response:
            response = send(client, request, **kw)
            if isinstance(client.app, FastAPI):
                recorder.on_response(client.app, response)
            return response

        monkeypatch.setattr(TestClient, "send", recording_send)

    def on_response(self, app: FastAPI, response: httpx.Response) -> None:
        request = response.request
        op = operation_of(app, request.method, request.url.path)
        if op is None:
            return
        earlier = self.records.get(op)
        if earlier is not None and (earlier["response"]["status"] < 400 or response.status_code >= 400):
            return
        response.read()
        headers = {}
        for name in KEPT_HEADERS:
            if name in request.headers:
                value = request.headers[name]
                if name == "authorization":
                    value = "Bearer ggzy_<token>"
                elif name == "idempotency-key":
                    value = "<Idempotency-Key>"
                elif name == "content-type":
                    value = _media(value)
                headers[name] = value
        query = [[k, self.ph.text(v)] for k, v in parse_qsl(request.url.query.decode())]
        req_type = request.headers.get("content-type", "")
        res_type = response.headers.get("content-type", "")
        self.records[op] = {
            "request": {
                "method": request.method,
                "path": self.ph.text(request.url.path),
                "query": query,
                "headers": headers,
                "body": _body(req_type, request.content, self.ph),
            },
            "response": {
                "status": response.status_code,
                "content_type": _media(res_type) if res_type else None,
                "body": _body(res_type, response.content, self.ph),
            },
        }

    def examples(self) -> dict[str, dict[str, Any]]:
        return dict(sorted(self.records.items()))


def example_file(nodeid: str) -> Path:
    test = nodeid.split("::")[-1]
    return EXAMPLES_DIR / f"{SCENARIOS.index(nodeid) + 1:02d}-{re.sub(r'[^A-Za-z0-9_]+', '-', test)[:90]}.json"


def _fresh_counters(monkeypatch: pytest.MonkeyPatch, modules: list[Any]) -> None:
    """The builders number their users and codes from a module-wide counter: start each recording at 1, so a
    scenario records the same names whichever tests ran before it in the process."""
    for module in modules:
        for attr, value in vars(module).items():
            if isinstance(value, itertools.count):
                monkeypatch.setattr(module, attr, itertools.count(1))


def _ordered_ids(monkeypatch: pytest.MonkeyPatch, start_ms: int) -> None:
    """Keys in the order they are made (a ULID's random part would order rows made in one millisecond by chance,
    and so the examples' lists and placeholder numbers)."""
    made = itertools.count(1)
    monkeypatch.setattr(ids, "ULID", lambda: ULID.from_int((start_ms << 80) + next(made)))


def recording(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, start_ms: int) -> Iterator[None]:
    """The body of an autouse fixture (tests/conftest.py): records a scenario, then checks or writes its file."""
    nodeid = request.node.nodeid
    if nodeid not in SCENARIOS:
        yield
        return
    modules = [request.module, *(importlib.import_module(m) for m in COUNTER_MODULES)]
    _fresh_counters(monkeypatch, modules)
    _ordered_ids(monkeypatch, start_ms)
    recorder = Recorder()
    recorder.install(monkeypatch)
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        return  # the test itself failed: its record says nothing
    got = json.dumps({"scenario": nodeid, "operations": recorder.examples()}, ensure_ascii=False, indent=1) + "\n"
    path = example_file(nodeid)
    if os.environ.get("GGZY_WRITE_API_EXAMPLES"):  # make docs-api
        path.write_text(got, encoding="utf-8")
    committed = path.read_text(encoding="utf-8") if path.exists() else ""
    if committed != got:
        diff = difflib.unified_diff(
            committed.splitlines(), got.splitlines(), f"committed {path.name}", "this run", lineterm="", n=2
        )
        pytest.fail("the API no longer answers as its examples on /docs say (run make docs-api):\n" + "\n".join(diff))
