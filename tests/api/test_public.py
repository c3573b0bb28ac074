"""Public documents: the project context, vocabulary and JSON Schemas, and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from jsonschema import Draft202012Validator

from tests.api.builders import CBP_TYPES, SAT_TYPES, SLUGS, certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from vcservice.api.app import create_app
from vcservice.certificates import by_slug
from vcservice.certificates.samples import VERSIONS
from vcservice.jsonld.manifest import default_contexts_dir

pytestmark = pytest.mark.shared
REQUEST_MODELS = {slug: by_slug(slug).request_model.__name__ for slug in SLUGS}
V1_ISSUED = Path(__file__).resolve().parents[1] / "vectors" / "certificates-v1"


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """An authority with all three types."""
    return live_service.issuer("publico", SAT_TYPES + CBP_TYPES)


@pytest.fixture(scope="module")
def openapi(live_service: LiveService) -> dict[str, Any]:
    """The served OpenAPI document."""
    response = live_service.http.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


# ---------------------------------------------------------------- contexts and vocabulary


@pytest.mark.parametrize("version", VERSIONS)
def test_the_project_context_is_served_as_bundled(live_service: LiveService, version: str) -> None:
    """Version 2, which credentials are issued with, and version 1, which earlier ones name."""
    response = live_service.http.get(f"/contexts/trade-certificates/{version}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert "max-age" in response.headers["cache-control"]
    bundled = (default_contexts_dir() / f"trade-certificates-{version}.jsonld").read_text("utf-8")
    assert response.json() == json.loads(bundled)


def test_the_vocabulary_is_served_with_english_and_spanish_labels(
    live_service: LiveService,
) -> None:
    response = live_service.http.get("/vocab/trade-certificates")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    bundled = (default_contexts_dir() / "trade-certificates-vocab.jsonld").read_text("utf-8")
    document = response.json()
    assert document == json.loads(bundled)
    assert document["@graph"]
    for term in document["@graph"]:
        assert {"en", "es"} <= set(term["label"]), term["id"]


# ---------------------------------------------------------------- JSON Schemas


@pytest.mark.parametrize("slug", SLUGS)
def test_each_schema_is_the_one_credentials_point_to(
    live_service: LiveService, customs: Issuer, slug: str
) -> None:
    response = live_service.http.get(f"/schemas/{slug}-v2.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    issued = live_service.http.post(
        f"/certificates/{slug}", headers=customs.headers, json=certificate_body(slug)
    )
    assert issued.status_code == 201, issued.text
    credential = issued.json()["verifiableCredential"]
    assert schema["$id"] == credential["credentialSchema"]["id"]
    assert credential["credentialSchema"]["type"] == "JsonSchema"
    assert list(Draft202012Validator(schema).iter_errors(credential)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_each_v1_schema_is_still_served_for_credentials_issued_before_v2(
    live_service: LiveService, slug: str
) -> None:
    response = live_service.http.get(f"/schemas/{slug}-v1.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    issued = V1_ISSUED / f"{slug}-eddsa-rdfc-2022.json"  # issued by the service before v2
    credential = json.loads(issued.read_text(encoding="utf-8"))
    assert schema["$id"] == credential["credentialSchema"]["id"]
    assert list(Draft202012Validator(schema).iter_errors(credential)) == []


# ---------------------------------------------------------------- not found


@pytest.mark.parametrize(
    "path",
    [
        "/contexts/trade-certificates/v3",
        "/contexts/credentials/v2",  # pinned, but not ours to publish
        "/contexts/..%2F..%2Fpyproject.toml",
        "/contexts/",
        "/schemas/padron-v1.json",
        "/schemas/padron-v2.json",
        "/schemas/immex-v3.json",
        "/schemas/immex.json",
        "/vocab/customs",
        "/issuers/nobody/did.json",
        "/issuers/NOBODY/did.json",
        "/nothing/here",
    ],
)
def test_unknown_documents_are_404_problems(live_service: LiveService, path: str) -> None:
    response = live_service.http.get(path)
    assert_problem(response, 404, "NOT_FOUND")


def test_wrong_method_is_a_405_problem(live_service: LiveService) -> None:
    response = live_service.http.delete("/schemas/immex-v1.json")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")


# ---------------------------------------------------------------- OpenAPI


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every API route, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        included = getattr(route, "original_router", None)  # FastAPI's lazily included router
        if included is not None:
            yield from _api_routes(included.routes, prefix + route.include_context.prefix)


def test_openapi_documents_every_route(live_service: LiveService, openapi: dict[str, Any]) -> None:
    app = create_app(live_service.settings)  # routes only: no lifespan, no services
    routes = {
        (method, path.replace(":path}", "}"))
        for path, route in _api_routes(app.routes)
        if route.include_in_schema
        for method in route.methods
    }
    assert len(routes) >= 17
    assert _operations(openapi) == routes
    for method, path in routes:
        operation = openapi["paths"][path][method.lower()]
        assert operation.get("summary"), (method, path)
        assert operation.get("description") or operation["summary"], (method, path)
    assert openapi["info"]["title"] == "vcservice" and openapi["info"]["description"]


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _reachable(document: dict[str, Any], names: list[str]) -> Iterator[str]:
    """Names of the component schemas reachable from ``names`` (included)."""
    seen: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        yield name
        text = json.dumps(document["components"]["schemas"][name])
        for part in text.split('"#/components/schemas/')[1:]:
            pending.append(part.split('"', 1)[0])


@pytest.mark.parametrize("slug", SLUGS)
def test_typed_endpoints_have_a_working_example(
    live_service: LiveService, customs: Issuer, openapi: dict[str, Any], slug: str
) -> None:
    operation = openapi["paths"][f"/certificates/{slug}"]["post"]
    body_schema = _resolve(
        openapi, operation["requestBody"]["content"]["application/json"]["schema"]
    )
    certificate_schema = _resolve(openapi, body_schema["properties"]["certificate"])
    assert certificate_schema["title"] == REQUEST_MODELS[slug]
    examples = certificate_schema["examples"]
    assert examples
    for example in examples:  # the published example issues as it stands
        body = certificate_body(slug, certificate=example)
        response = live_service.http.post(
            f"/certificates/{slug}", headers=customs.headers, json=body
        )
        assert response.status_code == 201, response.text


def _undescribed(document: dict[str, Any], *, through_refs: bool) -> list[str]:
    schemas = document["components"]["schemas"]
    missing = []
    for name in _reachable(document, list(REQUEST_MODELS.values())):
        schema = schemas[name]
        assert schema.get("description"), name
        for member, definition in schema.get("properties", {}).items():
            described = "description" in definition or (
                through_refs and "description" in _resolve(document, definition)
            )
            if not described:
                missing.append(f"{name}.{member}")
    return missing


def test_every_certificate_field_is_described_at_least_by_its_type(
    openapi: dict[str, Any],
) -> None:
    assert _undescribed(openapi, through_refs=True) == []


def test_every_certificate_field_has_its_own_description(openapi: dict[str, Any]) -> None:
    assert _undescribed(openapi, through_refs=False) == []
