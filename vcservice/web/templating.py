"""The pages' one Jinja2 environment (autoescaped, strict) and this package's static files."""

from __future__ import annotations

from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["environment", "static_file"]


@cache
def environment() -> Environment:
    """The templates of ``vcservice.web``: autoescaped, an undefined name an error."""
    return Environment(
        loader=PackageLoader("vcservice.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def static_file(name: str) -> bytes:
    """The bytes of ``static/name`` in this package."""
    return resources.files(__package__).joinpath("static", name).read_bytes()
