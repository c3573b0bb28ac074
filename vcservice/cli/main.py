"""The vcservice command line: contexts, schemas, keys, sign, verify, serve, bundles, audit and
the demo."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vcservice.cli import audit, bundle, contexts, server, verdict
from vcservice.cli.verdict import read_document as _read_document
from vcservice.clock import SystemClock
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.jwk import did_jwk_from_public_key
from vcservice.dids.resolver import static_documents
from vcservice.errors import ParsingError, VcError
from vcservice.keys import KeyFile, KeyPair, KeyType, load_key_file
from vcservice.messages import problem_details
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.signing import SECURING_FORMATS, default_format, secure_credential
from vcservice.settings import default_context_store
from vcservice.trust.registry import TrustRegistry

EXIT_OK, EXIT_NOT_VERIFIED, EXIT_ERROR = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
KEY_TYPES = {"ed25519": KeyType.ED25519, "p256": KeyType.P256, "p384": KeyType.P384}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    A reader that goes away (``vcservice verify x.json | head -1``) ends the command quietly
    with 141, as a process ended by SIGPIPE would (128 + 13), not with a traceback.
    """
    args = _parser().parse_args(argv)
    try:
        try:
            return int(args.handler(args))
        except VcError as error:
            _print_json(problem_details([error.to_problem()]), stream=sys.stderr)
            return EXIT_ERROR
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The exit after a closed stdout: what is still buffered goes to /dev/null, so that the
    interpreter's own flush at exit does not fail again (Python's documented recipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def _parser() -> argparse.ArgumentParser:
    # The module docstring is the description --help shows: plain text, no markup.
    parser = argparse.ArgumentParser(prog="vcservice", description=__doc__)
    parser.add_argument(
        "--context-store",
        type=Path,
        default=None,
        help="installed-context directory, the same for every command (default: "
        "$VCSERVICE_CONTEXT_STORE, else $XDG_DATA_HOME/vcservice/contexts or "
        f"~/.local/share/vcservice/contexts; here {default_context_store()})",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    contexts.add_commands(commands)

    keys = commands.add_parser("keys", help="key management")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    generate = keys_commands.add_parser("generate", help="generate a key file")
    generate.add_argument("--type", choices=sorted(KEY_TYPES), default="ed25519")
    generate.add_argument(
        "--did", choices=("key", "jwk"), default="key", help="the DID method that controls the key"
    )
    generate.add_argument("--out", type=Path, help="write here (mode 0600) instead of stdout")
    generate.set_defaults(handler=_keys_generate)

    sign = commands.add_parser("sign", help="secure a credential")
    sign.add_argument("file", type=Path)
    sign.add_argument("--key", type=Path, required=True, help="key file")
    sign.add_argument(
        "--cryptosuite",
        choices=SECURING_FORMATS,
        help="default: eddsa-rdfc-2022 for Ed25519 keys, ecdsa-rdfc-2019 otherwise",
    )
    sign.add_argument("--out", type=Path, help="write here instead of stdout")
    sign.set_defaults(handler=_sign)

    verify = commands.add_parser("verify", help="verify a credential, presentation or JWT")
    verify.add_argument(
        "file",
        metavar="CREDENTIAL",
        help="a file (JSON, or a compact JWT), - for standard input, or the link read from a "
        "printed certificate's QR code (https://…/verify#vc1=…)",
    )
    verify.add_argument(
        "--format",
        choices=verdict.FORMATS,
        help="text: a one-line verdict, then the checks; json: the verification result "
        "(default: text when the output is a terminal, else json)",
    )
    verify.add_argument(
        "--lang",
        choices=verdict.LANGUAGES,
        help="the language of the text (default: Spanish when the locale is, else English)",
    )
    verify.add_argument("--challenge", help="the challenge a presentation must be bound to")
    verify.add_argument("--domain", help="the domain a presentation must be bound to")
    verify.add_argument(
        "--did-document",
        type=Path,
        action="append",
        default=[],
        help="a DID document to use instead of resolving it (repeatable)",
    )
    verify.add_argument(
        "--status-list",
        type=Path,
        action="append",
        default=[],
        help="a status list credential to use instead of fetching it (repeatable)",
    )
    verify.add_argument(
        "--trust-registry",
        type=Path,
        help="a trust registry file: fail credentials whose issuer is not accredited",
    )
    verify.add_argument(
        "--bundle",
        type=Path,
        help="verify offline from this bundle (DID documents, status lists, trust registry)",
    )
    verify.add_argument(
        "--max-status-age",
        type=bundle.parse_duration,
        help="with --bundle: fail when a needed status list is older than this (30m, 6h, 2d)",
    )
    verify.add_argument(
        "--max-trust-list-age",
        type=bundle.parse_duration,
        help="with --bundle: a carried trust list vouches for this long after it was fetched "
        "(default: the bundle's maxStalenessSeconds), then its issuers cannot be checked",
    )
    bundle.add_trust_options(verify)
    verify.set_defaults(handler=_verify)

    server.add_commands(commands)
    bundle.add_commands(commands)
    audit.add_commands(commands)

    demo = commands.add_parser(
        "demo", help="issuer → holder → verifier: issue, keep, present and verify certificates"
    )
    demo.add_argument(
        "--url", help="a running vcservice serving every role (default: start three processes)"
    )
    demo.add_argument("--admin-token", help="its admin token (with --url)")
    demo.add_argument(
        "--database-url", help="the database the three started processes share (default SQLite)"
    )
    demo.add_argument("--out", type=Path, default=Path("out"), help="where to write them")
    demo.add_argument(
        "--keep",
        action="store_true",
        help="leave the three processes running afterwards (data in OUT/services) and print "
        "the verify page, a printed certificate and how to stop them",
    )
    demo.set_defaults(handler=_demo)
    return parser


def _core(
    args: argparse.Namespace,
    *,
    did_documents: Sequence[DidDocument] = (),
    status_lists: Sequence[dict[str, Any]] = (),
    trust_registry: TrustRegistry | None = None,
) -> Core:
    store_dir = args.context_store or default_context_store()
    lists_by_url = {document.get("id"): document for document in status_lists}

    def given_lists(urls: Sequence[str]) -> dict[str, dict[str, Any]]:
        return {url: lists_by_url[url] for url in urls if url in lists_by_url}

    return build_core(
        CoreConfig(store_dir=store_dir),
        local_dids=static_documents(did_documents),
        local_status_lists=given_lists,
        trust_registry=trust_registry,
    )


def _keys_generate(args: argparse.Namespace) -> int:
    key_pair = KeyPair.generate(KEY_TYPES[args.type])
    key_file = KeyFile(key_pair)
    if args.did == "jwk":
        did = did_jwk_from_public_key(key_pair.public_key)
        key_file = KeyFile(key_pair, id=f"{did}#0", controller=did)
    if args.out is None:
        sys.stdout.write(key_file.to_json())
    else:
        _write_private(args.out, key_file.to_json())
        _print_json({"keyFile": str(args.out), "verificationMethod": key_file.verification_method})
    return EXIT_OK


def _sign(args: argparse.Namespace) -> int:
    key_file = load_key_file(args.key)
    credential = _read_document(args.file)
    if not isinstance(credential, dict):
        raise ParsingError("only a credential (a JSON object) can be signed", field="file")
    securing_format = args.cryptosuite or default_format(key_file.key_pair.key_type)
    secured = secure_credential(
        _core(args),
        credential,
        signer=key_file.signer(),
        securing_format=securing_format,
        now=SystemClock().now(),
    )
    text = secured if isinstance(secured, str) else json.dumps(secured, indent=2)
    if args.out is None:
        sys.stdout.write(text + "\n")
    else:
        args.out.write_text(text + "\n", encoding="utf-8")
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    core = _given_core(args) if args.bundle is None else _bundle_core(args)
    result = core.verifier.verify(
        verdict.read_input(args.file, sys.stdin), challenge=args.challenge, domain=args.domain
    )
    if verdict.output_format(args.format, sys.stdout) == "json":
        _print_json(result.to_json())
    else:
        registry = None if args.trust_registry is None else TrustRegistry.load(args.trust_registry)
        text = verdict.result_text(
            result,
            verdict.user_language(args.lang),
            registry_name=registry.display_name if registry else lambda _issuer: None,
        )
        sys.stdout.write(text + "\n")
    return EXIT_OK if result.verified else EXIT_NOT_VERIFIED


def _given_core(args: argparse.Namespace) -> Core:
    """The core for ``verify`` with the DID documents, status lists and registry given."""
    bundle_only = {
        "--max-status-age": args.max_status_age,
        "--max-trust-list-age": args.max_trust_list_age,
    }
    for option, value in bundle_only.items():
        if value is not None:
            raise ParsingError(f"{option} applies to --bundle only", field=option)
    documents = [DidDocument(_read_document(path)) for path in args.did_document]
    status_lists = [_read_document(path) for path in args.status_list]
    registry = None if args.trust_registry is None else TrustRegistry.load(args.trust_registry)
    return _core(args, did_documents=documents, status_lists=status_lists, trust_registry=registry)


def _bundle_core(args: argparse.Namespace) -> Core:
    """The core for ``verify --bundle``: everything from the bundle, nothing else."""
    mixed = [
        option
        for option, value in (
            ("--did-document", args.did_document),
            ("--status-list", args.status_list),
            ("--trust-registry", args.trust_registry),
        )
        if value
    ]
    if mixed:
        raise ParsingError(
            f"--bundle supplies DID documents, status lists and the trust registry; "
            f"it does not combine with {', '.join(mixed)}",
            field="--bundle",
        )
    return bundle.offline_core(
        bundle.load_trusted(args.bundle, args),
        store_dir=args.context_store or default_context_store(),
        max_status_age=args.max_status_age,
        max_trust_list_age=args.max_trust_list_age,
    )


def _demo(args: argparse.Namespace) -> int:
    from vcservice.cli.demo import run_demo  # noqa: PLC0415  (keeps startup light)

    return run_demo(
        url=args.url,
        admin_token=args.admin_token,
        out_dir=args.out,
        context_store=args.context_store or default_context_store(),
        database_url=args.database_url,
        keep=args.keep,
    )


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _print_json(value: Any, *, stream: Any = None) -> None:
    json.dump(value, stream or sys.stdout, indent=2, ensure_ascii=False)
    (stream or sys.stdout).write("\n")


__all__ = ["main"]
