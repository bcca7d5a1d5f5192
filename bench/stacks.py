"""Issue 5's stacks benchmark: a 20-requirement pathway evaluated against 50 presented credentials, every one through
the real verification pipeline, then the rule itself.

Run from the repository root: `.venv/bin/python bench/stacks.py [--rounds N] [--judge-iterations N] [--json PATH]`
(`make bench`). See bench/README.md for the pathway and the credentials. Before anything is timed, the outcome must be
what this bench built: the rule satisfied, 20 of 20 requirements and 40 of 40 credits met, and each credential
counted or refused for the reason it was made for. Ends with exactly one line
`stacks evaluation_ms=X verification_ms=Y` (median `judge` and median verification of one credential; the target is
evaluation under 1 ms: the rest of an evaluation is verification).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import json
import math
import statistics
import sys
import textwrap
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from credentials.jsonld import ContextStore
from credentials.keys import Ed25519KeyPair
from credentials.proofs import ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credstack.settings import Settings
from credstack.verification import verifier_ports
from issuer.pathways.binding import Learner, hashed
from issuer.pathways.candidates import Candidate, Considered, VerifyPort, consider
from issuer.pathways.inputs import Catalog
from issuer.pathways.policy import Equivalence, PathwayPolicy
from issuer.pathways.report import judge
from issuer.pathways.rules import Node, parse_rule
from schemas.pathways import RuleEvaluation
from schemas.report import VerificationReport
from verifier.parse import UnreadableInput
from verifier.service import VerifierPorts, unreadable_report, verify_input

Json = dict[str, Any]

ROOT: Final = Path(__file__).resolve().parents[1]
FIXTURE: Final = ROOT / "tests" / "interop" / "fixtures" / "ob3-vcdm2.json"
SUITE: Final = "eddsa-rdfc-2022"
CREATED: Final = "2025-09-01T00:00:00Z"
# The clock of the verifier and of `max_age_days`: fixed, so every run judges the same thing.
NOW: Final = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MAX_AGE_DAYS: Final = 1825
LEARNER_EMAIL: Final = "ada.learner@example.com"
OTHER_EMAIL: Final = "someone.else@example.com"
SALT: Final = "bench-salt"
NAMESPACE: Final = uuid.UUID("6f1c2f0e-3b1a-4c6e-9a57-1d0c5e1b2a90")

# Fixed seeds: the same three did:key issuers on every run.
OURS: Final = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
PARTNER: Final = Ed25519KeyPair.from_seed(bytes(range(33, 65)))
UNTRUSTED: Final = Ed25519KeyPair.from_seed(bytes(range(65, 97)))

UNI: Final = "https://uni.example.edu"
HARBOR: Final = "https://harbor.example.edu"
LEVELS: Final = ("not-yet", "proficient", "distinguished")
# The rule's parts (README "Pathways"): 12 required achievements (the first 4 with a minimum rubric level), 3 of
# 5 more, 1 of 2 capstones, 4 of 5 competencies, and 40 credits of 25 electives: 12 + 3 + 1 + 4 = 20 requirements.
REQUIRED: Final = tuple(f"A{n:02d}" for n in range(1, 13))
WITH_LEVEL: Final = REQUIRED[:4]
THREE_OF: Final = tuple(f"A{n:02d}" for n in range(13, 18))
CAPSTONES: Final = ("A18", "A19")
COMPETENCIES: Final = tuple(f"{UNI}/competencies/C{n}" for n in range(1, 6))
ELECTIVES: Final = tuple(f"E{n:02d}" for n in range(1, 26))
CREDITS_REQUIRED: Final = 40
CREDITS_EACH: Final = 2.0
REQUIREMENTS: Final = len(REQUIRED) + 3 + 1 + 4


def did_of(key: Ed25519KeyPair) -> str:
    return key.did_key_verification_method.split("#", 1)[0]


def ours(code: str) -> str:
    """One of our achievements' ids, as the rule names it (the public URL)."""
    return f"{UNI}/achievements/{code}"


def partner(code: str) -> str:
    return f"{HARBOR}/courses/{code}"


def rubric_id(code: str) -> str:
    return f"{ours(code)}#assessment"


def level_id(code: str, level: str) -> str:
    return f"{ours(code)}#{level}"


def rule_tree() -> Json:
    minimum = {
        code: {"result_description": rubric_id(code), "level": level_id(code, "proficient")} for code in WITH_LEVEL
    }
    return {
        "all_of": [
            *(
                {"achievement": ours(code), **({"min_result": minimum[code]} if code in minimum else {})}
                for code in REQUIRED
            ),
            {"n_of": 3, "of": [{"achievement": ours(code)} for code in THREE_OF]},
            {"any_of": [{"achievement": ours(code)} for code in CAPSTONES]},
            {"competencies": list(COMPETENCIES), "n": 4},
            {"credits": CREDITS_REQUIRED, "of": [{"achievement": ours(code)} for code in ELECTIVES]},
        ]
    }


def catalog() -> Catalog:
    names = {ours(code): f"Module {code}" for code in (*REQUIRED, *THREE_OF, *CAPSTONES, *ELECTIVES)}
    names |= {url: f"Competency {url.rsplit('/', 1)[1]}" for url in COMPETENCIES}
    results = {ours(code): {rubric_id(code): tuple(level_id(code, level) for level in LEVELS)} for code in WITH_LEVEL}
    return Catalog(names=names, results=results)


# Harbor Polytechnic's articulation agreement: which of its courses count as which of ours, by the three matchers.
PARTNER_COURSES: Final = tuple(f"P{n:02d}" for n in range(1, 21))
PARTNER_COUNTS_AS: Final = {"P01": "A15", "P02": "A16", "P03": "A18"} | {
    f"P{n:02d}": f"E{n + 5:02d}" for n in range(4, 21)
}


def equivalences() -> tuple[Equivalence, ...]:
    issuer = did_of(PARTNER)
    found = [
        Equivalence(issuer, ours("A15"), achievement_id=partner("P01")),
        Equivalence(issuer, ours("A16"), alignment_code="HP-ANL-202"),
        Equivalence(issuer, ours("A18"), alignment_url=f"{HARBOR}/frameworks/capstone"),
    ]
    found += [
        Equivalence(issuer, ours(PARTNER_COUNTS_AS[code]), achievement_id=partner(code)) for code in PARTNER_COURSES[3:]
    ]
    return tuple(found)


def policy() -> PathwayPolicy:
    return PathwayPolicy(
        own_issuers=frozenset({did_of(OURS)}),
        trusted_issuers=frozenset({did_of(PARTNER)}),
        equivalences=equivalences(),
        max_age_days=MAX_AGE_DAYS,
        composite=ours("CERT"),
    )


@dataclass(frozen=True, slots=True)
class Made:
    """One presented credential and what the bench expects of it."""

    label: str
    credential: Json
    expect: str  # the reason `consider` must give (`not_verified` is the tampered ones)


class Maker:
    """Builds and signs OB 3.0 credentials from the interop fixture (VCDM 2.0, hashed email identity)."""

    def __init__(self, contexts: ContextStore) -> None:
        self.contexts = contexts
        self.template: Json = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.count = 0

    def credential(
        self,
        label: str,
        *,
        key: Ed25519KeyPair,
        issuer_name: str,
        achievement: Json,
        email: str = LEARNER_EMAIL,
        level: str | None = None,
    ) -> Json:
        self.count += 1
        credential = copy.deepcopy(self.template)
        credential.pop("evidence", None)
        credential["id"] = f"urn:uuid:{uuid.uuid5(NAMESPACE, label)}"
        credential["name"] = achievement["name"]
        credential["description"] = f"Awarded for {achievement['name']}."
        credential["issuer"] = {"id": did_of(key), "type": ["Profile"], "name": issuer_name}
        credential["validFrom"] = f"2025-{1 + self.count % 12:02d}-{1 + self.count % 28:02d}T09:00:00Z"
        subject = credential["credentialSubject"]
        subject["identifier"][0].update(identityHash=hashed(email, SALT), salt=SALT)
        subject["achievement"] = {"type": ["Achievement"], **achievement}
        subject["creditsEarned"] = CREDITS_EACH
        if level is None:
            subject.pop("result")
        else:
            code = achievement["id"].rsplit("/", 1)[1]
            subject["result"] = [
                {"type": ["Result"], "resultDescription": rubric_id(code), "achievedLevel": level_id(code, level)}
            ]
        return self.sign(credential, key)

    def sign(self, credential: Json, key: Ed25519KeyPair) -> Json:
        suite = SUITES[SUITE]
        method = key.did_key_verification_method
        options = ProofOptions.for_suite(suite, method, created=CREATED)
        return add_proof(credential, suite, options, key.signer(method), self.contexts)


def our_achievement(code: str) -> Json:
    achievement: Json = {
        "id": ours(code),
        "achievementType": "Course",
        "name": f"Module {code}",
        "description": f"Module {code} of the Data Engineering programme.",
        "criteria": {"narrative": f"Pass the assessment of module {code}."},
        "creditsAvailable": CREDITS_EACH,
    }
    number = int(code[1:]) if code.startswith("A") else 0
    if 1 <= number <= 3:  # A01..A03 cover competencies C1..C3
        url = COMPETENCIES[number - 1]
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": f"C{number}", "targetUrl": url, "targetCode": f"C{number}"}
        ]
    if code in WITH_LEVEL:
        achievement["resultDescription"] = [
            {
                "id": rubric_id(code),
                "type": ["ResultDescription"],
                "name": "Assessment",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {"id": level_id(code, level), "type": ["RubricCriterionLevel"], "name": level, "level": str(i)}
                    for i, level in enumerate(LEVELS, start=1)
                ],
            }
        ]
    return achievement


def partner_achievement(code: str) -> Json:
    alignment: list[Json] = []
    if code == "P01":  # Harbor maps its course to our competency C4
        alignment.append({"type": ["Alignment"], "targetName": "C4", "targetUrl": COMPETENCIES[3], "targetCode": "C4"})
    if code == "P02":
        alignment.append({"type": ["Alignment"], "targetName": "Analytics", "targetCode": "HP-ANL-202"})
    if code == "P03":
        alignment.append(
            {"type": ["Alignment"], "targetName": "Capstone", "targetUrl": f"{HARBOR}/frameworks/capstone"}
        )
    achievement: Json = {
        "id": partner(code),
        "achievementType": "Course",
        "name": f"Harbor course {code}",
        "description": f"Harbor Polytechnic course {code}.",
        "criteria": {"narrative": f"Complete course {code}."},
        "creditsAvailable": CREDITS_EACH,
    }
    if alignment:
        achievement["alignment"] = alignment
    return achievement


def tamper(credential: Json) -> Json:
    """Credits raised after signing: the proof no longer matches."""
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["creditsEarned"] = 20.0
    return changed


def presented(contexts: ContextStore) -> list[Made]:
    """The 50 credentials, mixed so that refused ones are not all at the end."""
    maker = Maker(contexts)
    uni, harbor = "Example University", "Harbor Polytechnic"

    def own(code: str, **kwargs: Any) -> Json:
        return maker.credential(f"ours-{code}", key=OURS, issuer_name=uni, achievement=our_achievement(code), **kwargs)

    counted_ours = [
        Made(f"ours {code}", own(code, level=("distinguished" if code == "A01" else "proficient")), "counted")
        for code in WITH_LEVEL
    ]
    counted_ours += [Made(f"ours {code}", own(code), "counted") for code in (*REQUIRED[4:], "A13", "A14")]
    counted_ours += [Made(f"ours {code}", own(code), "counted") for code in ELECTIVES[:8]]
    counted_partner = [
        Made(
            f"partner {code}",
            maker.credential(f"partner-{code}", key=PARTNER, issuer_name=harbor, achievement=partner_achievement(code)),
            "counted",
        )
        for code in PARTNER_COURSES
    ]
    refused = [
        Made(
            f"another learner {code}",
            maker.credential(
                f"other-{code}", key=OURS, issuer_name=uni, achievement=our_achievement(code), email=OTHER_EMAIL
            ),
            "another_learner",
        )
        for code in ("A17", "A19", "E01")
    ]
    refused += [
        Made(
            f"untrusted {code}",
            maker.credential(
                f"untrusted-{code}", key=UNTRUSTED, issuer_name="Diploma Mill", achievement=our_achievement(code)
            ),
            "untrusted_issuer",
        )
        for code in ("A17", "A19", "E26")
    ]
    refused += [Made(f"tampered {code}", tamper(own(code)), "not_verified") for code in ("A17", "A19")]
    made = counted_ours + counted_partner + refused
    # A fixed interleaving (7 and 50 are coprime), so the refused ones are spread through the list.
    ordered = sorted(range(len(made)), key=lambda i: (i * 7) % len(made))
    return [made[i] for i in ordered]


def summary(samples: Sequence[float]) -> Json:
    """Median, nearest-rank p90 and minimum of per-operation times in ms, and how many there were."""
    ordered = sorted(samples)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"median_ms": statistics.median(ordered), "p90_ms": p90, "min_ms": ordered[0], "n": len(ordered)}


def port(ports: VerifierPorts) -> VerifyPort:
    """verify_input as the pathway service binds it: unreadable bytes get the verifier's unreadable report."""

    async def verify(data: bytes) -> VerificationReport:
        try:
            return await verify_input(data, ports)
        except UnreadableInput as exc:
            return unreadable_report(str(exc), ports.clock())

    return verify


@dataclass(frozen=True, slots=True)
class Setup:
    rule: Node
    catalog: Catalog
    policy: PathwayPolicy
    learner: Learner
    made: list[Made]

    @property
    def candidates(self) -> list[Candidate]:
        return [Candidate(item.credential) for item in self.made]

    async def consider(self, verify: VerifyPort) -> Considered:
        return await consider(
            self.candidates,
            verify=verify,
            policy=self.policy,
            rule=self.rule,
            catalog=self.catalog,
            learner=self.learner,
            now=NOW,
        )


def check_outcome(setup: Setup, considered: Considered, evaluation: RuleEvaluation) -> Json:
    """The outcome this bench built, or SystemExit saying what differs: nothing is timed on a wrong answer."""
    problems: list[str] = []
    for item, entry in zip(setup.made, considered.entries, strict=True):
        if entry.reason != item.expect:
            problems.append(f"{item.label}: {entry.reason} ({entry.detail}), expected {item.expect}")
        if item.expect == "not_verified" and entry.failure != "tampered":
            problems.append(f"{item.label}: failure {entry.failure}, expected tampered")
    progress = evaluation.progress
    if not evaluation.satisfied:
        problems.append(f"the rule is not satisfied: {evaluation.missing_text}")
    if (progress.requirements_met, progress.requirements_total) != (REQUIREMENTS, REQUIREMENTS):
        problems.append(f"requirements {progress.requirements_met}/{progress.requirements_total}, not 20/20")
    if (progress.credits_earned, progress.credits_required) != (CREDITS_REQUIRED, CREDITS_REQUIRED):
        problems.append(f"credits {progress.credits_earned}/{progress.credits_required}, not 40/40")
    if problems:
        raise SystemExit("the bench's pathway is not judged as built:\n  " + "\n  ".join(problems))
    reasons = Counter(entry.reason for entry in considered.entries)
    return {
        "satisfied": evaluation.satisfied,
        "requirements": f"{progress.requirements_met}/{progress.requirements_total}",
        "credits": f"{progress.credits_earned:g}/{progress.credits_required:g}",
        "reasons": dict(sorted(reasons.items())),
        "counted": len(considered.counted),
    }


async def timed(operation: Callable[[], Awaitable[Any]], repetitions: int, warmup: int) -> list[float]:
    samples: list[float] = []
    gc.collect()
    for index in range(warmup + repetitions):
        start = time.perf_counter_ns()
        await operation()
        end = time.perf_counter_ns()
        if index >= warmup:
            samples.append((end - start) / 1e6)
    return samples


async def measure(setup: Setup, args: argparse.Namespace, contexts: ContextStore) -> Json:
    async with verifier_ports(Settings(), offline=True, contexts=contexts, clock=lambda: NOW) as ports:
        verify = port(ports)
        considered = await setup.consider(verify)
        evaluation = judge(setup.rule, considered.counted, setup.catalog)
        outcome = check_outcome(setup, considered, evaluation)

        # 1. One credential through the pipeline, each of the 50 in turn, `rounds` times after one warm-up round.
        payloads = [candidate.data() for candidate in setup.candidates]
        verification: list[float] = []
        for data in payloads:  # warm-up round
            await verify(data)
        gc.collect()
        for _round in range(args.rounds):
            for data in payloads:
                start = time.perf_counter_ns()
                await verify(data)
                verification.append((time.perf_counter_ns() - start) / 1e6)

        # 2. `consider` on all 50 as the service calls it (concurrency 8), verification included.
        whole = await timed(lambda: setup.consider(verify), args.rounds, 1)

        # 3. `consider` with the reports already made: reading, trust, binding, age, relevance, digests.
        reports = {data: entry.report for data, entry in zip(payloads, considered.entries, strict=True)}

        async def known(data: bytes) -> VerificationReport:
            report = reports[data]
            assert report is not None
            return report

        rest = await timed(lambda: setup.consider(known), args.rounds * 10, 5)

    # 4. The rule evaluation itself, on the 42 counted credentials.
    counted, rule, names = considered.counted, setup.rule, setup.catalog
    evaluation_ms: list[float] = []
    for index in range(args.judge_warmup + args.judge_iterations):
        start = time.perf_counter_ns()
        judge(rule, counted, names)
        end = time.perf_counter_ns()
        if index >= args.judge_warmup:
            evaluation_ms.append((end - start) / 1e6)
    return {
        "outcome": outcome,
        "verification": summary(verification),
        "consider": summary(whole),
        "consider_without_verification": summary(rest),
        "judge": summary(evaluation_ms),
    }


def run(args: argparse.Namespace) -> Json:
    contexts = ContextStore.load()
    made = presented(contexts)
    setup = Setup(parse_rule(rule_tree()), catalog(), policy(), Learner(email=LEARNER_EMAIL), made)
    measured = asyncio.run(measure(setup, args, contexts))
    sizes = [len(candidate.data()) for candidate in setup.candidates]
    expected = Counter(item.expect for item in made)
    return {
        "credentials": len(made),
        "expected": dict(sorted(expected.items())),
        "requirements": REQUIREMENTS,
        "equivalences": len(setup.policy.equivalences),
        "suite": SUITE,
        "median_bytes": statistics.median(sizes),
        "rounds": args.rounds,
        "judge_iterations": args.judge_iterations,
        "python": sys.version.split()[0],
        **measured,
        "evaluation_ms": measured["judge"]["median_ms"],
        "verification_ms": measured["verification"]["median_ms"],
    }


ROWS: Final = (
    (
        "verification: one credential",
        "verification",
        "verifier.service.verify_input(bytes, ports), ports from "
        "credstack.verification.verifier_ports(Settings(), offline=True) held across calls (did:key: nothing fetched)",
    ),
    (
        "consider: 50 credentials",
        "consider",
        "issuer.pathways.candidates.consider as the service calls it "
        "(concurrency 8): each credential verified, then trusted issuer, learner binding, age, relevance",
    ),
    (
        "consider: reports given",
        "consider_without_verification",
        "the same with every verification report already "
        "made: what consider adds to verification (reading, digests, binding, equivalences)",
    ),
    (
        "judge: the rule",
        "judge",
        "issuer.pathways.report.judge on the counted credentials: the verdict, the annotated "
        "rule, progress and what is missing (the evaluation the target is about)",
    ),
)


def print_report(results: Json) -> None:
    outcome = results["outcome"]
    reasons = " ".join(f"{reason}={n}" for reason, n in outcome["reasons"].items())
    heading = (
        f"stacks: a {results['requirements']}-requirement pathway (12 achievements, 4 with a minimum rubric level; "
        f"3 of 5; 1 of 2; 4 of 5 competencies; {CREDITS_REQUIRED} credits of 25 electives) against "
        f"{results['credentials']} presented credentials signed {results['suite']} by did:key issuers of fixed seeds "
        f"(ours, a partner counted through {results['equivalences']} equivalences, an untrusted one; median "
        f"{results['median_bytes']:.0f} bytes); {results['rounds']} rounds; Python {results['python']}"
    )
    print(textwrap.fill(heading, width=118, subsequent_indent="  "))
    print(
        f"outcome: satisfied={outcome['satisfied']} requirements {outcome['requirements']} credits "
        f"{outcome['credits']} counted {outcome['counted']}; {reasons}"
    )
    header = f"{'what':<30} {'median ms':>10} {'p90 ms':>9} {'min ms':>9} {'n':>6}"
    print(header + "\n" + "-" * len(header))
    for label, key, _what in ROWS:
        row = results[key]
        print(f"{label:<30} {row['median_ms']:>10.3f} {row['p90_ms']:>9.3f} {row['min_ms']:>9.3f} {row['n']:>6}")
    for label, _key, what in ROWS:
        print(textwrap.fill(f"{label}: {what}", width=118, initial_indent="- ", subsequent_indent="  "))
    target = "met" if results["evaluation_ms"] < 1.0 else "NOT met"
    print(f"target: rule evaluation under 1 ms: {target}")
    print(f"stacks evaluation_ms={results['evaluation_ms']:.3f} verification_ms={results['verification_ms']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over the 50 credentials")
    parser.add_argument("--judge-iterations", type=int, default=2000, help="timed rule evaluations")
    parser.add_argument("--judge-warmup", type=int, default=200, help="untimed rule evaluations first")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the results there")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.judge_iterations < 1 or args.judge_warmup < 0:
        parser.error("--rounds and --judge-iterations must be at least 1, --judge-warmup at least 0")
    results = run(args)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
