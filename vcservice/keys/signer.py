"""The signing role used by proof suites: an in-memory key pair now, an HSM later."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from vcservice.keys.key_pair import KeyPair
from vcservice.keys.key_type import KeyType

__all__ = ["KeyPairSigner", "Signer"]


@runtime_checkable
class Signer(Protocol):
    """Signs bytes with the key that ``verification_method`` (a VM id) names."""

    @property
    def key_type(self) -> KeyType: ...

    @property
    def verification_method(self) -> str: ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``; Ed25519 raw, ECDSA raw r‖s (see :meth:`KeyPair.sign`)."""
        ...


@dataclass(frozen=True)
class KeyPairSigner:
    """A :class:`Signer` over an in-memory :class:`KeyPair`."""

    key_pair: KeyPair
    verification_method: str

    @property
    def key_type(self) -> KeyType:
        """The key type of the key pair."""
        return self.key_pair.key_type

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the key pair."""
        return self.key_pair.sign(data)
