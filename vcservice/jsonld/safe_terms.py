"""What safe-mode JSON-LD accepts as a name: shared by the reference and the fast path."""

from __future__ import annotations

import re

ISSUER_DEPENDENT_VOCAB = "https://www.w3.org/ns/credentials/issuer-dependent#"
"""VCDM 2.0's ``@vocab``: a term expanding here was defined by no context."""

ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
"""A scheme, a colon, then no white space: an IRI RDF keeps. pyld's ``toRdf`` drops a
relative IRI, and an "absolute" one with white space anywhere in it (its
``_is_absolute_iri``, ``[^\\s]*$`` alike), as JSON-LD 1.1 drops IRIs that are not
well-formed; either would leave the signed dataset without what the JSON says."""
