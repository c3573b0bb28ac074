"""``vcservice serve`` and ``vcservice clients create``: run and administer the service."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess

from vcservice.cli.http_protocol import CoalescingHttpToolsProtocol
from vcservice.cli.logs import LOG_FORMATS, LogFormat, logging_config
from vcservice.model.records import Scope
from vcservice.services.container import build_services
from vcservice.settings import Settings

APP_FACTORY = "vcservice.api.app:create_app_from_environment"
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
GRACEFUL_SHUTDOWN_SECONDS = 10


def add_commands(commands: Any) -> None:
    """Register ``serve`` and ``clients`` on the CLI's subcommand parser."""
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument(
        "--role",
        choices=("all", "issuer", "holder", "verifier"),
        help="serve one role's API (processes of different roles share the database)",
    )
    _add_settings_arguments(serve)
    serve.add_argument("--public-url", help="URL clients use (default http://localhost:PORT)")
    serve.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        help="one JSON object per line, or text (default: text in dev mode, else json)",
    )
    serve.set_defaults(handler=_serve)

    clients = commands.add_parser("clients", help="OAuth2 clients of an authority")
    clients_commands = clients.add_subparsers(dest="clients_command", required=True)
    create = clients_commands.add_parser("create", help="create a client; prints its secret once")
    create.add_argument("--authority", required=True)
    create.add_argument(
        "--scope",
        nargs="+",
        choices=[scope.value for scope in Scope],
        default=[Scope.ISSUE.value, Scope.READ.value],
    )
    _add_settings_arguments(create)
    create.set_defaults(handler=_create_client)


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, help="data directory (default ./vcservice-data)")
    parser.add_argument("--database-url", help="sqlite:///… or postgresql://…")


def _export_settings(args: argparse.Namespace) -> None:
    """Pass command-line settings to the service (and its workers) through the environment."""
    values = {
        "VCSERVICE_DATA_DIR": args.data,
        "VCSERVICE_DATABASE_URL": args.database_url,
        "VCSERVICE_CONTEXT_STORE": args.context_store,
        "VCSERVICE_PUBLIC_URL": getattr(args, "public_url", None),
        "VCSERVICE_ROLE": getattr(args, "role", None),
    }
    os.environ.update({name: str(value) for name, value in values.items() if value})


def _serve(args: argparse.Namespace) -> int:
    if not args.public_url and "VCSERVICE_PUBLIC_URL" not in os.environ:
        args.public_url = f"http://localhost:{args.port}"
    _export_settings(args)
    settings = _settings()
    _prepare_metrics_directory(settings)  # before the app (and prometheus_client) loads
    contexts = _prepare(settings)
    log_format: LogFormat = args.log_format or ("text" if settings.dev_mode else "json")
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logging_config(log_format),
        access_log=False,  # the service logs each request itself (vcservice.access)
        http=CoalescingHttpToolsProtocol,  # httptools, each response in one write
        # loop "auto": uvloop, a dependency wherever it builds
        # The app reads X-Forwarded-For from the proxies its settings name (create_app).
        proxy_headers=False,
        # Each worker gets this config: on SIGTERM it stops accepting and lets requests in
        # flight finish for up to this long.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    if contexts != "ok":  # logged once uvicorn.Config has set logging up
        logging.getLogger("vcservice.serve").warning(
            "not ready (/readyz answers 503) until the contexts are installed: %s", contexts
        )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
    return 0


def _prepare(settings: Settings) -> str:
    """Migrate the database and create missing secrets once, before workers start; whether
    the pinned contexts are installed (``ok``, or what is missing and how to install it)."""
    from vcservice.api.routers.public import contexts_outcome  # noqa: PLC0415  (the web stack)

    services = build_services(settings)
    try:
        return contexts_outcome(services.core.store)
    finally:
        services.close()


def _settings() -> Settings:
    """The settings from the environment; an invalid one stops the command, named."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"VCSERVICE_{'_'.join(map(str, problem['loc'])).upper()}: "
            + problem["msg"].removeprefix("Value error, ")
            for problem in error.errors()
        )
        raise SystemExit(f"refusing to start: {problems}") from None


def _prepare_metrics_directory(settings: Settings) -> None:
    """Point prometheus_client's multiprocess mode at an empty ``DATA_DIR/metrics``, unless
    ``PROMETHEUS_MULTIPROC_DIR`` is set already: each worker writes its values there and
    ``/metrics`` sums them (values of an earlier run would be counted again, so they go)."""
    if os.environ.get(MULTIPROCESS_DIR):
        return
    directory = settings.data_dir / "metrics"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROCESS_DIR] = str(directory.resolve())


def _create_client(args: argparse.Namespace) -> int:
    _export_settings(args)
    services = build_services(_settings())
    try:
        client, secret = services.clients.create(args.authority, {Scope(s) for s in args.scope})
    finally:
        services.close()
    json.dump(
        {
            "clientId": client.client_id,
            "clientSecret": secret,
            "authority": client.authority,
            "scopes": sorted(client.scopes),
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")
    return 0
