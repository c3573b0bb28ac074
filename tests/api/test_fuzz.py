"""Schemathesis fuzzing of the service's own OpenAPI over real HTTP, with real credentials.

A live service (SQLite, rate limits and anonymous quotas out of the way) is seeded first —
an authority and its client, a broker's verifier client, a holder with two stored
credentials, workflows with an open exchange, a trust registry entry — so that generated
requests reach real code: each operation gets the token it needs (admin, the issuer's
client, the broker's to start exchanges, the holder) and, in some of its cases, path
parameters or body members naming real resources (certificate data that validates, a credential that
verifies). Every case, valid data (positive) or invalid data (negative), must answer
without a server error, with a documented status code, content type, headers and body
schema; invalid data must be refused; problems must be ``application/problem+json`` with
a ``code``; no response may carry secret key material.

``VCSERVICE_FUZZ_EXAMPLES`` bounds the cases per operation and mode (default 14, which
gives some 1 800 cases in all; ``VCSERVICE_FUZZ_MIN_CASES``, default 1 700, is asserted);
``VCSERVICE_FUZZ_SEED`` picks the generation seed (default fixed, so CI is reproducible;
``random`` for a fresh one). A long run: ``VCSERVICE_FUZZ_EXAMPLES=500
VCSERVICE_FUZZ_SEED=random pytest -o timeout=3000 -s tests/api/test_fuzz.py``.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.builders import (
    CBP_TYPES,
    SAT_TYPES,
    SLUGS,
    certificate_body,
    example,
    moment,
    unsigned_credential,
)
from tests.api.conftest import PROBLEM_JSON, SECRET_MARKERS, LiveService, serve

pytestmark = [pytest.mark.slow, pytest.mark.fuzz, pytest.mark.shared]

EXAMPLES = int(os.environ.get("VCSERVICE_FUZZ_EXAMPLES", "14"))
SEED = os.environ.get("VCSERVICE_FUZZ_SEED", "20261128")
MIN_CASES = int(os.environ.get("VCSERVICE_FUZZ_MIN_CASES", "1700"))
REQUEST_TIMEOUT = 30.0
ISSUER_SCOPES = ["issue:credentials", "read:credentials", "update:credentials"]
DOMAIN = "aduana-nuevo-laredo.example"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# Invalid data must be refused with one of these (413 too: a generated string longer than
# its maxLength can be longer than the body cap, which answers first).
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 409, 413, 415, 422, 429]
            }
        }
    }
)


@dataclass
class Seeded:
    """The real resources of the fuzzed service and the credentials to reach them."""

    live: LiveService
    issuer_headers: dict[str, str]
    verifier_headers: dict[str, str]
    holder_headers: dict[str, str]
    client_auth: tuple[str, str]
    path_parameters: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    body_members: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def headers_for(self, method: str, path: str) -> dict[str, str]:
        """The Authorization an operation needs (none for open and public ones)."""
        if path.startswith(("/admin/", "/workflows")) and "/exchanges" not in path:
            return self.live.admin
        if method == "POST" and path == "/workflows/{workflow_id}/exchanges":
            return self.verifier_headers
        if path.startswith(("/holder/", "/presentations/prove")):
            return self.holder_headers
        if path.startswith(("/credentials/issue", "/certificates/", "/credentials/status")) or (
            method == "GET" and path.startswith(("/credentials", "/print/credentials"))
        ):
            return self.issuer_headers
        return {}


@pytest.fixture(scope="module")
def fuzzed(context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The service on SQLite with every rate limit off and room for every anonymous challenge,
    seeded with real resources."""
    with serve(
        tmp_path_factory.mktemp("fuzz"),
        None,
        context_store_dir,
        verify_rate_per_minute=0,
        token_rate_per_minute=0,
        issue_rate_per_minute=0,
        anonymous_open_quota=10_000,
    ) as live:
        yield _seed(live)


def _seed(live: LiveService) -> Seeded:
    admin, http = live.admin, live.http
    sat = live.issuer("fuzz-sat", SAT_TYPES + CBP_TYPES, scopes=tuple(ISSUER_SCOPES))
    broker = live.verifier_client("fuzz-broker")
    doomed_client_id = live.create_client(sat.name, ["read:credentials"])[0]

    def holder(name: str) -> dict[str, Any]:
        response = http.post(
            "/admin/holders", headers=admin, json={"name": name, "didMethod": "web"}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    wallet, rotated, doomed = holder("fuzz-wallet"), holder("fuzz-rotated"), holder("fuzz-doomed")
    wallet_headers = {"Authorization": f"Bearer {wallet['accessToken']}"}
    stored = []
    for slug in ("immex", "immex"):
        body = certificate_body(slug)
        body["certificate"]["member"]["id"] = wallet["did"]
        issued = http.post(f"/certificates/{slug}", headers=sat.headers, json=body)
        assert issued.status_code == 201, issued.text
        credential = issued.json()["verifiableCredential"]
        kept = http.post(
            "/holder/credentials", headers=wallet_headers, json={"verifiableCredential": credential}
        )
        assert kept.status_code == 201, kept.text
        stored.append(credential)
    kept_id, deletable_id = stored[0]["id"], stored[1]["id"]

    def workflow(workflow_id: str) -> None:
        body = {
            "id": workflow_id,
            "name": workflow_id,
            "acceptedCredentialTypes": ["IMMEXCertificate"],
            "domain": DOMAIN,
        }
        response = http.post("/workflows", headers=admin, json=body)
        assert response.status_code == 201, response.text

    workflow("fuzz-workflow")
    workflow("fuzz-doomed-workflow")
    exchange = http.post("/workflows/fuzz-workflow/exchanges", headers=broker.headers)
    assert exchange.status_code == 201, exchange.text
    entry = live.accredit("did:web:doomed.example", ["OEACertificate"], name="doomed")
    listed = _seeded_trust_list(live, sat.name)
    challenge = http.post("/challenges", json={"domain": DOMAIN})
    assert challenge.status_code == 201, challenge.text

    authority = {"name": sat.name}
    return Seeded(
        live=live,
        issuer_headers=sat.headers,
        verifier_headers=broker.headers,
        holder_headers=wallet_headers,
        client_auth=(sat.client_id, sat.client_secret),
        path_parameters={
            ("GET", "/admin/authorities/{name}"): authority,
            ("POST", "/admin/authorities/{name}/keys/rotate"): authority,
            ("POST", "/admin/authorities/{name}/clients"): authority,
            ("GET", "/admin/authorities/{name}/clients"): authority,
            ("DELETE", "/admin/clients/{client_id}"): {"client_id": doomed_client_id},
            ("GET", "/admin/holders/{name}"): {"name": wallet["name"]},
            ("POST", "/admin/holders/{name}/token"): {"name": rotated["name"]},
            ("DELETE", "/admin/holders/{name}"): {"name": doomed["name"]},
            ("GET", "/holders/{name}/did.json"): {"name": wallet["name"]},
            ("GET", "/issuers/{name}/did.json"): authority,
            ("GET", "/status-lists/{authority}"): {"authority": sat.name},
            ("GET", "/status-lists/{authority}/{purpose}/{sequence}"): {
                "authority": sat.name,
                "purpose": "revocation",
                "sequence": 1,
            },
            ("GET", "/credentials/{credential_id}"): {"credential_id": kept_id},
            ("GET", "/print/credentials/{credential_id}"): {"credential_id": kept_id},
            ("GET", "/holder/print/{credential_id}"): {"credential_id": kept_id},
            ("DELETE", "/holder/credentials/{credential_id}"): {"credential_id": deletable_id},
            ("GET", "/workflows/{workflow_id}"): {"workflow_id": "fuzz-workflow"},
            ("DELETE", "/workflows/{workflow_id}"): {"workflow_id": "fuzz-doomed-workflow"},
            ("POST", "/workflows/{workflow_id}/exchanges"): {"workflow_id": "fuzz-workflow"},
            ("GET", "/workflows/{workflow_id}/exchanges/{exchange_id}"): {
                "workflow_id": "fuzz-workflow",
                "exchange_id": exchange.json()["id"],
            },
            ("POST", "/workflows/{workflow_id}/exchanges/{exchange_id}"): {
                "workflow_id": "fuzz-workflow",
                "exchange_id": exchange.json()["id"],
            },
            ("DELETE", "/admin/trust-registry/issuers/{entry_id}"): {"entry_id": entry["entryId"]},
            ("GET", "/trust-lists/{authority}"): {"authority": sat.name},
            ("GET", "/trust-lists/{authority}/{sequence}"): {"authority": sat.name, "sequence": 1},
            ("GET", "/admin/authorities/{name}/trust-list/entries"): authority,
            ("POST", "/admin/authorities/{name}/trust-list/entries"): authority,
            ("POST", "/admin/authorities/{name}/trust-list/next-key"): authority,
            ("DELETE", "/admin/authorities/{name}/trust-list/entries/{entry_id}"): {
                "name": sat.name,
                "entry_id": listed["entryId"],
            },
            ("POST", "/admin/trust-lists/subscriptions/{subscription_id}/refresh"): {
                "subscription_id": listed["subscription"]
            },
            ("DELETE", "/admin/trust-lists/subscriptions/{subscription_id}"): {
                "subscription_id": listed["doomedSubscription"]
            },
            ("GET", "/contexts/{path}"): {"path": "trade-certificates/v2"},
            ("GET", "/schemas/{slug}-{version}.json"): {"slug": "immex", "version": "v2"},
        },
        body_members={
            **{
                ("POST", f"/certificates/{slug}"): {
                    "certificate": example(slug),
                    "validUntil": moment(365),
                }
                for slug in SLUGS
            },
            ("POST", "/credentials/issue"): {"credential": unsigned_credential("oea", sat.did)},
            ("POST", "/credentials/status"): {"credentialId": kept_id},
            ("POST", "/presentations/prove"): {"credentialIds": [kept_id], "domain": DOMAIN},
            ("POST", "/credentials/verify"): {"verifiableCredential": stored[0]},
            ("POST", "/credentials/verify/batch"): {"verifiableCredentials": stored},
            ("POST", "/holder/credentials"): {"verifiableCredential": stored[0]},
            ("POST", "/presentations/verify"): {
                "options": {"challenge": challenge.json()["challenge"], "domain": DOMAIN}
            },
        },
    )


# ---------------------------------------------------------------- checks


def problem_is_coded(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Every 4xx and 5xx is ``application/problem+json`` with a ``code``; no key material
    (a marker the request itself carried, say in a name echoed by a 404, is no leak)."""
    text = response.text or ""
    body = response.request.body or b""
    sent = unquote(str(response.request.url)) + (
        body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    )
    for marker in SECRET_MARKERS:
        assert marker not in text or marker in sent, f"the response carries {marker!r}"
    if response.status_code < 400:
        return
    content_type = response.headers.get("content-type", [""])[0]
    if case.operation.definition.raw.get("x-oauth-errors") and content_type == "application/json":
        assert isinstance(response.json().get("error"), str), response.text  # OAuth 2.0 error
        return
    assert content_type.startswith(PROBLEM_JSON), f"a {response.status_code} as {content_type}"
    problem = response.json()
    assert isinstance(problem, dict) and isinstance(problem.get("code"), str), problem
    assert problem["status"] == response.status_code, problem


# ---------------------------------------------------------------- the run


@dataclass
class Tally:
    """Cases run per operation and mode, and the failures found."""

    cases: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.cases.values())


def _order(operation: schemathesis.APIOperation) -> tuple[int, str]:
    """Deletions last, so that the seeded resources live through the rest."""
    return (operation.method.upper() == "DELETE", operation.label)


def test_the_openapi_holds_for_generated_requests(
    fuzzed: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    live = fuzzed.live
    schema = schemathesis.openapi.from_url(
        f"{live.url}/openapi.json", config=CONFIG, timeout=REQUEST_TIMEOUT
    )
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) >= 40, [operation.label for operation in operations]
    seed = random.getrandbits(32) if SEED == "random" else int(SEED)
    tally = Tally()
    started = time.monotonic()
    with requests.Session() as session:
        for operation in operations:
            for mode in (
                schemathesis.GenerationMode.POSITIVE,
                schemathesis.GenerationMode.NEGATIVE,
            ):
                _fuzz(operation, mode, fuzzed, session, seed, tally)
    elapsed = time.monotonic() - started
    summary = (
        f"schemathesis {schemathesis.__version__}: {tally.total} cases over "
        f"{len(operations)} operations in {elapsed:.0f} s (seed {seed}, "
        f"{EXAMPLES} per operation and mode), {len(tally.failures)} failing"
    )
    with capsys.disabled():  # the figure shows in every run, CI's too
        print(f"\n{summary}")
    for label, count in sorted(tally.cases.items()):  # shown with -s, or on failure
        answers = ", ".join(f"{n}×{status}" for status, n in sorted(tally.statuses[label].items()))
        print(f"  {count:5d}  {label}  {answers}")
    assert not tally.failures, summary + "\n\n" + "\n\n".join(tally.failures)
    assert tally.total >= MIN_CASES, summary


def _fuzz(
    operation: schemathesis.APIOperation,
    mode: schemathesis.GenerationMode,
    seeded: Seeded,
    session: requests.Session,
    seed: int,
    tally: Tally,
) -> None:
    key = (operation.method.upper(), operation.path)
    label = f"{operation.label} [{mode.value}]"
    headers = seeded.headers_for(*key)
    strategies = [operation.as_strategy(generation_mode=mode)]
    if key in seeded.path_parameters:
        strategies.append(
            operation.as_strategy(generation_mode=mode, path_parameters=seeded.path_parameters[key])
        )
    strategy = st.one_of(strategies)
    members = seeded.body_members.get(key)
    if members and mode is schemathesis.GenerationMode.POSITIVE:
        strategy = st.one_of(strategy, strategy.map(_with_members(members)))
    tally.cases[label], tally.statuses[label] = 0, Counter()

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        tally.cases[label] += 1
        kwargs: dict[str, Any] = {"timeout": REQUEST_TIMEOUT, "session": session}
        if operation.path == "/oauth/token":
            kwargs["auth"] = seeded.client_auth
        response = case.call(base_url=seeded.live.url, headers=headers, **kwargs)
        tally.statuses[label][_outcome(response)] += 1
        case.validate_response(
            response,
            checks=CHECKS,
            additional_checks=[problem_is_coded],
            headers=headers,
            transport_kwargs={"base_url": seeded.live.url, **kwargs},
        )

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing negative to generate (no parameters, no body)
    except (Exception, BaseExceptionGroup) as exc:  # collected, all reported together
        tally.failures.append(f"{label}: {type(exc).__name__}: {exc}")


def _outcome(response: schemathesis.Response) -> str:
    """``201``, or ``422 MALFORMED_VALUE_ERROR`` for a problem."""
    if response.status_code < 400:
        return str(response.status_code)
    try:
        return f"{response.status_code} {response.json().get('code')}"
    except ValueError:
        return str(response.status_code)


def _with_members(members: dict[str, Any]) -> Callable[[Any], Any]:
    def substitute(case: Any) -> Any:
        if isinstance(case.body, dict):
            case.body = case.body | members
        return case

    return substitute


def _seeded_trust_list(live: LiveService, authority: str) -> dict[str, str]:
    """An entry in ``authority``'s trust list, and two subscriptions (one to delete): to the
    service's own list, whose fetch the guarded client refuses here (plain http, loopback)."""
    admin, http = live.admin, live.http
    listed = {"id": "did:web:listed.example", "name": "x", "credentialTypes": ["OEACertificate"]}
    entry = http.post(
        f"/admin/authorities/{authority}/trust-list/entries", headers=admin, json=listed
    )
    assert entry.status_code == 201, entry.text
    subscriptions = []
    for path in ("", "/1"):
        body = {
            "url": f"{live.url}/trust-lists/{authority}{path}",
            "expectedSigner": "did:web:listed.example",
            "credentialTypes": ["OEACertificate"],
            "label": f"fuzz{path}",
        }
        subscribed = http.post("/admin/trust-lists/subscriptions", headers=admin, json=body)
        assert subscribed.status_code == 201, subscribed.text
        subscriptions.append(subscribed.json()["id"])
    return {
        "entryId": entry.json()["entryId"],
        "subscription": subscriptions[0],
        "doomedSubscription": subscriptions[1],
    }
