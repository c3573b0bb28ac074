"""The verify page and the printable certificates over real HTTP (no browser).

The page's form posts are checked as a browser would send them (multipart, a file part
even when no file was chosen); the printable views for their authentication, headers and
QR code size on every credential type and securing format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.builders import FORMATS, ISSUED_BY
from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from tests.api.presenting import issue_certificate
from vcservice.api.app import ROUTERS, create_app
from vcservice.api.routers import pages, printing
from vcservice.keys.multibase import base64url_decode
from vcservice.printing import decode_payload, payload_in, qr_code, verification_link
from vcservice.printing.qr import MAX_PRINTED_VERSION
from vcservice.settings import Settings

NO_FILE = {"upload": ("", b"", "application/octet-stream")}  # what a browser sends


def _verify(live_service: LiveService, text: str, **params: str) -> httpx.Response:
    return live_service.http.post(
        "/verify", params=params, data={"credential": text}, files=NO_FILE
    )


def _verified(page: httpx.Response) -> str | None:
    found = re.search(r'data-verified="(true|false)"', page.text)
    return found.group(1) if found else None


def _print(live_service: LiveService, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return live_service.http.get(path, headers=headers)


def _issued_path(credential: Any) -> str:
    return f"/print/credentials/{quote(credential['id'], safe=':')}"


# ---------------------------------------------------------------- the page


def test_the_page_answers_in_the_readers_language(live_service: LiveService) -> None:
    spanish = live_service.http.get("/verify", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert spanish.status_code == 200
    assert spanish.headers["content-type"].startswith("text/html")
    assert spanish.headers["content-language"] == "es"
    assert '<html lang="es">' in spanish.text and "Verificar un certificado" in spanish.text
    english = live_service.http.get(
        "/verify", params={"lang": "en"}, headers={"Accept-Language": "es"}
    )
    assert '<html lang="en">' in english.text and 'for="credential"' in english.text
    assert '<html lang="en">' in live_service.http.get("/verify").text  # no preference


def test_the_page_loads_nothing_from_elsewhere(live_service: LiveService) -> None:
    page = live_service.http.get("/verify")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert page.headers["cache-control"] == "no-store"
    sources = re.findall(r'(?:src|href)="([^"#?]+)', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for name, media_type in (("verify.css", "text/css"), ("verify.js", "text/javascript")):
        asset = live_service.http.get(f"/verify/assets/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(media_type)
    assert_problem(live_service.http.get("/verify/assets/other.js"), 404, "NOT_FOUND")


def test_the_page_verifies_what_is_pasted(live_service: LiveService, cbp: Issuer) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat")
    page = _verify(live_service, json.dumps(credential), lang="es")
    assert page.status_code == 200 and _verified(page) == "true"
    assert 'data-verdict="verified"' in page.text and 'data-tone="green"' in page.text
    assert "Ensambles Electrónicos del Bravo, S.A. de C.V." in page.text  # credentialSubject.member
    assert (
        "Fabricantes extranjeros" in page.text
        and ">Planta 1</strong> — " in page.text
        and "(Domicilio fiscal)" in page.text
    )
    assert 'data-field="dataVersion">v2<' in page.text
    tampered = dict(credential, validUntil="2099-01-01T00:00:00Z")
    page = _verify(live_service, json.dumps(tampered), lang="es")
    assert _verified(page) == "false" and "PROOF_VERIFICATION_ERROR" in page.text
    assert 'data-verdict="altered"' in page.text and 'data-tone="red"' in page.text


def test_each_check_is_recorded_in_the_audit_log_with_its_entry(
    live_service: LiveService, cbp: Issuer
) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat")
    audit, admin = "/admin/audit", live_service.admin
    before = live_service.http.get(audit, headers=admin).json()["head"]["sequence"]
    form = {"credential": json.dumps(credential), "entry": "  26 47  3807 6001234 "}
    page = live_service.http.post("/verify", data=form, files=NO_FILE)
    assert page.status_code == 200 and _verified(page) == "true"
    reference = re.search(r'id="reference" translate="no">(VR-[A-Z2-7-]+)<', page.text)
    assert reference is not None, page.text
    assert 'id="entry-number" translate="no">26 47 3807 6001234<' in page.text
    after = live_service.http.get(audit, headers=admin, params={"after": before}).json()
    recorded = [entry for entry in after["entries"] if entry["subject"] == reference.group(1)]
    assert len(recorded) == 1, after
    assert recorded[0]["action"] == "verification.recorded"
    assert recorded[0]["details"] | {"codes": []} == {
        "verdict": "verified",
        "verified": True,
        "credentialId": credential["id"],
        "credentialTypes": credential["type"],
        "issuer": cbp.did,
        "codes": [],
        "entryNumber": "26 47 3807 6001234",
    }
    for entry in ("<script>", "x" * 41):
        refused = live_service.http.post(
            "/verify", data={"credential": json.dumps(credential), "entry": entry}, files=NO_FILE
        )
        assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text, entry
        assert "&lt;script&gt;" in refused.text or "x" * 41 in refused.text
        assert _verified(refused) is None


def test_the_page_verifies_a_qr_link_a_jwt_and_a_file(
    live_service: LiveService, sat: Issuer
) -> None:
    token = issue_certificate(live_service, sat, "oea", securing_format="vc+jwt")
    link = verification_link(f"{live_service.url}/verify", token)
    for pasted in (link, link.split("#", 1)[1], token):
        assert _verified(_verify(live_service, pasted)) == "true", pasted[:60]
    file_page = live_service.http.post(
        "/verify", data={"credential": ""}, files={"upload": ("oea.jwt", token.encode())}
    )
    assert _verified(file_page) == "true"


def test_what_is_not_a_credential_is_said_so(live_service: LiveService) -> None:
    cases = {
        "": "Paste a certificate",
        "hello": "This is not a readable certificate",
        '{"a": 1, "a": 2}': "appears twice",
        f"{live_service.url}/verify#vc1=AAAA": "the link&#39;s credential payload",
    }
    for text, said in cases.items():
        page = _verify(live_service, text)
        assert page.status_code in (400, 422), text
        assert said in page.text and 'aria-invalid="true"' in page.text, text
        assert _verified(page) is None


def test_the_page_is_admitted_like_the_verify_endpoint(
    context_store_dir: Path, tmp_path: Path
) -> None:
    """A verifier requiring tokens says so on the page; a busy address is told to wait."""
    with serve(tmp_path / "token", None, context_store_dir, verify_requires_token=True) as live:
        page = _verify(live, "{}")
        assert page.status_code == 401 and "Authentication is required" in page.text
    with serve(tmp_path / "rate", None, context_store_dir, verify_rate_per_minute=6) as live:
        statuses = [_verify(live, "{}").status_code for _ in range(3)]
        assert statuses[0] == 200 and statuses[-1] == 429, statuses  # a burst of one
        refused = _verify(live, "{}")
        assert int(refused.headers["retry-after"]) >= 1 and "Too many requests" in refused.text


def test_the_page_is_not_part_of_the_api_document(tmp_path: Path) -> None:
    paths = create_app(Settings(data_dir=tmp_path, role="all")).openapi()["paths"]
    assert not [path for path in paths if path.startswith("/verify")]
    printable = paths["/print/credentials/{credential_id}"]["get"]["responses"]["200"]
    assert list(printable["content"]) == ["text/html"]
    assert (
        "text/html" in paths["/holder/print/{credential_id}"]["get"]["responses"]["200"]["content"]
    )


def test_each_role_serves_its_own_pages() -> None:
    assert pages.router in ROUTERS["verifier"] and pages.router in ROUTERS["all"]
    assert printing.issuer_router in ROUTERS["issuer"] and printing.issuer_router in ROUTERS["all"]
    assert printing.holder_router in ROUTERS["holder"] and printing.holder_router in ROUTERS["all"]
    assert pages.router not in ROUTERS["issuer"] + ROUTERS["holder"]
    assert printing.issuer_router not in ROUTERS["verifier"] + ROUTERS["holder"]


# ---------------------------------------------------------------- printable certificates


def test_the_issuer_prints_only_its_own_credentials(
    live_service: LiveService, sat: Issuer, cbp: Issuer
) -> None:
    credential = issue_certificate(live_service, sat, "immex")
    path = _issued_path(credential)
    assert_problem(_print(live_service, path, None), 401, "UNAUTHORIZED")
    assert_problem(_print(live_service, path, cbp.token), 404, "NOT_FOUND")
    page = _print(live_service, path, sat.token)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text and 'src="' not in page.text  # self-contained
    assert '<html lang="es">' in page.text and 'lang="en"' in page.text  # both languages
    assert "Certificado IMMEX" in page.text and "IMMEX certificate" in page.text
    assert '<svg viewBox="0 0 ' in page.text and "Escanee para verificar" in page.text


def test_the_holder_prints_only_what_it_keeps(live_service: LiveService, sat: Issuer) -> None:
    wallet = live_service.http.post(
        "/admin/holders",
        headers=live_service.admin,
        json={"name": live_service.unique_name("print-wallet")},
    ).json()
    credential = issue_certificate(live_service, sat, "oea", subject=wallet["did"])
    path = f"/holder/print/{quote(credential['id'], safe=':')}"
    assert_problem(_print(live_service, path, wallet["accessToken"]), 404, "NOT_FOUND")
    stored = live_service.http.post(
        "/holder/credentials",
        headers={"Authorization": f"Bearer {wallet['accessToken']}"},
        json={"verifiableCredential": credential},
    )
    assert stored.status_code == 201, stored.text
    assert_problem(_print(live_service, path, None), 401, "UNAUTHORIZED")
    page = _print(live_service, path, wallet["accessToken"])
    assert page.status_code == 200 and "Importador y/o exportador" in page.text
    assert wallet["did"] in page.text  # the holder is the member


@pytest.mark.parametrize("securing_format", FORMATS)
def test_every_certificate_fits_a_printable_qr_code(
    live_service: LiveService, sat: Issuer, cbp: Issuer, securing_format: str
) -> None:
    """Measured here on credentials as issued, with their status entries and proofs."""
    for slug, issuer_name in ISSUED_BY.items():
        issuer = sat if issuer_name == "sat" else cbp
        credential = issue_certificate(live_service, issuer, slug, securing_format=securing_format)
        link = verification_link(f"{live_service.url}/verify", credential)
        code = qr_code(link)
        assert code is not None and code.version <= MAX_PRINTED_VERSION, (slug, len(link))
        assert code.error == "Q", (slug, code.designator)
        decoded = decode_payload(payload_in(link) or "")
        assert (decoded if isinstance(credential, str) else json.loads(decoded)) == credential
        assert base64url_decode(payload_in(link) or "")[0] == 2 << 3 | 0b110  # dictionary 2
