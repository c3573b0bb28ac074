"""The compiled (jsonschema-rs) check that lets a valid credential skip the Python validator.

``schema_problems`` asks the compiled validator first and runs ``jsonschema`` only when
it says no, so the two must agree on validity.  The differential tests mutate the
sample certificates (members dropped and added, values of other types, numbers as
strings, strings at the edges of the patterns: a final newline, spaces, other scripts)
and hold the answers equal.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.certificates.support import KINDS, PROOF, STATUS, certificate_type, sample
from vcservice.certificates.schema_files import load_schema, schema_problems
from vcservice.certificates.schemas import pinned_schema_problems
from vcservice.certificates.values import TEXT_PATTERN
from vcservice.errors import Problem
from vcservice.model.json_schema import MALFORMED

# The keywords whose meaning the two validators were checked to share (formats are
# annotations on both sides); a schema using another one needs a look before it ships.
CHECKED_KEYWORDS = {
    "$defs", "$id", "$ref", "$schema", "additionalProperties", "allOf", "const",
    "description", "else", "enum", "if", "items", "maxItems", "maxLength", "minItems",
    "minLength", "minimum", "pattern", "prefixItems", "properties", "required", "then",
    "title", "type", "uniqueItems",
}  # fmt: skip
EDGES = ["", "\n", "\r\n", " ", "\t", "\x00", "\x7f", "\x85", "\u2028", "x", "é", "😀"]
EDITS = [
    "newline", "crlf", "space", "lower", "shorter", "longer", "decomposed", "inner", "number",
    "listed",
]  # fmt: skip
NUMBERS = [0, 1, -1, 1.0, -0.0, 0.5, 1e300, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**40]


# One line of text, as the schemas' "text" takes it (any script), or with an edge added.
texts = st.builds(
    lambda body, tail: body + tail,
    st.from_regex(TEXT_PATTERN, fullmatch=True),
    st.just("") | st.sampled_from(EDGES),
)


def document(slug: str, version: str) -> dict[str, Any]:
    return dict(load_schema(certificate_type(slug, version).schema_path).document)


def subschemas(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in ``node`` (not the names under properties or $defs)."""
    if isinstance(node, dict):
        yield node
        for keyword, value in node.items():
            children = value.values() if keyword in ("properties", "$defs") else [value]
            for child in children:
                yield from subschemas(child)
    elif isinstance(node, list):
        for item in node:
            yield from subschemas(item)


@cache
def schema_strings(slug: str, version: str) -> list[str]:
    """The strings a schema names (enum and const values, property names) and the sample's."""
    found: set[str] = set()
    for node in subschemas(document(slug, version)):
        found.update(node.get("properties", {}))
        for keyword in ("enum", "const"):
            value = node.get(keyword)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    found.add(item)
    found.update(node for _, node in nodes(sample(slug, version)) if isinstance(node, str))
    return sorted(found)


@cache
def patterns(slug: str, version: str) -> list[str]:
    schema = document(slug, version)
    return sorted({node["pattern"] for node in subschemas(schema) if "pattern" in node})


def nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every node of ``value`` with its path, the root first."""
    yield path, value
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        yield from nodes(item, (*path, key))


def replaced(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return root


def dropped(root: Any, path: tuple[Any, ...]) -> Any:
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return root


@cache
def edge_strings(slug: str, version: str) -> st.SearchStrategy[str]:
    """Strings matching a pattern of the schema (or naming one of its terms), then edited."""
    base = st.sampled_from(schema_strings(slug, version)) | st.one_of(
        [st.from_regex(pattern, fullmatch=True) for pattern in patterns(slug, version)]
    )
    return st.builds(
        lambda head, body, tail: head + body + tail,
        st.sampled_from(EDGES[:4]),
        base,
        st.sampled_from(EDGES),
    )


@cache
def json_values(slug: str, version: str) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.sampled_from(NUMBERS),
        st.text(max_size=12),
        edge_strings(slug, version),
    )
    keys = st.sampled_from(schema_strings(slug, version)) | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3)
        ),
        max_leaves=6,
    )


def edited(value: str, how: str) -> Any:
    """``value`` changed in one of the ways a string can go wrong."""
    edits = {
        "newline": value + "\n",
        "crlf": value + "\r\n",
        "space": " " + value,
        "lower": value.lower(),
        "shorter": value[:-1],
        "longer": value * 30,
        "decomposed": value.replace("Ñ", "N\u0303"),
        "inner": value[:1] + "é😀\u0303\u2028" + value[1:],
        "number": int(value) if value.isdecimal() and value.isascii() else value + "0",
        "listed": [value],
    }
    return edits[how]


@st.composite
def mutated(draw: st.DrawFn, slug: str, version: str) -> Any:
    """A sample certificate ``slug`` ``version``, with envelope extras, changed 0 to 3 times."""
    credential: Any = sample(slug, version)
    if draw(st.booleans()):
        credential["credentialSchema"] = {
            "id": certificate_type(slug, version).schema_url,
            "type": "JsonSchema",
        }
    if draw(st.booleans()):
        credential["credentialStatus"] = draw(
            st.sampled_from([STATUS, [STATUS, {**STATUS, "statusSize": 1}]])
        )
    if draw(st.booleans()):
        credential["proof"] = draw(st.sampled_from([PROOF, [PROOF, PROOF]]))
    credential = copy.deepcopy(credential)
    for _ in range(draw(st.integers(0, 3))):
        path, node = draw(st.sampled_from(list(nodes(credential))[::-1]))  # the root last
        others = [copy.deepcopy(other) for _, other in nodes(credential)]
        action = draw(st.sampled_from(actions(path, node)))
        if action == "drop":
            credential = dropped(credential, path)
        elif action == "add" and isinstance(node, dict):
            member = draw(st.sampled_from(schema_strings(slug, version)))
            node[member] = draw(st.sampled_from(others) | json_values(slug, version))
        elif action == "add":
            node.append(draw(st.sampled_from(others) | json_values(slug, version)))
        else:
            replacing = replacement((slug, version), action, node, others)
            credential = replaced(credential, path, draw(replacing))
    return credential


def actions(path: tuple[Any, ...], node: Any) -> list[str]:
    """What may be done to ``node``, the likelier to keep it valid first (hypothesis's
    favourites): every node may be replaced and, but the root, dropped."""
    common = ["drop", "replace"] if path else ["replace"]
    if isinstance(node, str):
        return ["text", "swap", "edit", *common]
    if isinstance(node, dict):
        return ["swap", "add", *common]
    if isinstance(node, list):
        return ["swap", "add", "unwrap", *common]
    return ["quote", *common]


def replacement(
    kind: tuple[str, str], action: str, node: Any, others: list[Any]
) -> st.SearchStrategy[Any]:
    """What ``node`` becomes: another value (of its type, for a swap), or itself edited."""
    if action == "edit":
        return st.sampled_from(EDITS).map(lambda how: edited(node, how))
    if action == "text":
        return texts
    if action == "swap":
        return st.sampled_from([other for other in others if type(other) is type(node)])
    if action == "unwrap":
        return st.just(node[0] if node else {})
    if action == "quote":
        return st.just(json.dumps(node))
    return json_values(*kind)


def fast_and_python(slug: str, version: str, instance: Any) -> tuple[bool, bool]:
    loaded = load_schema(certificate_type(slug, version).schema_path)
    assert loaded.fast is not None
    return loaded.fast.is_valid(instance), not any(loaded.validator.iter_errors(instance))


def check_agreement(slug: str, version: str, instance: Any) -> None:
    fast_valid, python_valid = fast_and_python(slug, version, instance)
    assert fast_valid == python_valid, json.dumps(instance, ensure_ascii=False)
    path = certificate_type(slug, version).schema_path
    assert (schema_problems(path, instance) == []) == python_valid


DIFFERENTIAL = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@pytest.mark.parametrize(("slug", "version"), KINDS)
@settings(DIFFERENTIAL, max_examples=150)
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema(
    slug: str, version: str, data: st.DataObject
) -> None:
    check_agreement(slug, version, data.draw(mutated(slug, version)))


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "version"), KINDS)
@settings(DIFFERENTIAL, max_examples=400)  # per kind: six kinds since data v2
@given(data=st.data())
def test_the_fast_check_agrees_with_jsonschema_at_length(
    slug: str, version: str, data: st.DataObject
) -> None:
    check_agreement(slug, version, data.draw(mutated(slug, version)))


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_every_schema_compiles_offline_with_only_checked_keywords(slug: str, version: str) -> None:
    assert load_schema(certificate_type(slug, version).schema_path).fast is not None
    keywords = {keyword for node in subschemas(document(slug, version)) for keyword in node}
    assert keywords <= CHECKED_KEYWORDS, keywords - CHECKED_KEYWORDS
    for pattern in patterns(slug, version):
        # One final $ (python_pattern's rule), no class escapes or lookaround whose
        # meaning differs between ECMA-262, Python's re and Rust's regex.
        assert pattern.startswith("^") and pattern.endswith("$"), pattern
        assert not re.search(r"\\[dDwWsSbBpP]|\(\?[=!<]|\$.", pattern), pattern


@pytest.mark.parametrize(
    ("text", "fast_valid"), [("MX", True), ("MX\n", False), ("MX\r\n", False), ("\nMX", False)]
)
def test_a_final_newline_does_not_match_dollar(text: str, fast_valid: bool) -> None:
    credential = sample("oea")
    credential["credentialSubject"]["member"]["legalName"] = text
    assert fast_and_python("oea", "v2", credential) == (fast_valid, fast_valid)


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_a_valid_credential_skips_the_python_validator(
    slug: str, version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: Any) -> None:
        raise AssertionError("the Python validator was consulted")

    kind = certificate_type(slug, version)
    monkeypatch.setattr(type(load_schema(kind.schema_path).validator), "iter_errors", refuse)
    credential = sample(slug, version) | {
        "credentialSchema": {"id": kind.schema_url, "type": "JsonSchema"},
        "credentialStatus": [STATUS],
        "proof": PROOF,
    }
    assert schema_problems(kind.schema_path, sample(slug, version)) == []
    assert pinned_schema_problems(credential) == []


def test_an_invalid_credential_gets_the_python_validators_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = certificate_type("immex", "v1").schema_path
    validator_type = type(load_schema(path).validator)
    consulted: list[Any] = []
    iter_errors = validator_type.iter_errors

    def spy(validator: Any, instance: Any) -> Any:
        consulted.append(instance)
        return iter_errors(validator, instance)

    monkeypatch.setattr(validator_type, "iter_errors", spy)
    credential = sample("immex", "v1")
    subject = credential["credentialSubject"]
    del subject["rfc"]
    subject["nickname"] = "x"
    subject["authorizedAddresses"][0]["address"]["postalCode"] = "64000\n"
    credential["validFrom"] = "2026-05-04T00:00:00Z\n"
    credential["type"] = ["VerifiableCredential"]
    date_time = (
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
        "(?:\\\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$"
    )
    assert schema_problems(path, credential) == [
        Problem(MALFORMED, "'rfc' is required", "credentialSubject.rfc"),
        Problem(MALFORMED, "'nickname' is not allowed here", "credentialSubject.nickname"),
        Problem(
            MALFORMED,
            "'64000\\n' does not match '^[0-9]{5}$'",
            "credentialSubject.authorizedAddresses[0].address.postalCode",
        ),
        Problem(MALFORMED, "['VerifiableCredential'] is too short", "type"),
        Problem(MALFORMED, f"'2026-05-04T00:00:00Z\\n' does not match '{date_time}'", "validFrom"),
    ]
    assert consulted == [credential]


SAT = {"id": "did:web:sat.example", "type": ["Organization"], "name": "SAT\ud800"}
TUPLE_TYPE = "('VerifiableCredential', 'OEACertificate') is not of type 'array'"


@pytest.mark.parametrize(
    ("member", "value", "expected"),
    [
        ("type", ("VerifiableCredential", "OEACertificate"),
         [Problem(MALFORMED, TUPLE_TYPE, "type")]),
        ("credentialStatus", {**STATUS, "statusSize": Decimal(1)},
         [Problem(MALFORMED, "Decimal('1') is not of type 'integer'",
                  "credentialStatus.statusSize")]),
        ("issuer", SAT, []),
    ],
)  # fmt: skip
def test_what_the_fast_check_cannot_read_is_left_to_python(
    member: str, value: Any, expected: list[Problem]
) -> None:
    """A tuple, a Decimal (read as an array, an integer) and a lone surrogate (unreadable)."""
    credential = sample("oea") | {member: value}
    assert schema_problems(certificate_type("oea").schema_path, credential) == expected


def write_schema(path: Path, schema: dict[str, Any]) -> Path:
    path.parent.mkdir(exist_ok=True)
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def test_a_ref_to_a_sibling_schema_resolves_offline(tmp_path: Path) -> None:
    base = "https://schemas.invalid/"
    code = {"type": "string", "pattern": "^[A-Z]{2}$"}
    write_schema(tmp_path / "code.json", {"$id": base + "code.json", "$defs": {"code": code}})
    user = {"$id": base + "user.json", "$ref": "code.json#/$defs/code"}
    fast = load_schema(write_schema(tmp_path / "user.json", user)).fast
    assert fast is not None
    assert fast.is_valid("MX")
    assert not fast.is_valid("MX\n")
    lost = {"$id": base + "lost.json", "$ref": "missing.json"}
    assert load_schema(write_schema(tmp_path / "lost" / "lost.json", lost)).fast is None
