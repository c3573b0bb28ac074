"""What safe-mode JSON-LD accepts as a name: shared by the reference and the fast path."""

from __future__ import annotations

import re

ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"
"""VCDM 2.0's ``@vocab``: a term expanding here was defined by no context."""

ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
"""A scheme, then a colon: an IRI RDF keeps (a relative one would be dropped)."""
