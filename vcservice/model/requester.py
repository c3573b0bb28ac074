"""Who asks the verifier for a challenge or an exchange: the key its quotas count under."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

CLIENT_PREFIX = "client:"
ADDRESS_PREFIX = "address:"
IPV6_SUBSCRIBER_PREFIX = 64  # one subscriber usually holds a whole /64


@dataclass(frozen=True, slots=True)
class Requester:
    """An authenticated client (``client:<id>``) or, without a token, a network address
    (``address:<ip>``; an IPv6 address by its /64, which costs its holder nothing to vary)."""

    key: str

    @classmethod
    def client(cls, client_id: str) -> Requester:
        """The client of a verified access token."""
        return cls(CLIENT_PREFIX + client_id)

    @classmethod
    def address(cls, host: str) -> Requester:
        """An anonymous caller at ``host`` (an IP address, or whatever the server saw)."""
        try:
            parsed = ipaddress.ip_address(host)
        except ValueError:
            return cls(ADDRESS_PREFIX + host)
        if isinstance(parsed, ipaddress.IPv6Address):
            if parsed.ipv4_mapped is not None:
                return cls(ADDRESS_PREFIX + str(parsed.ipv4_mapped))
            network = ipaddress.IPv6Network((parsed, IPV6_SUBSCRIBER_PREFIX), strict=False)
            return cls(ADDRESS_PREFIX + str(network))
        return cls(ADDRESS_PREFIX + str(parsed))

    @property
    def anonymous(self) -> bool:
        """True for an address, False for an authenticated client."""
        return self.key.startswith(ADDRESS_PREFIX)
