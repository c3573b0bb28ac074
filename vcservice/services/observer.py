"""What the services tell an observer (metrics, say) as they work: a role, and a no-op default.

The services call an :class:`Observer` after each credential issued and each verification;
the credential core reports status list fetches through a plain callback
(``on_status_fetch`` of ``build_core``), which ``build_services`` points at
:meth:`Observer.status_list_fetched`. The HTTP layer supplies a Prometheus observer; the
command line and tests get :data:`NO_OBSERVER`.
"""

from __future__ import annotations

from typing import Literal, Protocol

__all__ = ["NO_OBSERVER", "NullObserver", "Observer", "VerificationKind"]

VerificationKind = Literal["credential", "presentation"]


class Observer(Protocol):
    """Told of what the services did; must be quick and must not raise."""

    def issued(self, credential_type: str, securing_format: str) -> None:
        """A credential of ``credential_type`` was issued (and recorded) in this format."""
        ...

    def verified(self, kind: VerificationKind, ok: bool) -> None:
        """A credential or presentation was verified: ``ok`` is the result's ``verified``."""
        ...

    def status_list_fetched(self, source: str) -> None:
        """A status list was obtained: ``local``, from the ``cache`` or over the ``network``."""
        ...


class NullObserver:
    """An :class:`Observer` that does nothing."""

    def issued(self, credential_type: str, securing_format: str) -> None:
        """Nothing."""

    def verified(self, kind: VerificationKind, ok: bool) -> None:
        """Nothing."""

    def status_list_fetched(self, source: str) -> None:
        """Nothing."""


NO_OBSERVER: Observer = NullObserver()
