"""``vcservice contexts install|list|add|remove`` and ``vcservice schemas list|add|remove``.

``add`` reviews a partner's context or schema, prints what it defines and pins it in the
context store every process reads; ``add`` and ``remove`` append to the audit log of the
service's database (the one ``serve`` uses with the same settings, or ``--data`` /
``--database-url``) before anything changes, and say where.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vcservice.clock import SystemClock
from vcservice.errors import ParsingError
from vcservice.jsonld.review import DEFAULT_AFTER
from vcservice.model.records import AuditEntry, AuditEvent
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.pinning import (
    PinnedView,
    PinningService,
    PinOutcome,
    pinned_contexts,
    pinned_schemas,
)
from vcservice.settings import Settings, default_context_store
from vcservice.storage.engine import normalise_url
from vcservice.storage.sql import open_store

__all__ = ["add_commands"]

EXIT_OK, EXIT_ERROR = 0, 2


def add_commands(commands: Any) -> None:
    """Register ``contexts`` and ``schemas`` on the CLI's subcommand parser."""
    contexts = commands.add_parser("contexts", help="manage the pinned JSON-LD contexts")
    actions = contexts.add_subparsers(dest="contexts_command", required=True)
    install = actions.add_parser("install", help="install every pinned context")
    install.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="take contexts from JSON files in this directory, not the network",
    )
    install.set_defaults(handler=_install)
    actions.add_parser("list", help="show pinned contexts and their state").set_defaults(
        handler=lambda args: _list(args, pinned_contexts)
    )
    add = actions.add_parser("add", help="review a partner's context and pin it")
    _add_arguments(add)
    add.add_argument(
        "--after",
        action="append",
        metavar="URL",
        help="a pinned context documents list before this one (repeatable; default "
        f"{' '.join(DEFAULT_AFTER)})",
    )
    add.set_defaults(handler=_add_context)
    remove = actions.add_parser("remove", help="unpin an added context")
    _remove_arguments(remove, lambda pinning, url: pinning.remove_context(url))

    schemas = commands.add_parser("schemas", help="manage the pinned credential schemas")
    actions = schemas.add_subparsers(dest="schemas_command", required=True)
    actions.add_parser("list", help="show pinned schemas and their state").set_defaults(
        handler=lambda args: _list(args, pinned_schemas)
    )
    add = actions.add_parser("add", help="check a partner's JSON Schema and pin it")
    _add_arguments(add)
    add.set_defaults(handler=_add_schema)
    remove = actions.add_parser("remove", help="unpin an added schema")
    _remove_arguments(remove, lambda pinning, url: pinning.remove_schema(url))


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the URL documents name it by")
    parser.add_argument("--file", type=Path, required=True, help="its content, as published")
    _database_arguments(parser)


def _remove_arguments(
    parser: argparse.ArgumentParser, remove: Callable[[PinningService, str], PinOutcome]
) -> None:
    parser.add_argument("url", metavar="URL")
    _database_arguments(parser)
    parser.set_defaults(
        handler=lambda args: _change(args, lambda pinning: remove(pinning, args.url))
    )


def _database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", type=Path, help="the service's data directory (default ./vcservice-data)"
    )
    parser.add_argument("--database-url", help="its database: sqlite:///… or postgresql://…")


def _core(args: argparse.Namespace) -> Core:
    return build_core(CoreConfig(store_dir=args.context_store or default_context_store()))


def _install(args: argparse.Namespace) -> int:
    core = _core(args)
    if args.source is not None:
        report = core.store.install_from_directory(args.source)
    else:
        report = core.store.install_from_fetcher(lambda url: core.http.get_json(url).data)
    _print_json(
        {
            "store": str(core.store.directory),
            "installed": report.installed,
            "alreadyPresent": report.present,
            "missing": report.missing,
        }
    )
    return EXIT_OK if report.complete else EXIT_ERROR


def _list(args: argparse.Namespace, rows: Callable[[Core], list[PinnedView]]) -> int:
    _print_json([row.to_json() for row in rows(_core(args))])
    return EXIT_OK


def _add_context(args: argparse.Namespace) -> int:
    content = _content(args.file)
    after = tuple(args.after or DEFAULT_AFTER)
    return _change(args, lambda pinning: pinning.add_context(args.url, content, after=after))


def _add_schema(args: argparse.Namespace) -> int:
    content = _content(args.file)
    return _change(args, lambda pinning: pinning.add_schema(args.url, content))


def _content(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ParsingError(f"cannot read {path}: {exc}", field="--file") from None


def _change(args: argparse.Namespace, change: Callable[[PinningService], PinOutcome]) -> int:
    """Make ``change`` with the audit log of the service's database open; print it."""
    with _audit_log(args) as (database, record):
        core = _core(args)
        outcome = change(PinningService(core, clock=SystemClock(), record=record))
    audit = (
        None
        if outcome.audit is None
        else {"database": database, "sequence": outcome.audit.sequence}
    )
    _print_json(outcome.to_json() | {"store": str(core.store.directory), "auditLog": audit})
    return EXIT_OK


@contextmanager
def _audit_log(
    args: argparse.Namespace,
) -> Iterator[tuple[str, Callable[[AuditEvent], AuditEntry]]]:
    """The service's store (as ``serve`` would open it), its URL without password, and a
    function appending to its audit log."""
    url = args.database_url
    if url is None:
        settings = Settings(data_dir=args.data) if args.data else Settings()
        if settings.database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
    try:
        shown = normalise_url(url).render_as_string(hide_password=True)
    except ValueError as exc:
        raise ParsingError(str(exc), field="--database-url") from None
    store = open_store(url)
    try:
        yield shown, store.audit.append
    finally:
        store.close()


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
