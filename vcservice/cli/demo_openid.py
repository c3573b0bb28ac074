"""The demo's last act: the same story over OpenID4VCI and OpenID4VP, with an SD-JWT VC.

CBP's officer offers the company's C-TPAT as an SD-JWT VC (the offer's link and QR code,
``openid4vci-offer.svg``; the transaction code goes to the company by another channel); the
company's wallet redeems it and keeps it once it verifies; the broker's app asks, in DCQL,
for a C-TPAT with the company's name and its tier (its link and QR code,
``openid4vp-request.svg``); the wallet discloses the name only (the tier is always visible;
the RFC, the MID, the SVI and account numbers and every plant stay withheld) with a Key
Binding JWT for the request; the broker reads the verifier's answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from vcservice.cli.demo_requests import certificate_data, request_body

__all__ = ["OFFER_QR", "REQUEST_QR", "OpenIdStory", "expect", "svg_file"]

OFFER_QR = "openid4vci-offer.svg"
REQUEST_QR = "openid4vp-request.svg"
CONFIGURATION = "CTPATCertificate_sd_jwt_vc"
AUTHORITY = "cbp"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SVG_SIZE = 320  # pixels


@dataclass
class OpenIdStory:
    """The three roles' clients and the credentials each acts with."""

    issuer: httpx.Client
    holder: httpx.Client
    verifier: httpx.Client
    officer: Mapping[str, str]  # CBP's officer: an issue:credentials token
    wallet: Mapping[str, str]  # the company's wallet: its holder token
    broker: Mapping[str, str]  # the broker's app: a verify:credentials token
    say: Callable[[str], None]

    def run(self, out_dir: Path) -> bool:
        """Offer, receive, ask, present, read; True when each did as expected."""
        self.say(
            "\n== The same over OpenID4VCI and OpenID4VP: CBP's officer offers the company's "
            "C-TPAT as an SD-JWT VC"
        )
        offer = self._offer(out_dir)
        kept = self._receive(offer)
        if kept is None:  # a service that may not reach itself (see _receive): nothing to show
            return True
        created = self._ask(out_dir)
        answer = self._present(created)
        seen = self._read(created)
        result = seen.get("result") or {}
        return (
            kept.get("format") == "dc+sd-jwt"
            and answer.get("accepted") is True
            and [entry["disclosed"] for entry in answer["presented"]] == [["member.legalName"]]
            and {"member.rfc", "sviNumber"} <= set(answer["presented"][0]["withheld"])
            and seen.get("status") == "complete"
            and result.get("accepted") is True
        )

    def _offer(self, out_dir: Path) -> dict[str, Any]:
        body = request_body("ctpat", "eddsa-rdfc-2022", certificate_data("ctpat", None))
        body["credentialConfigurationIds"] = [CONFIGURATION]
        offer: dict[str, Any] = expect(
            self.issuer.post(f"/issuers/{AUTHORITY}/offers", json=body, headers=self.officer), 201
        ).json()
        (out_dir / OFFER_QR).write_text(svg_file(offer["qrCodeSvg"]), encoding="utf-8")
        self.say(f"   the offer's link (its QR code: {out_dir / OFFER_QR}):")
        self.say(f"     {offer['offerLink']}")
        self.say(
            f"   the transaction code, sent to the company by another channel: {offer['txCode']}"
            f" (single use, until {str(offer['expiresAt']).split('.')[0].removesuffix('Z')}Z)"
        )
        return offer

    def _receive(self, offer: Mapping[str, Any]) -> dict[str, Any] | None:
        """What the wallet kept; None when its service may not fetch from the issuer's URL
        (one service at http://localhost given by --url, without VCSERVICE_ALLOW_HTTP_HOSTS)."""
        self.say(
            "\n== The company's wallet opens the link, redeems the code with the transaction "
            "code and proves its key (openid4vci-proof+jwt)"
        )
        body = {"offer": offer["offerLink"], "txCode": offer["txCode"]}
        response = self.holder.post("/holder/openid4vci/offers", json=body, headers=self.wallet)
        if response.status_code == 422 and response.json().get("code") == "FETCH_BLOCKED":
            self.say(f"   skipped: {response.json().get('detail')}")
            self.say(
                "   (the wallet fetches only from https and public addresses: run the service "
                "with VCSERVICE_ALLOW_HTTP_HOSTS='[\"localhost\"]' and "
                "VCSERVICE_ALLOW_PRIVATE_NETWORKS=true to let it reach itself here)"
            )
            return None
        received = expect(response, 201).json()
        [kept] = received["credentials"]
        self.say(
            f"   from {received['credentialIssuer']}: verified and kept as {kept['id']} "
            f"({kept['format']}, bound to the wallet's key)"
        )
        return dict(kept)

    def _ask(self, out_dir: Path) -> dict[str, Any]:
        vct = f"{self.issuer.base_url}".rstrip("/") + "/vct/ctpat"
        query = {
            "credentials": [
                {
                    "id": "ctpat",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [vct]},
                    "claims": [{"path": ["member", "legalName"]}, {"path": ["tier"]}],
                }
            ]
        }
        self.say(
            "\n== At the gate, the broker's app asks in DCQL for a C-TPAT: the company's name "
            "and its tier, nothing more"
        )
        created: dict[str, Any] = expect(
            self.verifier.post(
                "/openid4vp/requests", json={"dcqlQuery": query}, headers=self.broker
            ),
            201,
        ).json()
        (out_dir / REQUEST_QR).write_text(svg_file(created["qrCode"]), encoding="utf-8")
        self.say(f"   the request's link (its QR code: {out_dir / REQUEST_QR}):")
        self.say(f"     {created['authorizationRequest']}")
        return created

    def _present(self, created: Mapping[str, Any]) -> dict[str, Any]:
        self.say(
            "\n== The wallet fetches the signed request, checks it against the verifier's DID, "
            "and presents"
        )
        body = {"request": created["authorizationRequest"]}
        answer: dict[str, Any] = expect(
            self.holder.post("/holder/openid4vp/authorizations", json=body, headers=self.wallet),
            200,
        ).json()
        for entry in answer["presented"]:
            self.say(f"   asked for: {', '.join(entry['requested'])}")
            self.say(f"   disclosed: {', '.join(entry['disclosed']) or 'nothing selectively'}")
            self.say(f"   withheld:  {', '.join(entry['withheld'])}")
        verdict = "accepted" if answer["accepted"] else "refused"
        self.say(f"   the verifier {verdict} it (HTTP {answer['verifierStatus']})")
        return answer

    def _read(self, created: Mapping[str, Any]) -> dict[str, Any]:
        seen: dict[str, Any] = expect(
            self.verifier.get(f"/openid4vp/requests/{created['id']}", headers=self.broker), 200
        ).json()
        result = seen.get("result") or {}
        self.say(
            f"\n== The broker reads the answer: {seen['status']}, verdict {result.get('verdict')}"
        )
        for presentation in result.get("presentations", []):
            checks = presentation["result"]["checks"]
            passed = [check["check"] for check in checks if check["outcome"] == "passed"]
            self.say(f"   checks passed: {', '.join(passed)}")
            for claim in presentation.get("disclosed", []):
                path = ".".join(str(part) for part in claim["path"])
                self.say(f"   {path}: {json.dumps(claim['values'], ensure_ascii=False)}")
        return seen


def svg_file(svg: str) -> str:
    """An inline SVG (as the API gives QR codes, for a page) as a file of its own: with the
    SVG namespace a standalone file needs, and a size to open at."""
    if "xmlns=" in svg.split(">", 1)[0]:
        return svg
    opening = f'<svg xmlns="{SVG_NAMESPACE}" width="{SVG_SIZE}" height="{SVG_SIZE}" '
    return svg.replace("<svg ", opening, 1)


def expect(response: httpx.Response, status: int) -> httpx.Response:
    """``response``, if its status is ``status``; else the demo stops, saying what it got."""
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response
