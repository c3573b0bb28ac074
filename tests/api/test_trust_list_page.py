"""The broker's verify page names the trust list that made an issuer trusted, over real HTTP.

The registry and the broker of ``test_trust_lists.py``: an authority publishes a list
accrediting an office, the broker subscribes, and the page (no browser) says which list and
which version vouched, in the reader's language.
"""

from __future__ import annotations

import json
import re

from tests.api.conftest import LiveService
from tests.api.presenting import issue_certificate
from tests.api.test_trust_lists import _list_url, _operator, _subscribe, broker, clock, registry

__all__ = ["broker", "clock", "registry"]  # the fixtures of test_trust_lists.py, as they are

NO_FILE = {"upload": ("", b"", "application/octet-stream")}  # what a browser sends


def test_the_page_names_the_list_and_version_that_accredit_the_issuer(
    registry: LiveService, broker: LiveService
) -> None:
    office = registry.issuer("aduana-pagina", ["OEACertificate"], accredited=False)
    operator = _operator(registry, "sat", office)
    subscription = _subscribe(
        broker, _list_url(registry, operator), operator["did"], ["OEACertificate"], "SAT"
    )
    assert subscription["refresh"] == {"result": "accepted", "sequence": 1}
    credential = issue_certificate(registry, office, "oea")
    pages = {
        language: broker.http.post(
            "/verify",
            params={"lang": language},
            data={"credential": json.dumps(credential)},
            files=NO_FILE,
        )
        for language in ("es", "en")
    }
    for page in pages.values():
        assert page.status_code == 200 and 'data-verdict="verified"' in page.text, page.text
    name = re.escape(f'<span translate="no">{operator["displayName"]}</span>')
    spanish = rf"\(acreditado por la lista de confianza de {name}, versión 1, \d\d/\d\d/\d{{4}}\)"
    english = rf"\(accredited by {name}&#39;s trust list, version 1, \d+ \w{{3}} \d{{4}}\)"
    assert re.search(spanish, pages["es"].text), pages["es"].text
    assert re.search(english, pages["en"].text), pages["en"].text
