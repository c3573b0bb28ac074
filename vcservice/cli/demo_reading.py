"""What the demo's broker reads from a verified certificate: the company keys and the MRA.

Only a credential whose verification result says ``verified`` is read here, so every
member read is covered by its issuer's proof.

* ``company_keys`` (the certificates package's own) gives the identifiers that join one
  company's IMMEX, OEA and C-TPAT credentials, all read at ``credentialSubject.member``.
* Whether a credential counts under a mutual recognition arrangement is the exchange's own
  policy check (``vcservice.verification.policy``: ``recognition`` and the workflow's
  ``acceptedRecognitions``); here ``describe_entry`` only shows the signed entries it read,
  with the labels of their coded values.
* ``problem_codes`` gathers the codes of a verification result, its credentials' included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vcservice.printing.labels import notation_label, vocabulary_labels

VOCABULARY = "https://w3id.org/vcservice/trade-certificates#"


def describe_entry(entry: Mapping[str, Any]) -> str:
    """One ``mutualRecognition`` entry on a line, its coded values with their labels."""
    roles = ", ".join(labelled(role) for role in _strings(entry.get("recognizedRole")))
    account = entry.get("counterpartAccountNumber")
    return (
        f"arrangement {entry.get('arrangement')}, recognizedBy {entry.get('recognizedBy')}, "
        f"counterpartProgram {entry.get('counterpartProgram')}"
        + (f" (account {account})" if isinstance(account, str) else "")
        + f", recognizedRole {roles}"
    )


def labelled(term: str, *, notation_of: str | None = None) -> str:
    """``term`` with its English / Spanish labels from the project vocabulary, if it has them.

    A coded value of version 2 is a term of the project context (``ImmexIndustrial``); an
    upstream traceability string (a C-TPAT tier) is the ``skos:notation`` of an individual
    of the class ``notation_of`` (``CtpatTier``).
    """
    if notation_of is None:
        text = vocabulary_labels().get(VOCABULARY + term)
    else:
        text = notation_label(term, VOCABULARY + notation_of)
    if text is None:
        return term
    return f"{term} ({text.en} / {text.es})" if text.en != text.es else f"{term} ({text.en})"


def member_of(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    """The company node of a version 2 certificate (empty if there is none)."""
    subject = credential.get("credentialSubject")
    member = subject.get("member") if isinstance(subject, Mapping) else None
    return member if isinstance(member, Mapping) else {}


def problem_codes(result: Mapping[str, Any]) -> set[str]:
    """Every problem code of a verification result, its credentials' included."""
    codes = {problem["code"] for problem in result.get("problemDetails", [])}
    for nested in result.get("credentialResults", []):
        codes |= problem_codes(nested)
    return codes


def _strings(value: Any) -> Sequence[str]:
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]
