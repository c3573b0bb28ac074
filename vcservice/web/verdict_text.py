"""A verification result as plain text, in the reader's language, for a terminal.

The same verdict and words as the verify page (``result``, ``verdicts``): a first line a
broker can act on, then one line per check. Codes stay as they are, for searching.
"""

from __future__ import annotations

from collections.abc import Callable

from vcservice.printing.labels import Text
from vcservice.verification.result import VerificationResult
from vcservice.web.i18n import STRINGS
from vcservice.web.provenance import plain
from vcservice.web.result import ResultView, result_view
from vcservice.web.verdicts import OUTCOMES

__all__ = ["check_lines", "verdict_line"]

MARKS = {"green": "✓", "amber": "!", "red": "✗"}
OUTCOME_MARKS = {"passed": "✓", "failed": "✗", "skipped": "–"}


def verdict_line(
    result: VerificationResult,
    language: str,
    *,
    registry_name: Callable[[str], str | None] = lambda _issuer: None,
) -> str:
    """One line: the verdict and, when the signature covers them, what and whose it is."""
    view = result_view(result, registry_name=registry_name)
    parts = [f"{MARKS[view.tone]} {view.words.heading.in_language(language)}"]
    parts.extend(_notices(view, language))
    if view.uncheckable_what is not None:
        parts.append(view.uncheckable_what.in_language(language))
    elif view.specific_reason is not None:
        parts.append(view.specific_reason.title.in_language(language))
    parts.extend(_identity(view, language))
    return " · ".join(parts)


def check_lines(result: VerificationResult, language: str) -> list[str]:
    """One line per check: its mark, name, outcome, and what it established or why it failed."""
    lines = []
    for row in result_view(result, registry_name=lambda _issuer: None).checks:
        said = [reason.title.in_language(language) + f" ({reason.code})" for reason in row.reasons]
        established = plain(row.said(language))
        if established:
            said.insert(0, established)
        outcome = OUTCOMES[row.outcome].in_language(language)
        lines.append(
            f"{OUTCOME_MARKS[row.outcome]} {row.label.in_language(language)}: {outcome}"
            + (f" — {' '.join(said)}" if said else "")
        )
    return lines


def _notices(view: ResultView, language: str) -> list[str]:
    notice = STRINGS["notice"].in_language(language)
    return [
        f"{notice}: {item.message_es if language == 'es' and item.message_es else item.message}"
        for item in view.notices
    ]


def _identity(view: ResultView, language: str) -> list[str]:
    """The certificate's program, company and identifiers, and its end of validity."""
    certificate = view.certificate
    if not view.confirmed or certificate is None:
        return []
    parts = [certificate.title.in_language(language)]
    if certificate.company:
        parts.append(certificate.company)
    parts.extend(
        f"{field.label.in_language(language)} {field.value.in_language(language)}"
        for field in view.identifiers[:2]
    )
    until = view.validity_end
    if until:
        shown = until.in_language(language) if isinstance(until, Text) else until
        parts.append(f"{STRINGS['valid_until'].in_language(language)} {shown}")
    return parts
