"""The demo's trust lists: SAT and CBP publish whom they accredit; the broker subscribes.

No issuer is accredited by hand. SAT's signed list accredits the Secretaría de Economía for
IMMEX and SAT itself for OEA; CBP's accredits CBP for C-TPAT; the broker's verifier
subscribes to both, trusting each for those types only (``TrustLists.set_up``). The act
(``TrustLists.withdrawal``): a verification names the list and version that vouched, in
the words of the broker's page; SAT withdraws the Secretaría de Economía's accreditation
and the broker's next verification finds the IMMEX certificate not accredited, by the new
version of the list; SAT accredits it again, and it verifies again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from vcservice.cli.demo_openid import expect
from vcservice.cli.demo_reading import problem_codes
from vcservice.model.checks import TrustBasis
from vcservice.model.datetimes import parse_datetime
from vcservice.web.provenance import accredited_note, plain, provenances

__all__ = ["LISTS", "TrustLists"]

# Each list's operator, and the authorities (by name) it accredits for which types.
LISTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sat": {"economia": ("IMMEXCertificate",), "sat": ("OEACertificate",)},
    "cbp": {"cbp": ("CTPATCertificate",)},
}
WITHDRAWN = ("sat", "economia", "IMMEXCertificate")  # the operator, the issuer, the type


@dataclass
class TrustLists:
    """The issuer's and verifier's admin clients, the authorities' DIDs and names, and how
    the broker verifies."""

    issuer: httpx.Client
    issuer_admin: Mapping[str, str]
    verifier: httpx.Client
    verifier_admin: Mapping[str, str]
    dids: Mapping[str, str]
    names: Mapping[str, str]
    verify: Callable[[Any], dict[str, Any]]
    say: Callable[[str], None]

    def set_up(self) -> bool:
        """Each operator publishes its list; the verifier subscribes to each (True when
        every first fetch was accepted)."""
        self.say("\n== Trust lists: SAT and CBP each publish, signed, whom they accredit")
        for operator, accredited in LISTS.items():
            versions = [self._accredit(operator, name, types) for name, types in accredited.items()]
            said = "; ".join(f"{name} for {', '.join(types)}" for name, types in accredited.items())
            self.say(f"   {operator.upper()}'s list, version {versions[-1]}: {said}")
        self.say("   the broker's verifier subscribes to both (it accredits no issuer by hand):")
        return all(self._subscribe(operator) for operator in LISTS)

    def withdrawal(self, credential: Any) -> bool:
        """The act: which list vouched; a withdrawal seen at the next verification; and
        the accreditation given back."""
        operator, issuer, credential_type = WITHDRAWN
        self.say(f"\n== Who vouches for the {credential_type}: the broker verifies it")
        before = self._verified_by(credential)
        self.say(
            f"\n== {operator.upper()} withdraws the accreditation of {issuer} "
            f"({self.names[issuer]}) for {credential_type} from its list"
        )
        for entry in self._entries(operator, issuer, credential_type):
            path = f"/admin/authorities/{operator}/trust-list/entries/{entry['entryId']}"
            expect(self.issuer.delete(path, headers=self.issuer_admin), 200)
        withdrawn = self._refreshed(operator)
        result = self.verify(credential)
        refused = problem_codes(result) == {"ISSUER_NOT_TRUSTED"}
        self.say(
            f"   the broker verifies it against version {withdrawn}: "
            + ("NOT VERIFIED (ISSUER_NOT_TRUSTED): not accredited" if refused else "VERIFIED")
        )
        self.say(f"\n== {operator.upper()} accredits {issuer} for {credential_type} again")
        self._accredit(operator, issuer, (credential_type,))
        restored = self._refreshed(operator)
        after = self._verified_by(credential)
        return before is not None and refused and withdrawn > before and after == restored

    def _verified_by(self, credential: Any) -> int | None:
        """Verify ``credential``, saying what the broker's page says of its issuer; the
        version of the list that vouched (None if it did not verify)."""
        result = self.verify(credential)
        if not result["verified"]:
            self.say(f"   NOT VERIFIED ({', '.join(sorted(problem_codes(result)))})")
            return None
        trust = next(check for check in result["checks"] if check["check"] == "issuerTrust")
        bases = [_basis(item) for item in trust.get("trustedBy", ())]
        self.say("   VERIFIED; beside the issuer's name, the broker's page says:")
        for language in ("es", "en"):
            self.say(f"     ({plain(accredited_note(provenances(bases), language))})")
        return next((basis.sequence for basis in bases if basis.sequence is not None), None)

    def _accredit(self, operator: str, name: str, types: tuple[str, ...]) -> int:
        """Accredit ``name`` in ``operator``'s list; the version that says so."""
        body = {"id": self.dids[name], "name": self.names[name], "credentialTypes": list(types)}
        path = f"/admin/authorities/{operator}/trust-list/entries"
        added = expect(self.issuer.post(path, json=body, headers=self.issuer_admin), 201)
        return int(added.json()["version"]["sequence"])

    def _entries(self, operator: str, name: str, credential_type: str) -> list[dict[str, Any]]:
        """The entries of ``operator``'s list accrediting ``name`` for ``credential_type``
        (more than one after reruns against the same service)."""
        return [
            entry
            for entry in self._listing(operator)["entries"]
            if entry["id"] == self.dids[name] and credential_type in entry["credentialTypes"]
        ]

    def _listing(self, operator: str) -> dict[str, Any]:
        path = f"/admin/authorities/{operator}/trust-list/entries"
        listing: dict[str, Any] = expect(
            self.issuer.get(path, headers=self.issuer_admin), 200
        ).json()
        return listing

    def _subscribe(self, operator: str) -> bool:
        """Subscribe to ``operator``'s list (or refresh the subscription a rerun finds)."""
        url = self._listing(operator)["url"]
        types = sorted({kind for kinds in LISTS[operator].values() for kind in kinds})
        body = {
            "url": url,
            "expectedSigner": self.dids[operator],
            "credentialTypes": types,
            "label": operator.upper(),
        }
        created = self.verifier.post(
            "/admin/trust-lists/subscriptions", json=body, headers=self.verifier_admin
        )
        if created.status_code == 409:
            outcome = self._refresh(self._subscription(url))
        else:
            outcome = expect(created, 201).json()["refresh"]
        self.say(
            f"     {url}, signed by {self.dids[operator]}, for {', '.join(types)}: "
            f"{outcome['result']} version {outcome['sequence']}"
        )
        return outcome["result"] in ("accepted", "unchanged")

    def _refreshed(self, operator: str) -> int:
        """The version of ``operator``'s list the broker's verifier holds once it fetched
        the list again (as it does on its own every few minutes)."""
        listing = self._listing(operator)
        published = listing["version"]["sequence"]
        outcome = self._refresh(self._subscription(listing["url"]))
        self.say(
            f"   {operator.upper()}'s list is now version {published}; the broker's verifier "
            f"fetches it again: {outcome['result']} version {outcome['sequence']}"
        )
        return int(outcome["sequence"])

    def _subscription(self, url: str) -> str:
        held = self.verifier.get("/admin/trust-lists/subscriptions", headers=self.verifier_admin)
        return str(next(item["id"] for item in expect(held, 200).json() if item["url"] == url))

    def _refresh(self, subscription_id: str) -> dict[str, Any]:
        path = f"/admin/trust-lists/subscriptions/{subscription_id}/refresh"
        outcome: dict[str, Any] = expect(
            self.verifier.post(path, headers=self.verifier_admin), 200
        ).json()
        return outcome


def _basis(item: Mapping[str, Any]) -> TrustBasis:
    """A ``trustedBy`` member of a verification result, read back."""
    issued = item.get("issued")
    return TrustBasis(
        source=str(item["source"]),
        name=str(item["name"]),
        credential_types=tuple(item.get("credentialTypes", ())),
        list_url=item.get("url"),
        operator=item.get("operator"),
        operator_name=item.get("operatorName"),
        sequence=item.get("sequence"),
        issued=None if issued is None else parse_datetime(issued, field="issued"),
    )
