"""Key files: a Multikey JSON object holding a key pair and, optionally, its VM id.

Also reads the W3C test-vector key files, which name the secret ``privateKeyMultibase``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcservice.errors import KeyFormatError
from vcservice.keys.key_pair import KeyPair
from vcservice.keys.signer import KeyPairSigner

__all__ = ["KeyFile", "load_key_file"]

_SECRET_NAMES = ("secretKeyMultibase", "privateKeyMultibase")


@dataclass(frozen=True)
class KeyFile:
    """A key pair with an optional verification method ``id`` and ``controller``.

    ``id`` may be absolute or a ``#fragment`` of ``controller``. Without either, the key is
    used as its own ``did:key`` and the verification method is ``did:key:<mb>#<mb>``.
    """

    key_pair: KeyPair
    id: str | None = None
    controller: str | None = None

    def __post_init__(self) -> None:
        if self.id is not None and self.id.startswith("#") and self.controller is None:
            raise KeyFormatError(f"relative id {self.id!r} needs a controller", field="id")
        if self.id is None and self.controller not in (None, self._did_key()):
            raise KeyFormatError(
                f"controller {self.controller!r} is not this key's did:key, so an id is needed",
                field="id",
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "key file") -> KeyFile:
        """Parse the JSON object of a key file; ``source`` names it in error messages."""
        if not isinstance(data, Mapping):
            raise KeyFormatError(f"{source}: must be a JSON object")
        if data.get("type", "Multikey") != "Multikey":
            raise KeyFormatError(f"{source}: type must be 'Multikey'", field="type")
        found = [data[name] for name in _SECRET_NAMES if name in data]
        if not found or found.count(found[0]) != len(found):
            raise KeyFormatError(
                f"{source}: needs one secret key value ({' or '.join(_SECRET_NAMES)})",
                field="secretKeyMultibase",
            )
        values = {
            "publicKeyMultibase": data.get("publicKeyMultibase"),
            "secretKeyMultibase": found[0],
            "id": data.get("id"),
            "controller": data.get("controller"),
        }
        for name, value in values.items():
            optional = name in ("id", "controller")
            if not isinstance(value, str) and not (optional and value is None):
                raise KeyFormatError(f"{source}: {name} must be a string", field=name)
        try:
            key_pair = KeyPair.from_multibase(
                values["publicKeyMultibase"], values["secretKeyMultibase"]
            )
            return cls(key_pair, id=values["id"], controller=values["controller"])
        except KeyFormatError as exc:
            raise KeyFormatError(
                f"{source}: {exc.message}", code=exc.code, field=exc.field
            ) from exc

    @property
    def verification_method(self) -> str:
        """The absolute verification method id this key signs as."""
        if self.id is None:
            did = self._did_key()
            return f"{did}#{did.removeprefix('did:key:')}"
        if self.id.startswith("#"):
            return f"{self.controller}{self.id}"
        return self.id

    def signer(self) -> KeyPairSigner:
        """A :class:`KeyPairSigner` for this key and verification method."""
        return KeyPairSigner(self.key_pair, self.verification_method)

    def to_json(self) -> str:
        """Serialize as key-file JSON (contains the secret key)."""
        data = {
            "type": "Multikey",
            "id": self.id,
            "controller": self.controller,
            "publicKeyMultibase": self.key_pair.public_key.to_multibase(),
            "secretKeyMultibase": self.key_pair.secret_to_multibase(),
        }
        return json.dumps({k: v for k, v in data.items() if v is not None}, indent=2) + "\n"

    def _did_key(self) -> str:
        # did:key format (dids.methods.key builds the same); keys must not import dids.
        return f"did:key:{self.key_pair.public_key.to_multibase()}"


def load_key_file(path: str | Path) -> KeyFile:
    """Read and parse a key file (or a W3C test-vector key pair file)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise KeyFormatError(f"cannot read key file {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise KeyFormatError(f"key file {path} is not valid JSON: {exc}") from exc
    return KeyFile.from_dict(data, source=f"key file {path}")
