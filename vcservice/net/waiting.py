"""Work that must not wait for the network: a block run on a server's event loop.

CPU-bound work (a verification whose keys and status lists are at hand) costs the least
run where the request arrived, on the event loop: no hand-over to a worker thread and
back. A fetch there would stall every other request of the process, so inside
``network_waits_refused`` the guarded client refuses to fetch (``WouldWait``), before
spending anything of a fetch budget, and the caller runs the work again where waiting is
allowed (``api.offload.verify_here_or_in_thread``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["WouldWait", "network_waits_refused", "refuse_if_waits_refused"]

_refused: ContextVar[bool] = ContextVar("vcservice_network_waits_refused", default=False)


class WouldWait(Exception):  # noqa: N818  (a signal to the caller, not an error)
    """The work needs the network, inside a block that may not wait for it."""


@contextmanager
def network_waits_refused() -> Iterator[None]:
    """Fetches inside the block raise ``WouldWait`` instead of waiting for the network."""
    token = _refused.set(True)
    try:
        yield
    finally:
        _refused.reset(token)


def refuse_if_waits_refused(url: str) -> None:
    """``WouldWait`` if the caller may not wait for the network (to fetch ``url``)."""
    if _refused.get():
        raise WouldWait(url)
