"""A PKCS#11 token that makes and uses signing keys it never lets out.

Keys are generated inside the token as token objects (``CKA_TOKEN``), the private half
``CKA_PRIVATE``, ``CKA_SENSITIVE`` and not ``CKA_EXTRACTABLE``, able only to sign.
Ed25519 signs with ``CKM_EDDSA`` (pure Ed25519); P-256 and P-384 with ``CKM_ECDSA`` over a
SHA-256 or SHA-384 digest made here, since SoftHSM 2.6 and many HSMs offer no
``CKM_ECDSA_SHA384``. PKCS#11 returns ECDSA signatures as r‖s (IEEE P1363), the form the
suites use, and leaves high S values as they are, as the software signer does.

PKCS#11 logs in per *process* and token, not per session: ``C_Login`` on one session
logs every session of the process in, and closing that session (python-pkcs11 calls
``C_Logout`` then) logs them all out. So the login is one object per process and token,
shared and counted by every :class:`Pkcs11Token` there and ended by the last to close;
each token keeps its own small pool of plain sessions.

python-pkcs11 initialises the module with ``C_Initialize(NULL)``, which promises the
module it will never be called from two threads at once (PKCS#11 §5.4); SoftHSM answers
concurrent calls with CKR_GENERAL_ERROR. So every call into the module, from every token
of the process, holds one lock: signing is serial within a process (a fraction of a
millisecond in SoftHSM) and parallel across worker processes.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pkcs11
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from vcservice.errors import KeyFormatError, StorageError
from vcservice.keys import KeyType, PublicKey

__all__ = ["Pkcs11Token", "public_key_from_ec_point"]


class _Algorithm(NamedTuple):
    """How one key type is made and used in PKCS#11."""

    key_type: pkcs11.KeyType
    ec_params: bytes  # DER of the curve's OID (CKA_EC_PARAMS, a namedCurve)
    generate: pkcs11.Mechanism
    sign: pkcs11.Mechanism


_ALGORITHMS = {
    # RFC 8410 id-Ed25519 (1.3.101.112), the form PKCS#11 3.0 prefers for Edwards curves.
    KeyType.ED25519: _Algorithm(
        pkcs11.KeyType.EC_EDWARDS,
        bytes.fromhex("06032b6570"),
        pkcs11.Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
        pkcs11.Mechanism.EDDSA,
    ),
    # prime256v1 (1.2.840.10045.3.1.7) and secp384r1 (1.3.132.0.34).
    KeyType.P256: _Algorithm(
        pkcs11.KeyType.EC,
        bytes.fromhex("06082a8648ce3d030107"),
        pkcs11.Mechanism.EC_KEY_PAIR_GEN,
        pkcs11.Mechanism.ECDSA,
    ),
    KeyType.P384: _Algorithm(
        pkcs11.KeyType.EC,
        bytes.fromhex("06052b81040022"),
        pkcs11.Mechanism.EC_KEY_PAIR_GEN,
        pkcs11.Mechanism.ECDSA,
    ),
}
_PIN_ERRORS = (
    pkcs11.PinIncorrect,
    pkcs11.PinInvalid,
    pkcs11.PinLenRange,
    pkcs11.PinLocked,
    pkcs11.PinExpired,
)


@dataclass(eq=False)
class _Login:
    """The logged-in session of this process on one token, and how many stores use it."""

    session: pkcs11.Session
    pin: bytes
    users: int = 1


# Per process and token, as PKCS#11 logs in (see the module docstring).
_LOGINS: dict[tuple[str, int], _Login] = {}
# Held around every call into the module, and around _LOGINS (see the module docstring).
_MODULE_LOCK = threading.RLock()


@dataclass(eq=False)
class _Session:
    """A pooled session and the private keys it has looked up (object id → key)."""

    session: pkcs11.Session
    private_keys: dict[bytes, pkcs11.SignMixin] = field(default_factory=dict)


class Pkcs11Token:
    """A logged-in PKCS#11 token: generate, sign with, find and destroy key pairs by object id.

    Failures are :class:`StorageError` with code ``KEY_STORE_UNAVAILABLE`` (the module, the
    token, a session or the device) or ``KEY_STORE_LOGIN_FAILED`` (the PIN).
    """

    def __init__(self, *, module: Path, token_label: str, pin: str, sessions: int = 4) -> None:
        if sessions < 1:
            raise ValueError("a token needs at least one session")
        self.label = token_label
        with _MODULE_LOCK:
            self._token = _open_token(module, token_label)
            self._login_key = (str(module), self._token.slot.slot_id)
            _log_in(self._login_key, self._token, pin.encode("utf-8"))
        self._idle: list[_Session] = []
        self._slots = threading.BoundedSemaphore(sessions)
        self._lock = threading.Lock()
        self._closed = False

    def generate(self, key_type: KeyType, *, object_id: bytes, label: str) -> PublicKey:
        """Generate a key pair in the token; its public key is read back from CKA_EC_POINT."""
        algorithm = _ALGORITHMS[key_type]
        with self._session() as pooled:
            public, _private = pooled.session.generate_keypair(
                algorithm.key_type,
                id=object_id,
                label=label,
                store=True,
                capabilities=pkcs11.MechanismFlag.SIGN | pkcs11.MechanismFlag.VERIFY,
                mechanism=algorithm.generate,
                public_template={
                    pkcs11.Attribute.EC_PARAMS: algorithm.ec_params,
                    pkcs11.Attribute.PRIVATE: False,
                },
                private_template={
                    pkcs11.Attribute.PRIVATE: True,
                    pkcs11.Attribute.SENSITIVE: True,
                    pkcs11.Attribute.EXTRACTABLE: False,
                },
            )
            ec_point: bytes = public[pkcs11.Attribute.EC_POINT]
        return public_key_from_ec_point(key_type, ec_point)

    def sign(self, key_type: KeyType, *, object_id: bytes, data: bytes) -> bytes:
        """Sign ``data`` inside the token: raw Ed25519, or ECDSA r‖s over the digest of ``data``."""
        algorithm = _ALGORITHMS[key_type]
        params = key_type.params
        if params.hash is not None:
            digest = hashes.Hash(params.hash)
            digest.update(data)
            data = digest.finalize()
        with self._session() as pooled:
            signature = self._private_key(pooled, object_id).sign(data, mechanism=algorithm.sign)
        if len(signature) != params.signature_length:
            raise StorageError(
                f"token {self.label!r} returned a {len(signature)}-byte {key_type} signature, "
                f"not {params.signature_length} bytes",
                code="KEY_STORE_UNAVAILABLE",
            )
        return signature

    def destroy(self, object_id: bytes) -> None:
        """Destroy both halves of the key pair with this CKA_ID (nothing if there is none)."""
        with self._lock:
            for idle in self._idle:
                idle.private_keys.pop(object_id, None)
        with self._session() as pooled:
            pooled.private_keys.pop(object_id, None)
            for object_class in (pkcs11.ObjectClass.PRIVATE_KEY, pkcs11.ObjectClass.PUBLIC_KEY):
                for found in list(_objects(pooled.session, object_class, object_id)):
                    found.destroy()

    def check(self) -> None:
        """Open and close a fresh session: the module, the token and the login still work."""
        with _MODULE_LOCK:
            if self._closed or self._login_key not in _LOGINS:
                raise StorageError(
                    f"token {self.label!r} is closed or logged out", code="KEY_STORE_UNAVAILABLE"
                )
            try:
                session = self._token.open(rw=False)
            except pkcs11.PKCS11Error as exc:
                raise StorageError(
                    f"cannot open a session on token {self.label!r}: {_describe(exc)}",
                    code="KEY_STORE_UNAVAILABLE",
                ) from exc
            _close_quietly(session)

    def close(self) -> None:
        """Close this token's sessions, and log out if no other store of the process is in."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
        with _MODULE_LOCK:
            for pooled in idle:
                _close_quietly(pooled.session)
            login = _LOGINS.get(self._login_key)
            if login is not None:
                login.users -= 1
                if login.users == 0:
                    del _LOGINS[self._login_key]
                    _close_quietly(login.session)

    def __repr__(self) -> str:
        return f"Pkcs11Token({self.label!r})"

    @contextmanager
    def _session(self) -> Iterator[_Session]:
        """A session from the pool (opened on demand), used under the module lock; a session
        that failed is not reused."""
        self._slots.acquire()
        try:
            with _MODULE_LOCK:
                pooled = self._take()
                try:
                    yield pooled
                except pkcs11.PKCS11Error as exc:
                    _close_quietly(pooled.session)
                    raise StorageError(
                        f"token {self.label!r} failed: {_describe(exc)}",
                        code="KEY_STORE_UNAVAILABLE",
                    ) from exc
                except BaseException:
                    self._give_back(pooled)
                    raise
                self._give_back(pooled)
        finally:
            self._slots.release()

    def _take(self) -> _Session:
        with self._lock:
            if self._closed:
                raise StorageError(f"token {self.label!r} is closed", code="KEY_STORE_UNAVAILABLE")
            if self._idle:
                return self._idle.pop()
        try:
            # Logged in through the process's login session (see the module docstring).
            return _Session(self._token.open(rw=True))
        except pkcs11.PKCS11Error as exc:
            raise StorageError(
                f"cannot open a session on token {self.label!r}: {_describe(exc)}",
                code="KEY_STORE_UNAVAILABLE",
            ) from exc

    def _give_back(self, pooled: _Session) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(pooled)
                return
        _close_quietly(pooled.session)

    def _private_key(self, pooled: _Session, object_id: bytes) -> pkcs11.SignMixin:
        key = pooled.private_keys.get(object_id)
        if key is None:
            found = list(_objects(pooled.session, pkcs11.ObjectClass.PRIVATE_KEY, object_id))
            if len(found) != 1 or not isinstance(found[0], pkcs11.SignMixin):
                raise StorageError(
                    f"token {self.label!r} holds {len(found)} private keys with id "
                    f"{object_id.hex()}, not one that signs",
                    code="KEY_NOT_IN_KEY_STORE",
                )
            key = pooled.private_keys[object_id] = found[0]
        return key


def public_key_from_ec_point(key_type: KeyType, ec_point: bytes) -> PublicKey:
    """The public key in a CKA_EC_POINT: a DER OCTET STRING (or, from some tokens, bare).

    Inside is the raw 32-byte Ed25519 key, or an uncompressed SEC1 point.
    """
    params = key_type.params
    length = params.size if params.curve is None else 2 * params.size + 1
    point = ec_point
    if len(point) == length + 2 and point[:2] == bytes([0x04, length]):
        point = point[2:]
    if len(point) != length:
        raise KeyFormatError(f"CKA_EC_POINT is not a {key_type} public key ({len(ec_point)} bytes)")
    if params.curve is None:
        return PublicKey.from_raw(key_type, point)
    try:
        return PublicKey(ec.EllipticCurvePublicKey.from_encoded_point(params.curve, point))
    except ValueError as exc:
        raise KeyFormatError(f"CKA_EC_POINT is not a point on {key_type}: {exc}") from exc


def _open_token(module: Path, token_label: str) -> pkcs11.Token:
    try:
        library = pkcs11.lib(str(module))
    except pkcs11.PKCS11Error as exc:
        raise StorageError(
            f"cannot load the PKCS#11 module {module}: {exc}", code="KEY_STORE_UNAVAILABLE"
        ) from exc
    try:
        return library.get_token(token_label=token_label)
    except pkcs11.NoSuchToken:
        raise StorageError(
            f"no token labelled {token_label!r} in the PKCS#11 module {module} (initialised "
            "tokens: "
            + (", ".join(repr(token.label) for token in library.get_tokens()) or "none")
            + ")",
            code="KEY_STORE_UNAVAILABLE",
        ) from None
    except pkcs11.PKCS11Error as exc:
        raise StorageError(
            f"cannot find token {token_label!r} in {module}: {_describe(exc)}",
            code="KEY_STORE_UNAVAILABLE",
        ) from exc


def _log_in(key: tuple[str, int], token: pkcs11.Token, pin: bytes) -> None:
    """Count one more user of the process's login on ``token``, logging in if it is the first.

    The caller holds ``_MODULE_LOCK``.
    """
    login = _LOGINS.get(key)
    if login is not None:
        if not hmac.compare_digest(login.pin, pin):
            raise StorageError(
                f"token {token.label!r} is logged in in this process with another PIN",
                code="KEY_STORE_LOGIN_FAILED",
            )
        login.users += 1
        return
    try:
        session = token.open(rw=True, user_pin=pin.decode("utf-8"))
    except _PIN_ERRORS as exc:
        raise StorageError(
            f"cannot log in to token {token.label!r}: {_describe(exc)} (check the PIN)",
            code="KEY_STORE_LOGIN_FAILED",
        ) from None
    except pkcs11.PKCS11Error as exc:
        raise StorageError(
            f"cannot log in to token {token.label!r}: {_describe(exc)}",
            code="KEY_STORE_UNAVAILABLE",
        ) from exc
    _LOGINS[key] = _Login(session, pin)


def _objects(
    session: pkcs11.Session, object_class: pkcs11.ObjectClass, object_id: bytes
) -> Iterator[pkcs11.Object]:
    return session.get_objects(
        {pkcs11.Attribute.CLASS: object_class, pkcs11.Attribute.ID: object_id}
    )


def _describe(error: pkcs11.PKCS11Error) -> str:
    """The error's class (python-pkcs11 names the CKR_ code by it) and its text, if any."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _close_quietly(session: pkcs11.Session) -> None:
    # A session that failed may be gone already; closing is best effort.
    with suppress(pkcs11.PKCS11Error):
        session.close()
