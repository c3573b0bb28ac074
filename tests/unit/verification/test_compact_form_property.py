"""Verify what is signed: no other spelling of a signed graph changes the verifier's answer.

For signed credentials (certificate data v2, and a good one in v1) and a presentation whose
verdicts differ (good, revoked, suspended, expired, a type the issuer is not accredited for,
failing its schema), every rewriting that
keeps the RDF dataset — and so the proof — intact (``tests/jsonld_rewrites.py``: full-IRI
keys, compact IRIs, value objects, keyword aliases, ``@type`` splits, ``@nest``, ``@graph``
wrapping, split nodes, nulls, nested and reordered arrays) must get the original's verdict
and checks, or be refused with COMPACT_FORM_ERROR: never a pass where the original failed.
The same holds for vc+jwt, whose payload an issuer could spell either way before signing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import NOW, certificate, did_of, held_by, key_file
from tests.jsonld_rewrites import (
    COMPACT_REWRITES,
    REWRITES,
    Spellings,
    pyld_expander,
    respellings,
)
from tests.unit.status.support import ISSUER, sign, signed_list
from vcservice.certificates.samples import sample_certificate
from vcservice.certificates.schemas import pinned_schema_problems
from vcservice.clock import FixedClock
from vcservice.jose import vc_jwt
from vcservice.keys import KeyType
from vcservice.model.datetimes import format_datetime
from vcservice.proofs.purposes import AUTHENTICATION
from vcservice.services.core import Core
from vcservice.status import BitstringStatusChecker, LocalFirstStatusListSource, status_entry
from vcservice.trust.registry import Accreditation, TrustRegistry
from vcservice.verification.result import VerificationResult
from vcservice.verification.verifier import Verifier

pytestmark = [pytest.mark.shared, pytest.mark.slow]

HOLDER = key_file(KeyType.ED25519, seed=7)
LISTS = "https://status.example/lists"
REVOCATION, SUSPENSION = f"{LISTS}/revocation", f"{LISTS}/suspension"
SCHEMAS = "https://w3id.org/vcservice/trade-certificates/schemas/"
CHALLENGE, DOMAIN = "a-challenge-of-the-verifier", "aduana.example"
COMPACT_FORM_ERROR = "COMPACT_FORM_ERROR"


def _credential(
    *,
    revoked: bool = False,
    suspended: bool = False,
    edit: Callable[[dict[str, Any]], None] | None = None,
    version: str = "v2",
) -> dict[str, Any]:
    if version == "v2":
        credential = certificate("immex", issuer=ISSUER)
    else:  # as issued before v2 (valid at NOW)
        credential = sample_certificate("immex", version)
        credential["issuer"]["id"] = did_of(ISSUER)
    held_by(credential, did_of(HOLDER))
    credential["credentialSchema"] = {"id": f"{SCHEMAS}immex-{version}.json", "type": "JsonSchema"}
    credential["credentialStatus"] = [
        status_entry(REVOCATION, 7 if revoked else 42, "revocation"),
        status_entry(SUSPENSION, 8 if suspended else 42, "suspension"),
    ]
    if edit is not None:
        edit(credential)
    return credential


def _expired(credential: dict[str, Any]) -> None:
    credential["validFrom"] = format_datetime(NOW - timedelta(days=30))
    credential["validUntil"] = format_datetime(NOW - timedelta(days=1))


def _also_oea(credential: dict[str, Any]) -> None:
    credential["type"] = [*credential["type"], "OEACertificate"]


def _bad_rfc(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["member"]["rfc"] = "not an RFC"


def _no_schema(credential: dict[str, Any]) -> None:
    del credential["credentialSchema"]  # as generic credentials: no schema check to lean on


def _expired_no_schema(credential: dict[str, Any]) -> None:
    _expired(credential)
    _no_schema(credential)


UNSIGNED: dict[str, Callable[[], dict[str, Any]]] = {
    "good": _credential,
    "good-v1": lambda: _credential(version="v1"),
    "revoked": lambda: _credential(revoked=True),
    "suspended": lambda: _credential(suspended=True),
    "expired": lambda: _credential(edit=_expired),
    "unaccredited-type": lambda: _credential(edit=_also_oea),
    "schema-invalid": lambda: _credential(edit=_bad_rfc),
    "revoked-no-schema": lambda: _credential(revoked=True, edit=_no_schema),
    "expired-no-schema": lambda: _credential(edit=_expired_no_schema),
}


def _verifier(core: Core) -> Verifier:
    lists = {
        REVOCATION: signed_list(core, REVOCATION, "revocation", set_values={7: 1}),
        SUSPENSION: signed_list(core, SUSPENSION, "suspension", set_values={8: 1}),
    }
    clock = FixedClock(NOW)
    status = BitstringStatusChecker(
        source=LocalFirstStatusListSource(
            lambda urls: {url: lists[url] for url in urls if url in lists}, clock=clock
        ),
        data_integrity=core.data_integrity,
        clock=clock,
    )
    accredited = Accreditation(did_of(ISSUER), "SAT", frozenset({"IMMEXCertificate"}))
    return Verifier(
        data_integrity=core.data_integrity,
        processor=core.processor,
        resolver=core.resolver,
        clock=clock,
        status_checker=status,
        trust_registry=TrustRegistry([accredited]),
        schema_validator=pinned_schema_problems,
    )


def _presentation(core: Core, credential: dict[str, Any]) -> dict[str, Any]:
    return core.data_integrity.add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": did_of(HOLDER),
            "verifiableCredential": [credential],
        },
        signer=HOLDER.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose=AUTHENTICATION,
        challenge=CHALLENGE,
        domain=DOMAIN,
    )


def _outline(result: VerificationResult) -> tuple[Any, ...]:
    """What must not change: the verdict, each check's outcome and codes, and the same of
    each credential in a presentation."""
    return (
        result.verified,
        tuple(
            (c.name, c.outcome.value, tuple(sorted(p.code for p in c.problems)))
            for c in result.checks
        ),
        tuple(_outline(credential) for credential in result.credentials),
    )


def _refused_as_non_compact(result: VerificationResult) -> bool:
    structure = result.check("structure")
    return (
        not result.verified
        and structure is not None
        and COMPACT_FORM_ERROR in {problem.code for problem in structure.problems}
    )


@pytest.fixture(scope="module")
def world(fixed_core: Core) -> dict[str, Any]:
    """The verifier, and each signed case with its original result and its spellings."""
    verifier = _verifier(fixed_core)
    expander = pyld_expander(fixed_core.store)
    cases: dict[str, dict[str, Any]] = {}
    for name, build in UNSIGNED.items():
        signed = sign(fixed_core, build())
        cases[name] = {"signed": signed, "unsigned": build()}
    cases["presentation-of-revoked"] = {
        "signed": _presentation(fixed_core, cases["revoked"]["signed"]),
    }
    for case in cases.values():
        case["spellings"] = Spellings(case["signed"], expander)
        case["original"] = _verify(verifier, case["signed"])
        if "unsigned" in case:
            case["unsigned_spellings"] = Spellings(case["unsigned"], expander)
    return {"verifier": verifier, "cases": cases}


def _verify(verifier: Verifier, document: dict[str, Any] | str) -> VerificationResult:
    if isinstance(document, dict) and "VerifiablePresentation" in document.get("type", []):
        return verifier.verify_presentation(document, challenge=CHALLENGE, domain=DOMAIN)
    return verifier.verify(document)


def test_the_originals_have_the_verdicts_the_cases_name(world: dict[str, Any]) -> None:
    results = {name: case["original"] for name, case in world["cases"].items()}
    assert results["good"].verified, results["good"].to_json()["checks"]
    assert results["good-v1"].verified, results["good-v1"].to_json()["checks"]
    expected = {
        "revoked": "CREDENTIAL_REVOKED",
        "suspended": "CREDENTIAL_SUSPENDED",
        "expired": "CREDENTIAL_EXPIRED",
        "unaccredited-type": "ISSUER_NOT_TRUSTED",
        "schema-invalid": "MALFORMED_VALUE_ERROR",
        "revoked-no-schema": "CREDENTIAL_REVOKED",
        "expired-no-schema": "CREDENTIAL_EXPIRED",
    }
    for name, code in expected.items():
        assert not results[name].verified
        assert code in {problem.code for problem in results[name].problems}, name
    [inner] = results["presentation-of-revoked"].credentials
    assert "CREDENTIAL_REVOKED" in {problem.code for problem in inner.problems}


CASE_NAMES = [*UNSIGNED, "presentation-of-revoked"]
RESPELLINGS = st.lists(
    st.tuples(st.sampled_from(REWRITES), st.integers(0, 200)), min_size=1, max_size=3
)


def _same_or_refused(result: VerificationResult, original: VerificationResult) -> str | None:
    """None when ``result`` is the original's answer or a compact-form refusal, else why not."""
    if _refused_as_non_compact(result) or _outline(result) == _outline(original):
        return None
    return f"{_outline(result)} instead of {_outline(original)}"


@pytest.mark.parametrize("case", CASE_NAMES)
def test_every_single_respelling_gets_the_same_answer_or_is_refused(
    world: dict[str, Any], case: str
) -> None:
    """Each rewrite at each place it applies to, one at a time (the searches below combine)."""
    known = world["cases"][case]
    spellings = known["spellings"]
    tried, failures = 0, []
    for name in REWRITES:
        for choice in range(spellings.choices(known["signed"], name)):
            respelled = respellings(spellings, [(name, choice)], seed=choice)
            result = _verify(world["verifier"], respelled)
            tried += 1
            why = _same_or_refused(result, known["original"])
            if why is not None:
                failures.append((name, choice, why))
            if name in COMPACT_REWRITES:
                assert not _refused_as_non_compact(result), (name, choice, result.problems)
    assert tried > 60
    assert not failures, failures[:3]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASE_NAMES), rewrites=RESPELLINGS, seed=st.integers(0, 2**32))
def test_a_respelled_signed_document_gets_the_same_answer_or_is_refused(
    world: dict[str, Any], case: str, rewrites: list[tuple[str, int]], seed: int
) -> None:
    known = world["cases"][case]
    respelled = respellings(known["spellings"], rewrites, seed)
    result = _verify(world["verifier"], respelled)
    assert _same_or_refused(result, known["original"]) is None, (rewrites, respelled)
    if {name for name, _ in rewrites} <= COMPACT_REWRITES:
        assert not _refused_as_non_compact(result), result.problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(list(UNSIGNED)), rewrites=RESPELLINGS, seed=st.integers(0, 2**32))
def test_a_vc_jwt_payload_in_another_spelling_gets_the_same_answer_or_is_refused(
    world: dict[str, Any], fixed_core: Core, case: str, rewrites: list[tuple[str, int]], seed: int
) -> None:
    known = world["cases"][case]
    original = vc_jwt.secure_credential(known["unsigned"], signer=ISSUER.signer())
    payload = respellings(known["unsigned_spellings"], rewrites, seed)
    token = vc_jwt.secure_credential(payload, signer=ISSUER.signer())
    result = _verify(world["verifier"], token)
    assert _same_or_refused(result, _verify(world["verifier"], original)) is None, rewrites
