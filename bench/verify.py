"""Verify one realistic OB 3.0 credential: Credstack's whole verification pipeline against the JavaScript reference's
`verifyCredential` per operation, then `POST /api/v1/verify` over HTTP at 8 concurrent clients.

Run from the repository root: `.venv/bin/python bench/verify.py [--iterations N] [--duration S] [--json PATH]`
(`make bench`). See bench/README.md for what each side does. Ends with exactly one line `verify verify_ratio=X`
(Credstack median / JS median per verification; the target is at most 1.0).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import httpx

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from jsref import INTEROP_DIR, available, node_executable  # noqa: E402

from credentials.jsonld import ContextStore  # noqa: E402
from credentials.keys import Ed25519KeyPair  # noqa: E402
from credentials.proofs import ProofOptions  # noqa: E402
from credentials.proofs.data_integrity import SUITES, add_proof  # noqa: E402
from credstack.settings import Settings  # noqa: E402
from credstack.verification import verifier_ports  # noqa: E402
from issue_http_services import CREDSTACK, free_port, stop_process, wait_until_up  # noqa: E402
from verifier.checks.proof import check_data_integrity  # noqa: E402
from verifier.parse import parse_input  # noqa: E402
from verifier.service import VerifierPorts, verify_input  # noqa: E402

CREDENTIAL_PATH: Final = ROOT / "tests" / "interop" / "fixtures" / "ob3-vcdm2.json"
NODE_HELPER: Final = INTEROP_DIR / "js" / "verify_bench.mjs"
HTTP_LOAD: Final = Path(__file__).resolve().parent / "http_load.py"
# W3C vc-di-eddsa test vector key (as bench/proofs.py): the fixture's issuer is its did:key.
SEED_HEX: Final = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
CREATED: Final = "2024-01-01T00:00:00Z"
SUITE: Final = "eddsa-rdfc-2022"
VERIFY_PATH: Final = "/api/v1/verify"
# What every counted HTTP answer must contain: the endpoint answers 200 whether or not the credential verifies.
VERIFIED_TEXT: Final = '"verified":true'

OURS: Final = (
    "verifier.service.verify_input, bytes in, report out: parse; conformance (pinned contexts, VCDM 2.0 and OB 3.0 "
    "structure, dates, enumerations, strict JSON-LD: the unsecured credential canonicalized, undefined terms "
    "refused); proof (did:key dereferenced, eddsa-rdfc-2022 verified); proof_purpose (assertionMethod, controller "
    "is the issuer); validity (validFrom/validUntil); status, recipient, endorsements (none here: skipped); "
    "the summary. Ports from credstack.verification.verifier_ports(offline=True), held across operations"
)
OURS_PROOF: Final = (
    "for comparison, not in the ratio: json.loads + verifier.checks.proof.check_data_integrity alone "
    "(did:key dereferenced, proof set verified)"
)
THEIRS: Final = (
    "tests/interop/js/verify_bench.mjs: JSON.parse + @digitalbazaar/vc verifyCredential (DataIntegrityProof "
    "eddsa-rdfc-2022 and Ed25519Signature2020 suites; default purpose: assertionMethod, controller is the issuer; "
    "vc's credential checks incl. validFrom/validUntil; no status), a static document loader serving the pinned "
    "contexts and the did:key; suites and loader held across operations"
)

Json = dict[str, Any]


def summary(samples: list[float]) -> dict[str, float]:
    """Median, nearest-rank p90 and minimum of per-operation times in ms."""
    ordered = sorted(samples)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"median_ms": statistics.median(ordered), "p90_ms": p90, "min_ms": ordered[0]}


def signed_credential(contexts: ContextStore) -> str:
    """The fixture signed eddsa-rdfc-2022 with a fixed `created` by the did:key of SEED_HEX, as JSON text."""
    credential: Json = json.loads(CREDENTIAL_PATH.read_text(encoding="utf-8"))
    key = Ed25519KeyPair.from_seed(bytes.fromhex(SEED_HEX))
    method = key.did_key_verification_method
    if credential["issuer"]["id"] != method.split("#")[0]:
        raise SystemExit(f"{CREDENTIAL_PATH.name}: the issuer is not the did:key of the bench seed")
    options = ProofOptions.for_suite(SUITES[SUITE], method, created=CREATED)
    return json.dumps(add_proof(credential, SUITES[SUITE], options, key.signer(), contexts))


async def _time_credstack(data: bytes, ports: VerifierPorts, iterations: int, warmup: int) -> Json:
    """perf_counter_ns around each operation, the pipeline and the proof check alone alternating."""
    first = await verify_input(data, ports)
    checks = {check.id: check.status.value for check in first.checks}
    if not first.verified:
        raise SystemExit(f"Credstack does not verify the bench credential: {first.model_dump_json(indent=2)}")
    pipeline_ms: list[float] = []
    proof_ms: list[float] = []
    verified = 0
    gc.collect()
    for index in range(warmup + iterations):
        start = time.perf_counter_ns()
        report = await verify_input(data, ports)
        middle = time.perf_counter_ns()
        document = json.loads(data)
        outcome = await check_data_integrity(
            document, resolver=ports.resolver, contexts=ports.contexts, suites=ports.suites
        )
        end = time.perf_counter_ns()
        if index >= warmup:
            pipeline_ms.append((middle - start) / 1e6)
            proof_ms.append((end - middle) / 1e6)
            verified += report.verified and outcome.result.status.value == "passed"
    return {
        "pipeline": summary(pipeline_ms),
        "proof_check": summary(proof_ms),
        "verified": verified == iterations,
        "checks": checks,
    }


def time_credstack(text: str, contexts: ContextStore, iterations: int, warmup: int) -> Json:
    """Credstack's pipeline with offline ports (did:key needs no fetch) built once, as the service holds them."""
    data = text.encode()
    parse_input(data)  # fails loudly here rather than inside the timing

    async def run() -> Json:
        async with verifier_ports(Settings(), offline=True, contexts=contexts) as ports:
            return await _time_credstack(data, ports, iterations, warmup)

    return asyncio.run(run())


def time_js(text: str, iterations: int, warmup: int) -> Json:
    """tests/interop/js/verify_bench.mjs on the same credential text; times measured inside node."""
    node = node_executable()
    if node is None or not available():
        raise SystemExit("the JavaScript reference is not installed: run `make install-node`")
    request = json.dumps({"credentialText": text, "iterations": iterations, "warmup": warmup})
    done = subprocess.run(
        [node, str(NODE_HELPER)],
        input=request,
        capture_output=True,
        text=True,
        cwd=INTEROP_DIR,
        timeout=120 + iterations,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"verify_bench.mjs failed: {done.stderr[-2000:]}")
    result: Json = json.loads(done.stdout)
    if not result["verified"]:
        raise SystemExit(f"the JavaScript reference does not verify the bench credential: {result['errors']}")
    return {"verify": summary(result["verify_ms"]), "verified": True, "node": result["node"]}


class VerifyService:
    """`credstack db upgrade` and `credstack serve --workers N` on a fresh SQLite database in a temporary data
    directory and a free port; no client, issuer or token is needed to verify."""

    def __init__(self, data_dir: Path, *, workers: int) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CREDSTACK_")}
        self.env.update(CREDSTACK_DATA_DIR=str(data_dir), CREDSTACK_BASE_URL=self.base_url)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self.data_dir.mkdir(parents=True)
        upgrade = [str(CREDSTACK), "db", "upgrade"]
        done = subprocess.run(upgrade, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"credstack db upgrade failed: {done.stderr[-2000:]}")
        command = [str(CREDSTACK), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        log = (self.data_dir / "serve.log").open("ab")
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log, start_new_session=True)
        wait_until_up(f"{self.base_url}/healthz", self.process)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.process is not None:
            stop_process(self.process)

    @property
    def verify_url(self) -> str:
        return f"{self.base_url}{VERIFY_PATH}"


def check_endpoint(url: str, body: str) -> str | None:
    """One request before timing: None when the answer is a 200 report saying verified, else why not."""
    try:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=30)
    except httpx.HTTPError as exc:
        return f"POST {VERIFY_PATH} failed: {exc}"
    if response.status_code != 200:
        return f"POST {VERIFY_PATH} answered {response.status_code}: {response.text[:300]}"
    try:
        verified = response.json().get("verified")
    except (ValueError, AttributeError):
        return f"POST {VERIFY_PATH} did not answer a JSON report: {response.text[:300]}"
    if verified is not True:
        return f"POST {VERIFY_PATH} did not verify the bench credential: {response.text[:1000]}"
    if VERIFIED_TEXT not in response.text:
        return f"the report is not serialized with {VERIFIED_TEXT} (the load generator looks for it)"
    return None


def run_load(url: str, body_file: Path, args: argparse.Namespace) -> Json:
    """bench/http_load.py in its own process, counting only answers that say verified."""
    command = [sys.executable, str(HTTP_LOAD), "--url", url, "--body-file", str(body_file)]
    command += ["--clients", str(args.clients), "--duration", str(args.duration), "--warmup", str(args.http_warmup)]
    command += ["--expect-body", VERIFIED_TEXT]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the load generator failed: {done.stderr[-2000:]}")
    result: Json = json.loads(done.stdout)
    return result


def measure_http(text: str, args: argparse.Namespace) -> Json:
    """Serve, check one answer, then load `POST /api/v1/verify` with the signed credential as the body."""
    with (
        tempfile.TemporaryDirectory(prefix="credstack-bench-verify-") as tmp,
        VerifyService(Path(tmp) / "data", workers=args.workers) as service,
    ):
        problem = check_endpoint(service.verify_url, text)
        if problem is not None:
            return {"measured": False, "note": problem}
        body_file = Path(tmp) / "body.json"
        body_file.write_text(text, encoding="utf-8")
        return {"measured": True, "note": "", **run_load(service.verify_url, body_file, args)}


def run(args: argparse.Namespace) -> Json:
    contexts = ContextStore.load()
    text = signed_credential(contexts)
    ours = time_credstack(text, contexts, args.iterations, args.warmup)
    theirs = time_js(text, args.iterations, args.warmup)
    results: Json = {
        "credential": str(CREDENTIAL_PATH.relative_to(ROOT)),
        "suite": SUITE,
        "issuer": json.loads(text)["issuer"]["id"],
        "body_bytes": len(text.encode()),
        "iterations": args.iterations,
        "warmup": args.warmup,
        "python": sys.version.split()[0],
        "node": theirs["node"],
        "credstack": {"what": OURS, **ours["pipeline"]},
        "credstack_proof_check": {"what": OURS_PROOF, **ours["proof_check"]},
        "js": {"what": THEIRS, **theirs["verify"]},
        "credstack_checks": ours["checks"],
        "verify_ratio": ours["pipeline"]["median_ms"] / theirs["verify"]["median_ms"],
    }
    http: Json = {"measured": False, "note": "skipped (--no-http)"}
    if not args.no_http:
        http = measure_http(text, args)
    results["http"] = {
        "clients": args.clients,
        "duration_s": args.duration,
        "warmup_s": args.http_warmup,
        "workers": args.workers,
        "database": "SQLite",
        **http,
    }
    return results


def print_report(results: Json) -> None:
    print(
        f"verify: {results['credential']} signed {results['suite']} by {results['issuer']} (fixed seed), "
        f"{results['body_bytes']} bytes; {results['iterations']} operations after {results['warmup']} warm-up; "
        f"Python {results['python']}, node {results['node']}"
    )
    header = f"{'side':<30} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}"
    print(header + "\n" + "-" * len(header))
    rows = (
        ("Credstack: whole pipeline", results["credstack"]),
        ("Credstack: proof check only", results["credstack_proof_check"]),
        ("JS: vc.verifyCredential", results["js"]),
    )
    for label, row in rows:
        print(f"{label:<30} {row['median_ms']:>10.3f} {row['p90_ms']:>8.3f} {row['min_ms']:>8.3f}")
    for label, row in rows:
        print(textwrap.fill(f"{label}: {row['what']}", width=118, initial_indent="- ", subsequent_indent="  "))
    checks = " ".join(f"{k}={v}" for k, v in results["credstack_checks"].items())
    print(textwrap.fill(f"Credstack's checks on it: {checks}", width=118, subsequent_indent="  "))
    http = results["http"]
    heading = (
        f"POST {VERIFY_PATH}: {http['clients']} concurrent clients, {http['duration_s']:g} s after "
        f"{http['warmup_s']:g} s warm-up; `credstack serve --workers {http['workers']}`, fresh {http['database']}; "
        "body: the signed credential above (did:key, so nothing is fetched); every counted answer a 200 "
        f"containing {VERIFIED_TEXT}"
    )
    print(textwrap.fill(heading, width=118, subsequent_indent="  "))
    if not http["measured"]:
        print(f"  not measured: {http['note']}")
    else:
        errors = sum(http["other_statuses"].values()) + http["connection_failures"] + http["unexpected_bodies"]
        print(
            f"  requests/s {http['per_second']:.1f}  p50 {http['p50_ms']:.1f} ms  p95 {http['p95_ms']:.1f} ms  "
            f"verified answers {http['ok']}  errors {errors}"
        )
    print(f"verify verify_ratio={results['verify_ratio']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="timed verifications per side")
    parser.add_argument("--warmup", type=int, default=None, help="untimed verifications first (default: N/10, >= 5)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds of HTTP load")
    parser.add_argument("--http-warmup", type=float, default=3.0, help="unmeasured seconds of HTTP load first")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="Credstack worker processes")
    parser.add_argument("--no-http", action="store_true", help="only the per-operation comparison")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results there")
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    args.warmup = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    results = run(args)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_report(results)
    return 0 if results["http"]["measured"] or args.no_http else 1


if __name__ == "__main__":
    raise SystemExit(main())
