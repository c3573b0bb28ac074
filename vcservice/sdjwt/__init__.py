"""SD-JWT (RFC 9901) and SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): the credential core.

No HTTP, storage or clock: times come in as arguments, keys through the ``Signer`` role
(issuing, key binding) or a key lookup (verifying).

- ``disclosures``: make Disclosures and embed their digests; process them back (§7.1);
- ``compact``: the ``<JWT>~<Disclosure>~…~[<KB-JWT>]`` serialization;
- ``issuance``: issue an SD-JWT VC (``typ`` ``dc+sd-jwt``); the Holder's choice of
  Disclosures to present;
- ``key_binding``: the Holder's KB-JWT (``kb+jwt``: ``iat``, ``aud``, ``nonce``,
  ``sd_hash``) and the Verifier's check of it;
- ``verification``: a presentation into the named checks of a verification result;
- ``trade_certificates``: the IMMEX, OEA and C-TPAT certificates as SD-JWT VCs — their
  ``vct`` and which claims are selectively disclosable (documented there);
  ``type_metadata``: their Type Metadata documents; ``certificate_request``: the body they
  are issued from;
- ``status_list_token``: the ``statuslist+jwt`` an SD-JWT VC's ``status`` names, signed
  and opened (the list itself is ``vcservice.status.token_status_list``'s).
"""

from vcservice.sdjwt.compact import SdJwtParts, split
from vcservice.sdjwt.disclosures import ClaimPath, Disclosure
from vcservice.sdjwt.issuance import (
    SD_JWT_VC_MEDIA_TYPE,
    SD_JWT_VC_TYP,
    disclosure_paths,
    issue_sd_jwt,
    present,
)
from vcservice.sdjwt.key_binding import KB_JWT_TYP, bind
from vcservice.sdjwt.verification import SdJwtVcVerification, verify_sd_jwt_vc

__all__ = [
    "KB_JWT_TYP",
    "SD_JWT_VC_MEDIA_TYPE",
    "SD_JWT_VC_TYP",
    "ClaimPath",
    "Disclosure",
    "SdJwtParts",
    "SdJwtVcVerification",
    "bind",
    "disclosure_paths",
    "issue_sd_jwt",
    "present",
    "split",
    "verify_sd_jwt_vc",
]
