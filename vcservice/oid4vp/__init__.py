"""OpenID for Verifiable Presentations 1.0, the verifier's side, as pure message code.

One module per message of the specification: ``dcql`` (the Digital Credentials Query
Language: parse a query, build one from a presentation policy), ``selection`` (what a
presented credential answers, and whether the query as a whole is satisfied),
``authorization_request`` (the signed Request Object and the link a wallet opens),
``authorization_response`` (a ``direct_post`` body: its ``state`` and the shape of its
``vp_token``, not the proofs inside), ``jwe`` (the encrypted response of
``direct_post.jwt``) and ``errors`` (the specification's error codes). Nothing here makes
HTTP calls, reads the clock or a database: stored values and the time come in as
arguments, and the caller verifies the presentations themselves (``services.openid4vp``).
"""
