"""Issuing over HTTP: Credstack's `POST /credentials/issue` (2 worker processes, storing each credential and
allocating its status) against a minimal node server that only signs with the JavaScript reference.

Run from the repository root: `.venv/bin/python bench/issue_http.py [--duration 20] [--clients 16]
[--postgres-url URL]` (`make bench`). See bench/README.md. Ends with exactly one line
`issue_http sqlite_ratio=X postgres_ratio=Y` (Credstack credentials/s / JS credentials/s; target: both >= 1.0).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue_http_services import (  # noqa: E402
    CredstackService,
    NodeSigner,
    check_signed,
    postgres_database,
    run_load,
)

CREDENTIAL_PATH: Final = ROOT / "tests" / "interop" / "fixtures" / "ob3-vcdm2.json"
SEED_HEX: Final = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
POSTGRES_URL_ENV: Final = "CREDSTACK_TEST_POSTGRES_URL"


def request_body(issuer_did: str) -> str:
    """The bench credential (a realistic OB 3.0 AchievementCredential) for `issuer_did`; bench/http_load.py gives
    every request its own `id` in place of the placeholder."""
    credential: dict[str, Any] = json.loads(CREDENTIAL_PATH.read_text(encoding="utf-8"))
    credential["id"] = "urn:uuid:__REQUEST_ID__"
    credential["issuer"]["id"] = issuer_did
    return json.dumps({"credential": credential, "options": {}})


def measure_credstack(name: str, database_url: str | None, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Set up a fresh service on `database_url` (None: SQLite in a temporary data dir), check it, load it."""
    with CredstackService(work / name, database_url=database_url, workers=args.workers) as service:
        body = request_body(service.issuer_did)
        check_signed(service.issue_once(body), service.issuer_did)
        body_file = work / f"{name}-body.json"
        body_file.write_text(body, encoding="utf-8")
        return run_load(service.issue_url, body_file, args, headers=[service.authorization])


def measure_node(node: NodeSigner, args: argparse.Namespace, work: Path, label: str) -> dict[str, Any]:
    body_file = work / f"node-{label}-body.json"
    body_file.write_text(request_body(node.did), encoding="utf-8")
    return run_load(node.issue_url, body_file, args)


def _row(label: str, result: dict[str, Any] | None, note: str = "") -> str:
    if result is None:
        return f"{label:<34} {'not measured':>14}  {note}"
    errors = sum(result["other_statuses"].values()) + result["connection_failures"]
    return (
        f"{label:<34} {result['per_second']:>14.1f} {result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f}"
        f" {errors:>7}  {note}"
    )


def ratio_text(ours: dict[str, Any] | None, theirs: float) -> str:
    return "unmeasured" if ours is None else f"{ours['per_second'] / theirs:.2f}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"clients": args.clients, "duration_s": args.duration, "workers": args.workers}
    with tempfile.TemporaryDirectory(prefix="credstack-bench-") as tmp, NodeSigner(SEED_HEX) as node:
        work = Path(tmp)
        check_signed(node.issue_once(request_body(node.did)), node.did)
        probe = argparse.Namespace(**{**vars(args), "duration": min(5.0, args.duration)})
        results["load_generator_noop"] = run_load(node.noop_url, _empty_body(work), probe)
        results["js_before"] = measure_node(node, args, work, "before")
        results["sqlite"] = measure_credstack("sqlite", None, args, work)
        postgres_url = args.postgres_url or os.environ.get(POSTGRES_URL_ENV)
        results["postgres"], results["postgres_note"] = None, ""
        if postgres_url is None:
            results["postgres_note"] = f"no PostgreSQL: pass --postgres-url or set {POSTGRES_URL_ENV}"
        else:
            try:
                with postgres_database(postgres_url) as (url, how):
                    results["postgres"] = measure_credstack("postgres", url, args, work)
                    results["postgres_note"] = how
            except ConnectionError as exc:
                results["postgres_note"] = f"PostgreSQL unavailable: {exc}"
        results["js_after"] = measure_node(node, args, work, "after")
    results["js_per_second"] = (results["js_before"]["per_second"] + results["js_after"]["per_second"]) / 2
    return results


def _empty_body(work: Path) -> Path:
    path = work / "noop-body.json"
    path.write_text("{}", encoding="utf-8")
    return path


def print_report(results: dict[str, Any]) -> None:
    print(
        f"issue_http: {results['clients']} concurrent clients, {results['duration_s']:g} s per target after warm-up; "
        f"Credstack {results['workers']} worker processes; JS: one node process (single-threaded)"
    )
    header = f"{'target':<34} {'credentials/s':>14} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"
    print(header + "\n" + "-" * len(header))
    print(_row("load generator alone (POST /noop)", results["load_generator_noop"], "requests/s, its ceiling"))
    print(_row("JS reference, node (before)", results["js_before"]))
    print(_row("Credstack, SQLite", results["sqlite"], "stores + allocates status"))
    print(_row("Credstack, PostgreSQL", results["postgres"], results["postgres_note"]))
    print(_row("JS reference, node (after)", results["js_after"]))
    print(f"ratios use the mean JS rate, {results['js_per_second']:.1f} credentials/s")
    if results["postgres"] is None:
        print(f"the PostgreSQL ratio could not be measured: {results['postgres_note']}")
    sqlite = ratio_text(results["sqlite"], results["js_per_second"])
    postgres = ratio_text(results["postgres"], results["js_per_second"])
    print(f"issue_http sqlite_ratio={sqlite} postgres_ratio={postgres}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per target")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds of load first")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="Credstack worker processes")
    parser.add_argument(
        "--postgres-url", default=None, help=f"server to create a database on (default ${POSTGRES_URL_ENV})"
    )
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results there")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
