"""Signed trust lists: reading one, building one, and whether a fetched one replaces the held."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from tests.conftest import REPO_ROOT
from tests.factories import NOW, did_of, key_file
from vcservice.errors import DataLossError, ParsingError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.keys import KeyType
from vcservice.services.core import Core
from vcservice.trust.list_schema import SCHEMA_FILE, SCHEMA_URL
from vcservice.trust.lists import (
    CONTEXT_URL,
    ListedAccreditation,
    ListedIssuer,
    TrustList,
    TrustListRefused,
    accept_list,
    build_trust_list,
    list_accreditations,
    stale_at,
)
from vcservice.trust.registry import TrustRegistry

SAT = "did:web:aduanas.example:issuers:sat"
SAT_KEY = f"{SAT}#key-1"
SAT_NEXT_KEY = f"{SAT}#key-2"
SAT_OTHER_KEY = f"{SAT}#key-3"  # in SAT's DID document, never announced by a list
CBP = "did:web:cbp.example"
URL = "https://aduanas.example/trust-lists/sat"
SKEW = timedelta(minutes=2)
ISSUED = NOW - timedelta(hours=1)
SAT_ENTRY = ListedIssuer(
    SAT,
    "SAT – AGACE",
    (
        ListedAccreditation(
            "OEACertificate",
            datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
            datetime.fromisoformat("2030-12-31T23:59:59+00:00"),
        ),
        ListedAccreditation("IMMEXCertificate"),
    ),
)


def _document(sequence: int = 12, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "url": URL,
        "operator": SAT,
        "operator_name": "Servicio de Administración Tributaria",
        "sequence": sequence,
        "issued": ISSUED,
        "next_update": ISSUED + timedelta(days=1),
        "territory": "MX",
        "signing_keys": [SAT_KEY],
        "next_signing_keys": [SAT_NEXT_KEY],
        "entries": [SAT_ENTRY],
    } | changes
    return build_trust_list(**arguments)


def _list(sequence: int = 12, **changes: Any) -> TrustList:
    return TrustList.from_credential(_document(sequence, **changes))


# ---------------------------------------------------------------- reading and building


def test_a_built_list_reads_back_as_it_was_built() -> None:
    document = _document()
    assert document["issuer"] == SAT and "credentialSchema" not in document
    subject = document["credentialSubject"]
    assert subject["sequenceNumber"] == 12 and subject["id"] == f"{URL}#list"
    assert subject["nextUpdate"].endswith("Z") and document["validFrom"].endswith("Z")
    trust_list = TrustList.from_credential(document)
    assert trust_list == TrustList(
        url=URL,
        operator=SAT,
        operator_name="Servicio de Administración Tributaria",
        sequence=12,
        issued=ISSUED,
        next_update=ISSUED + timedelta(days=1),
        valid_until=None,
        territory="MX",
        signing_keys=(SAT_KEY,),
        next_signing_keys=(SAT_NEXT_KEY,),
        entries=(SAT_ENTRY,),
    )


def test_optional_members_may_be_left_out() -> None:
    document = _document(operator_name=None, territory=None, next_signing_keys=[], entries=[])
    assert set(document["credentialSubject"]) == {
        "id",
        "type",
        "sequenceNumber",
        "nextUpdate",
        "signingKeys",
        "entries",
    }
    trust_list = TrustList.from_credential(document)
    assert trust_list.operator_name is None and trust_list.entries == ()
    assert trust_list.next_signing_keys == ()
    until = NOW + timedelta(days=30)
    assert _list(valid_until=until).valid_until == until


def test_the_schema_file_is_the_published_one_and_any_validator_reads_it() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_URL
    assert SCHEMA_FILE.resolve() == (REPO_ROOT / "schemas" / "trust-list-v1.json").resolve()
    Draft202012Validator(schema).validate(_document())


def _changed(path: str, value: Any) -> dict[str, Any]:
    """``_document()`` with the member at dotted ``path`` set (or removed, for ``...``)."""
    document = copy.deepcopy(_document())
    *parents, last = path.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del node[key]
    else:
        node[key] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("type", ["VerifiableCredential"], "type"),
        ("type", ["VerifiableCredential", "OEACertificate"], "type[1]"),
        ("@context", ["https://www.w3.org/ns/credentials/v2"], "@context"),
        ("issuer", {"id": SAT, "name": "SAT"}, "issuer"),
        ("issuer", f"{SAT}#key-1", "issuer"),
        ("id", ..., "id"),
        ("validFrom", ..., "validFrom"),
        ("validFrom", "2026-11-28", "validFrom"),
        ("validFrom", "2026-02-30T00:00:00Z", "validFrom"),
        ("validUntil", "2026-11-01T00:00:00Z", "validUntil"),
        ("credentialSchema", {"id": SCHEMA_URL, "type": "JsonSchema"}, "credentialSchema"),
        ("name", "a name", "name"),
        ("credentialSubject", [], "credentialSubject"),
        ("credentialSubject.type", "TrustedList", "credentialSubject.type"),
        ("credentialSubject.sequenceNumber", ..., "credentialSubject.sequenceNumber"),
        ("credentialSubject.sequenceNumber", 0, "credentialSubject.sequenceNumber"),
        ("credentialSubject.sequenceNumber", -3, "credentialSubject.sequenceNumber"),
        ("credentialSubject.sequenceNumber", "12", "credentialSubject.sequenceNumber"),
        ("credentialSubject.sequenceNumber", 12.0, "credentialSubject.sequenceNumber"),
        ("credentialSubject.sequenceNumber", True, "credentialSubject.sequenceNumber"),
        ("credentialSubject.nextUpdate", ..., "credentialSubject.nextUpdate"),
        ("credentialSubject.nextUpdate", "tomorrow", "credentialSubject.nextUpdate"),
        # nextUpdate must be after validFrom
        ("credentialSubject.nextUpdate", "2026-11-28T11:00:00Z", "credentialSubject.nextUpdate"),
        ("credentialSubject.territory", "Mexico", "credentialSubject.territory"),
        ("credentialSubject.signingKeys", [], "credentialSubject.signingKeys"),
        ("credentialSubject.signingKeys", [SAT], "credentialSubject.signingKeys[0]"),
        ("credentialSubject.entries", ..., "credentialSubject.entries"),
        ("credentialSubject.pointers", [], "credentialSubject.pointers"),
        ("credentialSubject.entries.0.type", "Issuer", "credentialSubject.entries[0].type"),
        ("credentialSubject.entries.0.name", ..., "credentialSubject.entries[0].name"),
        ("credentialSubject.entries.0.name", " SAT", "credentialSubject.entries[0].name"),
        (
            "credentialSubject.entries.0.validFrom",
            ISSUED.isoformat(),
            "credentialSubject.entries[0].validFrom",
        ),
        (
            "credentialSubject.entries.0.accreditedFor",
            [],
            "credentialSubject.entries[0].accreditedFor",
        ),
        (
            "credentialSubject.entries.0.accreditedFor.0.credentialType",
            "OEA Certificate",
            "credentialSubject.entries[0].accreditedFor[0].credentialType",
        ),
        (
            "credentialSubject.entries.0.accreditedFor.0.accreditedUntil",
            "2025-12-31T00:00:00Z",
            "credentialSubject.entries[0].accreditedFor[0].accreditedUntil",
        ),
        (
            "credentialSubject.entries.0.accreditedFor.0.validUntil",
            "2030-12-31T00:00:00Z",
            "credentialSubject.entries[0].accreditedFor[0].validUntil",
        ),
    ],
)
def test_anything_but_exactly_a_trust_list_is_refused_naming_the_field(
    path: str, value: Any, field: str
) -> None:
    with pytest.raises(ParsingError) as refused:
        TrustList.from_credential(_changed(path, value))
    assert refused.value.field == field, refused.value
    assert refused.value.code == "MALFORMED_VALUE_ERROR"


def test_an_issuer_listed_twice_is_refused() -> None:
    cbp = ListedIssuer(CBP, "CBP", (ListedAccreditation("CTPATCertificate"),))
    document = _document(entries=[SAT_ENTRY, cbp])
    document["credentialSubject"]["entries"][1]["id"] = SAT
    with pytest.raises(ParsingError) as refused:
        TrustList.from_credential(document)
    assert refused.value.field == "credentialSubject.entries[1].id"
    with pytest.raises(ParsingError):
        _document(entries=[SAT_ENTRY, SAT_ENTRY])


def test_a_builder_never_emits_what_would_not_read_back() -> None:
    with pytest.raises(ParsingError) as refused:
        _document(sequence=0)
    assert refused.value.field == "credentialSubject.sequenceNumber"
    with pytest.raises(ParsingError):
        _document(next_update=ISSUED)


def test_a_trailing_newline_does_not_pass_a_pattern() -> None:
    """ECMA-262's ``$``, as every other JSON Schema validator reads the schema."""
    with pytest.raises(ParsingError) as refused:
        TrustList.from_credential(_changed("credentialSubject.territory", "MX\n"))
    assert refused.value.field == "credentialSubject.territory"


def test_a_non_object_is_refused() -> None:
    with pytest.raises(ParsingError):
        TrustList.from_credential([])  # type: ignore[arg-type]


# ---------------------------------------------------------------- accepting a fetched list


def _accept(
    held: TrustList | None,
    offered: TrustList,
    *,
    digest: str = "b" * 64,
    signer: str = SAT_KEY,
    expected: str = SAT,
    now: datetime = NOW,
) -> bool:
    held_digest = None if held is None else "a" * 64
    return accept_list(
        held,
        held_digest,
        offered,
        digest=digest,
        signer=signer,
        expected_signer=expected,
        now=now,
        skew=SKEW,
    )


def _refusal(held: TrustList | None, offered: TrustList, **options: Any) -> str:
    with pytest.raises(TrustListRefused) as refused:
        _accept(held, offered, **options)
    assert refused.value.field
    return refused.value.code


def test_a_first_list_signed_by_the_expected_operator_is_accepted() -> None:
    assert _accept(None, _list())
    assert _accept(None, _list(), expected=SAT_KEY)  # pinned to one key
    assert _accept(None, _list(), signer=SAT_OTHER_KEY)  # any key of the DID, the first time


def test_a_first_list_signed_by_another_is_refused() -> None:
    cbp_list = _list(operator=CBP, signing_keys=[f"{CBP}#key-1"], next_signing_keys=[])
    assert _refusal(None, cbp_list, signer=f"{CBP}#key-1") == "TRUST_LIST_SIGNER_MISMATCH"
    assert _refusal(None, _list(), expected=SAT_NEXT_KEY) == "TRUST_LIST_SIGNER_MISMATCH"


def test_a_list_whose_operator_did_not_sign_it_is_refused() -> None:
    """CBP's key over a list naming SAT as its operator (and issuer)."""
    with pytest.raises(TrustListRefused) as refused:
        _accept(None, _list(), signer=f"{CBP}#key-1", expected=CBP)
    assert refused.value.code == "TRUST_LIST_SIGNER_MISMATCH"
    assert refused.value.field == "issuer"


def test_a_higher_sequence_is_a_new_list() -> None:
    assert _accept(_list(12), _list(13)) is True
    assert _accept(_list(12), _list(40)) is True  # gaps are allowed


def test_the_same_list_again_confirms_the_held_one() -> None:
    assert _accept(_list(12), _list(12), digest="a" * 64) is False


def test_another_list_at_the_held_sequence_is_equivocation() -> None:
    assert _refusal(_list(12), _list(12)) == "TRUST_LIST_EQUIVOCATION"


def test_a_lower_sequence_is_a_rollback() -> None:
    assert _refusal(_list(12), _list(11), digest="a" * 64) == "TRUST_LIST_ROLLBACK"


def test_a_key_the_held_list_announced_may_sign_the_next() -> None:
    assert _accept(_list(12), _list(13), signer=SAT_NEXT_KEY)
    assert _accept(_list(12), _list(13), signer=SAT_KEY)


def test_a_key_the_held_list_did_not_announce_is_refused_even_if_the_did_has_it() -> None:
    assert _refusal(_list(12), _list(13), signer=SAT_OTHER_KEY) == "TRUST_LIST_KEY_NOT_ANNOUNCED"


def test_an_announced_key_must_still_be_the_expected_signer() -> None:
    """A held list announcing a key of another DID does not move the subscription."""
    held = _list(12, next_signing_keys=[f"{CBP}#key-1"])
    offered = _list(13, operator=CBP)
    assert _refusal(held, offered, signer=f"{CBP}#key-1") == "TRUST_LIST_SIGNER_MISMATCH"


def test_a_list_issued_in_the_future_is_not_valid_yet() -> None:
    early = _list(issued=NOW + SKEW + timedelta(seconds=1))
    assert _refusal(None, early) == "TRUST_LIST_NOT_YET_VALID"
    assert _accept(None, _list(issued=NOW + SKEW))  # within the clock skew


def test_a_list_past_its_valid_until_is_expired() -> None:
    ended = _list(valid_until=NOW - timedelta(seconds=1))
    assert _refusal(None, ended) == "TRUST_LIST_EXPIRED"
    assert _accept(None, _list(valid_until=NOW))
    # Not even the held list again: an expired list is confirmed no more.
    held = _list(12, valid_until=NOW + timedelta(days=1))
    later = NOW + timedelta(days=2)
    assert _refusal(held, held, digest="a" * 64, now=later) == "TRUST_LIST_EXPIRED"


def test_an_overdue_list_is_accepted() -> None:
    """A passed nextUpdate alone: the list is late, and staleness deals with it."""
    overdue = _list(issued=NOW - timedelta(days=3), next_update=NOW - timedelta(days=2))
    assert _accept(None, overdue)


def test_a_rollback_is_named_before_the_list_dates() -> None:
    old = _list(11, issued=NOW - timedelta(days=3), valid_until=NOW - timedelta(days=1))
    assert _refusal(_list(12), old) == "TRUST_LIST_ROLLBACK"


def test_a_list_due_before_it_is_issued_is_malformed() -> None:
    bad = TrustList(**{**_fields(_list()), "next_update": ISSUED})
    with pytest.raises(ParsingError) as refused:
        _accept(None, bad)
    assert refused.value.field == "credentialSubject.nextUpdate"


def _fields(trust_list: TrustList) -> dict[str, Any]:
    return {name: getattr(trust_list, name) for name in TrustList.__slots__}


# ---------------------------------------------------------------- staleness and the registry


def test_a_list_is_stale_max_staleness_after_it_was_confirmed_or_fell_due() -> None:
    trust_list = _list()  # due at ISSUED + 1 day
    day = timedelta(days=1)
    confirmed = ISSUED + timedelta(hours=2)
    assert stale_at(trust_list, confirmed, day) == confirmed + day
    due = trust_list.next_update
    assert stale_at(trust_list, due + timedelta(hours=5), day) == due + day
    capped = _list(valid_until=ISSUED + timedelta(days=1, hours=3))
    assert stale_at(capped, confirmed, day) == ISSUED + timedelta(days=1, hours=2)
    assert stale_at(capped, due, day) == capped.valid_until


def test_stale_at_is_the_last_fresh_moment_boundary() -> None:
    trust_list = _list()
    moment = stale_at(trust_list, ISSUED, timedelta(hours=6))
    assert moment == ISSUED + timedelta(hours=6)
    assert not moment < ISSUED + timedelta(hours=6)  # at it: the caller's < decides
    assert moment < ISSUED + timedelta(hours=6, microseconds=1)  # just past: stale


def test_a_held_list_accredits_its_issuers_naming_itself() -> None:
    confirmed = NOW - timedelta(minutes=5)
    registry = TrustRegistry(list_accreditations(_list(), confirmed_at=confirmed))
    decision = registry.check(SAT, ["VerifiableCredential", "OEACertificate"], NOW)
    assert decision.problems == []
    [basis] = decision.trusted_by
    assert basis.to_json() == {
        "source": "trustList",
        "name": "SAT – AGACE",
        "credentialTypes": ["OEACertificate"],
        "url": URL,
        "operator": SAT,
        "operatorName": "Servicio de Administración Tributaria",
        "sequence": 12,
        "issued": "2026-11-28T11:00:00Z",
        "confirmedAt": "2026-11-28T11:55:00Z",
        "nextUpdate": "2026-11-29T11:00:00Z",
    }
    later = datetime.fromisoformat("2031-01-01T00:00:00+00:00")
    [ended] = registry.check(SAT, ["VerifiableCredential", "OEACertificate"], later).problems
    assert ended.code == "ISSUER_NOT_TRUSTED"


# ---------------------------------------------------------------- the JSON-LD context


def test_the_context_is_protected_versioned_and_pinned() -> None:
    path = REPO_ROOT / "contexts" / "trust-lists-v1.jsonld"
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    assert context["@protected"] is True and context["@version"] == 1.1
    assert "@vocab" not in context and "@base" not in context
    pinned = ContextManifest.load(default_contexts_dir()).get(CONTEXT_URL)
    assert pinned.bundled_file is not None and pinned.bundled_file.name == path.name
    assert pinned.sha256 == jcs_sha256(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.shared
def test_a_trust_list_signs_and_verifies_through_the_safe_mode_core(fixed_core: Core) -> None:
    """Safe mode refuses undefined terms and the compact-form rule other spellings: the
    context defines every member build_trust_list writes, the operator listing itself too."""
    key = key_file(KeyType.ED25519, seed=41)
    operator = did_of(key)
    document = _document(
        operator=operator,
        signing_keys=[key.verification_method],
        next_signing_keys=[f"{operator}#next"],
        entries=[ListedIssuer(operator, "SAT – AGACE", SAT_ENTRY.accreditations), SAT_ENTRY],
        valid_until=NOW + timedelta(days=30),
    )
    signed = fixed_core.data_integrity.add_proof(
        document, signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    result = fixed_core.verifier.verify(signed)
    assert result.verified, result.to_json()
    assert TrustList.from_credential(signed).operator == operator

    undefined = copy.deepcopy(document)
    undefined["credentialSubject"]["pointers"] = ["https://cbp.example/trust-lists/cbp"]
    with pytest.raises(DataLossError):
        fixed_core.data_integrity.add_proof(
            undefined, signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
        )
