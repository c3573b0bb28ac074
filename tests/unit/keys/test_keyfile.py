"""Key files: our Multikey format, the W3C vector format, verification method defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import upstream_path
from vcservice.errors import KeyFormatError
from vcservice.keys import KeyFile, KeyPair, KeyPairSigner, KeyType, Signer, load_key_file


@pytest.fixture
def key_pair() -> KeyPair:
    return KeyPair.generate(KeyType.P384)


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "key.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.shared
def test_vector_file_with_private_key_multibase_defaults_to_did_key() -> None:
    key_file = load_key_file(upstream_path("vectors", "eddsa-rdfc-2022", "keyPair.json"))
    multibase = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert key_file.verification_method == f"did:key:{multibase}#{multibase}"
    assert (key_file.id, key_file.controller) == (None, None)


def test_to_json_round_trips_with_id_and_controller(tmp_path: Path, key_pair: KeyPair) -> None:
    key_file = KeyFile(key_pair, id="did:web:example.com#key-1", controller="did:web:example.com")
    path = tmp_path / "key.json"
    path.write_text(key_file.to_json())

    stored = json.loads(path.read_text())
    loaded = load_key_file(path)

    assert stored["type"] == "Multikey"
    assert stored["secretKeyMultibase"] == key_pair.secret_to_multibase()
    assert loaded.key_pair.public_key == key_pair.public_key
    assert (loaded.id, loaded.controller) == (key_file.id, key_file.controller)
    assert loaded.verification_method == "did:web:example.com#key-1"


def test_to_json_omits_absent_members(key_pair: KeyPair) -> None:
    assert set(json.loads(KeyFile(key_pair).to_json())) == {
        "type",
        "publicKeyMultibase",
        "secretKeyMultibase",
    }


def test_relative_id_is_resolved_against_the_controller(key_pair: KeyPair) -> None:
    key_file = KeyFile(key_pair, id="#key-2", controller="did:web:example.com")
    assert key_file.verification_method == "did:web:example.com#key-2"


def test_controller_may_be_the_keys_own_did_key(key_pair: KeyPair) -> None:
    did = f"did:key:{key_pair.public_key.to_multibase()}"
    assert KeyFile(key_pair, controller=did).verification_method.startswith(f"{did}#z82L")


def test_signer_signs_as_the_verification_method(key_pair: KeyPair) -> None:
    signer = KeyFile(key_pair, id="did:web:example.com#key-1").signer()
    assert isinstance(signer, Signer)
    assert signer == KeyPairSigner(key_pair, "did:web:example.com#key-1")
    assert signer.key_type is KeyType.P384
    assert key_pair.public_key.verify(signer.sign(b"data"), b"data")


def test_invalid_combinations_of_id_and_controller(key_pair: KeyPair) -> None:
    with pytest.raises(KeyFormatError, match="needs a controller"):
        KeyFile(key_pair, id="#key-1")
    with pytest.raises(KeyFormatError, match="so an id is needed"):
        KeyFile(key_pair, controller="did:web:example.com")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "JsonWebKey"}, "type must be 'Multikey'"),
        ({"secretKeyMultibase": None}, "needs one secret key value"),
        (
            {"privateKeyMultibase": "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN"},
            "needs one secret",
        ),
        ({"publicKeyMultibase": None}, "publicKeyMultibase must be a string"),
        ({"id": 7}, "id must be a string"),
        (
            {"publicKeyMultibase": "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"},
            "does not belong",
        ),
    ],
)
def test_malformed_key_files_name_the_file(
    tmp_path: Path, key_pair: KeyPair, change: dict[str, object], message: str
) -> None:
    data = json.loads(KeyFile(key_pair).to_json()) | change
    data = {name: value for name, value in data.items() if value is not None}
    path = write(tmp_path, data)
    with pytest.raises(KeyFormatError, match=message) as caught:
        load_key_file(path)
    assert str(path) in caught.value.message
    assert key_pair.secret_to_multibase() not in caught.value.message


def test_the_same_secret_under_both_names_is_accepted(tmp_path: Path, key_pair: KeyPair) -> None:
    data = json.loads(KeyFile(key_pair).to_json())
    data["privateKeyMultibase"] = data["secretKeyMultibase"]
    assert load_key_file(write(tmp_path, data)).key_pair.public_key == key_pair.public_key


@pytest.mark.parametrize(("content", "message"), [("{", "not valid JSON"), ("[]", "JSON object")])
def test_unparseable_key_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(KeyFormatError, match=message):
        load_key_file(path)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFormatError, match="cannot read key file"):
        load_key_file(tmp_path / "absent.json")
