"""Generic credentials at ``POST /credentials/issue``, and did:key authorities, over HTTP.

An authority allowed ``["*"]`` signs any VCDM 2.0 or 1.1 credential whose terms its
contexts define, in every securing format; it adds status entries only when
``options.credentialStatus`` asks (a certificate always gets them), and the data model's
rules refuse a malformed credential naming the field. A did:key authority holds one key,
which is its DID: it signs in the did:key fragment form, signs its own status lists, and
never rotates. The service's own verifier checks what was issued.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.builders import unsigned_credential
from tests.api.conftest import ISSUE, READ, Issuer, LiveService, assert_problem
from tests.api.presenting import V2, outcomes
from vcservice.jose.jws import decode_compact
from vcservice.keys.multibase import base64url_encode

pytestmark = pytest.mark.shared

V1 = "https://www.w3.org/2018/credentials/v1"
BASE_TYPE = "VerifiableCredential"
STATUS_ENTRY = "BitstringStatusListEntry"
PARSING, MALFORMED = "PARSING_ERROR", "MALFORMED_VALUE_ERROR"
EDDSA, ECDSA, JWT = "eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt"
REVOCATION = {"type": STATUS_ENTRY, "statusPurpose": "revocation"}
MESSAGE_STATUS = {"type": STATUS_ENTRY, "statusPurpose": "message"}  # not one issuers assign
SUBJECT, NAME = "did:example:ensambles-bravo", "Ensambles del Bravo"
START_OF_VALIDITY = {V2: "validFrom", V1: "issuanceDate"}
# The Multikey prefix (base58btc of the multicodec header) of each key type's public key.
MULTIKEY = {"Ed25519": "z6Mk", "P-256": "zDna", "P-384": "z82L"}
# A term for the custom types below, so that a credential fails only the rule under test.
EXAMPLE_TERMS = {"ExampleThing": "https://example.org/vocab#ExampleThing"}
TYPED_MEMBERS = ("credentialSchema", "evidence", "refreshService", "termsOfUse", "credentialStatus")
SRI = "sha384-" + base64.b64encode(hashlib.sha384(b"manifest").digest()).decode()
MANIFEST = {"id": "https://example.org/manifest", "digestSRI": SRI}
INVOICE = {  # a multihash (sha2-256) in base64url multibase
    "id": "https://example.org/invoice",
    "digestMultibase": "u" + base64url_encode(b"\x12\x20" + hashlib.sha256(b"invoice").digest()),
}
OWN_STATUS = {
    "id": "https://status.example/lists/7#94567",
    "type": STATUS_ENTRY,
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://status.example/lists/7",
}


@pytest.fixture(scope="module")
def generic(live_service: LiveService) -> Issuer:
    """An authority allowed any credential type, trusted by the verifier.

    The trust registry accredits named types only (``"*"`` is refused there); an issuer
    accredited for the base type is trusted for credentials of that type alone.
    """
    issuer = live_service.issuer("generic", ["*"], accredited=False)
    live_service.accredit(issuer.did, [BASE_TYPE])
    return issuer


def credential(did: str, version: str = V2, **members: Any) -> dict[str, Any]:
    """An unsigned credential issued by ``did``; its VCDM 2.0 subject has a ``name``
    (a term of the 2.0 context only)."""
    subject = {"id": SUBJECT, "name": NAME} if version == V2 else {"id": SUBJECT}
    return {
        "@context": [version, EXAMPLE_TERMS],
        "type": [BASE_TYPE],
        "issuer": did,
        "credentialSubject": subject,
        **members,
    }


def issue(
    live: LiveService,
    issuer: Issuer,
    unsigned: dict[str, Any],
    *,
    key: str | None = None,
    **options: Any,
) -> httpx.Response:
    """``POST /credentials/issue``, with an ``Idempotency-Key`` if given."""
    headers = issuer.headers | ({"Idempotency-Key": key} if key else {})
    body = {"credential": unsigned, "options": options}
    return live.http.post("/credentials/issue", headers=headers, json=body)


def issued(live: LiveService, issuer: Issuer, unsigned: dict[str, Any], **options: Any) -> Any:
    """The credential issued (201, with no warnings about the options)."""
    response = issue(live, issuer, unsigned, **options)
    assert response.status_code == 201, response.text
    assert response.json().get("warnings") is None
    return response.json()["verifiableCredential"]


def refused(
    live: LiveService,
    issuer: Issuer,
    unsigned: dict[str, Any],
    field: str,
    *,
    status: int = 422,
    code: str = MALFORMED,
    **options: Any,
) -> dict[str, Any]:
    """The request is a problem naming ``field``, and nothing was recorded."""
    before = live.registry(issuer)["total"]
    problem = assert_problem(issue(live, issuer, unsigned, **options), status, code, field)
    assert live.registry(issuer)["total"] == before
    return problem


def claims(secured: Any) -> dict[str, Any]:
    """The credential itself: a Data Integrity document, or a vc+jwt's payload."""
    document: dict[str, Any] = (
        decode_compact(secured).payload_json() if isinstance(secured, str) else secured
    )
    return document


def signing_method(secured: Any) -> str:
    """The verification method that signed: the proof's, or the JWT header's ``kid``."""
    if isinstance(secured, str):
        return str(decode_compact(secured).header["kid"])
    return str(secured["proof"]["verificationMethod"])


def public_key(live: LiveService, issuer: Issuer, method: str) -> str:
    """The ``publicKeyMultibase`` of ``method``, one of the issuer's keys (a did:key's
    key is its DID's method-specific id, and the fragment of its one method)."""
    did, fragment = method.split("#", 1)
    assert did == issuer.did
    if did.startswith("did:key:"):
        assert fragment == did.removeprefix("did:key:")
        return fragment
    document = live.did_document(issuer.name)
    (key,) = [
        vm["publicKeyMultibase"] for vm in document["verificationMethod"] if vm["id"] == method
    ]
    assert method in document["assertionMethod"]
    return str(key)


def verify(live: LiveService, secured: Any) -> httpx.Response:
    return live.http.post("/credentials/verify", json={"verifiableCredential": secured})


def assert_verifies(live: LiveService, secured: Any) -> dict[str, Any]:
    response = verify(live, secured)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    assert result["verified"] is True
    checks = outcomes(result)
    assert checks["proof"] == checks["issuer"] == checks["issuerTrust"] == "passed", checks
    return result


def tampered(secured: Any) -> Any:
    """A copy whose subject says something else, under the original proof or signature."""
    document = copy.deepcopy(claims(secured))
    subject = document["credentialSubject"]
    subject["name" if "name" in subject else "id"] = "did:example:impostor"
    if isinstance(secured, str):
        header, _, signature = secured.split(".")
        payload = base64url_encode(json.dumps(document).encode())
        return f"{header}.{payload}.{signature}"
    return document


def assert_tampered_copy_fails(live: LiveService, secured: Any) -> None:
    problem = assert_problem(verify(live, tampered(secured)), 422, "VERIFICATION_FAILED")
    assert problem["verified"] is False
    assert outcomes(problem)["proof"] == "failed"
    assert "PROOF_VERIFICATION_ERROR" in [p["code"] for p in problem["problemDetails"]]


# ---------------------------------------------------------------- securing formats


# id: (data model, options.format, options.keyType, cryptosuite or JWS alg, key that signs)
SECURED = {
    "2.0-eddsa": (V2, EDDSA, None, EDDSA, "Ed25519"),
    "2.0-ecdsa": (V2, ECDSA, None, ECDSA, "P-384"),
    "2.0-ecdsa-p256": (V2, ECDSA, "P-256", ECDSA, "P-256"),
    "2.0-ecdsa-p384": (V2, ECDSA, "P-384", ECDSA, "P-384"),
    "2.0-jwt": (V2, JWT, None, "ES384", "P-384"),
    "2.0-jwt-p256": (V2, JWT, "P-256", "ES256", "P-256"),
    "2.0-jwt-ed25519": (V2, JWT, "Ed25519", "EdDSA", "Ed25519"),
    "1.1-eddsa": (V1, EDDSA, None, EDDSA, "Ed25519"),
    "1.1-ecdsa-p256": (V1, ECDSA, "P-256", ECDSA, "P-256"),
    "1.1-ecdsa-p384": (V1, ECDSA, "P-384", ECDSA, "P-384"),
}


@pytest.mark.parametrize(
    ("version", "securing_format", "key_type", "securing", "signer"),
    list(SECURED.values()),
    ids=list(SECURED),
)
def test_a_generic_credential_is_signed_as_asked_and_verifies(
    live_service: LiveService,
    generic: Issuer,
    version: str,
    securing_format: str,
    key_type: str | None,
    securing: str,
    signer: str,
) -> None:
    """Signed with the key asked for (each its own method in the DID document), completed
    as its data model wants, and verifiable; a tampered copy is not."""
    unsigned = credential(generic.did, version)
    options = {"format": securing_format} | ({"keyType": key_type} if key_type else {})
    secured = issued(live_service, generic, unsigned, **options)
    if securing_format == JWT:
        assert isinstance(secured, str) and secured.count(".") == 2
        header = decode_compact(secured).header
        assert (header["typ"], header["alg"]) == ("vc+jwt", securing)
    else:
        proof = secured["proof"]
        assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", securing)
        assert proof["proofPurpose"] == "assertionMethod"
    method = signing_method(secured)
    assert public_key(live_service, generic, method).startswith(MULTIKEY[signer])

    document = claims(secured)
    assert document["@context"][:2] == unsigned["@context"]
    assert document["issuer"] == generic.did and document["id"].startswith("urn:uuid:")
    assert document["credentialSubject"] == unsigned["credentialSubject"]
    assert "credentialStatus" not in document  # none unless options.credentialStatus asks
    start = START_OF_VALIDITY[version]  # filled in, and only the data model's own
    assert document[start].endswith("Z")
    assert set(START_OF_VALIDITY.values()) & set(document) == {start}

    assert_verifies(live_service, secured)
    assert_tampered_copy_fails(live_service, secured)


@pytest.mark.parametrize("version", [V2, V1], ids=["2.0", "1.1"])
def test_a_given_start_of_validity_is_kept(
    live_service: LiveService, generic: Issuer, version: str
) -> None:
    start = START_OF_VALIDITY[version]
    unsigned = credential(generic.did, version, **{start: "2025-01-15T08:00:00Z"})
    assert issued(live_service, generic, unsigned)[start] == "2025-01-15T08:00:00Z"


@pytest.mark.parametrize(
    ("version", "options", "status", "field"),
    [
        (V1, {"format": JWT}, 400, "options.format"),
        (V2, {"format": ECDSA, "keyType": "Ed25519"}, 400, "options.keyType"),
        (V2, {"format": EDDSA, "keyType": "P-256"}, 400, "options.keyType"),
        (V2, {"credentialStatus": MESSAGE_STATUS}, 422, "options.credentialStatus.statusPurpose"),
    ],
    ids=["jwt-of-1.1", "ecdsa-ed25519", "eddsa-p256", "message-status"],
)
def test_options_that_cannot_be_honoured_are_refused(
    live_service: LiveService,
    generic: Issuer,
    version: str,
    options: dict[str, Any],
    status: int,
    field: str,
) -> None:
    code = PARSING if status == 400 else MALFORMED
    unsigned = credential(generic.did, version)
    refused(live_service, generic, unsigned, field, status=status, code=code, **options)


@pytest.mark.parametrize(
    ("version", "subject", "term"),
    [
        pytest.param(V2, {"id": SUBJECT, "foo": 1}, "foo", id="2.0-foo"),
        pytest.param(V1, {"id": SUBJECT, "name": "Ensambles"}, "name", id="1.1-name"),
    ],
)
def test_a_term_no_context_defines_is_refused(
    live_service: LiveService, generic: Issuer, version: str, subject: dict[str, Any], term: str
) -> None:
    unsigned = credential(generic.did, version, credentialSubject=subject)
    before = live_service.registry(generic)["total"]
    problem = assert_problem(
        issue(live_service, generic, unsigned), 422, "DATA_LOSS_DETECTION_ERROR"
    )
    assert f"'{term}'" in problem["detail"] and term in problem["field"]
    assert live_service.registry(generic)["total"] == before


def test_unknown_options_are_ignored_and_named_in_warnings(
    live_service: LiveService, generic: Issuer
) -> None:
    options: dict[str, Any] = {"format": ECDSA, "somethingNew": 1, "mandatoryPointers": ["/x"]}
    response = issue(live_service, generic, credential(generic.did), **options)
    assert response.status_code == 201, response.text
    body = response.json()
    assert [w["field"] for w in body["warnings"]] == [
        "options.mandatoryPointers",
        "options.somethingNew",
    ]
    assert all("ignored" in w["detail"] for w in body["warnings"])
    assert {w["code"] for w in body["warnings"]} == {"OPTION_IGNORED"}
    assert body["verifiableCredential"]["proof"]["cryptosuite"] == ECDSA
    assert_verifies(live_service, body["verifiableCredential"])


# ---------------------------------------------------------------- the issuer


@pytest.mark.parametrize("version", [V2, V1], ids=["2.0", "1.1"])
def test_the_issuer_is_required(live_service: LiveService, generic: Issuer, version: str) -> None:
    """VC API: the credential MUST name its issuer (the service does not fill it in)."""
    unsigned = credential(generic.did, version)
    del unsigned["issuer"]
    refused(live_service, generic, unsigned, "credential.issuer")


@pytest.mark.parametrize(
    "other", ["did:example:aduana", {"id": "did:example:aduana", "name": "Aduana"}]
)
def test_a_credential_naming_another_issuer_is_refused(
    live_service: LiveService, generic: Issuer, other: Any
) -> None:
    unsigned = credential(generic.did, issuer=other)
    refused(live_service, generic, unsigned, "credential.issuer")


# ---------------------------------------------------------------- credentialStatus


@pytest.mark.parametrize(
    ("purpose", "purposes"),
    [
        ("revocation", ["revocation"]),
        ("suspension", ["suspension"]),
        (None, ["revocation", "suspension"]),
    ],
)
def test_options_credential_status_adds_entries_on_the_authoritys_lists(
    live_service: LiveService, generic: Issuer, purpose: str | None, purposes: list[str]
) -> None:
    asked = {"type": STATUS_ENTRY} | ({"statusPurpose": purpose} if purpose else {})
    secured = issued(live_service, generic, credential(generic.did), credentialStatus=asked)
    entries = secured["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == purposes
    for entry in entries:
        assert entry["type"] == STATUS_ENTRY
        assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
        path = httpx.URL(entry["statusListCredential"]).path
        assert path.startswith(f"/status-lists/{generic.name}/{entry['statusPurpose']}/")
    lists = live_service.status_lists(secured)
    assert sorted(lst["credentialSubject"]["statusPurpose"] for lst in lists) == purposes
    for lst in lists:
        assert lst["issuer"] == generic.did
        assert lst["proof"]["verificationMethod"].startswith(generic.did + "#")
    assert outcomes(assert_verifies(live_service, secured))["status"] == "passed"


@pytest.mark.parametrize("asked", [None, REVOCATION])
def test_a_certificate_always_has_revocation_and_suspension_entries(
    live_service: LiveService, generic: Issuer, asked: dict[str, Any] | None
) -> None:
    options = {} if asked is None else {"credentialStatus": asked}
    secured = issued(live_service, generic, unsigned_credential("oea", generic.did), **options)
    purposes = [entry["statusPurpose"] for entry in secured["credentialStatus"]]
    assert {"revocation", "suspension"} <= set(purposes)


def test_a_generic_credential_may_carry_its_own_status_entry(
    live_service: LiveService, generic: Issuer
) -> None:
    unsigned = credential(generic.did, credentialStatus=OWN_STATUS)
    assert issued(live_service, generic, unsigned)["credentialStatus"] == OWN_STATUS


@pytest.mark.parametrize("certificate", [False, True], ids=["generic-and-options", "certificate"])
def test_an_own_status_entry_is_refused_where_the_issuer_assigns_them(
    live_service: LiveService, generic: Issuer, certificate: bool
) -> None:
    unsigned = unsigned_credential("oea", generic.did) if certificate else credential(generic.did)
    unsigned["credentialStatus"] = OWN_STATUS
    options: dict[str, Any] = {} if certificate else {"credentialStatus": REVOCATION}
    refused(live_service, generic, unsigned, "credential.credentialStatus", **options)


def test_options_credential_status_is_refused_for_a_vcdm_1_1_credential(
    live_service: LiveService, generic: Issuer
) -> None:
    """Bitstring Status List entries are VCDM 2.0 terms: a 1.1 credential cannot carry them."""
    unsigned = credential(generic.did, V1)
    refused(
        live_service, generic, unsigned, "options.credentialStatus", credentialStatus=REVOCATION
    )


# ---------------------------------------------------------------- the data model's rules


@pytest.mark.parametrize("version", [V2, V1], ids=["2.0", "1.1"])
def test_typed_members_with_their_types_are_issued(
    live_service: LiveService, generic: Issuer, version: str
) -> None:
    members: dict[str, Any] = {
        member: {"id": f"https://example.org/{member}/1", "type": "ExampleThing"}
        for member in TYPED_MEMBERS
    }
    if version == V2:
        members["relatedResource"] = [MANIFEST, INVOICE]
    document = issued(live_service, generic, credential(generic.did, version, **members))
    assert {name: document[name] for name in members} == members


@pytest.mark.parametrize("shape", ["object", "list"])
@pytest.mark.parametrize("version", [V2, V1], ids=["2.0", "1.1"])
@pytest.mark.parametrize("member", TYPED_MEMBERS)
def test_a_typed_member_without_a_type_is_refused(
    live_service: LiveService, generic: Issuer, member: str, version: str, shape: str
) -> None:
    untyped = {"id": f"https://example.org/{member}/2"}
    typed = {"id": f"https://example.org/{member}/1", "type": "ExampleThing"}
    value, field = (untyped, member) if shape == "object" else ([typed, untyped], f"{member}[1]")
    unsigned = credential(generic.did, version, **{member: value})
    refused(live_service, generic, unsigned, f"credential.{field}")


V2_REFUSALS = {
    "empty-subject": ({"credentialSubject": {}}, "credentialSubject"),
    "resource-string": ({"relatedResource": MANIFEST["id"]}, "relatedResource[0]"),
    "resource-without-id": ({"relatedResource": [{"digestSRI": SRI}]}, "relatedResource[0]"),
    "resource-without-digest": ({"relatedResource": [{"id": INVOICE["id"]}]}, "relatedResource[0]"),
    "resource-twice": (
        {"relatedResource": [MANIFEST, INVOICE | {"id": MANIFEST["id"]}]},
        "relatedResource[1]",
    ),
}


@pytest.mark.parametrize(("members", "field"), list(V2_REFUSALS.values()), ids=list(V2_REFUSALS))
def test_vcdm_2_0_rules_are_enforced(
    live_service: LiveService, generic: Issuer, members: dict[str, Any], field: str
) -> None:
    unsigned = credential(generic.did, **members)
    refused(live_service, generic, unsigned, f"credential.{field}")


# ---------------------------------------------------------------- idempotency


@pytest.fixture
def fresh(live_service: LiveService) -> Issuer:
    """A generic authority of this test alone, so its registry holds only its credentials."""
    return live_service.issuer("generic-idem", ["*"], accredited=False)


def test_a_retry_with_the_same_key_returns_the_same_credential(
    live_service: LiveService, fresh: Issuer
) -> None:
    first, second = (
        issue(live_service, fresh, credential(fresh.did), key="k", credentialStatus=REVOCATION)
        for _ in range(2)
    )
    assert first.status_code == second.status_code == 201, second.text
    assert second.content == first.content  # same id, same status index, same proof
    assert live_service.registry(fresh)["total"] == 1


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("Otra Empresa", {"credentialStatus": REVOCATION}),
        (NAME, {"credentialStatus": REVOCATION, "format": ECDSA}),
        (NAME, {}),
    ],
    ids=["credential", "format", "credentialStatus"],
)
def test_the_same_key_with_another_request_is_refused(
    live_service: LiveService, fresh: Issuer, name: str, options: dict[str, Any]
) -> None:
    unsigned = credential(fresh.did)
    first = issue(live_service, fresh, unsigned, key="once", credentialStatus=REVOCATION)
    assert first.status_code == 201, first.text
    unsigned["credentialSubject"]["name"] = name
    response = issue(live_service, fresh, unsigned, key="once", **options)
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert live_service.registry(fresh)["total"] == 1


# ---------------------------------------------------------------- did:key authorities


@dataclass
class KeyAuthority:
    """A did:key authority allowed any type, and the type of its one key."""

    key_type: str
    issuer: Issuer


def create_authority(live: LiveService, **fields: Any) -> httpx.Response:
    name = live.unique_name("didkey")
    body = {"name": name, "displayName": name.upper(), "credentialTypes": ["*"]} | fields
    return live.http.post("/admin/authorities", headers=live.admin, json=body)


@pytest.fixture(scope="module", params=list(MULTIKEY))
def did_key(request: pytest.FixtureRequest, live_service: LiveService) -> KeyAuthority:
    response = create_authority(live_service, didMethod="key", keyType=request.param)
    assert response.status_code == 201, response.text
    name, did = response.json()["name"], response.json()["did"]
    live_service.accredit(did, [BASE_TYPE])
    client_id, secret = live_service.create_client(name, [ISSUE, READ])
    issuer = Issuer(name, did, client_id, secret, live_service.token(client_id, secret))
    return KeyAuthority(str(request.param), issuer)


# The Data Integrity suite and the JWS alg each key type signs with.
DEFAULT_SUITE = {"Ed25519": EDDSA, "P-256": ECDSA, "P-384": ECDSA}
JWS_ALG = {"Ed25519": "EdDSA", "P-256": "ES256", "P-384": "ES384"}


def test_a_did_key_authority_is_the_did_of_its_key(
    live_service: LiveService, did_key: KeyAuthority
) -> None:
    assert did_key.issuer.did.startswith("did:key:" + MULTIKEY[did_key.key_type])
    response = live_service.http.get(
        f"/admin/authorities/{did_key.issuer.name}", headers=live_service.admin
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert (view["did"], view["credentialTypes"]) == (did_key.issuer.did, ["*"])


@pytest.mark.parametrize("securing_format", [None, JWT], ids=["default", "jwt"])
def test_a_did_key_authority_signs_with_its_key_and_verifies(
    live_service: LiveService, did_key: KeyAuthority, securing_format: str | None
) -> None:
    issuer = did_key.issuer
    options = {} if securing_format is None else {"format": securing_format}
    secured = issued(live_service, issuer, credential(issuer.did), **options)
    if isinstance(secured, str):
        assert decode_compact(secured).header["alg"] == JWS_ALG[did_key.key_type]
    else:
        assert secured["proof"]["cryptosuite"] == DEFAULT_SUITE[did_key.key_type]
    method = signing_method(secured)
    assert method == f"{issuer.did}#{issuer.did.removeprefix('did:key:')}"
    assert public_key(live_service, issuer, method).startswith(MULTIKEY[did_key.key_type])
    assert_verifies(live_service, secured)
    assert_tampered_copy_fails(live_service, secured)


def test_a_did_key_authoritys_status_list_is_signed_by_its_did(
    live_service: LiveService, did_key: KeyAuthority
) -> None:
    issuer = did_key.issuer
    secured = issued(live_service, issuer, credential(issuer.did), credentialStatus=REVOCATION)
    (status_list,) = live_service.status_lists(secured)
    assert status_list["issuer"] == issuer.did
    assert status_list["proof"]["verificationMethod"] == signing_method(secured)
    assert outcomes(assert_verifies(live_service, secured))["status"] == "passed"


def test_a_did_key_authority_refuses_a_format_its_key_cannot_sign(
    live_service: LiveService, did_key: KeyAuthority
) -> None:
    foreign = ECDSA if did_key.key_type == "Ed25519" else EDDSA
    issuer = did_key.issuer
    unsigned = credential(issuer.did)
    refused(
        live_service, issuer, unsigned, "options.format", status=400, code=PARSING, format=foreign
    )


def test_a_did_key_authoritys_key_never_rotates(
    live_service: LiveService, did_key: KeyAuthority
) -> None:
    issuer = did_key.issuer
    before = signing_method(issued(live_service, issuer, credential(issuer.did)))
    response = live_service.http.post(
        f"/admin/authorities/{issuer.name}/keys/rotate",
        headers=live_service.admin,
        json={"keyType": did_key.key_type},
    )
    assert_problem(response, 409, "CONFLICT", "name")
    assert signing_method(issued(live_service, issuer, credential(issuer.did))) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"didMethod": "key"}, "keyType"),
        ({"didMethod": "key", "keyType": "RSA"}, "keyType"),
        ({"didMethod": "web", "keyType": "P-256"}, "keyType"),
        ({"keyType": "Ed25519"}, "keyType"),  # did:web is the default
        ({"didMethod": "jwk", "keyType": "Ed25519"}, "didMethod"),
    ],
)
def test_a_did_method_and_key_type_that_do_not_go_together_are_refused(
    live_service: LiveService, fields: dict[str, Any], field: str
) -> None:
    response = create_authority(live_service, **fields)
    assert_problem(response, 422, MALFORMED, field)
    name = json.loads(response.request.content)["name"]
    lookup = live_service.http.get(f"/admin/authorities/{name}", headers=live_service.admin)
    assert_problem(lookup, 404, "NOT_FOUND")


def test_a_did_key_authority_has_no_did_web_document(
    live_service: LiveService, did_key: KeyAuthority
) -> None:
    response = live_service.http.get(f"/issuers/{did_key.issuer.name}/did.json")
    assert_problem(response, 404, "NOT_FOUND")
