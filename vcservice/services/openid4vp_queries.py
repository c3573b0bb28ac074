"""DCQL queries from the verifier's workflows, and the type identifiers they ask for.

A workflow accepts some certificate types as they are and others only under a mutual
recognition; its query asks for any one of them, each in every format this verifier
checks (one Credential Query each, all options of one Credential Set Query). A W3C
credential is asked for by its fully expanded type IRI (``type_values``, OpenID4VP 1.0
Appendix B.1.1, expanded here by the verifier's own JSON-LD processor and pinned contexts),
an SD-JWT VC by its ``vct`` (``<issuing service>/vct/<slug>``: this service's, and each
service whose did:web issuers the trust registry accredits for the type). Each asks for the
company's name and the programme's number or standing; a recognition adds its entry's
authority, role and arrangement as values, a hint for the wallet's choice only (§6.4.1): the
workflow's policy checks the entry itself once the credential verified.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from vcservice.certificates.base import CONTEXTS_V2
from vcservice.clock import Clock
from vcservice.dids.methods.web import did_web_document_url
from vcservice.errors import ParsingError, VcError
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.model import credential as vcdm
from vcservice.model.records import RecognitionPolicy, Workflow
from vcservice.oid4vp.dcql import (
    SD_JWT_VC,
    Alternative,
    ClaimsQuery,
    DcqlQuery,
    PathComponent,
    query_for_alternatives,
)
from vcservice.sdjwt.trade_certificates import SLUGS, vct_url
from vcservice.services.core import Core
from vcservice.services.trust import TrustRegistryService, as_accreditation

__all__ = ["CLAIMS", "TypeExpander", "WorkflowQueries", "sd_jwt_vct_values"]

SUBJECT = "credentialSubject"
RECOGNITION = "mutualRecognition"
CLAIMS: Mapping[str, tuple[tuple[PathComponent, ...], ...]] = {
    "IMMEXCertificate": (("member", "legalName"), ("immexProgramNumber",)),
    "OEACertificate": (("member", "legalName"), ("oeaRegistrationNumber",)),
    "CTPATCertificate": (("member", "legalName"), ("tier",)),
}
"""The claims of each certificate a workflow's query asks for, as an SD-JWT VC names them
(a W3C credential's are under ``credentialSubject``). A W3C credential discloses all of
itself anyway: these make the wallet pick one that has them, and tell the verifier where
to read them."""
_PROBE_ID = "urn:vcservice:type-probe"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_MALFORMED = "MALFORMED_VALUE_ERROR"

VctValues = Callable[[str], tuple[str, ...]]


class TypeExpander:
    """The fully expanded type IRIs of credentials, through the verifier's own JSON-LD
    processor and pinned contexts; remembered."""

    def __init__(self, processor: SafeJsonLdProcessor, *, size: int = 256) -> None:
        self._processor = processor
        self._expand = lru_cache(maxsize=size)(self._expanded)

    def of(self, document: Mapping[str, Any]) -> frozenset[str]:
        """The expanded types of ``document`` (a credential as its issuer signed it)."""
        context, types = document.get("@context"), vcdm.types_of(document)
        return self._expand(json.dumps(context), tuple(types))

    def iri(self, type_name: str, contexts: Sequence[str] = CONTEXTS_V2) -> str:
        """The IRI a certificate's ``type_name`` expands to under ``contexts``."""
        expanded = self._expand(json.dumps(list(contexts)), (type_name,))
        return next(iter(expanded), type_name)

    def _expanded(self, context: str, types: tuple[str, ...]) -> frozenset[str]:
        probe = {"@context": json.loads(context), "id": _PROBE_ID, "type": list(types)}
        try:
            quads = self._processor.to_quads(probe)
        except VcError:  # Appendix B.1.1: a type no context defines stays as it is
            return frozenset(types)
        return frozenset(
            quad.object.value
            for quad in quads
            if quad.subject.value == _PROBE_ID and quad.predicate.value == _RDF_TYPE
        )


class WorkflowQueries:
    """The DCQL query of a workflow, in the formats this verifier checks."""

    def __init__(
        self, *, types: TypeExpander, formats: Sequence[str], vct_values: VctValues
    ) -> None:
        self._types = types
        self._formats = tuple(formats)
        self._vct_values = vct_values

    def query_for(self, workflow: Workflow, formats: Iterable[str]) -> DcqlQuery:
        """Any one credential ``workflow`` accepts, in any of ``formats``
        (MALFORMED_VALUE_ERROR naming one this verifier does not check)."""
        wanted = tuple(dict.fromkeys(formats))
        if not wanted or any(name not in self._formats for name in wanted):
            raise ParsingError(
                f"the formats are among {', '.join(self._formats)}",
                code=_MALFORMED,
                field="formats",
            )
        wants: list[tuple[str, str, tuple[ClaimsQuery, ...]]] = [
            (_slug(name), name, ()) for name in workflow.accepted_types
        ]
        wants += [
            (f"{_slug(policy.credential_type)}_mra{index}", policy.credential_type, _mra(policy))
            for index, policy in enumerate(workflow.accepted_recognitions, start=1)
        ]
        alternatives = [
            alternative
            for slug, type_name, extra in wants
            for credential_format in wanted
            if (alternative := self._alternative(slug, type_name, credential_format, extra))
        ]
        if not alternatives:
            raise ParsingError(
                "none of the workflow's credentials can be asked for in these formats",
                code=_MALFORMED,
                field="formats",
            )
        return query_for_alternatives(alternatives)

    def type_of_vct(self, vct: str, type_names: Iterable[str]) -> str | None:
        """Which of ``type_names`` an SD-JWT VC's ``vct`` stands for, if any."""
        return next((name for name in type_names if vct in self._vct_values(name)), None)

    def _alternative(
        self, slug: str, type_name: str, credential_format: str, extra: tuple[ClaimsQuery, ...]
    ) -> Alternative | None:
        paths = CLAIMS.get(type_name, ())
        query_id = f"{slug}_{credential_format.replace('+', '_').replace('-', '_')}"
        if credential_format == SD_JWT_VC:
            vct = self._vct_values(type_name)
            if not vct:
                return None
            claims = tuple(ClaimsQuery(path) for path in paths) + tuple(
                ClaimsQuery(claim.path[1:], values=claim.values) for claim in extra
            )
            return Alternative(query_id, credential_format, vct_values=vct, claims=claims)
        claims = tuple(ClaimsQuery((SUBJECT, *path)) for path in paths) + extra
        iri = self._types.iri(type_name)
        return Alternative(query_id, credential_format, type_iri=iri, claims=claims)


def sd_jwt_vct_values(
    type_name: str, *, public_url: str, trust: TrustRegistryService, core: Core, clock: Clock
) -> tuple[str, ...]:
    """The ``vct`` values a query may ask for of a certificate type in SD-JWT VC: that of
    this service, and that of each service whose did:web issuers the trust registry
    accredits for the type now."""
    slug = SLUGS.get(type_name)
    if slug is None:
        return ()
    now = clock.now()
    accredited = [
        *trust.configured().entries(),
        *(as_accreditation(entry) for entry in trust.stored()),
    ]
    bases = {public_url.rstrip("/")}
    for accreditation in accredited:
        if type_name not in accreditation.credential_types or not accreditation.in_force(now):
            continue
        if not accreditation.issuer.startswith("did:web:"):
            continue
        try:
            origin = did_web_document_url(accreditation.issuer).split("/", 3)[2]
        except VcError:
            continue
        bases.add(f"https://{origin}")
        if core.http.allows_http(f"http://{origin}"):
            bases.add(f"http://{origin}")
    return tuple(vct_url(base, slug) for base in sorted(bases))


def _mra(policy: RecognitionPolicy) -> tuple[ClaimsQuery, ...]:
    """The claims of a credential that a recognition needs: an entry recognized by the
    authority, for the role (of the arrangement)."""
    entry: tuple[PathComponent, ...] = (SUBJECT, RECOGNITION, None)
    claims = [
        ClaimsQuery((*entry, "recognizedBy"), values=(policy.recognized_by,)),
        ClaimsQuery((*entry, "recognizedRole", None), values=(policy.role,)),
    ]
    if policy.arrangement is not None:
        claims.append(ClaimsQuery((*entry, "arrangement"), values=(policy.arrangement,)))
    return tuple(claims)


def _slug(type_name: str) -> str:
    known = SLUGS.get(type_name)
    return known or "".join(char for char in type_name.lower() if char.isalnum())[:32] or "vc"
