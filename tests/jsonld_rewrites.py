"""Other spellings of one JSON-LD graph: what a holder can do to signed JSON without breaking
the proof, for the compact-form property tests.

``Spellings(document, expand)`` learns, with pyld alone (not the code under test), what each
member of each node of a compact document means: the IRI its key expands to, and its values
fully expanded. Each rewrite then changes the JSON but not the RDF dataset:

- ``full_iri``: a key replaced by its IRI, its values by their expanded form;
- ``compact_iri``: the same under a prefix an inline context adds to ``@context``;
- ``value_object``: a value written as ``{"@value": …}`` (or ``{"@id": …}``) under its term;
- ``alias``: ``id``/``type`` written as the keywords ``@id``/``@type``;
- ``type_split``: some of a node's types moved from ``type`` to ``@type``;
- ``nest``: members moved into an ``@nest`` object;
- ``graph_wrap``: the document's node moved into a top-level ``@graph``;
- ``split_node``: a node with an ``id`` written as two objects with that ``id``;
- ``null_member``: a defined term added with the value ``null`` (dropped by JSON-LD);
- ``nested_array``: a value wrapped in an array inside an array;
- ``reorder``: an array's items in another order.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyld import jsonld

from vcservice.dids.resolver import DidResolver
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.jsonld.store import ContextStore
from vcservice.proofs.data_integrity import DataIntegrity
from vcservice.proofs.transform import RdfCanonizer
from vcservice.rdf.engine import Rdfc10Canonicalizer

Path = tuple[str | int, ...]
Expand = Callable[[dict[str, Any]], list[Any]]
MARKER = "urn:vcservice-test:marker:"
REWRITES = (
    "full_iri",
    "compact_iri",
    "value_object",
    "alias",
    "type_split",
    "nest",
    "graph_wrap",
    "split_node",
    "null_member",
    "nested_array",
    "reorder",
)
# Rewrites that leave a document in the compact form its contexts define.
COMPACT_REWRITES = frozenset({"reorder"})


@dataclass(frozen=True)
class Member:
    """A member of a node: where the node is, its key, the key's IRI, the expanded values."""

    node: Path
    key: str
    iri: str
    expanded: list[Any]


class Spellings:
    """The members of ``document`` and how each may be respelled (module docstring)."""

    def __init__(self, document: dict[str, Any], expand: Expand) -> None:
        self.document = document
        self._expand = expand
        self.members: list[Member] = []
        self.nodes: list[Path] = []
        self._learn((), document, expand(copy.deepcopy(document))[0])

    # --- learning what the members mean -----------------------------------------------

    def _learn(self, path: Path, node: dict[str, Any], expanded: dict[str, Any]) -> None:
        self.nodes.append(path)
        keys = [key for key in node if not key.startswith("@") and key not in ("id", "type")]
        iris = self._iris_of(path, keys)
        for key in keys:
            iri = iris[key]
            values = expanded.get(iri, [])
            self.members.append(Member(path, key, iri, values))
            compact = node[key]
            items = compact if isinstance(compact, list) else [compact]
            for index, (item, value) in enumerate(zip(items, values, strict=False)):
                if not isinstance(item, dict) or "@value" in item:
                    continue
                inner = value["@graph"][0] if "@graph" in value else value
                where = (*path, key, index) if isinstance(compact, list) else (*path, key)
                self._learn(where, item, inner)

    def _iris_of(self, path: Path, keys: list[str]) -> dict[str, str]:
        """Each key's IRI: its values replaced by markers, the document expanded, found."""
        marked = copy.deepcopy(self.document)
        node = _at(marked, path)
        for number, key in enumerate(keys):
            node[key] = {"@id": f"{MARKER}{number}"}
        found: dict[int, str] = {}
        _find_markers(self._expand(marked), None, found)
        return {key: found[number] for number, key in enumerate(keys)}

    # --- rewrites ---------------------------------------------------------------------

    def choices(self, document: dict[str, Any], name: str) -> int:
        """How many places of ``document`` the rewrite ``name`` can apply to."""
        return len(getattr(self, f"_{name}_targets")(document))

    def rewrite(
        self, document: dict[str, Any], name: str, choice: int, rng: random.Random
    ) -> dict[str, Any]:
        """``document`` (this one, maybe already rewritten) respelled by ``name`` at the
        place ``choice`` picks (modulo their number); ``rng`` makes the finer choices."""
        rewritten = copy.deepcopy(document)
        targets = getattr(self, f"_{name}_targets")(rewritten)
        if targets:
            getattr(self, f"_{name}")(rewritten, targets[choice % len(targets)], rng)
        return rewritten

    def _present_members(self, document: dict[str, Any]) -> list[tuple[Member, dict[str, Any]]]:
        return [
            (member, _at(document, member.node))
            for member in self.members
            if _exists(document, member.node) and member.key in _at(document, member.node)
        ]

    def _present_nodes(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        return [_at(document, path) for path in self.nodes if _exists(document, path)]

    _full_iri_targets = _present_members
    _compact_iri_targets = _present_members
    _nested_array_targets = _present_members

    def _full_iri(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        member, node = target
        del node[member.key]
        node[member.iri] = copy.deepcopy(member.expanded)

    def _compact_iri(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        member, node = target
        cut = max(member.iri.rfind("#"), member.iri.rfind("/")) + 1
        contexts = _as_list(document["@context"])
        prefix = f"rw{len(contexts)}"
        document["@context"] = [*contexts, {prefix: member.iri[:cut]}]
        del node[member.key]
        node[f"{prefix}:{member.iri[cut:]}"] = copy.deepcopy(member.expanded)

    def _nested_array(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        member, node = target
        value = node[member.key]
        node[member.key] = [value if isinstance(value, list) else [value]]

    def _value_object_targets(self, document: dict[str, Any]) -> list[Any]:
        return [
            (member, node)
            for member, node in self._present_members(document)
            if not isinstance(node[member.key], dict | list)
            and len(member.expanded) == 1
            and ("@value" in member.expanded[0] or set(member.expanded[0]) == {"@id"})
        ]

    def _value_object(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        member, node = target
        node[member.key] = copy.deepcopy(member.expanded[0])

    def _alias_targets(self, document: dict[str, Any]) -> list[Any]:
        return [
            (node, key)
            for node in self._present_nodes(document)
            for key in ("id", "type")
            if key in node
        ]

    def _alias(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        node, key = target
        node[f"@{key}"] = node.pop(key)

    def _type_split_targets(self, document: dict[str, Any]) -> list[Any]:
        return [
            node
            for node in self._present_nodes(document)
            if isinstance(node.get("type"), list) and len(node["type"]) > 1
        ]

    def _type_split(self, document: dict[str, Any], node: Any, rng: random.Random) -> None:
        types = node["type"]
        cut = rng.randrange(1, len(types))
        node["type"], node["@type"] = types[:cut], types[cut:]

    def _nest_targets(self, document: dict[str, Any]) -> list[Any]:
        return [node for node in self._present_nodes(document) if _properties(node)]

    def _nest(self, document: dict[str, Any], node: Any, rng: random.Random) -> None:
        keys = _properties(node)
        moved = rng.sample(keys, rng.randint(1, len(keys)))
        node["@nest"] = {key: node.pop(key) for key in moved}

    def _graph_wrap_targets(self, document: dict[str, Any]) -> list[Any]:
        return [document] if "@graph" not in document else []

    def _graph_wrap(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        context = document.pop("@context")
        inner = dict(document)
        document.clear()
        document.update({"@context": context, "@graph": [inner]})

    def _split_node_targets(self, document: dict[str, Any]) -> list[Any]:
        return [  # not in graph containers (each object there is a graph of its own)
            (node, member.key)
            for member, node in self._present_members(document)
            if not any(isinstance(value, dict) and "@graph" in value for value in member.expanded)
            and _splittable(node[member.key])
        ]

    def _split_node(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        parent, key = target
        items = parent[key] if isinstance(parent[key], list) else [parent[key]]
        position = next(i for i, item in enumerate(items) if _splittable(item))
        node = items[position]
        keys = [k for k in node if k != "id"]
        first = set(rng.sample(keys, rng.randint(1, len(keys) - 1)))
        halves = [
            {"id": node["id"], **{k: v for k, v in node.items() if k in first}},
            {"id": node["id"], **{k: v for k, v in node.items() if k not in first | {"id"}}},
        ]
        parent[key] = [*items[:position], *halves, *items[position + 1 :]]

    def _null_member_targets(self, document: dict[str, Any]) -> list[Any]:
        if "@graph" in document:
            return []
        return [
            term for term in ("evidence", "termsOfUse", "refreshService") if term not in document
        ]

    def _null_member(self, document: dict[str, Any], term: Any, rng: random.Random) -> None:
        document[term] = None

    def _reorder_targets(self, document: dict[str, Any]) -> list[Any]:
        return [
            (node, key)
            for node in self._present_nodes(document)
            for key, value in node.items()
            if key != "@context" and isinstance(value, list) and len(set(map(repr, value))) > 1
        ]

    def _reorder(self, document: dict[str, Any], target: Any, rng: random.Random) -> None:
        node, key = target
        items = list(node[key])
        while items == node[key]:
            rng.shuffle(items)
        node[key] = items


def _properties(node: dict[str, Any]) -> list[str]:
    return [key for key in node if not key.startswith("@") and key not in ("id", "type")]


def _splittable(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(
        isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and "@context" not in item
        and len(item) > 2
        for item in items
    )


def _find_markers(value: Any, key: str | None, found: dict[int, str]) -> None:
    if isinstance(value, list):
        for item in value:
            _find_markers(item, key, found)
    elif isinstance(value, dict):
        marker = value.get("@id")
        if isinstance(marker, str) and marker.startswith(MARKER) and key is not None:
            found[int(marker[len(MARKER) :])] = key
        for inner_key, inner in value.items():
            _find_markers(inner, key if inner_key == "@graph" else inner_key, found)


def _at(document: Any, path: Path) -> Any:
    node = document
    for step in path:
        node = node[step]
    return node


def _exists(document: Any, path: Path) -> bool:
    node = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
        elif not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return isinstance(node, dict)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def pyld_expander(store: ContextStore) -> Expand:
    """JSON-LD expansion by pyld over the pinned contexts of ``store`` (results remembered)."""
    loader = PinnedDocumentLoader(store)

    def load(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": loader.load(url)}

    @cache
    def expand(document_json: str) -> list[Any]:
        expanded: list[Any] = jsonld.expand(json.loads(document_json), {"documentLoader": load})
        return expanded

    def expander(document: dict[str, Any]) -> list[Any]:
        return copy.deepcopy(expand(json.dumps(document, sort_keys=True)))

    return expander


def permissive_data_integrity(store: ContextStore, resolver: DidResolver) -> DataIntegrity:
    """Data Integrity without the compact-form rule, as an attacker's (or another
    implementation's) signer would sign: it signs any spelling of a graph."""
    processor = SafeJsonLdProcessor(PinnedDocumentLoader(store))
    return DataIntegrity(RdfCanonizer(processor, Rdfc10Canonicalizer()), resolver)


def in_full(spellings: Spellings, *keys: str) -> dict[str, Any]:
    """The document with its (top-level) ``keys`` under their IRIs, values expanded."""
    document = copy.deepcopy(spellings.document)
    for member in spellings.members:
        if member.node == () and member.key in keys:
            del document[member.key]
            document[member.iri] = copy.deepcopy(member.expanded)
    return document


def as_value_object(spellings: Spellings, key: str) -> dict[str, Any]:
    """The document with its top-level ``key`` as the value object JSON-LD expands it to."""
    document = copy.deepcopy(spellings.document)
    [member] = [m for m in spellings.members if m.node == () and m.key == key]
    document[key] = copy.deepcopy(member.expanded[0])
    return document


def respellings(spellings: Spellings, rewrites: list[tuple[str, int]], seed: int) -> dict[str, Any]:
    """The document respelled by each (rewrite, choice) of ``rewrites`` in turn."""
    rng = random.Random(seed)
    document = copy.deepcopy(spellings.document)
    for name, choice in rewrites:
        document = spellings.rewrite(document, name, choice, rng)
    return document


__all__ = [
    "COMPACT_REWRITES",
    "REWRITES",
    "Spellings",
    "as_value_object",
    "in_full",
    "permissive_data_integrity",
    "pyld_expander",
    "respellings",
]
