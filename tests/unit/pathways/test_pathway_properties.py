"""Issue 5 "Tests and benchmark": properties of rule evaluation (hypothesis) over generated rules and credentials."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from issuer.pathways.evaluate import Evaluation, evaluate, outcomes
from issuer.pathways.inputs import AchievedResult, Catalog, CountedCredential, CountsAs
from issuer.pathways.report import judge
from issuer.pathways.rules import AchievementNode, AllOf, AnyOf, Competencies, Credits, MinLevel, MinValue, Node, NOf
from schemas.pathways import RuleNodeTrace

ACHIEVEMENTS = ("a0", "a1", "a2", "a3", "a4")
COMPETENCIES = ("k0", "k1", "k2", "k3")
LEVELS = ("l0", "l1", "l2")
CATALOG = Catalog(names={"a0": "Zero", "k0": "Comp zero"}, results={a: {"r": LEVELS} for a in ACHIEVEMENTS})
AMOUNTS = (0.5, 1.0, 2.5, 4.0, 6.0)

minimums = st.none() | st.builds(MinLevel, st.just("r"), st.sampled_from(LEVELS))
minimums |= st.builds(MinValue, st.just("r"), st.sampled_from((0.0, 50.0, 80.0)))
achievement_nodes = st.builds(AchievementNode, st.sampled_from(ACHIEVEMENTS), minimums)
competency_nodes = st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=4, unique=True).flatmap(
    lambda ks: st.builds(Competencies, st.just(tuple(ks)), st.none() | st.integers(1, len(ks)))
)
leaves = achievement_nodes | competency_nodes | st.builds(Credits, st.sampled_from(AMOUNTS), st.none())


def groups(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    def around(kids: list[Node]) -> st.SearchStrategy[Node]:
        nodes = tuple(kids)
        return st.one_of(
            st.just(AllOf(nodes)),
            st.just(AnyOf(nodes)),
            st.integers(1, len(nodes)).map(lambda n: NOf(n, nodes)),
            st.sampled_from(AMOUNTS).map(lambda amount: Credits(amount, nodes)),
        )

    return st.lists(children, min_size=1, max_size=4).flatmap(around)


rules: st.SearchStrategy[Node] = st.recursive(leaves, groups, max_leaves=12)

results = st.builds(
    AchievedResult,
    st.sampled_from(("r", "other")),
    st.none() | st.sampled_from((*LEVELS, "l9")),
    st.none() | st.sampled_from(("10", "50", "80.5", "x")),
)


def credential_with(id_: str) -> st.SearchStrategy[CountedCredential]:
    return st.builds(
        CountedCredential,
        id=st.just(id_),
        issuer=st.sampled_from(("did:web:us", "did:key:partner")),
        counts_as=st.lists(st.sampled_from(ACHIEVEMENTS), max_size=2, unique=True).map(
            lambda ids: tuple(CountsAs(a, "achievement") for a in ids)
        ),
        credits_earned=st.none() | st.sampled_from((*AMOUNTS, -1.0)),
        credits_available=st.none() | st.sampled_from(AMOUNTS),
        results=st.lists(results, max_size=2).map(tuple),
        competencies=st.frozensets(st.sampled_from(COMPETENCIES), max_size=3),
    )


@st.composite
def wallets(draw: st.DrawFn) -> list[CountedCredential]:
    size = draw(st.integers(0, 8))
    return [draw(credential_with(f"c{index}")) for index in range(size)]


def node_states(evaluation: Evaluation) -> list[bool]:
    return [outcome.satisfied for outcome in outcomes(evaluation.root)]


@given(rules, wallets(), credential_with("extra"))
def test_adding_a_counted_credential_never_unsatisfies_anything(
    rule: Node, credentials: list[CountedCredential], extra: CountedCredential
) -> None:
    before = node_states(evaluate(rule, credentials, CATALOG))
    after = node_states(evaluate(rule, [*credentials, extra], CATALOG))
    assert all(now for was, now in zip(before, after, strict=True) if was)


def required_achievements(node: Node) -> Iterator[str]:
    """Achievements of the leaves reachable from the root through all_of nodes only: each one is required."""
    if isinstance(node, AchievementNode):
        yield node.achievement
    elif isinstance(node, AllOf):
        for child in node.nodes:
            yield from required_achievements(child)


@given(achievement_nodes, rules, wallets())
def test_removing_every_credential_for_a_required_achievement_unsatisfies(
    required: AchievementNode, rule: Node, credentials: list[CountedCredential]
) -> None:
    tree = AllOf((rule, required))
    for achievement in required_achievements(tree):
        kept = [c for c in credentials if achievement not in c.achievement_ids]
        assert not evaluate(tree, kept, CATALOG).satisfied


def traced_ids(trace: RuleNodeTrace) -> Iterator[str]:
    yield from trace.credentials
    yield from (entry.credential for entry in trace.counted_as or ())
    for child in trace.children:
        yield from traced_ids(child)


@given(rules, wallets())
def test_trace_only_names_credentials_that_count(rule: Node, credentials: list[CountedCredential]) -> None:
    by_id = {credential.id: credential for credential in credentials}
    evaluation = evaluate(rule, credentials, CATALOG)
    for outcome in outcomes(evaluation.root):
        assert outcome.credentials <= by_id.keys()
        if isinstance(outcome.node, AchievementNode):
            assert all(outcome.node.achievement in by_id[id_].achievement_ids for id_ in outcome.credentials)
    assert set(traced_ids(judge(rule, credentials, CATALOG).trace)) <= by_id.keys()


@given(rules, wallets())
def test_missing_is_empty_exactly_when_satisfied(rule: Node, credentials: list[CountedCredential]) -> None:
    result = judge(rule, credentials, CATALOG)
    assert (result.missing == []) is result.satisfied
    assert (result.missing_text == "") is result.satisfied


@given(rules, wallets())
def test_progress_is_complete_when_satisfied_and_never_exceeds_the_total(
    rule: Node, credentials: list[CountedCredential]
) -> None:
    evaluation = evaluate(rule, credentials, CATALOG)
    for outcome in outcomes(evaluation.root):
        assert 0 <= outcome.requirements_met <= outcome.requirements_total
        if outcome.satisfied:
            assert outcome.requirements_met == outcome.requirements_total
    assert evaluation.credits_earned <= evaluation.credits_required


@given(rules, wallets())
def test_output_does_not_depend_on_the_order_of_credentials(rule: Node, credentials: list[CountedCredential]) -> None:
    assert judge(rule, credentials, CATALOG) == judge(rule, list(reversed(credentials)), CATALOG)
