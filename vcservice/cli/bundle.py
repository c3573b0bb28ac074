"""``vcservice bundle export|show`` and ``verify --bundle``: verifying where there is no network.

``export`` gathers, over the guarded HTTP client, what a border officer's verifier needs:
the signed trust lists it is told to trust (``--trust-list``: subscriptions as the admin API
takes them), each verified as a subscriber verifies a first list; the DID documents of the
issuers a trust registry file or those lists accredit, and of the lists' signers; and every
status list each issuer's DID document indexes (its ``StatusListIndex`` service), each list
verified before it is kept and stamped with the time it was fetched. It signs the whole
with the verifier organisation's key (``--sign-key``). ``verify --bundle`` and ``bundle
show`` load a bundle only if a key the operator trusts signed it (``--bundle-key`` or
``VCSERVICE_BUNDLE_KEYS``); an unsigned bundle only with ``--allow-unsigned-bundle``.
``verify --bundle`` then uses nothing else: no DID document, status list or trust list is
fetched; the status check says how old its data is and whose bundle it came from, and a
carried trust list vouches only while it is young enough (``--max-trust-list-age``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vcservice.bundle import (
    CarriedTrustList,
    ListedTrust,
    ListTerms,
    LoadedBundle,
    StatusListSnapshot,
    VerificationBundle,
    load_bundle,
    sign_bundle,
    trust_list_terms,
    trusted_keys,
)
from vcservice.clock import CLOCK_SKEW, SystemClock
from vcservice.dids.document import DidDocument
from vcservice.dids.resolver import static_documents
from vcservice.errors import ParsingError, StatusError, VcError
from vcservice.keys import load_key_file
from vcservice.model import credential as vcdm
from vcservice.model.datetimes import format_datetime
from vcservice.model.json_files import read_json_file
from vcservice.net.guarded_client import FetchPolicy
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.settings import Settings, default_bundle_keys, default_context_store
from vcservice.status.index import INDEX_SERVICE_TYPE, parse_index
from vcservice.status.list_credential import LIST_CREDENTIAL_TYPE
from vcservice.status.report import duration_text
from vcservice.status.sources import SnapshotStatusListSource
from vcservice.trust.lists import TrustList, TrustListRefused, accept_list
from vcservice.trust.registry import TrustRegistry
from vcservice.trust.subscribed import SubscribedList
from vcservice.verification.trust_lists import verified_trust_list

__all__ = ["add_commands", "add_trust_options", "load_trusted", "offline_core", "parse_duration"]

_DURATION = re.compile(r"([1-9][0-9]{0,5})([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}
# A trust list file's entries without maxStalenessSeconds get the service's default.
_MAX_STALENESS = Settings.model_fields["trust_list_max_staleness_seconds"].default


def add_commands(commands: Any) -> None:
    """Register ``bundle export`` and ``bundle show`` on the CLI's subcommand parser."""
    bundle = commands.add_parser("bundle", help="offline verification bundles")
    bundle_commands = bundle.add_subparsers(dest="bundle_command", required=True)
    export = bundle_commands.add_parser(
        "export", help="gather the DID documents and status lists of a registry's issuers"
    )
    export.add_argument("--out", type=Path, required=True, help="the bundle file to write")
    export.add_argument(
        "--trust-registry", type=Path, help="a trust registry file (optional with --trust-list)"
    )
    export.add_argument(
        "--trust-list",
        type=Path,
        metavar="FILE",
        help="the trust lists to carry: a JSON list of subscriptions as the admin API takes "
        "them (url, expectedSigner, credentialTypes, label, maxStalenessSeconds)",
    )
    export.add_argument(
        "--sign-key",
        type=Path,
        required=True,
        metavar="KEY_FILE",
        help="the verifier organisation's key file: the bundle is signed with it (a JWS)",
    )
    export.add_argument(
        "--did", action="append", default=[], help="another DID to include (repeatable)"
    )
    export.add_argument(
        "--status-list",
        action="append",
        default=[],
        help="another status list URL to include (repeatable)",
    )
    export.add_argument(
        "--allow-http-host",
        action="append",
        default=[],
        help="fetch from this host over plain http (development; repeatable)",
    )
    export.add_argument(
        "--allow-private-networks",
        action="store_true",
        help="allow fetching from loopback and private addresses (development)",
    )
    export.set_defaults(handler=_export)
    show = bundle_commands.add_parser(
        "show", help="check a bundle's signature, and summarize it and the age of its data"
    )
    show.add_argument("file", type=Path)
    add_trust_options(show)
    show.set_defaults(handler=_show)


def add_trust_options(parser: argparse.ArgumentParser) -> None:
    """``--bundle-key`` and ``--allow-unsigned-bundle``: which bundles a command accepts."""
    parser.add_argument(
        "--bundle-key",
        action="append",
        default=[],
        metavar="KEY",
        help="a key trusted to sign bundles (repeatable): a did:key or did:jwk, or a file "
        "of a public JWK, a JWK Set or a DID document (default: $VCSERVICE_BUNDLE_KEYS)",
    )
    parser.add_argument(
        "--allow-unsigned-bundle",
        action="store_true",
        help="UNSAFE: also accept a bundle with no signature, trusting however it was carried",
    )


def load_trusted(path: Path, args: argparse.Namespace) -> LoadedBundle:
    """The bundle at ``path`` if a trusted key signed it (or, when allowed, it is unsigned)."""
    specs = args.bundle_key or default_bundle_keys()
    keys = tuple(key for spec in specs for key in trusted_keys(spec))
    loaded = load_bundle(path, trusted=keys, allow_unsigned=args.allow_unsigned_bundle)
    if loaded.signature is None:
        sys.stderr.write(
            f"warning: the bundle {path} is NOT signed: nothing shows who made it or that it "
            "was not changed on the way (--allow-unsigned-bundle)\n"
        )
    return loaded


def parse_duration(text: str) -> timedelta:
    """A duration such as ``30m``, ``6h`` or ``2d`` (an argparse ``type``)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90s, 30m, 6h or 2d")
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


def offline_core(
    loaded: LoadedBundle,
    *,
    store_dir: Path,
    max_status_age: timedelta | None = None,
    max_trust_list_age: timedelta | None = None,
) -> Core:
    """A core that verifies from ``loaded`` alone: it never fetches anything.

    DID documents, status lists (with the time they were fetched), the trust registry and
    the trust lists come from the bundle; with ``max_status_age``, older status lists are
    STATUS_DATA_STALE. Status details name the bundle's signer. Each trust list is verified
    again (TRUST_LIST_* naming it if it does not) and vouches for its issuers until
    ``max_trust_list_age`` (else the bundle's maximum) after it was fetched; after that they
    are TRUST_LIST_STALE.
    """
    bundle = loaded.bundle
    origin = (
        "the unsigned bundle"
        if loaded.signature is None
        else f"the bundle signed by {loaded.signature.signer}"
    )
    clock = SystemClock()
    if bundle.created > clock.now() + CLOCK_SKEW:
        raise ParsingError(
            f"the bundle is dated {format_datetime(bundle.created)}, in the future: its "
            "status data cannot be dated (is this machine's clock right?)",
            field="created",
        )
    snapshots = {held.url: (held.credential, held.fetched_at) for held in bundle.status_lists}
    core = build_core(
        CoreConfig(store_dir=store_dir, fetch_policy=FetchPolicy(offline=True)),
        clock=clock,
        local_dids=static_documents(DidDocument(document) for document in bundle.did_documents),
        status_source=SnapshotStatusListSource(
            snapshots, origin=origin, clock=clock, max_age=max_status_age
        ),
    )
    lists = tuple(
        _held_list(core, carried, f"trustLists[{i}]", max_trust_list_age)
        for i, carried in enumerate(bundle.trust_lists)
    )
    trust = ListedTrust(bundle.trust_registry, lists, clock.now)
    return dataclasses.replace(core, verifier=core.verifier.trusting(trust))


def _held_list(
    core: Core, carried: CarriedTrustList, where: str, max_age: timedelta | None
) -> SubscribedList:
    """A carried list as held, once it verified as when it was fetched."""
    _checked_list(core, carried.terms, carried.document, at=carried.fetched_at, where=where)
    return carried.subscribed(max_age)


def _checked_list(
    core: Core, terms: ListTerms, document: Any, *, at: datetime, where: str
) -> TrustList:
    """The list ``document``, if its proof verifies and ``terms``' signer signed it, as a
    subscriber accepts a first list at ``at``; else a TRUST_LIST_* error naming the list."""
    named = f"the trust list {terms.url} ({where})"
    try:
        listed, signer = verified_trust_list(core.verifier, document, named=named)
    except TrustListRefused as refusal:
        raise TrustListRefused(refusal.message, code=refusal.code, field=where) from refusal
    except VcError as error:  # what it needed is not in the bundle: it does not verify
        raise TrustListRefused(error.message, code="TRUST_LIST_INVALID", field=where) from error
    try:
        accept_list(
            None,
            None,
            listed,
            digest="",  # nothing is held: no digest is compared
            signer=signer,
            expected_signer=terms.expected_signer,
            now=at,
            skew=CLOCK_SKEW,
        )
    except VcError as error:
        raise type(error)(f"{named}: {error.message}", code=error.code, field=where) from error
    return listed


def _export(args: argparse.Namespace) -> int:
    if args.trust_registry is None and args.trust_list is None:
        raise ParsingError(
            "give --trust-registry, --trust-list or both: whom the bundle trusts",
            field="--trust-registry",
        )
    registry = TrustRegistry.load(args.trust_registry) if args.trust_registry else TrustRegistry(())
    terms = [] if args.trust_list is None else _list_terms(args.trust_list)
    signer = load_key_file(args.sign_key).signer()  # before any fetch: a bad key fails fast
    policy = FetchPolicy(
        allow_http_hosts=frozenset(args.allow_http_host),
        allow_private_networks=args.allow_private_networks,
    )
    core = build_core(CoreConfig(store_dir=_store_dir(args), fetch_policy=policy))
    carried = tuple(_fetched_list(core, t, f"{args.trust_list}[{i}]") for i, t in enumerate(terms))
    listed = [held.trust_list for held in carried]
    issuers = [entry["id"] for entry in registry.to_json()["issuers"]]
    issuers += [entry.issuer for found in listed for entry in found.entries]
    signers = [found.operator for found in listed]
    dids = dict.fromkeys([*(i for i in issuers if i.startswith("did:")), *signers, *args.did])
    documents = [core.resolver.resolve(did) for did in dids]
    lists: dict[str, str | None] = {
        url: document.id for document in documents for url in _indexed_lists(core, document)
    }
    lists |= {url: None for url in args.status_list if url not in lists}
    snapshots = tuple(_snapshot(core, url, issuer) for url, issuer in lists.items())
    bundle = VerificationBundle(
        created=_now(),  # after every fetch: no snapshot is younger than its bundle
        trust_registry=registry,
        did_documents=tuple(dict(document.data) for document in documents),
        status_lists=snapshots,
        trust_lists=carried,
    )
    args.out.write_text(sign_bundle(bundle, signer=signer) + "\n", encoding="utf-8")
    warnings = _warnings(issuers, documents)
    signature = {"kid": signer.verification_method}
    _print_json(
        {"bundle": str(args.out), "signature": signature, **_summary(bundle), "warnings": warnings}
    )
    return 0


def _list_terms(path: Path) -> list[ListTerms]:
    """The subscriptions a ``--trust-list`` file names (maxStalenessSeconds by default the
    service's)."""
    entries = read_json_file(path, "trust list file")
    if not isinstance(entries, list):
        raise ParsingError(f"{path} must hold a JSON list of subscriptions", field=str(path))
    return [
        trust_list_terms(
            {"maxStalenessSeconds": _MAX_STALENESS, **entry}
            if isinstance(entry, Mapping)
            else entry,
            f"{path}[{i}]",
        )
        for i, entry in enumerate(entries)
    ]


def _fetched_list(core: Core, terms: ListTerms, where: str) -> CarriedTrustList:
    """Fetch the list ``terms`` name and keep it, as fetched, only if it verifies."""
    fetched = core.http.get_json(terms.url)
    fetched_at = datetime.fromtimestamp(fetched.fetched_at, UTC).replace(microsecond=0)
    _checked_list(core, terms, fetched.data, at=fetched_at, where=where)
    return CarriedTrustList(terms, fetched_at, fetched.data)


def _warnings(issuers: list[str], documents: list[DidDocument]) -> list[str]:
    """What the bundle cannot help verify: issuers without DIDs or without a list index."""
    return [
        f"{issuer} is not a DID: nothing is bundled for it"
        for issuer in dict.fromkeys(issuers)
        if not issuer.startswith("did:")
    ] + [
        f"{document.id} advertises no {INDEX_SERVICE_TYPE}: its status lists are not bundled"
        for document in documents
        if not document.service_endpoints(INDEX_SERVICE_TYPE)
    ]


def _show(args: argparse.Namespace) -> int:
    loaded = load_trusted(args.file, args)
    signature = None if loaded.signature is None else loaded.signature.to_json()
    _print_json({"signature": signature, **_summary(loaded.bundle)})
    return 0


def _indexed_lists(core: Core, document: DidDocument) -> list[str]:
    """The status list URLs of every index ``document`` advertises."""
    return [
        url
        for index_url in document.service_endpoints(INDEX_SERVICE_TYPE)
        for url in parse_index(core.http.get_json(index_url).data, source=index_url)
    ]


def _snapshot(core: Core, url: str, issuer: str | None) -> StatusListSnapshot:
    """Fetch the list at ``url`` and keep it only if it verifies (as issued by ``issuer``)."""
    fetched = core.http.get_json(url)
    document = fetched.data
    if not isinstance(document, dict):
        raise StatusError(
            f"{url} is not a status list credential", code="STATUS_VERIFICATION_ERROR"
        )
    reasons = [
        f"{problem.code}: {problem.detail}" for problem in core.verifier.verify(document).problems
    ]
    if LIST_CREDENTIAL_TYPE not in vcdm.types_of(document):
        reasons.append(f"its type does not include {LIST_CREDENTIAL_TYPE}")
    if document.get("id", url) != url:
        reasons.append(f"it identifies itself as {document['id']}")
    if issuer is not None and vcdm.issuer_id(document) != issuer:
        reasons.append(f"it is issued by {vcdm.issuer_id(document)}, not by {issuer}")
    if reasons:
        raise StatusError(
            f"refusing to bundle the status list {url}: {'; '.join(reasons)}",
            code="STATUS_VERIFICATION_ERROR",
            field=url,
        )
    fetched_at = datetime.fromtimestamp(fetched.fetched_at, UTC).replace(microsecond=0)
    return StatusListSnapshot(url=url, fetched_at=fetched_at, credential=document)


def _summary(bundle: VerificationBundle) -> dict[str, Any]:
    """What the bundle holds and how old it is."""
    now = _now()
    return {
        "created": format_datetime(bundle.created),
        "age": _age(bundle.created, now),
        "issuers": bundle.trust_registry.to_json()["issuers"],
        "didDocuments": [document["id"] for document in bundle.did_documents],
        "statusLists": [
            {
                "url": snapshot.url,
                "issuer": vcdm.issuer_id(snapshot.credential),
                "fetchedAt": format_datetime(snapshot.fetched_at),
                "age": _age(snapshot.fetched_at, now),
            }
            for snapshot in bundle.status_lists
        ],
        "trustLists": [_list_summary(carried, now) for carried in bundle.trust_lists],
    }


def _list_summary(carried: CarriedTrustList, now: datetime) -> dict[str, Any]:
    listed = carried.trust_list
    return {
        "url": carried.terms.url,
        "label": carried.terms.label,
        "operator": listed.operator,
        "operatorName": listed.operator_name,
        "sequence": listed.sequence,
        "issued": format_datetime(listed.issued),
        "fetchedAt": format_datetime(carried.fetched_at),
        "age": _age(carried.fetched_at, now),
    }


def _age(moment: datetime, now: datetime) -> str:
    return duration_text((now - moment).total_seconds())


def _now() -> datetime:
    return SystemClock().now().replace(microsecond=0)


def _store_dir(args: argparse.Namespace) -> Path:
    return Path(args.context_store or default_context_store())


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
