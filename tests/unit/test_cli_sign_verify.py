"""`credstack sign` reproduces every published vector; `credstack verify` reports and exits 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credentials.keys import Ed25519KeyPair, generate_p256_jwk, generate_rsa_jwk
from credstack.cli import main

VECTORS = Path(__file__).parents[1] / "vectors"
VECTOR_NAMES = [
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ed25519-signature-2020",
    "ob3-eddsa-rdfc-2022",
    "clr2-eddsa-rdfc-2022",
]
SUITE_OF = {"ed25519-signature-2020": "Ed25519Signature2020", "eddsa-jcs-2022": "eddsa-jcs-2022"}
SEED = bytes(range(32))
KEY = Ed25519KeyPair.from_seed(SEED)


def _vector(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def _one_proof(credential: dict[str, Any]) -> dict[str, Any]:
    """The CLR vector publishes `proof` as a one-element array; the RDF (and signature) are the same."""
    proof = credential.get("proof")
    return {**credential, "proof": proof[0]} if isinstance(proof, list) and len(proof) == 1 else credential


def _sign_args(vector: dict[str, Any], path: Path, name: str) -> list[str]:
    options = vector["proofOptions"]
    return [
        "sign",
        str(path),
        "--secret-key",
        vector["keyPair"]["secretKeyMultibase"],
        "--suite",
        SUITE_OF.get(name, "eddsa-rdfc-2022"),
        "--created",
        options["created"],
        "--verification-method",
        options["verificationMethod"],
    ]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_sign_reproduces_published_vector(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vector = _vector(name)
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(vector["unsignedCredential"]), encoding="utf-8")
    assert main(_sign_args(vector, unsigned, name)) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["proof"]["proofValue"] == vector["expected"]["proofValue"]
    assert signed == _one_proof(vector["expected"]["signedCredential"])


def test_installed_console_script_signs_the_w3c_vector(tmp_path: Path) -> None:
    vector = _vector("eddsa-rdfc-2022")
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(vector["unsignedCredential"]), encoding="utf-8")
    script = Path(sys.executable).parent / "credstack"
    done = subprocess.run(
        [str(script), *_sign_args(vector, unsigned, "eddsa-rdfc-2022")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["proof"]["proofValue"] == vector["expected"]["proofValue"]


def _ob_credential(issuer: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:3f1c1e0a-7c1d-4d0e-9a57-2d7f3a0b9c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Data Cleaning",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/data-cleaning",
                "type": ["Achievement"],
                "name": "Data Cleaning",
                "description": "Cleans real data sets.",
                "criteria": {"narrative": "Pass the practical assessment."},
            },
        },
    }


def _signed(tmp_path: Path, capsys: pytest.CaptureFixture[str], suite: str = "eddsa-rdfc-2022") -> Path:
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_ob_credential(KEY.did_key)), encoding="utf-8")
    assert main(["sign", str(unsigned), "--secret-key", KEY.secret_key_multibase, "--suite", suite]) == 0
    signed = tmp_path / "signed.json"
    signed.write_text(capsys.readouterr().out, encoding="utf-8")
    return signed


def _report(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020"])
def test_signed_by_cli_verifies_offline(suite: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signed = _signed(tmp_path, capsys, suite)
    assert main(["verify", str(signed), "--offline"]) == 0
    report = _report(capsys)
    assert report["verified"] is True
    assert [c["id"] for c in report["checks"]] == [
        "parse",
        "conformance",
        "proof",
        "proof_purpose",
        "validity",
        "status",
        "recipient",
        "endorsements",
    ]
    assert report["credential"]["achievement_name"] == "Data Cleaning"


def test_tampered_credential_exits_1_naming_the_proof_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signed = _signed(tmp_path, capsys)
    credential = json.loads(signed.read_text(encoding="utf-8"))
    credential["credentialSubject"]["achievement"]["name"] = "Data Science PhD"
    signed.write_text(json.dumps(credential), encoding="utf-8")
    assert main(["verify", str(signed), "--offline"]) == 1
    checks = {c["id"]: c for c in _report(capsys)["checks"]}
    assert checks["proof"]["status"] == "failed"
    assert checks["proof_purpose"]["status"] == "skipped"


def test_text_format_names_failing_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signed = _signed(tmp_path, capsys)
    credential = json.loads(signed.read_text(encoding="utf-8"))
    credential["validFrom"] = "2025-01-02T00:00:00Z"
    signed.write_text(json.dumps(credential), encoding="utf-8")
    assert main(["verify", str(signed), "--offline", "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NOT VERIFIED") and "[FAIL ] proof:" in out


def test_recipient_did_mismatch_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signed = _signed(tmp_path, capsys)
    assert main(["verify", str(signed), "--offline", "--recipient-did", "did:example:learner"]) == 0
    capsys.readouterr()
    assert main(["verify", str(signed), "--offline", "--recipient-did", "did:example:someone"]) == 1


def test_issuer_not_key_controller_fails_proof_purpose(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_ob_credential("did:key:" + Ed25519KeyPair.generate().public_key_multibase)))
    assert main(["sign", str(unsigned), "--secret-key", KEY.secret_key_multibase]) == 0
    signed = tmp_path / "signed.json"
    signed.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["verify", str(signed), "--offline"]) == 1
    checks = {c["id"]: c for c in _report(capsys)["checks"]}
    assert checks["proof"]["status"] == "passed"
    assert checks["proof_purpose"]["status"] == "failed"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "not valid JSON"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, ""),
    ],
)
def test_unreadable_input_exits_2_without_traceback(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    assert main(["verify", str(path), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("credstack: ") and message in err and "Traceback" not in err


def test_oversized_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDSTACK_MAX_JSON_BYTES", "100")
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"name": "x" * 200}), encoding="utf-8")
    assert main(["verify", str(path), "--offline"]) == 2
    assert "limit" in capsys.readouterr().err


def test_baked_png_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    signed = _signed(tmp_path, capsys)
    image = Path(__file__).parents[1] / "fixtures" / "images" / "plain-1x1.png"
    baked = tmp_path / "baked.png"
    assert main(["bake", str(signed), "--image", str(image), "-o", str(baked)]) == 0
    assert main(["verify", str(baked), "--offline"]) == 0
    assert _report(capsys)["credential"]["format"] == "png"


@pytest.mark.parametrize("make_jwk", [generate_rsa_jwk, generate_p256_jwk])
def test_jwt_signed_by_cli_verifies(make_jwk: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jwk_path = tmp_path / "key.jwk"
    jwk_path.write_text(json.dumps(make_jwk()), encoding="utf-8")
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_ob_credential("did:example:issuer")), encoding="utf-8")
    assert main(["sign", str(unsigned), "--format", "jwt", "--jwk", str(jwk_path)]) == 0
    token = capsys.readouterr().out.strip()
    assert token.count(".") == 2
    jwt_file = tmp_path / "credential.jwt"
    jwt_file.write_text(token, encoding="utf-8")
    assert main(["verify", str(jwt_file), "--offline"]) == 1
    checks = {c["id"]: c for c in _report(capsys)["checks"]}
    assert checks["parse"]["status"] == "passed" and checks["proof"]["status"] == "passed"
    # the key travels inside the token, so nothing binds it to the issuer: never reported as verified
    assert checks["proof_purpose"]["status"] == "failed"


def _extra_contexts(tmp_path: Path, url: str, document: dict[str, Any]) -> Path:
    folder = tmp_path / "contexts"
    folder.mkdir()
    (folder / "ctx.json").write_text(json.dumps(document), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({url: "ctx.json"}), encoding="utf-8")
    return folder


def test_institution_context_from_extra_contexts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://example.edu/ctx/v1"
    folder = _extra_contexts(tmp_path, url, {"@context": {"campus": "https://example.edu/vocab#campus"}})
    credential = _ob_credential(KEY.did_key)
    credential["@context"].append(url)
    credential["campus"] = "North"
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential), encoding="utf-8")
    sign = ["sign", str(unsigned), "--secret-key", KEY.secret_key_multibase]
    assert main(sign) == 2  # without the folder the context is unknown and nothing is signed
    assert "not one of the pinned contexts" in capsys.readouterr().err
    assert main([*sign, "--extra-contexts", str(folder)]) == 0
    signed = tmp_path / "signed.json"
    signed.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["verify", str(signed), "--offline", "--extra-contexts", str(folder)]) == 0
    capsys.readouterr()
    assert main(["verify", str(signed), "--offline"]) == 1


def test_extra_context_replacing_a_pinned_one_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pinned = "https://www.w3.org/ns/credentials/v2"
    folder = _extra_contexts(tmp_path, pinned, {"@context": {"name": "https://evil.example/name"}})
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_ob_credential(KEY.did_key)), encoding="utf-8")
    args = ["sign", str(unsigned), "--secret-key", KEY.secret_key_multibase, "--extra-contexts", str(folder)]
    assert main(args) == 2
    assert "cannot be replaced" in capsys.readouterr().err


def test_extra_context_identical_to_a_pinned_one_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pinned = "https://www.w3.org/ns/credentials/v2"
    document = json.loads((Path(__file__).parents[2] / "contexts" / "credentials-v2.json").read_text(encoding="utf-8"))
    folder = _extra_contexts(tmp_path, pinned, document)
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(_ob_credential(KEY.did_key)), encoding="utf-8")
    args = ["sign", str(unsigned), "--secret-key", KEY.secret_key_multibase, "--extra-contexts", str(folder)]
    assert main(args) == 0


def test_alg_none_jwt_is_reported_not_called_unreadable(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "unsigned.jwt"
    path.write_text("eyJhbGciOiJub25lIn0.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.", encoding="utf-8")
    assert main(["verify", str(path), "--offline"]) == 1
    checks = {c["id"]: c for c in _report(capsys)["checks"]}
    assert checks["proof"]["status"] == "failed"
    assert "alg 'none'" in json.dumps(checks["proof"]["problems"])
