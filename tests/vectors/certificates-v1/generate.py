"""Issue the v1 certificate fixtures in this directory with the code of one commit.

What it writes (into ``--out``, by default this directory) is what the service itself
issues: each certificate type's documented example request
(``vcservice.certificates.by_slug(slug).example_request()``) issued through the real
``IssuerService.issue_certificate`` of a service built by ``build_services`` (SQLite and
software key custody in a temporary directory), with the status entries the service
assigns, and the signed status list credentials it then publishes for them:

* ``immex-eddsa-rdfc-2022.json``, ``oea-eddsa-rdfc-2022.json``: issued by ``sat``, a did:key
  (Ed25519) authority;
* ``oea-vc-jwt.jwt``: the OEA certificate again, secured as vc+jwt (EdDSA) by ``sat``, the
  compact token exactly as the issuer API returns it;
* ``ctpat-eddsa-rdfc-2022.json``: issued by ``cbp``, a did:key (Ed25519) authority;
* ``ctpat-ecdsa-rdfc-2019-p256.json``: issued by ``cbp-p256``, a did:key (P-256) authority;
* ``status-lists/<authority>-<purpose>-<n>.json``: every status list credential those
  credentials' ``credentialStatus`` entries point to, as the service published them;
* ``trust-registry.json``: a verifier's trust registry accrediting each did:key for the
  types it issued (SAT: IMMEX and OEA; CBP: C-TPAT);
* ``manifest.json``: the commit, the issuance moment, the moment to verify at, and each
  fixture's file, type, format and issuer.

The issuers are did:keys, so verifying needs no network. Their keys are fresh on every run
and are thrown away with the temporary directory: nothing secret is written, and the
fixtures can never be re-signed (they are fixed forever: add new ones, never regenerate).

Deterministic where it can be: the service runs on a ``FixedClock`` at ``--issued-at``
(default ``ISSUED_AT``, just after commit 47d7f27), so ``validFrom``, the proofs' ``created``
and the status lists' validity are fixed; every certificate is valid until ``VALID_UNTIL``.
Keys, credential ids, status list indexes and ECDSA signatures are random. Status lists are
valid for seven days from their signing: verify at ``verifyAt`` (``--issued-at`` plus a day).

Run it with the code of a clean checkout first on the path, never a working tree in the
middle of a change (it refuses a dirty one)::

    git -C /work/main worktree add /tmp/v1-fixtures-wt 47d7f27
    PYTHONPATH=/tmp/v1-fixtures-wt /work/main/.venv/bin/python \\
        tests/vectors/certificates-v1/generate.py --out /tmp/certificates-v1
    git -C /work/main worktree remove --force /tmp/v1-fixtures-wt

It refuses to write over existing fixtures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
ISSUED_AT = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)  # commit 47d7f27: 2026-12-05T22:49:27Z
VALID_UNTIL = datetime(2035, 12, 31, 23, 59, 59, tzinfo=UTC)
VERIFY_AFTER = timedelta(days=1)  # inside the status lists' seven days
PUBLIC_URL = "https://vcservice.example"  # the status lists' base URL (never fetched)

# Authorities: name, display name, did:key key type, certificate types they may issue.
AUTHORITIES = (
    ("sat", "Servicio de Administración Tributaria", "Ed25519", ("immex", "oea")),
    ("cbp", "U.S. Customs and Border Protection", "Ed25519", ("ctpat",)),
    ("cbp-p256", "U.S. Customs and Border Protection", "P-256", ("ctpat",)),
)
# Fixtures: file, certificate slug, authority, securing format.
FIXTURES = (
    ("immex-eddsa-rdfc-2022.json", "immex", "sat", "eddsa-rdfc-2022"),
    ("oea-eddsa-rdfc-2022.json", "oea", "sat", "eddsa-rdfc-2022"),
    ("oea-vc-jwt.jwt", "oea", "sat", "vc+jwt"),
    ("ctpat-eddsa-rdfc-2022.json", "ctpat", "cbp", "eddsa-rdfc-2022"),
    ("ctpat-ecdsa-rdfc-2019-p256.json", "ctpat", "cbp-p256", "ecdsa-rdfc-2019"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    parser.add_argument(
        "--issued-at",
        type=datetime.fromisoformat,
        default=ISSUED_AT,
        help=f"the issuer's fixed clock (default {ISSUED_AT.isoformat()})",
    )
    parser.add_argument(
        "--contexts-from",
        type=Path,
        default=Path(os.environ.get("VCSERVICE_SHARED_DIR", REPO_ROOT.parent / "shared"))
        / "upstream"
        / "contexts",
        help="the pinned JSON-LD contexts to install (default ../shared/upstream/contexts)",
    )
    parser.add_argument(
        "--allow-dirty", action="store_true", help="run even if vcservice's checkout is dirty"
    )
    args = parser.parse_args(argv)
    issued_at: datetime = args.issued_at
    if issued_at.tzinfo is None:
        parser.error("--issued-at needs a time zone (…Z or +00:00)")
    commit, dirty = _source_commit()
    if dirty and not args.allow_dirty:
        parser.error(
            f"vcservice is imported from a dirty checkout ({_package_dir()}): commit "
            "or use a clean worktree, or pass --allow-dirty"
        )
    out: Path = args.out
    existing = [name for name, *_ in FIXTURES if (out / name).exists()]
    if existing or (out / "manifest.json").exists():
        parser.error(
            f"{out} already holds fixtures {existing or ['manifest.json']}: they are "
            "never regenerated (write new ones elsewhere and add them)"
        )
    with tempfile.TemporaryDirectory(prefix="vc-fixtures-") as scratch:
        written = _generate(Path(scratch), out, issued_at, args.contexts_from, commit)
    for path in written:
        print(path)
    return 0


def _package_dir() -> Path:
    import vcservice

    return Path(vcservice.__file__).resolve().parent


def _source_commit() -> tuple[str, bool]:
    """The commit of the checkout vcservice is imported from, and whether it is dirty."""
    checkout = _package_dir().parent

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", "-C", str(checkout), *arguments], check=True, capture_output=True, text=True
        ).stdout.strip()

    return git("rev-parse", "HEAD"), bool(git("status", "--porcelain", "--", "vcservice"))


def _generate(
    scratch: Path, out: Path, issued_at: datetime, contexts_from: Path, commit: str
) -> list[Path]:
    from vcservice.certificates import by_slug
    from vcservice.clock import FixedClock
    from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
    from vcservice.jsonld.store import ContextStore
    from vcservice.keys import KeyType
    from vcservice.model.datetimes import format_datetime
    from vcservice.services.container import build_services
    from vcservice.services.issuer import IssuanceOptions
    from vcservice.settings import Settings
    from vcservice.trust.registry import Accreditation, TrustRegistry

    contexts = scratch / "contexts"
    report = ContextStore(
        contexts, ContextManifest.load(default_contexts_dir())
    ).install_from_directory(contexts_from)
    if not report.complete:
        raise SystemExit(f"contexts missing from {contexts_from}: {report.missing}")
    settings = Settings(
        data_dir=scratch / "data",
        database_url=f"sqlite:///{scratch / 'vcservice.db'}",
        public_url=PUBLIC_URL,
        context_store=contexts,
        dev_mode=True,
        jsonld_path="checked",
    )
    clock = FixedClock(issued_at.astimezone(UTC).replace(microsecond=0))
    services = build_services(settings, clock=clock)
    try:
        authorities = {
            name: services.authorities.create(
                name=name,
                display_name=display_name,
                credential_types=[by_slug(slug).name for slug in slugs],
                did_method="key",
                key_type=KeyType(key_type),
            )
            for name, display_name, key_type, slugs in AUTHORITIES
        }
        issued: dict[str, Any] = {}
        manifest_entries = []
        for file_name, slug, authority_name, securing_format in FIXTURES:
            certificate_type = by_slug(slug)
            authority = authorities[authority_name]
            # As POST /certificates/{slug} does: the request model validates the data.
            data = certificate_type.request_model.model_validate(certificate_type.example_request())
            record = services.issuer.issue_certificate(
                authority,
                certificate_type,
                data,
                valid_from=None,  # from the moment of issuance
                valid_until=VALID_UNTIL,
                options=IssuanceOptions(securing_format=securing_format),
            )
            issued[file_name] = record.document
            manifest_entries.append(
                {
                    "file": file_name,
                    "certificate": slug,
                    "type": certificate_type.name,
                    "securingFormat": securing_format,
                    "keyType": services.authorities.key_types(authority)[0].value,
                    "issuer": authority.did,
                    "authority": authority_name,
                    "id": record.id,
                    "schema": certificate_type.schema_url,
                }
            )
        # The status lists the entries point to, signed as the service publishes them.
        urls = sorted(
            {
                entry["statusListCredential"]
                for document in issued.values()
                for entry in _status_entries(document)
            }
        )
        lists = services.statuses.local_documents(urls)
        if sorted(lists) != urls:
            raise SystemExit(f"status lists not published: {sorted(set(urls) - set(lists))}")
        registry = TrustRegistry(
            Accreditation(
                issuer=authority.did,
                name=authority.display_name,
                credential_types=authority.credential_types,
                valid_from=clock.now() - timedelta(days=1),
                valid_until=VALID_UNTIL,
            )
            for authority in authorities.values()
        )
    finally:
        services.close()

    written = []
    out.mkdir(parents=True, exist_ok=True)
    (out / "status-lists").mkdir(exist_ok=True)
    for file_name, document in issued.items():
        text = document if not document.startswith("{") else _json(json.loads(document))
        written.append(_write(out / file_name, text))
    list_files = {}
    for url in urls:
        authority_name, purpose, sequence = url.removeprefix(f"{PUBLIC_URL}/status-lists/").split(
            "/"
        )
        name = f"status-lists/{authority_name}-{purpose}-{sequence}.json"
        list_files[name] = url
        written.append(_write(out / name, _json(lists[url])))
    written.append(_write(out / "trust-registry.json", _json(registry.to_json())))
    manifest = {
        "description": "v1 certificates issued by vcservice; never regenerate, only add",
        "commit": commit,
        "issuedAt": format_datetime(clock.now()),
        "verifyAt": format_datetime(clock.now() + VERIFY_AFTER),
        "validUntil": format_datetime(VALID_UNTIL),
        "statusLists": list_files,
        "trustRegistry": "trust-registry.json",
        "fixtures": manifest_entries,
    }
    written.append(_write(out / "manifest.json", _json(manifest)))
    return written


def _status_entries(document: str) -> list[dict[str, Any]]:
    """A secured credential's status entries (from the JWT's payload for vc+jwt)."""
    if document.startswith("{"):
        credential = json.loads(document)
    else:
        import base64

        payload = document.split(".")[1]
        credential = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    entries = credential.get("credentialStatus", [])
    return entries if isinstance(entries, list) else [entries]


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _write(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
