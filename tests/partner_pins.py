"""A partner's context, schema and signed credentials, for the tests of operator pinning.

The context and schema are not in the built-in manifest; a credential using them is signed
over a store of its own (the issuer's side) where they are pinned, with a real Ed25519 key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from tests.factories import NOW, did_of, key_file
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.overlay import Overlay, OverlayEntry
from vcservice.keys import KeyFile
from vcservice.model.datetimes import format_datetime
from vcservice.services.core import CoreConfig, build_core
from vcservice.services.signing import secure_credential

CONTEXT_URL = "https://partner.example/contexts/shipping/v1"
SCHEMA_URL = "https://partner.example/schemas/shipment-v1.json"
VOCAB = "https://partner.example/vocab#"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"

CONTEXT = {
    "@context": {
        "@protected": True,
        "ShipmentCredential": f"{VOCAB}ShipmentCredential",
        "Shipment": {
            "@id": f"{VOCAB}Shipment",
            "@context": {"@protected": True, "weight": f"{VOCAB}weight"},
        },
        "carrier": f"{VOCAB}carrier",
    }
}
CONTEXT_BYTES = json.dumps(CONTEXT, indent=2).encode()
REDEFINING = {"@context": {"issuer": {"@id": f"{VOCAB}issuer", "@protected": False}}}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_URL,
    "title": "A partner's shipment credential",
    "type": "object",
    "required": ["credentialSubject"],
    "properties": {
        "credentialSubject": {
            "type": "object",
            "required": ["weight"],
            "properties": {"weight": {"type": "string", "pattern": "^[0-9]+ kg$"}},
        }
    },
}
SCHEMA_BYTES = json.dumps(SCHEMA, indent=2).encode()
SCHEMA_SRI = "sha384-" + base64.b64encode(hashlib.sha384(SCHEMA_BYTES).digest()).decode()


def store_copy(source: Path, target: Path) -> Path:
    """A context store of its own, with the contexts of ``source`` installed."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("overlay.*"))
    return target


def shipment(key: KeyFile, *, weight: str = "12 kg", **members: Any) -> dict[str, Any]:
    """An unsigned shipment credential by ``key``'s DID, in the partner's vocabulary."""
    return {
        "@context": [CREDENTIALS_V2, CONTEXT_URL],
        "id": "urn:uuid:5b0f0c1c-1111-4aaa-8888-000000000001",
        "type": ["VerifiableCredential", "ShipmentCredential"],
        "issuer": did_of(key),
        "validFrom": format_datetime(NOW),
        "credentialSubject": {
            "id": "urn:uuid:5b0f0c1c-1111-4aaa-8888-000000000002",
            "type": "Shipment",
            "weight": weight,
            "carrier": "Transportes del Norte",
        },
        **members,
    }


def signed(store_dir: Path, credential: dict[str, Any], key: KeyFile | None = None) -> Any:
    """``credential`` signed (eddsa-rdfc-2022) over ``store_dir``, where the partner's
    context and schema are pinned (the issuer's side)."""
    overlay = Overlay(store_dir)
    for kind, url, document, content in (
        ("context", CONTEXT_URL, CONTEXT, CONTEXT_BYTES),
        ("schema", SCHEMA_URL, SCHEMA, SCHEMA_BYTES),
    ):
        entry = OverlayEntry(url, kind, jcs_sha256(document), format_datetime(NOW))  # type: ignore[arg-type]
        overlay.add(entry, content)
    core = build_core(CoreConfig(store_dir=store_dir))
    return secure_credential(
        core,
        credential,
        signer=(key or key_file()).signer(),
        securing_format="eddsa-rdfc-2022",
        now=NOW,
    )


def verify_on_command(store_dir: str, commands: Any, results: Any) -> None:
    """Another verifier process (run after spawn): builds its core over ``store_dir`` once,
    then answers each credential on ``commands`` with its problem codes on ``results``,
    until it reads None."""
    core = build_core(CoreConfig(store_dir=Path(store_dir)))
    while (credential := commands.get()) is not None:
        results.put([problem.code for problem in core.verifier.verify(credential).problems])
