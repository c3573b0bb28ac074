"""DID documents and their verification methods (DID Core, Controlled Identifiers §2.2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vcservice.dids.syntax import parse_did, split_fragment
from vcservice.errors import DidError, KeyFormatError, ParsingError
from vcservice.keys import KeyType, PublicKey, base58_decode, base58_encode

__all__ = [
    "CID_CONTEXT_V1",
    "DID_CONTEXT_V1",
    "MULTIKEY_CONTEXT_V1",
    "RELATIONSHIPS",
    "SIGNING_RELATIONSHIPS",
    "DidDocument",
    "VerificationMethod",
]

DID_CONTEXT_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT_V1 = "https://w3id.org/security/multikey/v1"
CID_CONTEXT_V1 = "https://www.w3.org/ns/cid/v1"

SIGNING_RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
RELATIONSHIPS = frozenset({*SIGNING_RELATIONSHIPS, "keyAgreement"})

_INVALID_VM = "INVALID_VERIFICATION_METHOD"


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise KeyFormatError(f"expected a string, got {type(value).__name__}")
    return value


# Verification material property -> (parse, encode).
_MATERIALS: dict[str, tuple[Callable[[Any], PublicKey], Callable[[PublicKey], Any]]] = {
    "publicKeyMultibase": (
        lambda value: PublicKey.from_multibase(_string(value)),
        PublicKey.to_multibase,
    ),
    "publicKeyJwk": (PublicKey.from_jwk, PublicKey.to_jwk),
    "publicKeyBase58": (
        lambda value: PublicKey.from_raw(KeyType.ED25519, base58_decode(_string(value))),
        lambda public_key: base58_encode(public_key.raw),
    ),
}
# Verification method type -> (its material property, the key type it is restricted to).
_TYPES: dict[str, tuple[str, KeyType | None]] = {
    "Multikey": ("publicKeyMultibase", None),
    "JsonWebKey": ("publicKeyJwk", None),
    "JsonWebKey2020": ("publicKeyJwk", None),
    "Ed25519VerificationKey2020": ("publicKeyMultibase", KeyType.ED25519),
    "Ed25519VerificationKey2018": ("publicKeyBase58", KeyType.ED25519),
}


@dataclass(frozen=True)
class VerificationMethod:
    """A verification method with its public key decoded; ``id`` is absolute."""

    id: str
    type: str
    controller: str
    public_key: PublicKey

    @classmethod
    def from_json(cls, entry: Mapping[str, Any], *, base: str) -> VerificationMethod:
        """Parse a VM entry; a ``#fragment`` id is taken relative to the DID ``base``."""
        if not isinstance(entry, Mapping):
            raise DidError(f"a verification method in {base} is not an object", code=_INVALID_VM)
        vm_id = entry.get("id")
        if not isinstance(vm_id, str):
            raise DidError(f"a verification method in {base} has no string id", code=_INVALID_VM)
        vm_id = _absolute(vm_id, base)
        vm_type, controller = entry.get("type"), entry.get("controller")
        if not isinstance(controller, str):
            raise DidError(f"{vm_id}: controller must be a string", code=_INVALID_VM)
        if not isinstance(vm_type, str) or vm_type not in _TYPES:
            raise DidError(
                f"{vm_id}: unsupported verification method type {vm_type!r} "
                f"(supported: {', '.join(_TYPES)})",
                code=_INVALID_VM,
            )
        material, required_key_type = _TYPES[vm_type]
        present = [name for name in _MATERIALS if name in entry]
        if present != [material]:
            raise DidError(
                f"{vm_id}: type {vm_type} needs exactly one key property, {material}; "
                f"found {present or 'none'}",
                code=_INVALID_VM,
            )
        try:
            public_key = _MATERIALS[material][0](entry[material])
        except (KeyFormatError, ParsingError) as exc:
            raise DidError(f"{vm_id}: invalid {material}: {exc.message}", code=_INVALID_VM) from exc
        if required_key_type not in (None, public_key.key_type):
            raise DidError(
                f"{vm_id}: type {vm_type} needs an {required_key_type} key, "
                f"got {public_key.key_type}",
                code=_INVALID_VM,
            )
        return cls(vm_id, vm_type, controller, public_key)

    def to_json(self) -> dict[str, Any]:
        """Serialize as a DID document verification method entry."""
        material = _TYPES[self.type][0]
        return {
            "id": self.id,
            "type": self.type,
            "controller": self.controller,
            material: _MATERIALS[material][1](self.public_key),
        }


@dataclass(frozen=True)
class DidDocument:
    """A resolved DID document (the JSON object); treat ``data`` as read-only.

    Each verification method is parsed (its public key decoded) once per document: a
    document kept by a resolver's cache serves every later verification with it.
    """

    data: Mapping[str, Any]
    _methods: dict[str, VerificationMethod] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        document_id = self.data.get("id") if isinstance(self.data, Mapping) else None
        if not isinstance(document_id, str):
            raise DidError("a DID document must be a JSON object with a string id")
        parse_did(document_id)

    @property
    def id(self) -> str:
        """The DID this document describes."""
        return str(self.data["id"])

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """Find ``vm_id`` (absolute or ``#fragment``) in ``verificationMethod`` or embedded.

        Its controller must be this document (CID §3.3), else INVALID_VERIFICATION_METHOD.
        """
        target = _absolute(vm_id, self.id)
        method = self._methods.get(target)
        if method is None:
            method = self._methods[target] = self._parse_method(target)
        return method

    def _parse_method(self, target: str) -> VerificationMethod:
        """The verification method ``target`` as this document defines it, checked."""
        if split_fragment(target)[0] != self.id:
            raise DidError(f"{target} is not a verification method of {self.id}", code=_INVALID_VM)
        found = {
            VerificationMethod.from_json(entry, base=self.id)
            for entry in self._entries()
            if isinstance(entry, Mapping)
            and isinstance(entry.get("id"), str)
            and _absolute(entry["id"], self.id) == target
        }
        if not found:
            raise DidError(
                f"verification method {target} is not in the DID document of {self.id}",
                code=_INVALID_VM,
            )
        if len(found) > 1:
            raise DidError(f"{target} is defined differently more than once", code=_INVALID_VM)
        method = found.pop()
        if method.controller != self.id:
            raise DidError(
                f"{target}: controller {method.controller} is not the document's DID {self.id}",
                code=_INVALID_VM,
            )
        return method

    def authorizes(self, vm_id: str, relationship: str) -> bool:
        """Whether ``relationship`` lists ``vm_id``, by reference or embedded.

        ``relationship`` must be one of :data:`RELATIONSHIPS` (ValueError otherwise).
        """
        if relationship not in RELATIONSHIPS:
            raise ValueError(f"unknown verification relationship {relationship!r}")
        target = _absolute(vm_id, self.id)
        for entry in _as_list(self.data.get(relationship)):
            ref = entry.get("id") if isinstance(entry, Mapping) else entry
            if isinstance(ref, str) and _absolute(ref, self.id) == target:
                return True
        return False

    def service_endpoints(self, service_type: str) -> list[str]:
        """The URLs of the document's ``service`` entries of ``service_type`` (DID Core §5.4).

        A ``serviceEndpoint`` may be a URL or a list of them; map endpoints and entries that
        are not objects are passed over (the document is kept as it is either way).
        """
        endpoints: list[str] = []
        for entry in _as_list(self.data.get("service")):
            if isinstance(entry, Mapping) and service_type in _as_list(entry.get("type")):
                endpoint = _as_list(entry.get("serviceEndpoint"))
                endpoints += [url for url in endpoint if isinstance(url, str)]
        return endpoints

    def _entries(self) -> list[Any]:
        entries = _as_list(self.data.get("verificationMethod"))
        for relationship in sorted(RELATIONSHIPS):
            entries += _as_list(self.data.get(relationship))
        return entries


def _absolute(ref: str, base: str) -> str:
    return base + ref if ref.startswith("#") else ref


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
