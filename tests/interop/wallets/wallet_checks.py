"""What the wallet-client tests ask of the server and check of every received credential (issue 6 "Tests").

- `Issuance`: an issuer (with its `wallet_proof_mode`) and an achievement of the provisioned organization, and
  `issue(...)` on it; `add_issuance` makes one through the API.
- `make_offer`: `POST /api/v1/credentials/{id}/offers`; `claims_of`: the `claims` of `GET /api/v1/credentials/{id}`.
- `publish_public_page`: the claim page's "Make a public page" form, then the page's public URL.
- `check_received`: a driver run that received one credential: nothing left loopback, the credential's subject is
  the holder the driver reports (bound flows), it verifies in Credstack's `POST /api/v1/verify` and, for a JSON-LD
  credential, in @digitalcredentials/verifier-core (`verifier_core.mjs`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx
from wallets.wallet_server import DriverRun, JsonObject, Provisioned, run_driver

OFFER_SCHEME = "openid-credential-offer://"
PUBLIC_URL = re.compile(r'<a href="([^"]+)" id="public-url">')


def expect(response: httpx.Response, status: int) -> Any:
    """The JSON body of a response that must have `status`; else an assertion with the request and the answer."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:3000]}"
    )
    return response.json() if response.content else None


@dataclass(frozen=True)
class Issuance:
    """An issuer and one of its achievements, in the organization of `provisioned`."""

    provisioned: Provisioned
    issuer: JsonObject
    achievement: JsonObject

    def issue(self, *, did: str | None = None, email: str | None = None, **request: Any) -> JsonObject:
        """`POST /api/v1/credentials` for this achievement (the response: `id`, `credential`, `claim_url`, ...)."""
        return self.provisioned.issue(did=did, email=email, achievement_id=self.achievement["uuid"], **request)


def add_issuance(provisioned: Provisioned, *, name: str, wallet_proof_mode: str) -> Issuance:
    """A new did:key issuer with `wallet_proof_mode` (`POST /api/v1/issuers`) and an achievement of it."""
    with provisioned.api() as api:
        issuer = expect(
            api.post(
                "/api/v1/issuers",
                json={
                    "name": name,
                    "url": "https://strict.example.edu",
                    "did_method": "key",
                    "wallet_proof_mode": wallet_proof_mode,
                },
            ),
            201,
        )
        achievement = expect(
            api.post(
                "/api/v1/achievements",
                json={
                    "issuer_id": issuer["id"],
                    "name": f"{name} Badge",
                    "description": "Received in a real wallet client.",
                    "criteria": {"narrative": "Complete the wallet interoperability run."},
                    "achievementType": "Badge",
                },
            ),
            201,
        )
    assert issuer["wallet_proof_mode"] == wallet_proof_mode, issuer
    return Issuance(provisioned, issuer, achievement)


def make_offer(provisioned: Provisioned, credential_id: str, **body: Any) -> JsonObject:
    """`POST /api/v1/credentials/{id}/offers` with `body`; the 201 answer."""
    with provisioned.api() as api:
        offer: JsonObject = expect(api.post(f"/api/v1/credentials/{credential_id}/offers", json=body), 201)
    assert offer["qr_svg"].lstrip().startswith("<svg"), offer["qr_svg"][:200]
    return offer


def claims_of(provisioned: Provisioned, credential_id: str) -> list[JsonObject]:
    """The claimed copies `GET /api/v1/credentials/{id}` lists."""
    with provisioned.api() as api:
        claims: list[JsonObject] = expect(api.get(f"/api/v1/credentials/{credential_id}"), 200)["claims"]
    return claims


def revoke(provisioned: Provisioned, credential_id: str) -> None:
    with provisioned.api() as api:
        expect(api.post(f"/api/v1/credentials/{credential_id}/revoke", json={"reason": "wallet interop test"}), 200)


def publish_public_page(provisioned: Provisioned, claim_url: str) -> str:
    """Post the claim page's "Make a public page" form (as the browser does, same Origin), then read the page's
    public URL off the claim page (the `#public-url` link)."""
    server = provisioned.server
    assert claim_url.startswith(server.base_url + "/claim/"), claim_url
    with server.client() as browser:
        posted = browser.post(f"{claim_url}/public-page", headers={"Origin": server.base_url})
        assert posted.status_code == 303, f"POST {claim_url}/public-page -> {posted.status_code}: {posted.text[:2000]}"
        page = browser.get(claim_url)
    assert page.status_code == 200, page.text[:2000]
    found = PUBLIC_URL.search(page.text)
    assert found is not None, "the claim page shows no public page URL after publishing"
    url = unescape(found.group(1))
    assert url.startswith(server.base_url + "/p/"), url
    return url


def credstack_verify(provisioned: Provisioned, credential: JsonObject | str, *, did: str | None = None) -> JsonObject:
    """`POST /api/v1/verify` (public, no token): a JSON credential as JSON, a VC-JWT as `application/jwt`."""
    params = {"did": did} if did is not None else {}
    if isinstance(credential, str):
        content, media_type = credential.encode(), "application/jwt"
    else:
        content, media_type = json.dumps(credential).encode(), "application/json"
    with provisioned.server.client() as client:
        response = client.post("/api/v1/verify", content=content, params=params, headers={"Content-Type": media_type})
    report: JsonObject = expect(response, 200)
    return report


def failed_checks(report: JsonObject) -> dict[str, list[str]]:
    """Each check that did not pass or skip, with its problem codes (for assertion messages)."""
    return {
        check["id"]: [problem["code"] for problem in check["problems"]]
        for check in report["checks"]
        if check["status"] not in ("passed", "skipped")
    }


def verifier_core(provisioned: Provisioned, credential: JsonObject) -> tuple[DriverRun, JsonObject]:
    """@digitalcredentials/verifier-core on `credential` (`verifier_core.mjs`); the run and its `verify` step."""
    run = run_driver("verifier_core.mjs", ["--file", "-"], server=provisioned.server, stdin=json.dumps(credential))
    steps = run.steps_named("verify")
    assert len(steps) == 1, run.explain()
    return run, steps[0]


def assert_on_loopback(run: DriverRun, provisioned: Provisioned) -> None:
    """Nothing was refused for leaving loopback, and every request went to the server."""
    assert run.steps_named("blocked") == [], run.explain()
    urls = [step["url"] for step in run.steps_named("http")]
    assert urls, run.explain()
    assert all(url.startswith(provisioned.server.base_url + "/") for url in urls), run.explain()


def holder_of(run: DriverRun) -> str:
    """The holder DID the driver generated and reports (its `holder` step)."""
    holders = {step["did"] for step in run.steps_named("holder")}
    assert len(holders) == 1, run.explain()
    (holder,) = holders
    assert holder.startswith("did:key:z6Mk"), holder
    return str(holder)


def document_of(credential: JsonObject | str) -> JsonObject:
    """The credential a VC-JWT carries (OB 3.0: the payload itself, VCDM 1.1: its `vc`), or the JSON as is."""
    if isinstance(credential, dict):
        return credential
    segments = credential.split(".")
    assert len(segments) == 3, credential[:200]
    padded = segments[1] + "=" * (-len(segments[1]) % 4)
    payload: JsonObject = json.loads(base64.urlsafe_b64decode(padded))
    carried: JsonObject = payload.get("vc", payload)
    return carried


def check_received(provisioned: Provisioned, run: DriverRun, *, subject: str | None) -> JsonObject | str:
    """A successful run that received one credential whose `credentialSubject.id` is `subject`, verified by
    Credstack (`verified: true`, recipient = `subject`) and, when it is JSON-LD, by verifier-core."""
    assert run.returncode == 0, run.explain()
    assert run.result is not None and run.result["ok"] is True, run.explain()
    assert_on_loopback(run, provisioned)
    (received,) = run.result["credentials"]
    assert isinstance(received, dict | str), received
    credential: JsonObject | str = received
    document = document_of(credential)
    assert document["credentialSubject"].get("id") == subject, (document["credentialSubject"], subject)
    report = credstack_verify(provisioned, credential, did=subject)
    assert report["verified"] is True, (failed_checks(report), report)
    if isinstance(credential, dict):
        core_run, verdict = verifier_core(provisioned, credential)
        assert core_run.returncode == 0, core_run.explain()
        assert verdict["valid_signature"] is True, core_run.explain()
        assert verdict["errors"] == [], core_run.explain()
        assert verdict["log"]["revocation_status"] is True, core_run.explain()
    return credential
