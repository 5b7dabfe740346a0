"""接口示例 — the request and answer of each operation as a test run recorded them (api_examples/*.json, written by
`make docs-api`), merged into the OpenAPI document so /docs shows them; tests/test_api_examples.py keeps them true."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI

EXAMPLES_DIR = Path(__file__).parent / "api_examples"
SUMMARY = "示例（来自测试运行）/ Example (from a test run)"
METHODS = ("get", "put", "post", "delete", "patch")


@cache
def load(directory: Path = EXAMPLES_DIR) -> dict[str, dict[str, Any]]:
    """Operation ("POST /api/v1/projects") → its example and the test that recorded it; the first file (by name)
    that has an operation gives its example."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        for op, example in recorded["operations"].items():
            out.setdefault(op, {**example, "scenario": recorded["scenario"]})
    return out


def _request_text(example: dict[str, Any]) -> str:
    req, res = example["request"], example["response"]
    query = "&".join(f"{k}={v}" for k, v in req["query"])
    lines = [f"{req['method']} {req['path']}{'?' + query if query else ''}"]
    lines += [f"{name}: {value}" for name, value in req["headers"].items()]
    lines.append(f"→ {res['status']} {res['content_type'] or ''}".rstrip())
    return "\n".join(lines)


def describe(example: dict[str, Any]) -> str:
    """The paragraph added to an operation's description: the request line and headers, and where it came from."""
    return (
        f"**{SUMMARY}** — `{example['scenario']}`\n\n"
        "请求与应答由测试运行录得，标识、令牌和摘要已换成占位符；`make docs-api` 重新生成。 "
        "Recorded from a test run with ids, tokens and digests replaced by placeholders; "
        "`make docs-api` regenerates them.\n\n"
        f"```http\n{_request_text(example)}\n```"
    )


def _media_example(content: dict[str, Any], media: str | None, value: Any) -> None:
    if value is None or not content:
        return
    target = content.get(media or "") or (next(iter(content.values())) if len(content) == 1 else None)
    if target is not None:
        target["examples"] = {"test-run": {"summary": SUMMARY, "value": value}}


def merge(schema: dict[str, Any], examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Put each recorded example into its operation (in place): the request body, the answer of its status code
    (or of the 4XX range for a refusal) and a bilingual paragraph in the description."""
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            example = examples.get(f"{method.upper()} {path}")
            if operation is None or example is None:
                continue
            req, res = example["request"], example["response"]
            body = operation.get("requestBody", {}).get("content", {})
            _media_example(body, req["headers"].get("content-type"), req["body"])
            responses = operation.get("responses", {})
            answer = responses.get(str(res["status"])) or responses.get(f"{str(res['status'])[0]}XX")
            if answer is not None:
                _media_example(answer.get("content", {}), res["content_type"], res["body"])
            text = operation.get("description", "")
            operation["description"] = f"{text}\n\n{describe(example)}" if text else describe(example)
    return schema


def install(app: FastAPI, directory: Path = EXAMPLES_DIR) -> None:
    """The app's OpenAPI document, built once, with the recorded examples merged in."""
    plain = app.openapi

    def openapi_with_examples() -> dict[str, Any]:
        if app.openapi_schema is None:
            merge(plain(), load(directory))
        return plain()

    app.openapi = openapi_with_examples  # type: ignore[method-assign]
