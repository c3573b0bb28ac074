#!/usr/bin/env python3
"""Summarise a newman JSON report: summary.md (assertions per top-level folder, then every failed
assertion with its request) and summary.json, next to the report.

Usage: summarize.py RESULTS_DIR   (reads RESULTS_DIR/newman-report.json and source.json)
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def folders(items: list[dict[str, Any]], path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Each request item's id → the names of the folders holding it."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        if "item" in item:
            out |= folders(item["item"], (*path, item["name"]))
        else:
            out[item.get("id", item["name"])] = path
    return out


def main() -> int:
    results = Path(sys.argv[1]).resolve()
    report = json.loads((results / "newman-report.json").read_text())
    source_file = results / "source.json"
    source = json.loads(source_file.read_text()) if source_file.exists() else {}
    where = folders(report["collection"]["item"])
    per_folder: dict[str, dict[str, int]] = defaultdict(
        lambda: {"requests": 0, "passed": 0, "run": 0}
    )
    failures = []
    # newman's JSON reporter adds an execution for each pm.sendRequest of a pre-request script
    # (token requests), with the item's cursor and assertions: one per cursor, the last (the
    # item's own request)
    executions = {e.get("cursor", {}).get("ref", id(e)): e for e in report["run"]["executions"]}
    for execution in executions.values():
        item = execution["item"]
        path = where.get(item.get("id"), ())
        folder = path[0] if path else "(top level)"
        counts = per_folder[folder]
        counts["requests"] += 1
        for assertion in execution.get("assertions", []):
            counts["run"] += 1
            if assertion.get("error"):
                response = execution.get("response") or {}
                failures.append(
                    {
                        "item": " / ".join((*path, item["name"])),
                        "assertion": assertion["assertion"],
                        "error": assertion["error"].get("message", ""),
                        "status": response.get("code"),
                    }
                )
            else:
                counts["passed"] += 1
    lines = [
        f"# traceability-interop conformance collection ({results.name})",
        "",
        f"collection: {source.get('source', '?')} (sha256 {source.get('sha256', '?')[:16]}…), "
        "with the overlay of build_collection.py",
        "",
        "| folder | requests | assertions passed / run |",
        "|---|---|---|",
    ]
    for folder, counts in per_folder.items():
        lines.append(f"| {folder} | {counts['requests']} | {counts['passed']} / {counts['run']} |")
    total_run = sum(c["run"] for c in per_folder.values())
    total_passed = sum(c["passed"] for c in per_folder.values())
    total_requests = sum(c["requests"] for c in per_folder.values())
    lines += [
        f"| **total** | {total_requests} | **{total_passed} / {total_run}** |",
        "",
        f"## Failed assertions: {len(failures)}",
        "",
    ]
    for f in failures:
        status = f" (HTTP {f['status']})" if f["status"] else ""
        error = " ".join(f["error"].split())[:300]
        lines.append(f"- **{f['item']}**{status}: {f['assertion']} — {error}")
    (results / "summary.md").write_text("\n".join(lines) + "\n")
    summary = {
        "source": source,
        "folders": per_folder,
        "assertions": {"passed": total_passed, "run": total_run},
        "requests": total_requests,
        "failures": failures,
    }
    (results / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    table_end = lines.index(f"## Failed assertions: {len(failures)}")
    print("\n".join([*lines[:table_end], f"{len(failures)} failed assertions: see summary.md"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
