"""What ``vcservice demo`` says at its end.

With ``--keep``: where its services go on answering — the broker's verify page, a printed
certificate and where it came from — and how to stop them. Without: that the certificates
it wrote verify only while their issuer answers (its did:web documents and status lists),
which the demo has just stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from vcservice.cli.background import PIDS_FILE, Deployment


@dataclass(frozen=True)
class PrintedCertificate:
    """A certificate the wallet printed: its page, where it was fetched, and with what."""

    html: Path
    url: str
    token_file: Path


def print_held(
    holder: httpx.Client,
    wallet: Mapping[str, str],
    credential_id: str,
    html: Path,
    secrets_dir: Path,
) -> PrintedCertificate:
    """The wallet (``wallet``: its Authorization header) prints the credential it holds
    whose id is ``credential_id`` into ``html``; its token goes to ``secrets_dir``
    (mode 0600), for whoever reads the print URL."""
    listed = holder.get("/holder/credentials", headers=wallet).raise_for_status()
    [held_id] = [
        item["id"]
        for item in listed.json()["items"]
        if isinstance(item["verifiableCredential"], dict)
        and item["verifiableCredential"].get("id") == credential_id
    ]
    page = holder.get(f"/holder/print/{held_id}", headers=wallet).raise_for_status()
    html.write_text(page.text, encoding="utf-8")
    token_file = secrets_dir / "wallet-token"
    token_file.touch(mode=0o600)
    token_file.write_text(wallet["Authorization"].removeprefix("Bearer ") + "\n", encoding="utf-8")
    return PrintedCertificate(html, str(page.request.url), token_file)


def kept_services(
    deployment: Deployment, printed: PrintedCertificate, kept_in: Path, out_dir: Path
) -> str:
    """The services left running: what to open, and how to stop them."""
    pids = " ".join(
        str(target.pid)
        for target in (deployment.issuer, deployment.holder, deployment.verifier)
        if target.pid is not None
    )
    example = out_dir / "immex.json"
    return "\n".join(
        (
            "\n== The services keep running (--keep)",
            f"   the broker's verify page:  {deployment.verifier.url}/verify",
            f"     (choose {example} there, or paste it, or scan a printed certificate's QR code)",
            f"   a printed certificate:     {printed.html} (open it in a browser; its QR code",
            "     opens the verify page), as the wallet's print URL gives it:",
            f"     {printed.url}",
            f'     curl -H "Authorization: Bearer $(cat {printed.token_file})" \\',
            f"          '{printed.url}'",
            f"   issuer {deployment.issuer.url}, holder {deployment.holder.url}, "
            f"verifier {deployment.verifier.url}",
            f"     (data, logs and admin tokens in {kept_in})",
            f"   stop them:  kill {pids}    (or: kill $(cat {kept_in / PIDS_FILE}))",
        )
    )


def services_gone(out_dir: Path) -> str:
    """Why the written certificates stop verifying now, and what to do instead."""
    return "\n".join(
        (
            f"\nNote: the certificates in {out_dir} name their issuers by did:web on the demo's",
            "issuer, which also publishes their status lists; the demo has stopped its services,",
            "so verifying them now fails (DID_RESOLUTION_ERROR) until their issuer runs again.",
            "To look at them on the broker's verify page, or print them, run",
            "`vcservice demo --keep` (`bash scripts/demo.sh --keep`): it leaves the services",
            "running. To verify without the issuer, carry an offline bundle of its DID documents",
            "and status lists, exported while it runs (`vcservice bundle export`, then",
            "`vcservice verify --bundle`; see *Offline at a crossing* in the README).",
        )
    )
