"""Sign and verify one realistic OB 3.0 credential per operation: Credstack vs the JavaScript reference.

Run from the repository root: `.venv/bin/python bench/proofs.py [--iterations N] [--json PATH] [--profile]`
(`make bench`). See bench/README.md for what is timed on each side.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import gc
import json
import math
import pstats
import statistics
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interop"))

from jsref import JsReference, Suite  # noqa: E402

from credentials.did import DidKeyResolver, DidResolverRegistry  # noqa: E402
from credentials.jsonld import ContextStore, canonicalize  # noqa: E402
from credentials.keys import Ed25519KeyPair, VerificationMethod  # noqa: E402
from credentials.proofs import ProofOptions  # noqa: E402
from credentials.proofs.data_integrity import (  # noqa: E402
    ALL_SUITES,
    SUITES,
    add_proof,
    proof_set_verified,
    verification_method_urls,
    verify_proof_set,
)

CREDENTIAL_PATH: Final = ROOT / "tests" / "interop" / "fixtures" / "ob3-vcdm2.json"
# W3C vc-di-eddsa test vector key; the fixture's issuer is its did:key, so the reference's issuer check holds.
SEED_HEX: Final = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
CREATED: Final = "2024-01-01T00:00:00Z"
BENCH_SUITES: Final = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020")
JS_SUITES: Final[dict[str, Suite]] = {
    "eddsa-rdfc-2022": "eddsa-rdfc-2022",
    "Ed25519Signature2020": "Ed25519Signature2020",
}
HEADLINE: Final = "eddsa-rdfc-2022"

Json = dict[str, Any]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples)


def p90_ms(samples: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": median_ms(samples), "p90_ms": p90_ms(samples), "min_ms": min(samples)}


class PythonSide:
    """What an issuer and a verifier hold across requests: the context store, the resolver, the key."""

    def __init__(self) -> None:
        self.contexts = ContextStore.load()
        self.resolver = DidResolverRegistry({"key": DidKeyResolver()})
        self.key = Ed25519KeyPair.from_seed(bytes.fromhex(SEED_HEX))
        self.signer = self.key.signer()

    def sign(self, credential: Json, suite: str) -> dict[str, Any]:
        """add_proof with a fixed `created` (the JS side gets the same)."""
        options = ProofOptions.for_suite(SUITES[suite], self.key.did_key_verification_method, created=CREATED)
        return add_proof(credential, SUITES[suite], options, self.signer, self.contexts)

    async def verify(self, credential: Mapping[str, Any]) -> bool:
        """Per credential, as verifier.checks.proof does: dereference each method (did:key, offline), verify all."""
        methods: dict[str, VerificationMethod] = {}
        for url in verification_method_urls(credential):
            methods[url] = await self.resolver.dereference_verification_method(url)
        checks = verify_proof_set(
            credential,
            methods=methods,
            contexts=self.contexts,
            expected_purpose="assertionMethod",
            allowed_suites=ALL_SUITES,
        )
        return proof_set_verified(checks)


def time_python(side: PythonSide, credential: Json, suite: str, iterations: int, warmup: int) -> dict[str, Any]:
    """perf_counter_ns around each operation; every sign gets a fresh copy of the input (made outside the timing),
    as the JS bench parses a fresh one."""
    inputs = [copy.deepcopy(credential) for _ in range(iterations + warmup)]

    async def run() -> tuple[list[float], list[float], int]:
        sign_ms: list[float] = []
        verify_ms: list[float] = []
        verified = 0
        for index, document in enumerate(inputs):
            start = time.perf_counter_ns()
            signed = side.sign(document, suite)
            middle = time.perf_counter_ns()
            ok = await side.verify(signed)
            end = time.perf_counter_ns()
            if index >= warmup:
                sign_ms.append((middle - start) / 1e6)
                verify_ms.append((end - middle) / 1e6)
                verified += ok
        return sign_ms, verify_ms, verified

    gc.collect()
    sign_ms, verify_ms, verified = asyncio.run(run())
    return {"sign": summary(sign_ms), "verify": summary(verify_ms), "verified": verified == iterations}


def time_js(js: JsReference, credential: Json, suite: Suite, iterations: int, warmup: int) -> dict[str, Any]:
    """The harness's bench op: vc.issue and vc.verifyCredential (did:key resolved by the static document loader,
    issuer checked against the key's controller), timed inside node with performance.now()."""
    result = js.bench(
        credential, suite, SEED_HEX, iterations, warmup=warmup, created=CREATED, timeout=60.0 + iterations
    )
    return {
        "sign": summary(result["sign_ms"]),
        "verify": summary(result["verify_ms"]),
        "verified": result["verified"] is True,
        "errors": result["errors"],
    }


def check_agreement(js: JsReference, side: PythonSide, credential: Json, suite: Suite) -> None:
    """What is timed is correct work: both sides sign the same bytes, and the reference accepts our credential."""
    ours = json.loads(json.dumps(side.sign(copy.deepcopy(credential), suite)))
    theirs = js.sign(credential, suite, SEED_HEX, CREATED)
    if ours["proof"]["proofValue"] != theirs["proof"]["proofValue"]:
        raise SystemExit(f"{suite}: proofValue differs from the reference's; run pytest tests/interop")
    if not js.verify(ours)["allProofsVerified"]:
        raise SystemExit(f"{suite}: the reference does not verify our credential; run pytest tests/interop")


def ratio(ours: dict[str, Any], theirs: dict[str, Any] | None, operation: str) -> float | None:
    if theirs is None:
        return None
    return float(ours[operation]["median_ms"] / theirs[operation]["median_ms"])


def run(iterations: int, warmup: int) -> dict[str, Any]:
    credential: Json = json.loads(CREDENTIAL_PATH.read_text(encoding="utf-8"))
    side = PythonSide()
    quads = canonicalize(credential, side.contexts).count("\n")
    results: dict[str, Any] = {
        "credential": str(CREDENTIAL_PATH.relative_to(ROOT)),
        "nquads_lines": quads,
        "iterations": iterations,
        "warmup": warmup,
        "python": sys.version.split()[0],
        "suites": {},
    }
    with JsReference() as js:
        results["node"] = js.info.get("node")
        js_quads = js.canonize(credential, canonizer="eddsa-rdfc-2022").count("\n")
        if js_quads != quads:
            raise SystemExit(f"canonical N-Quads differ in length: ours {quads} lines, reference {js_quads}")
        for suite in BENCH_SUITES:
            ours = time_python(side, credential, suite, iterations, warmup)
            js_suite = JS_SUITES.get(suite)
            if js_suite is not None:
                check_agreement(js, side, credential, js_suite)
            theirs = time_js(js, credential, js_suite, iterations, warmup) if js_suite else None
            if not ours["verified"] or (theirs is not None and not theirs["verified"]):
                raise SystemExit(f"{suite}: a signed credential did not verify: {theirs and theirs['errors']}")
            results["suites"][suite] = {
                "credstack": ours,
                "js": theirs,
                "sign_ratio": ratio(ours, theirs, "sign"),
                "verify_ratio": ratio(ours, theirs, "verify"),
            }
    return results


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(results: dict[str, Any]) -> None:
    print(
        f"credential: {results['credential']} ({results['nquads_lines']} canonical N-Quads lines); "
        f"{results['iterations']} iterations after {results['warmup']} warm-up; "
        f"Python {results['python']}, node {results['node']}"
    )
    header = (
        f"{'suite':<22} {'side':<10} {'sign med':>9} {'sign p90':>9} {'verify med':>11} {'verify p90':>11}"
        f" {'sign ratio':>11} {'verify ratio':>13}"
    )
    print(header + "\n" + "-" * len(header))
    for suite, entry in results["suites"].items():
        for side in ("credstack", "js"):
            row = entry[side]
            if row is None:
                print(f"{suite:<22} {side:<10} {'(no jcs suite in the reference)':>42}")
                continue
            ratios = side == "credstack"
            print(
                f"{suite:<22} {side:<10} {row['sign']['median_ms']:>9.3f} {row['sign']['p90_ms']:>9.3f}"
                f" {row['verify']['median_ms']:>11.3f} {row['verify']['p90_ms']:>11.3f}"
                f" {_cell(entry['sign_ratio'], 2) if ratios else '':>11}"
                f" {_cell(entry['verify_ratio'], 2) if ratios else '':>13}"
            )
    print("times in ms per operation; ratio = Credstack median / JS median")


def profile(iterations: int) -> None:
    """cProfile of Credstack's eddsa-rdfc-2022 sign + verify (top functions by cumulative and by own time)."""
    credential: Json = json.loads(CREDENTIAL_PATH.read_text(encoding="utf-8"))
    side = PythonSide()
    time_python(side, credential, HEADLINE, 20, 5)
    profiler = cProfile.Profile()
    profiler.enable()
    time_python(side, credential, HEADLINE, iterations, 0)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="timed operations per suite and side")
    parser.add_argument("--warmup", type=int, default=None, help="untimed rounds first (default: iterations/10)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results there")
    parser.add_argument("--profile", action="store_true", help="cProfile Credstack's eddsa-rdfc-2022 instead")
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    warmup: int = args.warmup if args.warmup is not None else max(5, args.iterations // 10)
    if args.profile:
        profile(args.iterations)
        return 0
    results = run(args.iterations, warmup)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    headline = results["suites"][HEADLINE]
    print(f"{HEADLINE} sign_ratio={headline['sign_ratio']:.2f} verify_ratio={headline['verify_ratio']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
