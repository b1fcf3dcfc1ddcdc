"""HTTP load generator, run as its own process so it does not share the service's event loop.

Usage: python bench/load.py URL CONCURRENCY SECONDS REQUESTS_FILE
  REQUESTS_FILE is a JSON list of [path, body] pairs, POSTed round-robin; ALMA_API_KEY, when set, is sent
  as the Bearer key.
Prints one JSON object: requests, errors, requests_per_second, p50_ms, p95_ms, p99_ms.

Requests are encoded once up front and sent over plain keep-alive HTTP/1.1 connections: a full HTTP client
costs a millisecond or more of CPU per request, which on a small machine is taken from the service measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from urllib.parse import urlsplit


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def encode(host: str, path: str, body: dict) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    key = os.environ.get("ALMA_API_KEY")
    authorization = f"Authorization: Bearer {key}\r\n" if key else ""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{authorization}"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request and read its whole response; return the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:  # chunked
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status


async def run(url: str, concurrency: int, seconds: float, requests: list[tuple[str, dict]]) -> dict:
    parts = urlsplit(url)
    encoded = [encode(parts.netloc, path, body) for path, body in requests]
    latencies: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                request = encoded[next(counter) % len(encoded)]
                started = time.perf_counter()
                status = await exchange(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
                if status >= 300:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": errors,
        "statuses": statuses,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 3),
        "p95_ms": round(percentile(latencies, 0.95), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
    }


if __name__ == "__main__":
    url, concurrency, seconds, requests_file = sys.argv[1:5]
    with open(requests_file) as handle:
        requests = [tuple(pair) for pair in json.load(handle)]
    try:
        import uvloop  # the service's own event loop (uvicorn[standard]); cheaper per request than asyncio's

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(run(url, int(concurrency), float(seconds), requests))))
