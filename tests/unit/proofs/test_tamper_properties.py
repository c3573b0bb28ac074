"""Property: any change to a signed trade certificate fails its proof, with the right code.

Hypothesis draws a certificate of each type, in both versions of the certificate data
(v2 is issued; v1 credentials keep verifying), with random free-text values, signs it
with eddsa-rdfc-2022, applies one mutation and checks the proof check's codes:
- a changed value, a coded value (``"@type": "@vocab"``, v2) changed to another defined
  one, a term renamed to another defined term, an added defined type, a changed
  ``created`` or a changed signature: PROOF_VERIFICATION_ERROR;
- a term renamed to an undefined one, an undefined type, a coded value changed to a name
  no context defines, a removed context: DATA_LOSS_DETECTION_ERROR;
- the project context swapped for an unpinned URL: CONTEXT_NOT_PINNED.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO_ROOT
from vcservice.certificates.samples import SAMPLE_NAMES, VERSIONS, sample_certificate
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.proofs.purposes import ProofPurpose
from vcservice.services.core import Core

pytestmark = [pytest.mark.shared, pytest.mark.slow]

SIGNER = KeyFile(KeyPair.from_secret(KeyType.ED25519, bytes(range(32)))).signer()
CREATED = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 28, tzinfo=UTC)
PROJECT_CONTEXTS = "https://w3id.org/vcservice/trade-certificates/"
UNPINNED_CONTEXT = PROJECT_CONTEXTS + "v9"
STRUCTURAL_KEYS = {"@context", "id", "type"}
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
PROOF_ERROR, DATA_LOSS, NOT_PINNED = (
    "PROOF_VERIFICATION_ERROR",
    "DATA_LOSS_DETECTION_ERROR",
    "CONTEXT_NOT_PINNED",
)

Path = tuple[Any, ...]
free_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=24)


def _coded_terms() -> frozenset[str]:
    """The v2 context's terms whose values are names of its own terms (``"@type": "@vocab"``)."""
    path = REPO_ROOT / "contexts" / "trade-certificates-v2.jsonld"
    found = set()
    scopes = [json.loads(path.read_text(encoding="utf-8"))["@context"]]
    while scopes:
        for term, definition in scopes.pop().items():
            if isinstance(definition, dict):
                if definition.get("@type") == "@vocab":
                    found.add(term)
                if isinstance(definition.get("@context"), dict):
                    scopes.append(definition["@context"])
    return frozenset(found)


CODED_TERMS = _coded_terms()


def _objects(node: Any, path: Path = ()) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every JSON object in ``node`` (outside ``@context``) with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key != "@context":
                yield from _objects(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, (*path, index))


def _leaves(document: dict[str, Any]) -> list[tuple[Path, str]]:
    """Paths of string values that are data (not ``@context`` or ``type`` entries)."""
    leaves = []
    for path, obj in _objects(document):
        for key, value in obj.items():
            if key in ("@context", "type"):
                continue
            if isinstance(value, str):
                leaves.append(((*path, key), key))
            elif isinstance(value, list):
                leaves.extend(
                    ((*path, key, i), key) for i, v in enumerate(value) if isinstance(v, str)
                )
    return leaves


def _at(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def _coded_values() -> list[str]:
    """Every coded value the v2 samples use (each a term the v2 context defines)."""
    return sorted(
        {
            _at(document, path)
            for document in (sample_certificate(name, "v2") for name in SAMPLE_NAMES)
            for path, key in _leaves(document)
            if key in CODED_TERMS
        }
    )


CODED_VALUES = _coded_values()


@st.composite
def certificates(draw: st.DrawFn) -> dict[str, Any]:
    """A sample certificate whose free-text values are replaced by drawn text (coded values,
    which name terms, are kept)."""
    document = sample_certificate(
        draw(st.sampled_from(SAMPLE_NAMES)), draw(st.sampled_from(VERSIONS))
    )
    for path, key in _leaves(document):
        if (
            key not in ("id", "validFrom", "validUntil")
            and key not in CODED_TERMS
            and not key.endswith("Date")
        ):
            _at(document, path[:-1])[path[-1]] = draw(free_text)
    return document


def _change_value(data: st.DataObject, document: dict[str, Any]) -> str:
    path, key = data.draw(st.sampled_from(_leaves(_unsigned(document))))
    if key in CODED_TERMS:
        return _change_coded(data, document, path)
    suffix = data.draw(st.text("abcxyz019", min_size=1, max_size=4) if key == "id" else free_text)
    _at(document, path[:-1])[path[-1]] += suffix
    return PROOF_ERROR


def _change_coded_value(data: st.DataObject, document: dict[str, Any]) -> str:
    """A coded value (v2) changed; any value when the document has none (v1)."""
    coded = [path for path, key in _leaves(_unsigned(document)) if key in CODED_TERMS]
    if not coded:
        return _change_value(data, document)
    return _change_coded(data, document, data.draw(st.sampled_from(coded)))


def _change_coded(data: st.DataObject, document: dict[str, Any], path: Path) -> str:
    parent, last = _at(document, path[:-1]), path[-1]
    if data.draw(st.booleans()):  # another defined name: a different IRI
        parent[last] = data.draw(st.sampled_from([v for v in CODED_VALUES if v != parent[last]]))
        return PROOF_ERROR
    parent[last] += data.draw(st.text("abcxyzABC019", min_size=1, max_size=4))
    return DATA_LOSS  # a name no context defines


def _rename(data: st.DataObject, document: dict[str, Any], *, defined: bool) -> str:
    candidates = [
        (path, key)
        for path, obj in _objects(_unsigned(document))
        for key in obj
        if key not in STRUCTURAL_KEYS
    ]
    path, key = data.draw(st.sampled_from(candidates))
    obj = _at(document, path)
    if not defined:
        obj[key + "Extra"] = obj.pop(key)
        return DATA_LOSS
    target = "description" if "description" not in obj else "name"
    if target in obj:  # both taken: nothing to rename to, change the signature instead
        return _flip_proof_value(document)
    obj[target] = obj.pop(key)
    return PROOF_ERROR


def _add_defined_type(data: st.DataObject, document: dict[str, Any]) -> str:
    extra = next(t for t in ("IMMEXCertificate", "OEACertificate") if t not in document["type"])
    document["type"].append(extra)
    return PROOF_ERROR


def _add_undefined_type(data: st.DataObject, document: dict[str, Any]) -> str:
    typed = [path for path, obj in _objects(_unsigned(document)) if "type" in obj]
    obj = _at(document, data.draw(st.sampled_from(typed)))
    types = obj["type"] if isinstance(obj["type"], list) else [obj["type"]]  # credentialSchema's
    obj["type"] = [*types, "UndefinedThing"]
    return DATA_LOSS


def _project_context(document: dict[str, Any]) -> int:
    """Where the project context (v1 or v2) is in ``@context``."""
    [index] = [i for i, url in enumerate(document["@context"]) if url.startswith(PROJECT_CONTEXTS)]
    return index


def _unpin_context(data: st.DataObject, document: dict[str, Any]) -> str:
    document["@context"][_project_context(document)] = UNPINNED_CONTEXT
    return NOT_PINNED


def _remove_context(data: st.DataObject, document: dict[str, Any]) -> str:
    del document["@context"][_project_context(document)]
    return DATA_LOSS


def _change_created(data: st.DataObject, document: dict[str, Any]) -> str:
    document["proof"]["created"] = "2026-11-01T00:00:01Z"
    return PROOF_ERROR


MUTATIONS: dict[str, Callable[[st.DataObject, dict[str, Any]], str]] = {
    "value": _change_value,
    "value-coded": _change_coded_value,
    "rename-defined": partial(_rename, defined=True),
    "rename-undefined": partial(_rename, defined=False),
    "type-defined": _add_defined_type,
    "type-undefined": _add_undefined_type,
    "context-unpinned": _unpin_context,
    "context-removed": _remove_context,
    "proof-created": _change_created,
    "proof-value": lambda data, document: _flip_proof_value(document),
}


def _unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def _flip_proof_value(document: dict[str, Any]) -> str:
    value = document["proof"]["proofValue"]
    replacement = BASE58[(BASE58.index(value[10]) + 1) % len(BASE58)]
    document["proof"]["proofValue"] = value[:10] + replacement + value[11:]
    return PROOF_ERROR


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(certificate=certificates(), data=st.data())
def test_any_change_fails_with_the_right_code(
    core: Core, certificate: dict[str, Any], data: st.DataObject
) -> None:
    signed = core.data_integrity.add_proof(
        certificate, signer=SIGNER, cryptosuite="eddsa-rdfc-2022", created=CREATED
    )
    purpose = ProofPurpose()
    untouched = core.data_integrity.verify(signed, purpose=purpose, now=NOW)
    assert [result.problems for result in untouched] == [()]

    tampered = copy.deepcopy(signed)
    kind = data.draw(st.sampled_from(sorted(MUTATIONS)))
    event(kind)
    expected = MUTATIONS[kind](data, tampered)
    results = core.data_integrity.verify(tampered, purpose=purpose, now=NOW)
    assert [problem.code for problem in results[0].problems] == [expected]


@pytest.mark.parametrize(
    ("modality", "expected"),
    [("ImmexServices", PROOF_ERROR), ("ImmexIndustrialX", DATA_LOSS), ("Industrial", DATA_LOSS)],
)
def test_a_changed_coded_value_fails_with_the_right_code(
    core: Core, modality: str, expected: str
) -> None:
    """Another defined name is another IRI; a name no context defines (such as the v1
    string) would fall to the issuer-dependent vocabulary."""
    signed = core.data_integrity.add_proof(
        sample_certificate("immex"), signer=SIGNER, cryptosuite="eddsa-rdfc-2022", created=CREATED
    )
    assert signed["credentialSubject"]["immexModality"] == "ImmexIndustrial"
    signed["credentialSubject"]["immexModality"] = modality
    results = core.data_integrity.verify(signed, purpose=ProofPurpose(), now=NOW)
    assert [problem.code for problem in results[0].problems] == [expected]
