"""``vcservice verify`` run in-process on what the API returned, with the network refused."""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from vcservice.cli.main import main


@dataclass
class OfflineVerifier:
    """Writes a credential and DID documents to files and runs ``vcservice verify`` on them."""

    directory: Path
    context_store: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    lookups: list[str] = field(default_factory=list)

    def verify(
        self,
        credential: dict[str, Any] | str,
        *did_documents: dict[str, Any],
        status_lists: Sequence[dict[str, Any]] = (),
    ) -> tuple[int, dict[str, Any]]:
        """Exit code and JSON report of ``vcservice verify``; any DNS lookup is refused.

        The DID documents and status list credentials are given as files, as a verifier
        at a crossing holds them.
        """
        self.capsys.readouterr()  # drop what earlier steps printed
        suffix = "jwt" if isinstance(credential, str) else "json"
        path = self.directory / f"credential.{suffix}"
        path.write_text(credential if isinstance(credential, str) else json.dumps(credential))
        argv = ["--context-store", str(self.context_store), "verify", str(path)]
        for index, document in enumerate(did_documents):
            did_path = self.directory / f"did-{index}.json"
            did_path.write_text(json.dumps(document))
            argv += ["--did-document", str(did_path)]
        for index, document in enumerate(status_lists):
            list_path = self.directory / f"status-list-{index}.json"
            list_path.write_text(json.dumps(document))
            argv += ["--status-list", str(list_path)]

        def refuse(host: Any, *args: Any, **kwargs: Any) -> Any:
            self.lookups.append(str(host))
            raise OSError(f"network refused in this test (lookup of {host!r})")

        with self.monkeypatch.context() as patch:
            patch.setattr(socket, "getaddrinfo", refuse)
            code = main(argv)
        report: dict[str, Any] = json.loads(self.capsys.readouterr().out)
        assert not self.lookups, f"verification tried the network: {self.lookups}"
        return code, report
