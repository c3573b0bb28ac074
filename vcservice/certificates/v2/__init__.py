"""Version 2 of the certificate data: traceability-aligned, one company node, the programmes' rules.

Credentials carry ``[credentials/v2, traceability/v1, trade-certificates/v2]``: the
traceability vocabulary's terms where it defines them, the project's protected
extension for the rest.  Every type puts the certified company at
``credentialSubject.member`` (``company``), with the same shape.
"""
