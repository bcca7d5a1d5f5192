"""A closed-loop HTTP/1.1 load generator: N concurrent clients, each on its own keep-alive connection, sending one
POST after another for a fixed time; prints one JSON object with the request count, errors and latencies.

Run by bench/issue_http.py and bench/verify.py in a process of its own (not the servers'):

    python bench/http_load.py --url http://127.0.0.1:8000/credentials/issue --body-file body.json \
        [--header 'Authorization: Bearer …'] [--clients 16] [--duration 20] [--warmup 3] [--expect-body TEXT]

Each request body is the file's text with every `__REQUEST_ID__` replaced by a fresh UUID, so every credential has
its own `id`. With `--expect-body TEXT`, a 2xx answer counts only when its body contains TEXT (bench/verify.py
passes `"verified":true`: POST /api/v1/verify answers 200 whether or not the credential verifies); the others are
counted as `unexpected_bodies`. Hand-written over asyncio streams rather than an HTTP library: it spends a fraction
of the CPU httpx would per request, which matters on a small machine where the load generator shares the cores with
the servers (its own ceiling is measured against a trivial endpoint and reported next to the results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PLACEHOLDER = "__REQUEST_ID__"


@dataclass
class Tally:
    """What one client saw while measuring: latencies (s) of 2xx answers, other statuses, connection errors, and
    2xx answers without the expected text."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0
    unexpected: int = 0


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str
    expect_body: bytes | None = None


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length body (what uvicorn and node send here); its status and body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked responses are not supported by this load generator")
    body = await reader.readexactly(length) if length else b""
    return status, body


def request_bytes(target: Target) -> bytes:
    body = target.body.replace(PLACEHOLDER, str(uuid.uuid4())).encode()
    head = [f"POST {target.path} HTTP/1.1", f"Host: {target.host}:{target.port}", "Content-Type: application/json"]
    head += [f"{name}: {value}" for name, value in target.headers]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def client(target: Target, start_measuring: float, stop: float, tally: Tally) -> None:
    """Requests back to back on one connection (reopened after an error) until `stop`."""
    reader, writer = await asyncio.open_connection(target.host, target.port)
    try:
        while (now := time.perf_counter()) < stop:
            payload = request_bytes(target)
            began = time.perf_counter()
            try:
                writer.write(payload)
                status, body = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                tally.failures += now >= start_measuring
                writer.close()
                reader, writer = await asyncio.open_connection(target.host, target.port)
                continue
            ended = time.perf_counter()
            if began < start_measuring:
                continue
            if 200 <= status < 300 and target.expect_body is not None and target.expect_body not in body:
                tally.unexpected += 1
            elif 200 <= status < 300:
                tally.latencies.append(ended - began)
            else:
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
    finally:
        writer.close()


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted samples (0 when there are none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))]


async def run(target: Target, clients: int, duration: float, warmup: float) -> dict[str, Any]:
    begin = time.perf_counter()
    start_measuring, stop = begin + warmup, begin + warmup + duration
    tallies = [Tally() for _ in range(clients)]
    await asyncio.gather(*(client(target, start_measuring, stop, tally) for tally in tallies))
    latencies = sorted(latency for tally in tallies for latency in tally.latencies)
    statuses: dict[str, int] = {}
    for tally in tallies:
        for status, count in tally.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    return {
        "ok": len(latencies),
        "per_second": len(latencies) / duration,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "other_statuses": statuses,
        "connection_failures": sum(tally.failures for tally in tallies),
        "unexpected_bodies": sum(tally.unexpected for tally in tallies),
        "duration_s": duration,
        "clients": clients,
    }


def parse_target(url: str, headers: list[str], body: str, expect_body: str | None = None) -> Target:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise SystemExit("only http:// URLs")
    pairs = tuple((name.strip(), value.strip()) for name, _, value in (h.partition(":") for h in headers))
    expected = None if expect_body is None else expect_body.encode()
    return Target(parts.hostname, parts.port or 80, parts.path or "/", pairs, body, expected)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--expect-body", default=None, help="a 2xx answer counts only if its body contains this")
    args = parser.parse_args(argv)
    target = parse_target(args.url, args.header, args.body_file.read_text(encoding="utf-8"), args.expect_body)
    result = asyncio.run(run(target, args.clients, args.duration, args.warmup))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
