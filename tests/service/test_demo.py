"""`credstack demo` on SQLite and PostgreSQL: seeds once and reuses after (competencies and the pathway included),
prints working steps, `--json` parses."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from credstack import demo_data
from credstack.app import create_app
from credstack.cli import main
from credstack.settings import Settings
from issuer.db import create_database_engine, session_factory
from issuer.keystore import MasterKey, encode_master_key
from issuer.models import (
    Achievement,
    AchievementVersion,
    ApiClient,
    Competency,
    Issuer,
    IssuerKey,
    Organization,
    Pathway,
    PathwayVersion,
)
from schemas.achievement import AchievementTemplate
from schemas.issuance import IssueCredentialRequest
from schemas.pathway_api import CreatePathwayRequest
from support.issuers import master_key

Demo = dict[str, Any]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def cli_env(database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(data_dir))
    monkeypatch.delenv("CREDSTACK_MASTER_KEY", raising=False)
    monkeypatch.delenv("CREDSTACK_BASE_URL", raising=False)
    return database_url


@pytest.fixture
def demo_sessions(cli_env: str) -> Iterator[sessionmaker[Session]]:
    engine = create_database_engine(cli_env)
    yield session_factory(engine)
    engine.dispose()


def run_demo(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["demo", *args]) == 0
    return capsys.readouterr().out


def run_demo_json(capsys: pytest.CaptureFixture[str]) -> Demo:
    document: Demo = json.loads(run_demo(capsys, "--json"))
    return document


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_second_run_reuses_everything_but_the_client(
    cli_env: str, demo_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_demo(capsys)
    second = run_demo(capsys)
    assert (count(demo_sessions, Organization), count(demo_sessions, Issuer)) == (1, 1)
    assert (count(demo_sessions, Achievement), count(demo_sessions, AchievementVersion)) == (4, 4)
    assert count(demo_sessions, Competency) == 3
    assert (count(demo_sessions, Pathway), count(demo_sessions, PathwayVersion)) == (1, 1)
    assert count(demo_sessions, IssuerKey) == 1
    assert count(demo_sessions, ApiClient) == 2
    assert 'organization "Credstack Demo" (created)' in first
    assert 'organization "Credstack Demo" (already there, reused)' in second
    # organization, issuer, 3 competencies, 4 achievements, the pathway
    assert second.count("already there, reused") == 1 + 1 + 3 + 4 + 1
    assert 'Pathway "Data Analyst Certificate" (version 1, created)' in first
    assert 'Pathway "Data Analyst Certificate" (version 1, already there, reused)' in second
    assert "created" not in second.replace("(created)", "")
    ids = sorted(re.findall(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", first))
    assert ids == sorted(re.findall(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", second))
    with demo_sessions() as session:
        (pathway_id,) = session.scalars(select(Pathway.id)).all()
        codes = session.scalars(select(Competency.code).order_by(Competency.code)).all()
    assert codes == ["DS-1", "DS-2", "DS-3"]
    for text in (first, second):
        assert "curl -sS http://127.0.0.1:8000/oauth/token -d grant_type=client_credentials" in text
        assert text.count("curl -sS http://127.0.0.1:8000/api/v1/credentials") == 3
        assert "credstack demo verify credential.json" in text
        assert "Competencies (Credstack Demo Data Skills Framework):" in text
        assert all(re.search(rf"^  {code}\s+\S.*[0-9a-f-]{{36}}", text, re.MULTILINE) for code in codes)
        assert "rule        all of: Data Cleaning, SQL Basics, Dashboards" in text
        assert "auto_award  false" in text
        assert f"curl -sS http://127.0.0.1:8000/api/v1/pathways/{pathway_id}/evaluate" in text
        assert f"curl -sS http://127.0.0.1:8000/api/v1/pathways/{pathway_id}/award" in text
        assert "credstack demo verify award-credential.json" in text


def test_json_output(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_demo_json(capsys)
    second = run_demo_json(capsys)
    assert first["organization"]["created"] and not second["organization"]["created"]
    assert first["issuer"] == {**second["issuer"], "created": True}
    assert [a["id"] for a in first["achievements"]] == [a["id"] for a in second["achievements"]]
    assert not any(a["created"] for a in second["achievements"])
    assert first["client"]["client_id"] != second["client"]["client_id"]
    assert first["issuer"]["did"] == f"did:web:127.0.0.1%3A8000:issuers:{first['issuer']['id']}"
    kinds = [(a["name"], a["achievementType"], a["composite"]) for a in first["achievements"]]
    assert kinds == [
        ("Data Cleaning", "MicroCredential", False),
        ("SQL Basics", "MicroCredential", False),
        ("Dashboards", "MicroCredential", False),
        ("Data Analyst Certificate", "Certificate", True),
    ]
    assert set(first["client"]["scopes"]) == {
        "issuers:write",
        "achievements:write",
        "credentials:issue",
        "credentials:revoke",
        "credentials:read",
        "pathways:write",
    }
    # The body step 3 sends is exactly what the issuance API's request model takes.
    request = IssueCredentialRequest.model_validate(first["issue_request"])
    assert str(request.achievement_id) == first["achievements"][0]["id"]
    requests = [IssueCredentialRequest.model_validate(body) for body in first["issue_requests"]]
    assert [str(r.achievement_id) for r in requests] == [a["id"] for a in first["achievements"][:3]]
    assert first["issue_requests"][0] == first["issue_request"]
    assert [step["title"] for step in first["steps"]] and len(first["steps"]) == 9
    assert first["warnings"] == []
    # Competencies and the pathway: created once, reused after, and the pathway is the one issue 5 asks for.
    assert [(c["framework"], c["code"], c["created"]) for c in first["competencies"]] == [
        (demo_data.FRAMEWORK, "DS-1", True),
        (demo_data.FRAMEWORK, "DS-2", True),
        (demo_data.FRAMEWORK, "DS-3", True),
    ]
    assert [c["id"] for c in second["competencies"]] == [c["id"] for c in first["competencies"]]
    assert not any(c["created"] for c in second["competencies"])
    assert first["competencies"][0]["url"] == f"http://127.0.0.1:8000/competencies/{first['competencies'][0]['id']}"
    pathway = first["pathway"]
    assert pathway["created"] and not second["pathway"]["created"]
    assert second["pathway"] == {**pathway, "created": False}
    assert (pathway["name"], pathway["version"], pathway["auto_award"]) == ("Data Analyst Certificate", 1, False)
    assert pathway["rule"] == {"all_of": [{"achievement": a["id"]} for a in first["achievements"][:3]]}
    CreatePathwayRequest.model_validate(
        {
            **demo_data.PATHWAY,
            "issuer_id": first["issuer"]["id"],
            "composite_achievement_id": first["achievements"][3]["id"],
            "rule": pathway["rule"],
        }
    )
    assert first["evaluate_request"] == {
        "learner": {"email": demo_data.RECIPIENT_EMAIL},
        "credentials": [],
        "include_stored": True,
    }


def test_achievements_are_complete_templates(
    cli_env: str, demo_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = run_demo_json(capsys)
    with demo_sessions() as session:
        documents = {row.document["name"]: row.document for row in session.scalars(select(AchievementVersion)).all()}
    for template in (*demo_data.MICRO_CREDENTIALS, demo_data.COMPOSITE):
        AchievementTemplate.model_validate(template)
    competency = {c["code"]: c for c in seeded["competencies"]}
    # Each micro-credential aligns to its competency, the composite to all three, through their public URLs.
    for name, codes in demo_data.ALIGNED_TO.items():
        alignments = documents[name]["alignment"]
        assert [(a["targetUrl"], a["targetCode"], a["targetFramework"]) for a in alignments] == [
            (competency[code]["url"], code, demo_data.FRAMEWORK) for code in codes
        ]
        assert {a["targetType"] for a in alignments} == {"ceasn:Competency"}
    for name in ("Data Cleaning", "SQL Basics", "Dashboards"):
        document = documents[name]
        assert document["achievementType"] == "MicroCredential"
        assert document["criteria"]["narrative"] and document["alignment"][0]["targetType"] == "ceasn:Competency"
        (description,) = document["resultDescription"]
        assert description["resultType"] == "RubricCriterionLevel"
        assert [level["name"] for level in description["rubricCriterionLevel"]] == [
            "Not yet",
            "Proficient",
            "Distinguished",
        ]
        assert description["requiredLevel"] == f"{document['id']}#proficient"
        assert document["creditsAvailable"] == 2.0
        assert document["creator"]["id"] == seeded["issuer"]["did"]
    composite = documents["Data Analyst Certificate"]
    assert composite["achievementType"] == "Certificate" and composite["creditsAvailable"] == 6.0


def test_the_service_opens_what_the_demo_sealed(
    cli_env: str, data_dir: Path, demo_sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo loads the master key as the app's lifespan does: the app finds the same key and serves the issuer."""
    seeded = run_demo_json(capsys)
    assert (data_dir / "master.key").stat().st_mode & 0o777 == 0o600
    with demo_sessions() as session:
        (key,) = session.scalars(select(IssuerKey)).all()
    app = create_app(Settings(data_dir=data_dir, database_url=cli_env))
    with TestClient(app) as client:
        assert master_key(app).key_id == seeded["master_key_id"] == key.key_encryption_key_id
        issuer_id = seeded["issuer"]["id"]
        document = client.get(f"/issuers/{issuer_id}/did.json").json()
        assert document["id"] == seeded["issuer"]["did"]
        achievement = client.get(f"/achievements/{seeded['achievements'][0]['id']}")
        assert achievement.status_code == 200


def test_master_key_from_the_environment(
    cli_env: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    master = MasterKey.generate()
    monkeypatch.setenv("CREDSTACK_MASTER_KEY", encode_master_key(master))
    assert run_demo_json(capsys)["master_key_id"] == master.key_id
    assert not (data_dir / "master.key").exists()
    # Another key configured later: the demo says that the issuer it reuses cannot sign with it.
    monkeypatch.setenv("CREDSTACK_MASTER_KEY", encode_master_key(MasterKey.generate()))
    second = run_demo_json(capsys)
    (warning,) = second["warnings"]
    assert f"sealed under master key {master.key_id}" in warning
    assert second["sample_claim"] is None  # nothing issued: the issuer's key cannot be opened


def test_a_new_base_url_gets_a_new_issuer(
    cli_env: str,
    demo_sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A did:web DID names its host: after a base URL change the old issuer is not the demo's any more."""
    first = run_demo_json(capsys)
    monkeypatch.setenv("CREDSTACK_BASE_URL", "https://badges.example.edu")
    second = run_demo_json(capsys)
    assert second["issuer"]["created"] and second["issuer"]["did"].startswith("did:web:badges.example.edu:issuers:")
    assert second["achievements"][0]["url"].startswith("https://badges.example.edu/achievements/")
    assert first["organization"]["id"] == second["organization"]["id"]
    assert (count(demo_sessions, Issuer), count(demo_sessions, Achievement)) == (2, 8)
    assert "curl -sS https://badges.example.edu/oauth/token" in second["steps"][1]["command"]


def test_bad_configuration_is_one_line(
    cli_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_BASE_URL", "https://[::1]:8443")
    assert main(["demo"]) == 2
    assert "IPv6" in capsys.readouterr().err
    monkeypatch.setenv("CREDSTACK_BASE_URL", "http://127.0.0.1:8000")
    monkeypatch.setenv("CREDSTACK_MASTER_KEY", "not a key")
    assert main(["demo"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "CREDSTACK_MASTER_KEY" in captured.err


def test_unmigrated_database_is_a_clear_error(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CREDSTACK_MASTER_KEY", raising=False)
    assert main(["demo"]) == 2
    assert "credstack db upgrade" in capsys.readouterr().err


def shell_request(command: str, variables: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """The URL, `-d` values and `-H` values of the curl command in a printed step, shell variables substituted."""
    line = command.replace("\\\n", " ")
    for name, value in variables.items():
        line = line.replace(f'"${name}"', shlex.quote(value)).replace(f"${name}", value)
    line = line[line.index("curl ") :]
    words = shlex.split(re.split(r" \| | && ", line)[0])
    url = next(word for word in words if word.startswith("http"))
    data = [words[i + 1] for i, word in enumerate(words) if word == "-d"]
    headers = [words[i + 1] for i, word in enumerate(words) if word == "-H"]
    return url, data, headers


def test_the_printed_steps_issue_and_verify(
    cli_env: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every printed step, as printed, through the ASGI app: token, issue, save, verify, issue the other two
    components; the pathway the evaluate and award steps name is the demo's, covering its competencies; the first
    credential, revoked, is not verified."""
    seeded = run_demo_json(capsys)
    commands = [step["command"] for step in seeded["steps"]]
    exports, token_step, issue_step, verify_step, claim_step, *rest = commands
    others_step, evaluate_step, award_step, award_verify = rest
    words = shlex.split(exports)
    assert words[0] == "export"
    variables = dict(word.split("=", 1) for word in words[1:])
    assert variables == {"CLIENT_ID": seeded["client"]["client_id"], "CLIENT_SECRET": seeded["client"]["client_secret"]}
    app = create_app(Settings(data_dir=data_dir, database_url=cli_env))
    with TestClient(app) as client:
        url, data, _ = shell_request(token_step, variables)
        assert url == "http://127.0.0.1:8000/oauth/token"
        token = client.post("/oauth/token", data=dict(item.split("=", 1) for item in data))
        assert token.status_code == 200, token.text
        assert set(token.json()["scope"].split(" ")) == set(seeded["client"]["scopes"])
        variables["TOKEN"] = token.json()["access_token"]

        url, (body,), header_lines = shell_request(issue_step, variables)
        assert url == "http://127.0.0.1:8000/api/v1/credentials"
        assert json.loads(body) == seeded["issue_request"]
        headers = dict(line.split(": ", 1) for line in header_lines)
        issued = client.post("/api/v1/credentials", content=body, headers=headers)
        assert issued.status_code == 201, issued.text

        save, verify = verify_step.splitlines()
        assert save == "jq -r .credential issued.json > credential.json"
        monkeypatch.chdir(tmp_path)
        (tmp_path / "credential.json").write_text(json.dumps(issued.json()["credential"]), encoding="utf-8")
        program, *arguments = shlex.split(verify)
        assert program == "credstack" and arguments[:2] == ["demo", "verify"]
        assert main(arguments) == 0
        report = capsys.readouterr().out
        assert report.startswith("VERIFIED\n")
        assert "[PASS ] status" in report and "[PASS ] recipient" in report

        # Step 5: the learner's claim link, from the saved response.
        assert claim_step == "jq -r .claim_url issued.json"
        claim_url = issued.json()["claim_url"]
        assert claim_url.startswith("http://127.0.0.1:8000/claim/")

        # Step 6: the other two components, one curl each, to the same learner.
        requests = others_step.split("\ncurl ")
        assert len(requests) == 2
        for number, request in enumerate(requests, start=1):
            url, (body,), _ = shell_request(request if number == 1 else f"curl {request}", variables)
            assert url == "http://127.0.0.1:8000/api/v1/credentials"
            assert json.loads(body) == seeded["issue_requests"][number]
            other = client.post("/api/v1/credentials", content=body, headers=headers)
            assert other.status_code == 201, other.text
            subject = other.json()["credential"]["credentialSubject"]
            assert subject["achievement"]["name"] == seeded["achievements"][number]["name"]

        # Steps 7 and 8: the body issue 5 specifies, to the demo pathway, which awards the composite for all three.
        pathway = seeded["pathway"]
        answers = {}
        for step, action in ((evaluate_step, "evaluate"), (award_step, "award")):
            url, (body,), step_headers = shell_request(step, variables)
            assert url == f"http://127.0.0.1:8000/api/v1/pathways/{pathway['id']}/{action}"
            assert json.loads(body) == seeded["evaluate_request"]
            assert dict(line.split(": ", 1) for line in step_headers) == headers
            answers[action] = client.post(url.removeprefix("http://127.0.0.1:8000"), content=body, headers=headers)
        assert answers["evaluate"].status_code == 200, answers["evaluate"].text
        assert answers["evaluate"].json()["satisfied"] is True
        assert sum(c["counted"] for c in answers["evaluate"].json()["credentials"]) == 3
        assert answers["award"].status_code == 201, answers["award"].text
        award = answers["award"].json()["credential"]
        assert len(award["evidence"]) == 3
        (tmp_path / "award-credential.json").write_text(json.dumps(award), encoding="utf-8")
        assert main(["demo", "verify", "award-credential.json"]) == 0
        assert capsys.readouterr().out.startswith("VERIFIED\n")
        stored = client.get(f"/api/v1/pathways/{pathway['id']}", headers=headers)
        assert stored.status_code == 200, stored.text
        assert stored.json()["composite_achievement_id"] == seeded["achievements"][3]["id"]
        assert stored.json()["rule"] == pathway["rule"] and stored.json()["auto_award"] is False
        coverage = client.get(f"/api/v1/pathways/{pathway['id']}/coverage", headers=headers)
        assert coverage.status_code == 200, coverage.text
        assert coverage.json()["uncovered"] == []
        covered = {c["code"]: [t["name"] for t in c["covered_by"]] for c in coverage.json()["competencies"]}
        assert covered == {"DS-1": ["Data Cleaning"], "DS-2": ["SQL Basics"], "DS-3": ["Dashboards"]}
        assert award_verify.splitlines()[0] == "jq -r .credential award.json > award-credential.json"

        revoked = client.post(f"/api/v1/credentials/{issued.json()['id']}/revoke", headers=headers)
        assert revoked.status_code == 200, revoked.text
    assert main([*arguments, "--format", "json"]) == 1
    checks = {check["id"]: check for check in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["status"]["status"] == "failed"
    assert checks["proof"]["status"] == "passed"


def test_demo_verify_input_errors(cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "not.json").write_text("{", encoding="utf-8")
    assert main(["demo", "verify", str(tmp_path / "not.json")]) == 2
    assert main(["demo", "verify", str(tmp_path / "missing.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "missing.json" in captured.err


def test_the_demo_issues_a_credential_and_prints_its_claim_link(
    cli_env: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 6 "credstack demo prints a claim link": each run issues Data Cleaning to the wallet demo learner and
    prints the claim link, which opens the claim page of that credential in the service."""
    text = run_demo(capsys)
    (url,) = re.findall(r"^  (http://127\.0\.0\.1:8000/claim/\S+)$", text, re.MULTILINE)
    assert "wallet.learner@example.com" in text
    sample = run_demo_json(capsys)["sample_claim"]
    assert sample["claim_url"] != url, "a new credential (and link) on every run"
    assert (sample["achievement"], sample["email"]) == ("Data Cleaning", "wallet.learner@example.com")
    with TestClient(create_app(Settings(data_dir=data_dir, database_url=cli_env))) as client:
        for link in (url, sample["claim_url"]):
            path = link.removeprefix("http://127.0.0.1:8000")
            page = client.get(path)
            assert page.status_code == 200, page.text
            assert "Data Cleaning" in page.text
            credential = client.get(f"{path}/credential.json").json()
            assert credential["credentialSubject"]["achievement"]["name"] == "Data Cleaning"
            assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
