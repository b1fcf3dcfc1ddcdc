"""HTTP load generator, run as its own process so it does not share the service's event loop.

Usage: python bench/load.py URL CONCURRENCY SECONDS REQUESTS_FILE
  REQUESTS_FILE is a JSON list of [path, body] pairs, POSTed round-robin.
Prints one JSON object: requests, errors, requests_per_second, p50_ms, p95_ms, p99_ms.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


async def run(url: str, concurrency: int, seconds: float, requests: list[tuple[str, dict]]) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                path, body = requests[next(counter) % len(requests)]
                started = time.perf_counter()
                response = await client.post(path, json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code >= 300:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p95_ms": round(percentile(latencies, 0.95), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
    }


if __name__ == "__main__":
    url, concurrency, seconds, requests_file = sys.argv[1:5]
    with open(requests_file) as handle:
        requests = [tuple(pair) for pair in json.load(handle)]
    print(json.dumps(asyncio.run(run(url, int(concurrency), float(seconds), requests))))
