"""Measure a callable: operations per second and latency percentiles."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measurement:
    """Latencies of ``count`` sequential calls."""

    name: str
    latencies: list[float]

    @property
    def ops_per_second(self) -> float:
        return len(self.latencies) / sum(self.latencies)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def row(self) -> str:
        return (
            f"{self.name:<44} {self.ops_per_second:>9.1f} ops/s   "
            f"p50 {self.percentile(0.50) * 1000:7.2f} ms   "
            f"p99 {self.percentile(0.99) * 1000:7.2f} ms   n={len(self.latencies)}"
        )


def measure(
    name: str, operation: Callable[[], Any], *, count: int, warmup: int = 20
) -> Measurement:
    """Call ``operation`` ``warmup`` times, then time ``count`` calls one by one."""
    for _ in range(warmup):
        operation()
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        operation()
        latencies.append(time.perf_counter() - start)
    return Measurement(name, latencies)
