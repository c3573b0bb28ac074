"""Bitstring Status List v1.0: the bitstring, what issuers publish, and the verifier's check.

- :mod:`~vcservice.status.bitstring`: ``Bitstring``, ``encode_list``/``decode_list``.
- :mod:`~vcservice.status.list_credential`: the unsigned ``BitstringStatusListCredential``,
  ``BitstringStatusListEntry`` objects, the customs status messages.
- :mod:`~vcservice.status.sources`: where lists come from (own lists first, then HTTP; or
  snapshots fetched earlier).
- :mod:`~vcservice.status.index`: how an issuer's DID document points to its lists.
- :mod:`~vcservice.status.checker`: ``BitstringStatusChecker`` (the verifier's
  ``StatusChecker``) and its structured :class:`StatusReport`.
"""

from vcservice.errors import StatusError
from vcservice.status.bitstring import (
    MAX_DECODED_BYTES,
    MAX_STATUS_SIZE,
    MINIMUM_ENTRIES,
    Bitstring,
    decode_list,
    encode_list,
)
from vcservice.status.checker import CHECK_NAME, BitstringStatusChecker
from vcservice.status.entry import ParsedEntry, parse_entry
from vcservice.status.index import (
    INDEX_FRAGMENT,
    INDEX_SERVICE_TYPE,
    index_service,
    parse_index,
)
from vcservice.status.list_credential import (
    CUSTOMS_MESSAGES,
    CUSTOMS_STATUS_SIZE,
    DEFAULT_TTL_MS,
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    REFRESH,
    SPANISH_MESSAGES,
    StatusMessage,
    status_entry,
    status_list_credential,
)
from vcservice.status.report import EntryResult, ListFreshness, StatusReport
from vcservice.status.sources import (
    FetchedList,
    HttpStatusListSource,
    LocalFirstStatusListSource,
    SnapshotStatusListSource,
    StatusListLookup,
    StatusListSource,
)

__all__ = [
    "CHECK_NAME",
    "CUSTOMS_MESSAGES",
    "CUSTOMS_STATUS_SIZE",
    "DEFAULT_TTL_MS",
    "ENTRY_TYPE",
    "INDEX_FRAGMENT",
    "INDEX_SERVICE_TYPE",
    "LIST_CREDENTIAL_TYPE",
    "LIST_TYPE",
    "MAX_DECODED_BYTES",
    "MAX_STATUS_SIZE",
    "MINIMUM_ENTRIES",
    "REFRESH",
    "SPANISH_MESSAGES",
    "Bitstring",
    "BitstringStatusChecker",
    "EntryResult",
    "FetchedList",
    "HttpStatusListSource",
    "ListFreshness",
    "LocalFirstStatusListSource",
    "ParsedEntry",
    "SnapshotStatusListSource",
    "StatusError",
    "StatusListLookup",
    "StatusListSource",
    "StatusMessage",
    "StatusReport",
    "decode_list",
    "encode_list",
    "index_service",
    "parse_entry",
    "parse_index",
    "status_entry",
    "status_list_credential",
]
