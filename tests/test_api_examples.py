"""The examples on /docs are what the server answers: each scenario below is an API test run again with the
recorder on (tests/apiexamples.py); its record must equal the committed ggzy/web/api_examples/<name>.json, which
`make docs-api` rewrites (GGZY_WRITE_API_EXAMPLES=1). Every documented operation has an example, bar a short list."""

from __future__ import annotations

import difflib
import importlib
import inspect
import itertools
import json
import os
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ulid import ULID

from ggzy.core import ids
from ggzy.web import examples
from tests.conftest import START
from tests.apiexamples import Recorder

# name (the file's, which also orders them: the first file with an operation gives its example) → test to re-run
SCENARIOS = {
    "10-api-script": "tests.test_api_script:test_a_script_takes_a_tender_from_registration_to_the_opening_record_through_the_api_only",
}

# documented operations no scenario above reaches yet, each with why; the list may only shrink
WITHOUT_EXAMPLE: dict[str, str] = {}

COUNTER_MODULES = ("tests.builders", "tests.trade", "tests.deposits.builders")


def _fresh_counters(monkeypatch: pytest.MonkeyPatch, *modules: Any) -> None:
    """The builders number their users and codes from a module-wide counter: start each recording at 1, so a
    scenario records the same names whichever tests ran before it in the process."""
    for module in modules:
        for attr, value in vars(module).items():
            if isinstance(value, itertools.count):
                monkeypatch.setattr(module, attr, itertools.count(1))


def _ordered_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys in the order they are made (a ULID's random part would order rows made in one millisecond by chance,
    and so the examples' lists and placeholder numbers)."""
    made = itertools.count(1)
    base = int(START.timestamp() * 1000) << 80
    monkeypatch.setattr(ids, "ULID", lambda: ULID.from_int(base + next(made)))


def record(name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    module_name, func_name = SCENARIOS[name].split(":")
    module = importlib.import_module(module_name)
    scenario = getattr(module, func_name)
    _fresh_counters(monkeypatch, module, *(importlib.import_module(m) for m in COUNTER_MODULES))
    _ordered_ids(monkeypatch)
    recorder = Recorder()
    kwargs = {p: request.getfixturevalue(p) for p in inspect.signature(scenario).parameters}
    recorder.install(monkeypatch)
    scenario(**kwargs)
    recorded = {"scenario": f"{module_name.replace('.', '/')}.py::{func_name}", "operations": recorder.examples()}
    return json.dumps(recorded, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_examples_on_docs_are_what_the_server_answers(
    name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    got = record(name, request, monkeypatch)
    path = examples.EXAMPLES_DIR / f"{name}.json"
    if os.environ.get("GGZY_WRITE_API_EXAMPLES"):  # make docs-api
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path.name} is missing: run make docs-api"
    committed = path.read_text(encoding="utf-8")
    if committed != got:
        diff = difflib.unified_diff(
            committed.splitlines(), got.splitlines(), f"committed {path.name}", "this run", lineterm="", n=2
        )
        pytest.fail("the API no longer answers as its examples say (run make docs-api):\n" + "\n".join(diff))


def test_no_file_is_left_from_a_scenario_that_is_gone() -> None:
    names = {p.stem for p in examples.EXAMPLES_DIR.glob("*.json")}
    assert names == set(SCENARIOS), "run make docs-api and remove the files of removed scenarios"


def test_every_documented_operation_has_an_example_or_a_reason(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    documented = {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item if method in examples.METHODS
    }
    have = set(examples.load())
    missing = documented - have - set(WITHOUT_EXAMPLE)
    print(f"{len(documented & have)} of {len(documented)} operations have examples")
    assert not missing, "operations with no example (add a scenario, or a reason to WITHOUT_EXAMPLE):\n" + "\n".join(
        sorted(missing)
    )
    assert not set(WITHOUT_EXAMPLE) & have, "these have an example now: take them off WITHOUT_EXAMPLE"
    assert have <= documented, f"examples of operations that are gone: {sorted(have - documented)}"


def test_docs_show_the_examples_in_chinese_and_english(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    tokens = schema["paths"]["/api/v1/auth/tokens"]["post"]
    assert examples.SUMMARY in tokens["description"] and "POST /api/v1/auth/tokens" in tokens["description"]
    shown = tokens["responses"]["201"]["content"]["application/json"]["examples"]["test-run"]
    assert shown["summary"] == "示例（来自测试运行）/ Example (from a test run)"
    assert shown["value"]["token"] == "ggzy_<token>"  # a secret is never shown
    body = tokens["requestBody"]["content"]["application/json"]["examples"]["test-run"]["value"]
    assert set(body) >= {"username", "password"}
