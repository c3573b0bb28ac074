"""Every C-TPAT credential the service issues passes the upstream traceability
``CTPATCertificate`` schema with the pinned overlay (``tests.upstream_ctpat``).

The unmodified upstream schema fails our credentials only at the envelope keywords and the
extension members the overlay names; the overlay only adds or replaces what it lists; and
what the upstream schema refuses, the overlay still refuses. Upstream files come from
../shared, so these tests skip without it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing.exceptions import Unresolvable

from tests.api.builders import CBP_TYPES, FORMATS, certificate_body
from tests.api.conftest import Issuer, LiveService, serve
from tests.factories import NOW, did_of, key_file
from tests.upstream_ctpat import (
    CREDENTIALS_V2,
    DRAFT_2020_12,
    ENVELOPE,
    OVERLAY,
    TRACEABILITY_V1,
    TRADE_CERTIFICATES_V2,
    ErrorPath,
    OverlayError,
    Patch,
    UpstreamChangedError,
    apply_overlay,
    is_at_or_under,
    pointer,
    pointer_parts,
    read_pinned,
    schema_errors,
    schema_pointer_of,
    upstream_example,
    upstream_schema,
)
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyType
from vcservice.model.records import StatusPurpose
from vcservice.services.core import Core
from vcservice.services.signing import JOSE, SECURING_FORMATS
from vcservice.services.status import STATUS_SIZES
from vcservice.status.list_credential import CUSTOMS_MESSAGES, status_entry

pytestmark = pytest.mark.shared

SAMPLE = "ctpat-v2.json"
DATA_INTEGRITY_SUITES = tuple(name for name in SECURING_FORMATS if name != JOSE)
SUITE_KEY_TYPES = {"eddsa-rdfc-2022": KeyType.ED25519, "ecdsa-rdfc-2019": KeyType.P256}

# What the unmodified upstream schema says about the v2 sample: the @context const and its
# item enum, credentialSchema.type, and each extension member the sample carries.
SAMPLE_UPSTREAM_ERRORS = [
    ErrorPath("/@context", "const"),
    ErrorPath("/@context/2", "enum"),
    ErrorPath("/credentialSchema/type", "const"),
    ErrorPath("/credentialSubject/certificationDate", "additionalProperties"),
    ErrorPath("/credentialSubject/lastValidationDate", "additionalProperties"),
    ErrorPath("/credentialSubject/member/legalName", "additionalProperties"),
    ErrorPath("/credentialSubject/member/leiCode", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/0/siteRole", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/manufacturerId", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/siteRole", "additionalProperties"),
    ErrorPath("/credentialSubject/member/location/1/unLocode", "additionalProperties"),
    ErrorPath("/credentialSubject/member/manufacturerId", "additionalProperties"),
    ErrorPath("/credentialSubject/member/rfc", "additionalProperties"),
    ErrorPath("/credentialSubject/mutualRecognition", "additionalProperties"),
    ErrorPath("/credentialSubject/revalidationDueDate", "additionalProperties"),
]
# ... and, as issued, the status entries and the proof type.
ISSUED_ENVELOPE_UPSTREAM_ERRORS = [
    ErrorPath("/credentialStatus", "type"),
    ErrorPath("/proof/type", "enum"),
]
REPLACED_ENVELOPE_KEYWORDS = {
    "/properties/@context",
    "/properties/credentialSchema/properties/type",
    "/properties/credentialStatus",
    "/properties/proof/properties/type",
}


def ctpat_v2_sample() -> dict[str, Any]:
    """The reference C-TPAT v2 credential (unsigned, without status)."""
    text = (
        resources.files("vcservice.certificates.samples")
        .joinpath(SAMPLE)
        .read_text(encoding="utf-8")
    )
    credential: dict[str, Any] = json.loads(text)
    return credential


def issued_ctpat_credentials() -> Iterator[tuple[str, dict[str, Any]]]:
    """The C-TPAT credentials the tests below check, each with its test id, as the
    builder leaves them (no status entries, no proof). The v2 sample for now; credentials
    built by ``by_slug("ctpat").build_credential`` are yielded here as well."""
    yield "sample", ctpat_v2_sample()


ISSUED = [pytest.param(credential, id=name) for name, credential in issued_ctpat_credentials()]


def as_issued(credential: dict[str, Any], cryptosuite: str, core: Core) -> dict[str, Any]:
    """``credential`` as issuance leaves it: a ``BitstringStatusListEntry`` per purpose,
    made as the status service makes them, then signed by the issuer's key with
    ``cryptosuite`` through the service's own Data Integrity code."""
    key = key_file(SUITE_KEY_TYPES[cryptosuite])
    unsigned = copy.deepcopy(credential)
    unsigned["issuer"]["id"] = did_of(key)
    unsigned["credentialStatus"] = [
        status_entry(
            f"https://cbp.example/status-lists/cbp/{purpose.value}/1",
            94567,
            purpose.value,
            status_size=size,
            messages=CUSTOMS_MESSAGES if purpose is StatusPurpose.MESSAGE else None,
        )
        for purpose, size in STATUS_SIZES.items()
    ]
    return core.data_integrity.add_proof(
        unsigned, signer=key.signer(), cryptosuite=cryptosuite, created=NOW
    )


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    return upstream_schema()


@pytest.fixture(scope="module")
def patched(upstream: dict[str, Any]) -> dict[str, Any]:
    return apply_overlay(upstream)


def allowed_upstream_error(error: ErrorPath) -> bool:
    """Whether the unmodified schema may refuse this: an envelope keyword the overlay
    replaces, or an extension member the overlay names."""
    at = schema_pointer_of(error.pointer)
    return any(is_at_or_under(at, patch.pointer) for patch in ENVELOPE) or any(
        at == patch.pointer for patch in OVERLAY if patch.kind == "add"
    )


def assert_passes(credential: dict[str, Any], schema: dict[str, Any]) -> None:
    errors = schema_errors(credential, schema)
    assert errors == [], "\n".join(f"{error.pointer}: {error.keyword}" for error in errors)


# ---------------------------------------------------------------- (a) issued credentials pass


@pytest.mark.parametrize("credential", ISSUED)
def test_issued_credential_passes_upstream_with_overlay(
    credential: dict[str, Any], patched: dict[str, Any]
) -> None:
    assert_passes(credential, patched)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
@pytest.mark.parametrize("credential", ISSUED)
def test_issued_credential_with_status_and_proof_passes_upstream_with_overlay(
    credential: dict[str, Any], cryptosuite: str, patched: dict[str, Any], core: Core
) -> None:
    issued = as_issued(credential, cryptosuite, core)
    assert len(issued["credentialStatus"]) == len(STATUS_SIZES)
    assert issued["proof"]["type"] == "DataIntegrityProof"
    assert_passes(issued, patched)


@pytest.fixture(scope="module")
def cbp_service(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveService, Issuer]]:
    """A live service over HTTP with CBP, which issues C-TPAT certificates."""
    with serve(tmp_path_factory.mktemp("api-upstream-ctpat"), None, context_store_dir) as live:
        yield live, live.issuer("cbp", CBP_TYPES)


@pytest.mark.parametrize("securing_format", FORMATS)
def test_ctpat_issued_over_http_passes_upstream_with_overlay(
    cbp_service: tuple[LiveService, Issuer], securing_format: str, patched: dict[str, Any]
) -> None:
    live, cbp = cbp_service
    response = live.http.post(
        "/certificates/ctpat",
        headers=cbp.headers,
        json=certificate_body("ctpat", securing_format=securing_format),
    )
    assert response.status_code == 201, response.text
    issued = response.json()["verifiableCredential"]
    credential = decode_compact(issued).payload_json() if isinstance(issued, str) else issued
    assert credential["credentialStatus"]
    assert_passes(credential, patched)


# ---------------------------------------------------------------- (b) the unmodified schema


def test_unmodified_upstream_refuses_the_sample_only_where_the_overlay_patches(
    upstream: dict[str, Any],
) -> None:
    errors = schema_errors(ctpat_v2_sample(), upstream)
    assert errors == SAMPLE_UPSTREAM_ERRORS
    assert all(allowed_upstream_error(error) for error in errors)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
def test_unmodified_upstream_refuses_the_issued_sample_also_at_status_and_proof(
    upstream: dict[str, Any], cryptosuite: str, core: Core
) -> None:
    errors = schema_errors(as_issued(ctpat_v2_sample(), cryptosuite, core), upstream)
    assert errors == sorted(SAMPLE_UPSTREAM_ERRORS + ISSUED_ENVELOPE_UPSTREAM_ERRORS)
    assert all(allowed_upstream_error(error) for error in errors)


@pytest.mark.parametrize("cryptosuite", DATA_INTEGRITY_SUITES)
@pytest.mark.parametrize("credential", ISSUED)
def test_unmodified_upstream_refuses_issued_credentials_only_where_the_overlay_patches(
    credential: dict[str, Any], cryptosuite: str, upstream: dict[str, Any], core: Core
) -> None:
    errors = schema_errors(as_issued(credential, cryptosuite, core), upstream)
    assert [error for error in errors if not allowed_upstream_error(error)] == []


# ---------------------------------------------------------------- (c) what the overlay changes


def differences(raw: Any, patched: Any, parts: tuple[str, ...] = ()) -> Iterator[str]:
    """The pointers where ``patched`` differs from ``raw``: a member added, removed or
    changed (lists and scalars compare whole, and ``False`` differs from ``0``)."""
    if isinstance(raw, dict) and isinstance(patched, dict):
        for key in sorted(raw.keys() | patched.keys()):
            if key in raw and key in patched:
                yield from differences(raw[key], patched[key], (*parts, key))
            else:
                yield pointer((*parts, key))
    elif type(raw) is not type(patched) or raw != patched:
        yield pointer(parts)


def nodes(schema: Any, parts: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every object in ``schema``, with its path."""
    if isinstance(schema, dict):
        yield parts, schema
        for key, value in schema.items():
            yield from nodes(value, (*parts, key))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from nodes(value, (*parts, str(index)))


def node_at(schema: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        schema = schema[int(part)] if isinstance(schema, list) else schema.get(part)
        if schema is None:
            return None
    return schema


def test_overlay_changes_only_the_pointers_it_lists(
    upstream: dict[str, Any], patched: dict[str, Any]
) -> None:
    changed = list(differences(upstream, patched))
    listed = [patch.pointer for patch in OVERLAY]
    assert [at for at in changed if not any(is_at_or_under(at, p) for p in listed)] == []
    # and every patch changes something
    assert [p for p in listed if not any(is_at_or_under(at, p) for at in changed)] == []


def test_overlay_replaces_only_the_four_envelope_keywords(upstream: dict[str, Any]) -> None:
    replaced = {patch.pointer for patch in OVERLAY if patch.kind == "replace"}
    assert replaced == REPLACED_ENVELOPE_KEYWORDS == {patch.pointer for patch in ENVELOPE}
    assert all(node_at(upstream, tuple(pointer_parts(at))) is not None for at in replaced)


def test_overlay_adds_named_members_beside_upstream_ones(upstream: dict[str, Any]) -> None:
    for patch in OVERLAY:
        if patch.kind != "add":
            continue
        *owner, properties, member = pointer_parts(patch.pointer)
        assert properties == "properties", patch.name
        owner_schema = node_at(upstream, tuple(owner))
        assert owner_schema["additionalProperties"] is False, patch.name
        assert member not in owner_schema["properties"], patch.name
        assert patch.reason, patch.name
    names = [patch.name for patch in OVERLAY]
    assert len(names) == len(set(names))


def test_overlay_keeps_every_required_entry(
    upstream: dict[str, Any], patched: dict[str, Any]
) -> None:
    for parts, node in nodes(upstream):
        if isinstance(node.get("required"), list):
            kept = node_at(patched, parts)
            assert kept is not None, pointer(parts)
            assert set(node["required"]) <= set(kept["required"]), pointer(parts)


def test_overlay_keeps_every_additional_properties_false(
    upstream: dict[str, Any], patched: dict[str, Any]
) -> None:
    closed = [parts for parts, node in nodes(upstream) if node.get("additionalProperties") is False]
    assert len(closed) >= 6  # credential, issuer, its address, subject, member, site, address
    for parts in closed:
        assert node_at(patched, parts)["additionalProperties"] is False, pointer(parts)


def test_patched_schema_is_a_valid_draft_2020_12_schema(patched: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(patched)


def test_upstream_example_passes_the_overlay_once_its_envelope_is_current(
    patched: dict[str, Any],
) -> None:
    """Every upstream member (fmcNumber, filerCode, faxNumber, ...) is still accepted."""
    example = upstream_example()
    example["@context"] = [CREDENTIALS_V2, TRACEABILITY_V1, TRADE_CERTIFICATES_V2]
    assert schema_errors(example, patched) == [ErrorPath("/credentialStatus", "anyOf")]
    del example["credentialStatus"]  # a RevocationList2020Status
    assert schema_errors(example, patched) == []


def test_a_changed_upstream_file_fails_loudly(tmp_path: Path) -> None:
    changed = tmp_path / "CTPATCertificate.schema.json"
    changed.write_text("{}", encoding="utf-8")
    with pytest.raises(UpstreamChangedError, match="not the file pinned here"):
        read_pinned(changed, "0" * 64)


def test_remote_references_are_never_fetched() -> None:
    schema = {"$schema": DRAFT_2020_12, "$ref": "https://w3id.org/traceability/openapi/x.yml"}
    with pytest.raises(Unresolvable) as raised:
        schema_errors({}, schema)
    causes = []
    error: BaseException | None = raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any("not fetched" in str(cause) for cause in causes)


def test_a_patch_that_does_not_fit_the_schema_is_refused(upstream: dict[str, Any]) -> None:
    shadowing = Patch("bad", "/properties/credentialSubject/properties/tier", "add", {}, "no")
    with pytest.raises(OverlayError, match="upstream member already"):
        apply_overlay(upstream, [shadowing])
    missing = Patch("bad", "/properties/evidence", "replace", {}, "no")
    with pytest.raises(OverlayError, match="nothing at"):
        apply_overlay(upstream, [missing])


# ---------------------------------------------------------------- (d) still refused


def _subject(credential: dict[str, Any]) -> dict[str, Any]:
    subject: dict[str, Any] = credential["credentialSubject"]
    return subject


NEGATIVES: list[tuple[str, Any, list[ErrorPath]]] = [
    (
        "subject-id",
        lambda c: _subject(c).update(id="did:web:ensambles-bravo.example"),
        [ErrorPath("/credentialSubject/id", "additionalProperties")],
    ),
    (
        "unknown-member-member",
        lambda c: _subject(c)["member"].update(warehouseAreaM2="12000"),
        [ErrorPath("/credentialSubject/member/warehouseAreaM2", "additionalProperties")],
    ),
    (
        "tier-outside-enum",
        lambda c: _subject(c).update(tier="Gold"),
        [ErrorPath("/credentialSubject/tier", "enum")],
    ),
    (
        "unknown-site-member",
        lambda c: _subject(c)["member"]["location"][0].update(name="Domicilio fiscal"),
        [ErrorPath("/credentialSubject/member/location/0/name", "additionalProperties")],
    ),
    (
        "upstream-member-retyped",
        lambda c: _subject(c)["member"].update(fmcNumber=25202),
        [ErrorPath("/credentialSubject/member/fmcNumber", "type")],
    ),
    (
        "extension-member-retyped",
        lambda c: _subject(c)["member"].update(rfc=["EEB030821R49"]),
        [ErrorPath("/credentialSubject/member/rfc", "type")],
    ),
    (
        "required-member-missing",
        lambda c: _subject(c)["member"].pop("location"),
        [ErrorPath("/credentialSubject/member", "required")],
    ),
    (
        "v1-context",
        lambda c: c.update(
            {"@context": [CREDENTIALS_V2, "https://w3id.org/vcservice/trade-certificates/v1"]}
        ),
        [ErrorPath("/@context", "const")],
    ),
    (
        "legacy-status",
        lambda c: c.update(credentialStatus=upstream_example()["credentialStatus"]),
        [ErrorPath("/credentialStatus", "anyOf")],
    ),
    (
        "legacy-proof",
        lambda c: c.update(proof={"type": "Ed25519Signature2018", "jws": "e30..x"}),
        [ErrorPath("/proof/type", "enum")],
    ),
    (
        "other-proof-purpose",
        lambda c: c.update(proof={"type": "DataIntegrityProof", "proofPurpose": "authentication"}),
        [ErrorPath("/proof/proofPurpose", "const")],
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=name) for name, change, expected in NEGATIVES],
)
def test_overlay_still_refuses(change: Any, expected: list[ErrorPath], patched: Any) -> None:
    credential = ctpat_v2_sample()
    change(credential)
    assert schema_errors(credential, patched) == expected
