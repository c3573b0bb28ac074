"""The context manifest: which JSON-LD context URLs are accepted, pinned by digest."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vcservice.errors import ContextError, ParsingError
from vcservice.jsonld.digest import jcs_sha256

MANIFEST_NAME = "manifest.json"
BUILT_IN, ADDED = "built-in", "added"


def default_contexts_dir() -> Path:
    """The project's ``contexts/`` directory: the manifest and the bundled contexts.

    ``vcservice/data/contexts`` links to it in a checkout and is a copy in an installed wheel.
    """
    return Path(__file__).parents[1] / "data" / "contexts"


@dataclass(frozen=True, slots=True)
class PinnedContext:
    """One accepted context: its URL, the JCS SHA-256 of its content, a bundled file if any,
    and whether it is built in or an operator added it (``vcservice.jsonld.overlay``)."""

    url: str
    sha256: str
    bundled_file: Path | None = None
    source: str = BUILT_IN

    def check(self, document: Any) -> None:
        """Raise ``ContextError`` unless ``document`` has exactly the pinned content."""
        actual = jcs_sha256(document)
        if actual != self.sha256:
            raise ContextError(
                f"context {self.url} does not match its pinned digest "
                f"(expected sha256 {self.sha256}, got {actual})",
                code="CONTEXT_DIGEST_MISMATCH",
                field="@context",
            )


@dataclass(frozen=True)
class ContextManifest:
    """The set of pinned contexts: ``contexts/manifest.json``'s, and maybe an overlay's."""

    contexts: Mapping[str, PinnedContext]

    @classmethod
    def load(cls, directory: Path) -> ContextManifest:
        """Read the manifest in ``directory``; bundled files are resolved relative to it."""
        path = directory / MANIFEST_NAME
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = raw["contexts"]
            contexts = {
                url: PinnedContext(
                    url=url,
                    sha256=entry["sha256"],
                    bundled_file=directory / entry["file"] if "file" in entry else None,
                )
                for url, entry in entries.items()
            }
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ParsingError(f"cannot read context manifest {path}: {exc}") from exc
        return cls(contexts)

    def __iter__(self) -> Iterator[PinnedContext]:
        return iter(self.contexts.values())

    def get(self, url: str) -> PinnedContext:
        """Return the pinned entry for ``url`` or raise CONTEXT_NOT_PINNED naming it."""
        try:
            return self.contexts[url]
        except KeyError:
            raise ContextError(
                f"context {url} is not pinned: vcservice only processes contexts listed in "
                "its manifest and never fetches contexts while processing",
                field="@context",
            ) from None

    def by_digest(self) -> dict[str, PinnedContext]:
        """Index the pinned contexts by digest."""
        return {pinned.sha256: pinned for pinned in self}
