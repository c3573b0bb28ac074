"""``vcservice audit verify|show``: check the audit log's hash chain, list its newest entries.

Both read the database only: no migration, no key-encryption key. ``verify`` prints a
JSON report and exits 0 when the log is intact, 1 when it is broken (the report names
the first broken entry), 2 when it could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vcservice.audit.chain import entry_json
from vcservice.errors import ParsingError, StorageError
from vcservice.services.audit import AuditTrail
from vcservice.settings import Settings
from vcservice.storage.engine import normalise_url
from vcservice.storage.sql import SqlStore, open_store

__all__ = ["add_commands"]

EXIT_INTACT, EXIT_BROKEN = 0, 1


def add_commands(commands: Any) -> None:
    """Register ``audit verify`` and ``audit show`` on the CLI's subcommand parser."""
    audit = commands.add_parser("audit", help="the hash-chained audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check every entry and the head; exit 1 naming the first broken entry"
    )
    _add_database_arguments(verify)
    verify.set_defaults(handler=_verify)
    show = audit_commands.add_parser("show", help="print the newest entries, oldest first")
    show.add_argument("--limit", type=_positive, default=20, help="how many (default 20)")
    _add_database_arguments(show)
    show.set_defaults(handler=_show)


def _add_database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="data directory (default ./vcservice-data)")
    parser.add_argument("--database-url", help="sqlite:///… or postgresql://…")


def _verify(args: argparse.Namespace) -> int:
    with _open(args) as store:
        report = AuditTrail(store.audit).verify()
    _print_json(report.to_json())
    return EXIT_INTACT if report.intact else EXIT_BROKEN


def _show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        entries = AuditTrail(store.audit).latest(args.limit)
    _print_json([entry_json(entry) for entry in entries])
    return EXIT_INTACT


def _open(args: argparse.Namespace) -> SqlStore:
    """The store the service would use, as it is: never created, never migrated."""
    url = args.database_url
    if url is None:
        settings = Settings(data_dir=args.data) if args.data else Settings()
        url = settings.resolved_database_url
    try:
        parsed = normalise_url(url)
    except ValueError as exc:
        raise ParsingError(str(exc), field="--database-url") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            raise StorageError(f"no database at {path}", code="NOT_FOUND", field="--data")
    return open_store(url, migrate=False)


def _positive(text: str) -> int:
    """A whole number of at least 1 (an argparse ``type``)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
