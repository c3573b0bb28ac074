"""`vcservice demo` runs issuer → holder → verifier over real HTTP, as three role processes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.postgres import NO_POSTGRES, POSTGRES_URL, fresh_postgres_database
from vcservice.cli.background import PIDS_FILE, _fresh_keep_directory
from vcservice.cli.demo_reading import labelled
from vcservice.cli.main import main
from vcservice.printing.qr import qr_code


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_database(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The demo's arguments for the database its three processes share; on SQLite it keeps
    its processes running afterwards (--keep), on PostgreSQL it stops them."""
    if request.param == "sqlite":
        yield ["--keep"]
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL, prefix="vcservice_demo") as url:
        yield ["--database-url", url]


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    """The demo's output directory; services it kept there are stopped at the end."""
    out = tmp_path / "out"
    yield out
    pids = out / "services" / "pids"
    for pid in pids.read_text().split() if pids.is_file() else ():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)


@pytest.mark.shared
@pytest.mark.slow
def test_demo_issues_each_type_and_verifies(
    context_store_dir: Path, out: Path, shared_database: list[str]
) -> None:
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    finished = subprocess.run(
        [sys.executable, "-m", "vcservice", "demo", "--out", str(out), *shared_database],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "All steps behaved as expected." in finished.stdout
    assert "403 FORBIDDEN" in finished.stdout
    # Who issues what: the Secretaría de Economía IMMEX, SAT OEA, CBP C-TPAT.
    expected = {
        "immex.json": ("IMMEXCertificate", ":issuers:economia", "Secretaría de Economía"),
        "oea.json": ("OEACertificate", ":issuers:sat", "Servicio de Administración Tributaria"),
        "ctpat.json": ("CTPATCertificate", ":issuers:cbp", "U.S. Customs and Border Protection"),
    }
    presentation = json.loads((out / "presentation.json").read_text())
    holder = presentation["holder"]
    for name, (credential_type, issuer, issuer_name) in expected.items():
        credential = json.loads((out / name).read_text())
        assert credential["type"] == ["VerifiableCredential", credential_type]
        assert credential["@context"][-1] == "https://w3id.org/vcservice/trade-certificates/v2"
        assert credential["issuer"]["id"].startswith("did:web:localhost%3A")
        assert credential["issuer"]["id"].endswith(issuer)
        assert credential["issuer"]["name"] == issuer_name
        assert credential["proof"]["proofValue"].startswith("z")
        # One company: its credentials join on the company node, the holder's DID its id.
        member = credential["credentialSubject"]["member"]
        assert "id" not in credential["credentialSubject"]
        assert (member["id"], member["rfc"], member["manufacturerId"]) == (
            holder,
            "EEB030821R49",
            "MXENSELE9850CIU",
        )
    assert (out / "ctpat.vc-jwt").read_text().count(".") == 2
    assert presentation["type"] == ["VerifiablePresentation"]
    assert holder.startswith("did:web:localhost%3A")
    assert ":holders:ensambles-bravo-" in holder
    assert presentation["proof"]["challenge"] and presentation["proof"]["domain"]
    [presented] = presentation["verifiableCredential"]
    assert "OEACertificate" in presented["type"]
    assert presented["credentialSubject"]["member"]["id"] == holder
    for role in ("issuer", "holder", "verifier"):
        assert f"   {role:8} http://localhost:" in finished.stdout
    for refusal in ("EXCHANGE_NOT_PENDING", "INVALID_CHALLENGE_ERROR", "ISSUER_NOT_TRUSTED"):
        assert refusal in finished.stdout
    # The issuance findings that do not refuse, and the data version in the registry.
    assert "issued with the warning RFC_CHECK_DIGIT" in finished.stdout
    assert "data v2" in finished.stdout
    _trust_list_act(finished.stdout)
    _openid_act(finished.stdout, out)
    # The workflows name what the MRA grants: the exchange itself reads the OEA's signed
    # mutual recognition, so it counts at CBP for the role its entry names, not for others.
    wanted = "OEACertificate recognized by AuthorityCBP for {} under MraUsMx2014"
    assert f"     {wanted.format('MraRoleManufacturerExporter')}\n" in finished.stdout
    assert f"     {wanted.format('MraRoleImporter')}\n" in finished.stdout
    assert (
        f"the exchange accepted a verified {wanted.format('MraRoleManufacturerExporter')} "
        "(mutualRecognition[0]: MraUsMx2014, recognizedBy AuthorityCBP" in finished.stdout
    )
    assert "as MraRoleManufacturerExporter: ACCEPTED by CBP" in finished.stdout
    import_exchange = finished.stdout.split("exchange of importacion-eua", 1)[1]
    assert "the broker reads the exchange: invalid" in import_exchange
    assert "verdict: NOT VERIFIED (REQUIRED_CREDENTIAL_MISSING)" in import_exchange
    assert (
        "its MraUsMx2014 entry recognizedBy AuthorityCBP covers MraRoleManufacturerExporter "
        "only, not MraRoleImporter" in import_exchange
    )
    if "--keep" in shared_database:
        _kept_services_answer(finished.stdout, out)
    else:
        # What it wrote verifies only while its issuer runs: its closing note says so.
        assert "the demo has stopped its services" in finished.stdout
        assert "DID_RESOLUTION_ERROR" in finished.stdout
        assert not (out / "services").exists()


def _trust_list_act(stdout: str) -> None:
    """SAT and CBP publish signed lists, the broker subscribes to both (no issuer accredited
    by hand); a verification names the list and version that vouched, as the broker's page
    does; SAT withdraws an accreditation and the next verification sees it, by the new
    version; SAT gives it back."""
    assert (
        "   SAT's list, version 2: economia for IMMEXCertificate; sat for OEACertificate\n"
        in stdout
    )
    assert "   CBP's list, version 1: cbp for CTPATCertificate\n" in stdout
    for operator, types, version in (
        ("sat", "IMMEXCertificate, OEACertificate", 2),
        ("cbp", "CTPATCertificate", 1),
    ):
        subscribed = (
            rf"\n     http://localhost:\d+/trust-lists/{operator}, signed by "
            rf"did:web:localhost%3A\d+:issuers:{operator}, for {types}: "
            rf"accepted version {version}\n"
        )
        assert re.search(subscribed, stdout), operator
    assert "/admin/trust-registry/issuers" not in stdout and "accredits sat" not in stdout
    act = stdout.split("== Who vouches for the IMMEXCertificate: the broker verifies it\n", 1)[1]
    said = (
        r"     \(acreditado por la lista de confianza del Servicio de Administración "
        r"Tributaria, versión {}, \d\d/\d\d/\d{{4}}\)\n"
        r"     \(accredited by Servicio de Administración Tributaria's trust list, "
        r"version {}, \d+ \w{{3}} \d{{4}}\)\n"
    )
    assert re.match(r"   VERIFIED; .*\n" + said.format(2, 2), act), act
    withdrawn = act.split("== SAT withdraws the accreditation of economia", 1)[1]
    assert (
        "   SAT's list is now version 3; the broker's verifier fetches it again: accepted "
        "version 3\n   the broker verifies it against version 3: NOT VERIFIED "
        "(ISSUER_NOT_TRUSTED): not accredited\n" in withdrawn
    )
    restored = withdrawn.split("== SAT accredits economia for IMMEXCertificate again\n", 1)[1]
    assert re.search(said.format(4, 4), restored), restored


def _openid_act(stdout: str, out: Path) -> None:
    """The last act, over OpenID4VCI and OpenID4VP: the officer's offer (link, transaction
    code, QR code), the wallet's receipt, the broker's DCQL request (link, QR code), only
    the company's name disclosed, and the broker's answer."""
    act = stdout.split("== The same over OpenID4VCI and OpenID4VP", 1)[1]
    offer = re.search(r"\n +(openid-credential-offer://\?credential_offer_uri=\S+)\n", act)
    request = re.search(r"\n +(openid4vp://\?client_id=decentralized_identifier\S+)\n", act)
    assert offer and request, act
    assert re.search(r"sent to the company by another channel: \d{6} \(single use", act)
    for link, name, title in (
        (offer[1], "openid4vci-offer.svg", "OpenID4VCI"),
        (request[1], "openid4vp-request.svg", "OpenID4VP"),
    ):
        drawn = qr_code(link, title=title)
        assert drawn is not None
        svg = (out / name).read_text()
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
        assert svg.endswith(drawn.svg.removeprefix("<svg "))  # the QR code of that link
    assert re.search(r"verified and kept as ni:///sha-256;\S+ \(dc\+sd-jwt, ", act)
    assert "   asked for: member.legalName, tier\n   disclosed: member.legalName\n" in act
    withheld = act.split("   withheld:  ", 1)[1].split("\n", 1)[0].split(", ")
    assert {"member.rfc", "member.location[]", "sviNumber", "ctpatAccountNumber"} <= set(withheld)
    assert "the verifier accepted it (HTTP 200)" in act
    assert "== The broker reads the answer: complete, verdict verified" in act
    assert '   tier: ["Validated"]\n' in act


def _kept_services_answer(stdout: str, out: Path) -> None:
    """After `demo --keep`: the verify page and the printed certificate it names work, the
    certificates it wrote verify there, and its stop command stops the three processes."""
    kept = stdout.split("== The services keep running (--keep)", 1)[1]
    verify_page = re.search(r"verify page: +(http://localhost:\d+/verify)\n", kept)
    print_url = re.search(r"\n +(http://localhost:\d+/holder/print/\S+)\n", kept)
    stop = re.search(r"stop them: +kill ((?:\d+ ?){3}) ", kept)
    assert verify_page and print_url and stop, kept
    page = httpx.get(verify_page[1])
    assert page.status_code == 200 and "<form" in page.text
    token = (out / "services" / "wallet-token").read_text().strip()
    assert (out / "services" / "wallet-token").stat().st_mode & 0o077 == 0
    printed = httpx.get(print_url[1], headers={"Authorization": f"Bearer {token}"})
    assert printed.status_code == 200 and printed.headers["content-type"].startswith("text/html")
    # The QR codes of printed certificates open the verifier's page, not the holder's.
    assert f'class="url">{verify_page[1]}<' in printed.text
    assert (out / "immex.html").read_text() == printed.text
    verifier = verify_page[1].removesuffix("/verify")
    for name in ("immex.json", "oea.json", "ctpat.json"):
        body = {"verifiableCredential": json.loads((out / name).read_text())}
        verified = httpx.post(f"{verifier}/credentials/verify", json=body)
        assert verified.status_code == 200 and verified.json()["verified"] is True, name

    pids = [int(pid) for pid in stop[1].split()]
    assert (out / "services" / "pids").read_text().split() == stop[1].split()
    subprocess.run(["kill", *map(str, pids)], check=True)  # the command it printed
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in pids)
    with pytest.raises(httpx.TransportError):
        httpx.get(verify_page[1])


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie has exited: its parent is gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_keep_is_for_the_services_the_demo_starts(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["demo", "--keep", "--url", "http://localhost:9", "--admin-token", "t"]
    with pytest.raises(SystemExit, match="--keep keeps the services the demo starts"):
        main(arguments)


def test_a_kept_directory_in_use_is_not_reused(tmp_path: Path) -> None:
    kept = tmp_path / "services"
    kept.mkdir()
    (kept / PIDS_FILE).write_text(f"{os.getpid()}\n")  # a live process of ours
    (kept / "vcservice.db").write_text("")
    with pytest.raises(SystemExit, match=f"stop them first \\(kill {os.getpid()}\\)"):
        _fresh_keep_directory(kept)
    assert (kept / "vcservice.db").exists()
    (kept / PIDS_FILE).write_text("999999999\n")  # gone
    assert _fresh_keep_directory(kept) == kept.resolve()
    assert list(kept.iterdir()) == []


def test_coded_values_show_their_labels() -> None:
    assert labelled("ImmexIndustrial") == "ImmexIndustrial (Industrial)"
    assert labelled("MraRoleImporter") == "MraRoleImporter (Importer / Importador)"
    assert (
        labelled("Validated", notation_of="CtpatTier")
        == "Validated (Validated (Tier 2) / Validado)"
    )
    assert labelled("NotATerm") == "NotATerm"


def test_without_contexts_the_demo_stops_at_once_saying_how_to_install_them(
    tmp_path: Path,
) -> None:
    """Its first process answers /readyz 503: the demo stops there, not at a 422 later."""
    store, out = tmp_path / "empty-store", tmp_path / "out"
    finished = subprocess.run(
        [sys.executable, "-m", "vcservice", "--context-store", store, "demo", "--out", out],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode != 0
    assert "/readyz answers 503 NOT_READY: not ready: contexts:" in finished.stderr
    assert f"vcservice --context-store {store} contexts install" in finished.stderr
    assert "issuer" not in finished.stdout.split("sharing", 1)[1]  # no role came up
