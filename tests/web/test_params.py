"""Every integer a route accepts is bounded (issue 8, finding 7: ≥ 2^63 overflowed the database driver)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from annotated_types import Le, Lt
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ggzy.web.params import INT64_MAX


def _accepts_int(annotation: Any) -> bool:
    return annotation is int or int in get_args(annotation)


def _upper_bound(field_info: Any) -> int | None:
    for m in getattr(field_info, "metadata", ()):
        if isinstance(m, Le):
            return int(m.le)  # type: ignore[call-overload]
        if isinstance(m, Lt):
            return int(m.lt) - 1  # type: ignore[call-overload]
    return None


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # an included router (FastAPI ≥ 0.16x keeps them whole)
        if inner is not None:
            yield from _api_routes(inner.routes)


def test_every_integer_parameter_of_every_route_has_a_64_bit_upper_bound(client: TestClient) -> None:
    checked, unbounded = 0, []
    for route in _api_routes(client.app.routes):  # type: ignore[attr-defined]
        params = route.dependant.query_params + route.dependant.path_params
        for dep in route.dependant.dependencies:
            params += dep.query_params + dep.path_params
        for p in params:
            if not _accepts_int(p.field_info.annotation):
                continue
            checked += 1
            bound = _upper_bound(p.field_info)
            if bound is None or bound > INT64_MAX:
                unbounded.append(f"{','.join(route.methods)} {route.path} {p.name}")
    assert checked >= 10  # the walk sees the parameters it should
    assert unbounded == [], "use the types of ggzy/web/params.py: " + "; ".join(unbounded)
