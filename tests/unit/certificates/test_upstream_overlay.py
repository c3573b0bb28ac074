"""The pinned overlay on the upstream traceability ``CTPATCertificate`` schema
(``tests.upstream_ctpat``): it changes only the pointers it lists, replaces only four
envelope keywords, adds named members beside upstream's, keeps every ``required`` entry
and ``additionalProperties: false``, and what upstream refuses it still refuses.
Upstream files come from ../shared, so these tests skip without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing.exceptions import Unresolvable

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
    upstream_example,
)
from vcservice.certificates.samples import sample_certificate

pytestmark = pytest.mark.shared

REPLACED_ENVELOPE_KEYWORDS = {
    "/properties/@context",
    "/properties/credentialSchema/properties/type",
    "/properties/credentialStatus",
    "/properties/proof/properties/type",
}


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
    credential = sample_certificate("ctpat", "v2")
    change(credential)
    assert schema_errors(credential, patched) == expected
