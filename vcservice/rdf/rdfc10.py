"""RDFC-1.0 (W3C RDF Dataset Canonicalization), with a bound on the work it may do.

Section numbers follow the RDFC-1.0 Recommendation. Internally a quad is a
tuple of its serialised components (the default graph as ``""``), so a blank node is
any component starting with ``_:`` and relabelling never re-serialises a term.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

from vcservice.errors import CanonicalizationError
from vcservice.rdf.model import Quad, term_nquad

# Work is charged in units of roughly a microsecond: per quad hashed by Hash N-Degree
# Quads and per blank node walked in a permutation, so a unit costs about the same
# whatever the dataset's shape.  The hardest entries of the RDFC-1.0 test suite need
# about 6,600 units, a typical credential none; the 10-node clique (test074c) exhausts
# the default in about 0.1 s.
DEFAULT_MAX_WORK = 100_000
# Each level of Hash N-Degree Quads recursion takes three Python frames.
MAX_DEPTH = 100
HASH_ALGORITHMS: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
}

_Components = tuple[str, str, str, str]


class IdentifierIssuer:
    """Issues ``prefix`` + counter identifiers in order of request (§4.3, §4.5)."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued

    def issue(self, existing: str) -> str:
        """Return the identifier for ``existing``, issuing the next one if it has none."""
        issued = self.issued.get(existing)
        if issued is None:
            issued = self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return issued

    def copy(self) -> IdentifierIssuer:
        """An independent issuer with the same state."""
        return IdentifierIssuer(self.prefix, dict(self.issued))


def _components(quad: Quad) -> _Components:
    graph = "" if quad.graph is None else term_nquad(quad.graph)
    return (term_nquad(quad.subject), term_nquad(quad.predicate), term_nquad(quad.object), graph)


def _line(components: Iterable[str]) -> str:
    subject, predicate, obj, graph = components
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def _is_blank(component: str) -> bool:
    return component.startswith("_:")


def distinct_permutations(items: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """Each distinct ordering of ``items`` once, in the order ``itertools.permutations``
    first yields it.

    §4.8 lists a related blank node once per quad that mentions it, so a node in eight
    quads of one graph is eight equal entries: ``itertools.permutations`` would walk 8!
    orderings that all give the same path.  Skipping the repeats changes no result
    (equal orderings give equal paths, and the first of each is kept) but turns a
    company's credentials presented together from a refusal into a few milliseconds.
    """
    if len(set(items)) == len(items):
        yield from itertools.permutations(items)
        return
    slots: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        slots.setdefault(item, []).append(index)
    taken = dict.fromkeys(slots, 0)
    # Choices are (smallest unused index, value), sorted: taking them in this order meets
    # each ordering where itertools' lexicographic order of index tuples first reaches it.
    ordering: list[str] = []
    frames = [(sorted((indices[0], item) for item, indices in slots.items()), 0)]
    while frames:  # an iterative depth-first walk: orderings can be thousands long
        choices, next_choice = frames.pop()
        if next_choice == len(choices):
            if ordering:
                taken[ordering.pop()] -= 1
            continue
        frames.append((choices, next_choice + 1))
        item = choices[next_choice][1]
        taken[item] += 1
        ordering.append(item)
        if len(ordering) == len(items):
            yield tuple(ordering)
            taken[ordering.pop()] -= 1
            continue
        remaining = choices[:next_choice] + choices[next_choice + 1 :]
        if taken[item] < len(slots[item]):
            bisect.insort(remaining, (slots[item][taken[item]], item))
        frames.append((remaining, 0))


class CanonicalizationState:
    """The canonicalization state of §4.2 for one input dataset, plus the work budget.

    Blank nodes are keyed by their serialised form (``_:id``) throughout.
    """

    def __init__(
        self,
        quads: Iterable[Quad],
        *,
        hash_algorithm: str = "sha256",
        max_work: int = DEFAULT_MAX_WORK,
    ) -> None:
        try:
            self._hash = HASH_ALGORITHMS[hash_algorithm]
        except KeyError:
            raise ValueError(f"unsupported RDFC-1.0 hash algorithm {hash_algorithm!r}") from None
        self.quads: list[_Components] = list(dict.fromkeys(map(_components, quads)))
        self.mentions: dict[str, list[_Components]] = {}
        for quad in self.quads:
            # Each blank node the quad mentions, once, in position order (what §4.4.2 lists).
            for position, node in enumerate(quad):
                if node[:2] == "_:" and node not in quad[:position]:
                    self.mentions.setdefault(node, []).append(quad)
        self.canonical = IdentifierIssuer("c14n")
        self._first_degree: dict[str, str] = {}
        self._work_left = max_work
        self._max_work = max_work
        self._labelled = False

    def _digest(self, text: str) -> str:
        return self._hash(text.encode("utf-8")).hexdigest()

    def _spend(self, units: int, depth: int) -> None:
        self._work_left -= units
        if self._work_left < 0:
            raise CanonicalizationError(
                f"RDFC-1.0 gave up after {self._max_work} steps: the dataset's blank nodes"
                " are too symmetric to canonicalize within the work limit"
            )
        if depth > MAX_DEPTH:
            raise CanonicalizationError(
                f"RDFC-1.0 gave up: blank node paths nest deeper than {MAX_DEPTH} levels"
            )

    def first_degree_hash(self, node: str) -> str:
        """Hash First Degree Quads (§4.6) for blank node ``node`` (``_:id``), cached."""
        cached = self._first_degree.get(node)
        if cached is None:

            def label(component: str) -> str:
                if not _is_blank(component):
                    return component
                return "_:a" if component == node else "_:z"

            lines = sorted(_line(map(label, quad)) for quad in self.mentions[node])
            cached = self._first_degree[node] = self._digest("".join(lines))
        return cached

    def first_degree_unique(self) -> bool:
        """Whether every blank node has its own first-degree hash, so §4.8 never runs."""
        hashes = {self.first_degree_hash(node) for node in self.mentions}
        return len(hashes) == len(self.mentions)

    def _hash_related(
        self, related: str, quad: _Components, issuer: IdentifierIssuer, position: str
    ) -> str:
        """Hash Related Blank Node (§4.7)."""
        prefix = position if position == "g" else position + quad[1]
        identifier = self.canonical.issued.get(related) or issuer.issued.get(related)
        if identifier is not None:
            return self._digest(f"{prefix}_:{identifier}")
        return self._digest(prefix + self.first_degree_hash(related))

    def _hash_n_degree(
        self, node: str, issuer: IdentifierIssuer, depth: int
    ) -> tuple[str, IdentifierIssuer]:
        """Hash N-Degree Quads (§4.8): the hash of ``node`` and the issuer that produced it."""
        self._spend(1 + len(self.mentions[node]), depth)
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.mentions[node]:
            for position, component in zip("sog", (quad[0], quad[2], quad[3]), strict=True):
                if _is_blank(component) and component != node:
                    related_hash = self._hash_related(component, quad, issuer, position)
                    related_by_hash.setdefault(related_hash, []).append(component)
        data: list[str] = []
        for related_hash in sorted(related_by_hash):
            path, issuer = self._choose_path(related_by_hash[related_hash], issuer, depth)
            data += (related_hash, path)
        return self._digest("".join(data)), issuer

    def _choose_path(
        self, related: Sequence[str], issuer: IdentifierIssuer, depth: int
    ) -> tuple[str, IdentifierIssuer]:
        """§4.8 step 5.4: the shortest path over every permutation of ``related``."""
        chosen: tuple[str, IdentifierIssuer] | None = None
        for permutation in distinct_permutations(related):
            # Copying the issuer is a C-level dict copy: a unit buys about 256 entries.
            self._spend(len(related) + len(issuer.issued) // 256, depth)
            candidate = self._permutation_path(permutation, issuer, chosen, depth)
            if candidate is not None:
                chosen = candidate
        assert chosen is not None  # the first permutation is never pruned
        return chosen

    def _permutation_path(
        self,
        permutation: Sequence[str],
        issuer: IdentifierIssuer,
        chosen: tuple[str, IdentifierIssuer] | None,
        depth: int,
    ) -> tuple[str, IdentifierIssuer] | None:
        """§4.8 steps 5.4.1-5.4.6 for one permutation; None when it loses to ``chosen``."""
        chosen_path = "" if chosen is None else chosen[0]

        def pruned(path: str) -> bool:
            return bool(chosen_path) and len(path) >= len(chosen_path) and path > chosen_path

        issuer_copy = issuer.copy()
        path = ""
        recursion_list = []
        for related in permutation:
            identifier = self.canonical.issued.get(related)
            if identifier is None:
                if related not in issuer_copy.issued:
                    recursion_list.append(related)
                identifier = issuer_copy.issue(related)
            path += "_:" + identifier
            if pruned(path):
                return None
        for related in recursion_list:
            digest, issuer_copy = self._hash_n_degree(related, issuer_copy, depth + 1)
            path += f"_:{issuer_copy.issue(related)}<{digest}>"
            if pruned(path):
                return None
        if chosen is None or path < chosen_path:
            return path, issuer_copy
        return None

    def issue_canonical_labels(self) -> dict[str, str]:
        """Run the canonicalization algorithm; return the issued identifiers (``_:id`` → c14nN)."""
        self._label()
        return dict(self.canonical.issued)

    def _label(self) -> None:
        """§4.4.3 steps 3-5: issue a canonical identifier to every blank node, once."""
        if self._labelled:
            return
        by_hash: dict[str, list[str]] = {}
        for node in self.mentions:
            by_hash.setdefault(self.first_degree_hash(node), []).append(node)
        shared = []
        for first_degree in sorted(by_hash):
            nodes = by_hash[first_degree]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            self._label_shared(nodes)
        self._labelled = True

    def _label_shared(self, nodes: list[str]) -> None:
        """§4.4.3 step 5 for one group of blank nodes sharing a first-degree hash."""
        results = []
        for node in nodes:
            if node not in self.canonical.issued:
                temporary = IdentifierIssuer("b")
                temporary.issue(node)
                results.append(self._hash_n_degree(node, temporary, 0))
        for _, issuer in sorted(results, key=lambda result: result[0]):
            for existing in issuer.issued:
                self.canonical.issue(existing)

    def serialize(self) -> str:
        """The serialized canonical form: the relabelled quads as sorted canonical N-Quads."""
        self._label()
        labels = self.canonical.issued

        def relabel(component: str) -> str:
            return f"_:{labels[component]}" if component[:2] == "_:" else component

        return "".join(
            sorted(
                _line((relabel(subject), predicate, relabel(obj), relabel(graph)))
                for subject, predicate, obj, graph in self.quads
            )
        )


def canonicalize(
    quads: Iterable[Quad], *, hash_algorithm: str = "sha256", max_work: int = DEFAULT_MAX_WORK
) -> str:
    """Canonicalize a dataset with RDFC-1.0 and return its canonical N-Quads document.

    Raises ``CanonicalizationError`` when the work budget ``max_work`` runs out.
    """
    state = CanonicalizationState(quads, hash_algorithm=hash_algorithm, max_work=max_work)
    return state.serialize()


def canonical_labels(
    quads: Iterable[Quad], *, hash_algorithm: str = "sha256", max_work: int = DEFAULT_MAX_WORK
) -> dict[str, str]:
    """Return RDFC-1.0's issued identifiers map: input blank node id → ``c14nN`` (no ``_:``)."""
    state = CanonicalizationState(quads, hash_algorithm=hash_algorithm, max_work=max_work)
    labels = state.issue_canonical_labels()
    return {node.removeprefix("_:"): label for node, label in labels.items()}
