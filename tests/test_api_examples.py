"""The examples on /docs: every documented operation has one (bar a reviewed list), each file belongs to a scenario
that still exists, and /docs shows them in Chinese and English. That each example is what the server answers is
checked after each scenario test itself (tests/apiexamples.py, the autouse fixture in tests/conftest.py)."""

from __future__ import annotations

import importlib

from fastapi.testclient import TestClient

from ggzy.web import examples
from tests.apiexamples import SCENARIOS, example_file

# documented operations no scenario reaches yet, each with why; the list may only shrink
WITHOUT_EXAMPLE: dict[str, str] = {}


def test_each_file_belongs_to_a_scenario_that_exists() -> None:
    files = {p.name for p in examples.EXAMPLES_DIR.glob("*.json")}
    assert files == {example_file(s).name for s in SCENARIOS}, "run make docs-api; remove files of removed scenarios"
    for nodeid in SCENARIOS:
        path, test = nodeid.split("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, test.split("[")[0], None)), f"{nodeid} is gone: update SCENARIOS"


def test_every_documented_operation_has_an_example_or_a_reason(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    documented = {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in examples.METHODS
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
