"""OpenID for Verifiable Credential Issuance 1.0, the issuer's side, as pure message code.

One module per message: ``metadata`` (Credential Issuer and Authorization Server metadata),
``offer`` (the Credential Offer, by value or by reference), ``token_request`` (the
pre-authorized code grant), ``credential_request`` (the request and its ``jwt`` key proof),
``credential_response``; ``errors`` maps each refusal to the code the specification names;
``certificates`` describes the certificate types as credential configurations.

Nothing here makes an HTTP, database, clock or settings call: stored values and the time come
in as arguments (``services.openid4vci`` composes these steps with storage and signing).
"""
