"""What a rendered page or printed certificate says, read back from its HTML as a reader sees it.

``fields`` maps each element with a ``data-field`` to its label (the ``<dt>`` before it,
for a ``<dd>``) and its text; ``items`` lists the text of each ``<li>``. A ``class="alt"``
span (the second language) reads after " / ", as the printed certificate's style shows it,
and a ``<br>`` as a new line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["PageText", "page_text"]


@dataclass
class _Capture:
    tag: str
    key: str | None
    parts: list[str] = field(default_factory=list)


class PageText(HTMLParser):
    """The labelled fields and list items of one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, tuple[str, str]] = {}
        self.items: list[str] = []
        self._captures: list[_Capture] = []
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "br" and self._captures:
            self._captures[-1].parts.append("\n")
        if "alt" in (attributes.get("class") or "").split() and self._captures:
            self._captures[-1].parts.append(" / ")
        key = attributes.get("data-field")
        if tag in ("dt", "li") or key is not None:
            self._captures.append(_Capture(tag, key))

    def handle_endtag(self, tag: str) -> None:
        if not self._captures or self._captures[-1].tag != tag:
            return
        capture = self._captures.pop()
        text = "".join(capture.parts).strip()
        if self._captures:  # what an inner element says, its outer one says too
            self._captures[-1].parts.append("".join(capture.parts))
        if tag == "dt":
            self._label = text
        elif capture.key is not None:
            self.fields[capture.key] = (self._label if tag == "dd" else "", text)
        elif tag == "li":
            self.items.append(text)

    def handle_data(self, data: str) -> None:
        if self._captures:
            self._captures[-1].parts.append(data)


def page_text(html: str) -> PageText:
    """``html`` read back."""
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser
