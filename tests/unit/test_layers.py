"""Imports point down: the credential core knows nothing of services, the CLI, HTTP or SQL."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "vcservice"
CORE = {
    "errors",
    "messages",
    "clock",
    "model",
    "keys",
    "net",
    "rdf",
    "jsonld",
    "dids",
    "proofs",
    "jose",
    "certificates",
    "verification",
    "status",
    "trust",
    "bundle",
    "audit",
    "printing",
    "oid4vci",
    "oid4vp",
    "sdjwt",
}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "messages": {"errors"},
    "clock": set(),
    "model": {"errors"},
    "keys": {"errors"},
    "net": {"errors"},
    "rdf": {"errors"},
    "certificates": {"errors", "model"},  # model.json_schema, shared with the trust lists
    "trust": {"errors", "model"},
    "bundle": {"errors", "model", "trust", "keys", "dids", "jose"},
    "audit": {"errors", "model"},
    "jsonld": {"errors", "rdf"},
    "dids": {"errors", "keys", "net"},
    "jose": {"errors", "model", "keys", "dids"},
    "proofs": {"errors", "clock", "model", "keys", "dids", "jsonld", "rdf", "net"},
    "status": {"errors", "clock", "model", "keys", "net", "proofs"},
    "verification": {
        "errors",
        "messages",
        "model",
        "net",
        "clock",
        "proofs",
        "jose",
        "jsonld",
        "dids",
        "status",
        "trust",
    },
    "printing": {"errors", "model", "keys", "jose", "jsonld", "certificates"},
    # OpenID4VCI messages: pure functions over typed messages (no HTTP, storage or clock).
    "oid4vci": {"errors", "model", "keys", "jose"},
    # OpenID4VP messages (DCQL, the Request Object, the response): pure, as above.
    "oid4vp": {"errors", "model", "keys", "jose"},
    # SD-JWT and SD-JWT VC: disclosures, issuance, key binding, verification (pure, as above).
    "sdjwt": {"errors", "model", "keys", "jose", "status", "certificates"},
    "web": {"errors", "messages", "model", "printing", "verification"},
    "storage": {"errors", "model", "audit"},
    "custody": {"errors", "clock", "model", "keys", "storage"},
    "settings": {"errors"},
    "services": CORE | {"storage", "custody", "settings"},
    "api": CORE | {"services", "storage", "custody", "settings", "web"},
    "cli": CORE | {"services", "storage", "custody", "settings", "api", "web"},
    "__main__": {"cli"},
}
WEB_LIBRARIES = {"fastapi", "starlette", "uvicorn"}
SQL_LIBRARIES = {"sqlalchemy", "asyncpg", "psycopg", "aiosqlite", "alembic", "sqlite3"}
HSM_LIBRARIES = {"pkcs11"}
# Which part may import which server library (every other part may import neither).
SERVER_LIBRARY_OWNERS = {
    "api": WEB_LIBRARIES,
    "cli": {"uvicorn"},
    "storage": SQL_LIBRARIES,
    "custody": HSM_LIBRARIES,
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # Relative imports would hide the layer they reach into: spell them out.
            names.add(node.module if node.level == 0 and node.module else "vcservice.<relative>")
    return names


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def test_every_module_imports_only_the_layers_below_it() -> None:
    violations = []
    for path in PACKAGE.rglob("*.py"):
        part = _part(path)
        if part == "__init__":
            continue
        allowed = ALLOWED[part] | {part}
        for name in _imports(path):
            top = name.split(".")
            if top[0] == "vcservice" and len(top) > 1 and top[1] not in allowed:
                violations.append(f"{path.relative_to(PACKAGE)} imports {name}")
            library = top[0]
            if library in WEB_LIBRARIES | SQL_LIBRARIES | HSM_LIBRARIES and library not in (
                SERVER_LIBRARY_OWNERS.get(part, set())
            ):
                violations.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert violations == []
