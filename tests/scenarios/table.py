"""The scenario table: each scenario is named after what it shows and declares the status of every check.

`expect` starts from VALID (what an authentic, current, unrevoked credential with a status entry and no recipient
or endorsement gets) and overrides what the scenario changes, so every check id is stated. `codes` names the key
problem code a check must carry where one matters. `build` makes the input and may change what the world serves
(by default: the issuer's DID document and its clear revocation and suspension lists).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from credentials.keys import b64url
from credentials.proofs.vc_jwt import vc_jwt_payload
from scenarios.documents import (
    CREDENTIAL_ID,
    EMAIL,
    INDEX,
    LEARNER_DID,
    OB,
    OB_EXTENSIONS,
    REVOCATION_LIST,
    REVOCATION_LIST_2021,
    STATUS_LIST_2021,
    SUSPENSION_LIST,
    V1,
    V2,
    VCRL_LIST,
    baked,
    email_subject,
    endorsement,
    jwt,
    ob_credential,
    ob_credential_v11,
    sign,
    sign_with_did_key,
    signed_list,
    status_entry,
    status_list,
    status_list_2021,
    vcrl_list,
)
from scenarios.world import (
    DID_PATH,
    FOREIGN,
    FOREIGN_KEY,
    HOST,
    IMAGES,
    ISSUER_KEY,
    KEY_1,
    KEY_2020,
    MISSING_HOST,
    OTHER_KEY,
    REMOVED,
    RETIRED,
    RETIRED_KEY,
    World,
    did_document,
    raising,
    respond,
)
from verifier.service import VerifyOptions

Input = dict[str, Any] | str | bytes

DID_URL = f"https://{HOST}{DID_PATH}"

VALID: Mapping[str, str] = {
    "parse": "passed",
    "conformance": "passed",
    "proof": "passed",
    "proof_purpose": "passed",
    "validity": "passed",
    "status": "passed",
    "recipient": "skipped",
    "endorsements": "skipped",
}
NO_STATUS = {**VALID, "status": "skipped"}
# An unauthentic credential: nothing it names is fetched or trusted, so what depends on its issuer is skipped.
FORGED = {**VALID, "proof": "failed", "proof_purpose": "skipped", "status": "skipped"}
UNREADABLE = {check: "skipped" for check in VALID} | {"parse": "failed"}


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    build: Callable[[World], Input]
    expect: Mapping[str, str]
    verified: bool = False
    codes: Mapping[str, str] = field(default_factory=dict)
    options: VerifyOptions = field(default_factory=VerifyOptions)
    not_fetched: tuple[str, ...] = ()
    explains: Mapping[str, str] = field(default_factory=dict)  # words a check's explanation must contain


def publish_issuer(world: World) -> None:
    """What issuer.example serves unless a scenario says otherwise: its DID document and two clear lists."""
    world.serve(DID_URL, did_document())
    world.serve(REVOCATION_LIST, signed_list(status_list(REVOCATION_LIST, "revocation")))
    world.serve(SUSPENSION_LIST, signed_list(status_list(SUSPENSION_LIST, "suspension")))


def with_status(*entries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An unsigned OB credential of did:web:issuer.example with these status entries (default: revocation)."""
    return ob_credential(credentialStatus=list(entries) or [status_entry()], **changes)


def signed_with_status(**changes: Any) -> dict[str, Any]:
    return sign(with_status(**changes))


# Builders that need more than one line


def tampered(path: tuple[str, ...], value: Any) -> Callable[[World], Input]:
    def build(world: World) -> Input:
        credential = signed_with_status()
        target = credential
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return credential

    return build


def tampered_proof_value(world: World) -> Input:
    credential = signed_with_status()
    value = credential["proof"]["proofValue"]
    credential["proof"]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]
    return credential


def tampered_jwt_payload(world: World) -> Input:
    header, _, signature = jwt(with_status(), "ES256").split(".")
    forged = jwt(with_status(name="Data Science PhD"), "ES256").split(".")[1]
    return f"{header}.{forged}.{signature}"


def revoked(world: World) -> Input:
    world.serve(REVOCATION_LIST, signed_list(status_list(set_indexes=(INDEX,))))
    return signed_with_status()


def suspended(world: World) -> Input:
    world.serve(SUSPENSION_LIST, signed_list(status_list(SUSPENSION_LIST, "suspension", set_indexes=(INDEX,))))
    return sign(with_status(status_entry(), status_entry(SUSPENSION_LIST, "suspension")))


def unreachable_list(route: Any) -> Callable[[World], Input]:
    def build(world: World) -> Input:
        world.serve(REVOCATION_LIST, route)
        return signed_with_status()

    return build


def tampered_list(world: World) -> Input:
    # The issuer revoked the credential; someone in the path clears the bit without re-signing the list.
    forged = signed_list(status_list(set_indexes=(INDEX,)))
    forged["credentialSubject"]["encodedList"] = status_list()["credentialSubject"]["encodedList"]
    world.serve(REVOCATION_LIST, forged)
    return signed_with_status()


def short_list(world: World) -> Input:
    world.serve(REVOCATION_LIST, signed_list(status_list(entries=1024)))
    return sign(with_status(status_entry(index=7)))


def index_out_of_range(world: World) -> Input:
    return sign(with_status(status_entry(index=131_072)))


def list_from_another_issuer(world: World) -> Input:
    # A clear list, validly signed by its own issuer (a did:key), served where the credential points.
    stranger = status_list(issuer=OTHER_KEY.did_key)
    world.serve(REVOCATION_LIST, signed_list(stranger, key=OTHER_KEY, method=OTHER_KEY.did_key_verification_method))
    return signed_with_status()


def list_signed_by_stranger_in_issuers_name(world: World) -> Input:
    forged = signed_list(status_list(), key=OTHER_KEY, method=OTHER_KEY.did_key_verification_method)
    world.serve(REVOCATION_LIST, forged)
    return signed_with_status()


def expired_list(world: World) -> Input:
    world.serve(REVOCATION_LIST, signed_list(status_list() | {"validUntil": "2026-02-01T00:00:00Z"}))
    return signed_with_status()


def list_2021(revoked_index: tuple[int, ...]) -> Callable[[World], Input]:
    def build(world: World) -> Input:
        world.serve(REVOCATION_LIST_2021, signed_list(status_list_2021(set_indexes=revoked_index)))
        entry = {
            "id": f"{REVOCATION_LIST_2021}#{INDEX}",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": str(INDEX),
            "statusListCredential": REVOCATION_LIST_2021,
        }
        context = [V1, OB, STATUS_LIST_2021]
        return sign(ob_credential_v11(**{"@context": context, "credentialStatus": entry}))

    return build


def vcrl(*revoked_ids: str) -> Callable[[World], Input]:
    def build(world: World) -> Input:
        world.serve(VCRL_LIST, vcrl_list(*revoked_ids))
        entry = {"id": VCRL_LIST, "type": "1EdTechRevocationList"}
        return sign(ob_credential(**{"@context": [V2, OB, OB_EXTENSIONS], "credentialStatus": entry}))

    return build


def revoked_while_suspension_list_down(world: World) -> Input:
    world.serve(REVOCATION_LIST, signed_list(status_list(set_indexes=(INDEX,))))
    world.serve(SUSPENSION_LIST, raising(httpx.ConnectError))
    return sign(with_status(status_entry(), status_entry(SUSPENSION_LIST, "suspension")))


def jwt_claims_contradict_credential(world: World) -> Input:
    """A validly signed EdDSA VC-JWT whose `iss` names someone other than the credential's issuer."""
    header = {"alg": "EdDSA", "typ": "JWT", "kid": KEY_1}
    payload = vc_jwt_payload(with_status()) | {"iss": "did:web:famous.example"}
    segments = [b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)]
    signing_input = ".".join(segments)
    return f"{signing_input}.{b64url(ISSUER_KEY.sign(signing_input.encode('ascii')))}"


def unsupported_cryptosuite(world: World) -> Input:
    credential = signed_with_status()
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    return credential


def did_web_not_found(world: World) -> Input:
    issuer = f"did:web:{MISSING_HOST}"
    return sign(ob_credential(issuer, credentialStatus=[status_entry()]), method=f"{issuer}#key-1")


def did_web_timeout(world: World) -> Input:
    world.serve(DID_URL, raising(httpx.ConnectTimeout))
    return signed_with_status()


def unknown_context(world: World) -> Input:
    credential = signed_with_status()
    credential["@context"].append("https://example.org/contexts/unknown/v1")
    return credential


def invalid_endorsement(world: World) -> Input:
    forged = endorsement()
    forged["credentialSubject"]["endorsementComment"] = "The best programme in the world."
    return sign(with_status(endorsement=[forged]))


def unsigned_jwt(world: World) -> Input:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(with_status()).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}."


SCENARIOS: tuple[Scenario, ...] = (
    # Authentic credentials in every format in circulation
    Scenario("valid-eddsa-rdfc-2022", lambda w: signed_with_status(), VALID, verified=True),
    Scenario("valid-eddsa-jcs-2022", lambda w: sign(with_status(), "eddsa-jcs-2022"), VALID, verified=True),
    Scenario(
        "valid-ed25519signature2020",
        lambda w: sign(with_status(), "Ed25519Signature2020", method=KEY_2020),
        VALID,
        verified=True,
    ),
    Scenario(
        "valid-proof-set-rdfc-and-jcs",
        lambda w: sign(signed_with_status(), "eddsa-jcs-2022"),
        VALID,
        verified=True,
    ),
    Scenario("valid-jwt-rs256", lambda w: jwt(with_status(), "RS256"), VALID, verified=True),
    Scenario("valid-jwt-es256", lambda w: jwt(with_status(), "ES256"), VALID, verified=True),
    Scenario("valid-jwt-eddsa", lambda w: jwt(with_status(), "EdDSA"), VALID, verified=True),
    Scenario("valid-vcdm-1.1", lambda w: sign(ob_credential_v11()), NO_STATUS, verified=True),
    Scenario("valid-vcdm-1.1-jwt-vc-claim", lambda w: jwt(ob_credential_v11(), "RS256"), NO_STATUS, verified=True),
    Scenario(
        "valid-did-key",
        lambda w: sign_with_did_key(ob_credential(ISSUER_KEY.did_key), ISSUER_KEY),
        NO_STATUS,
        verified=True,
        not_fetched=(DID_URL,),
    ),
    Scenario("baked-png-json", lambda w: baked("png", signed_with_status()), VALID, verified=True),
    Scenario("baked-svg-jwt", lambda w: baked("svg", jwt(with_status(), "ES256")), VALID, verified=True),
    # Status
    Scenario("revoked", revoked, {**VALID, "status": "failed"}, codes={"status": "CREDENTIAL_REVOKED"}),
    Scenario("suspended", suspended, {**VALID, "status": "failed"}, codes={"status": "CREDENTIAL_SUSPENDED"}),
    Scenario(
        "status-list-unreachable-http-500",
        unreachable_list(respond({}, 500)),
        {**VALID, "status": "error"},
        codes={"status": "STATUS_RETRIEVAL_ERROR"},
    ),
    Scenario(
        "status-list-unreachable-timeout",
        unreachable_list(raising(httpx.ReadTimeout)),
        {**VALID, "status": "error"},
        codes={"status": "STATUS_RETRIEVAL_ERROR"},
        explains={"status": "whether the credential is revoked is unknown"},
    ),
    Scenario(
        "status-list-unreachable-connection-refused",
        unreachable_list(raising(httpx.ConnectError)),
        {**VALID, "status": "error"},
        codes={"status": "STATUS_RETRIEVAL_ERROR"},
    ),
    Scenario(
        "status-list-not-found-404",
        unreachable_list(respond({}, 404)),
        {**VALID, "status": "error"},
        codes={"status": "STATUS_RETRIEVAL_ERROR"},
    ),
    Scenario(
        "status-list-not-json",
        unreachable_list(lambda request: httpx.Response(200, text="<html>maintenance</html>")),
        {**VALID, "status": "error"},
        codes={"status": "STATUS_RETRIEVAL_ERROR"},
    ),
    Scenario(
        "status-list-tampered",
        tampered_list,
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_VERIFICATION_ERROR"},
        explains={"status": "its proof failed"},
    ),
    Scenario(
        "status-list-signed-by-a-stranger-in-the-issuers-name",
        list_signed_by_stranger_in_issuers_name,
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_VERIFICATION_ERROR"},
    ),
    Scenario(
        "status-list-from-another-issuer",
        list_from_another_issuer,
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_VERIFICATION_ERROR"},
        explains={"status": "not by the credential's issuer"},
    ),
    Scenario(
        "status-list-too-short",
        short_list,
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_LIST_LENGTH_ERROR"},
    ),
    Scenario(
        "status-index-out-of-range",
        index_out_of_range,
        {**VALID, "status": "failed"},
        codes={"status": "RANGE_ERROR"},
    ),
    Scenario(
        "status-list-expired",
        expired_list,
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_VERIFICATION_ERROR"},
    ),
    Scenario(
        "status-unsupported-type",
        # A full IRI as the type: well-formed JSON-LD, but a status method Credstack does not implement.
        lambda w: sign(with_status({"id": f"https://{HOST}/status/x", "type": "https://example.org/vocab#Custom"})),
        {**VALID, "status": "error"},
        codes={"status": "UNSUPPORTED_STATUS_TYPE"},
    ),
    Scenario("statuslist2021-clear", list_2021(()), VALID, verified=True),
    Scenario(
        "statuslist2021-revoked",
        list_2021((INDEX,)),
        {**VALID, "status": "failed"},
        codes={"status": "CREDENTIAL_REVOKED"},
    ),
    Scenario("1edtech-revocation-list-clear", vcrl("urn:uuid:someone-else"), VALID, verified=True),
    Scenario(
        "1edtech-revocation-list-revoked",
        vcrl(CREDENTIAL_ID),
        {**VALID, "status": "failed"},
        codes={"status": "CREDENTIAL_REVOKED"},
    ),
    Scenario(
        "revoked-although-the-suspension-list-is-unreachable",
        revoked_while_suspension_list_down,
        {**VALID, "status": "failed"},
        codes={"status": "CREDENTIAL_REVOKED"},
    ),
    Scenario(
        "status-purpose-mismatch",
        lambda w: sign(with_status(status_entry(REVOCATION_LIST, "suspension"))),
        {**VALID, "status": "failed"},
        codes={"status": "STATUS_VERIFICATION_ERROR"},
    ),
    # Validity period
    Scenario(
        "expired",
        lambda w: signed_with_status(validUntil="2026-01-01T00:00:00Z"),
        {**VALID, "validity": "failed"},
        codes={"validity": "CREDENTIAL_EXPIRED"},
    ),
    Scenario(
        "expired-vcdm-1.1",
        lambda w: sign(ob_credential_v11(expirationDate="2026-01-01T00:00:00Z")),
        {**NO_STATUS, "validity": "failed"},
        codes={"validity": "CREDENTIAL_EXPIRED"},
    ),
    Scenario(
        "not-yet-valid",
        lambda w: signed_with_status(validFrom="2026-06-01T00:00:00Z"),
        {**VALID, "validity": "failed"},
        codes={"validity": "CREDENTIAL_NOT_YET_VALID"},
    ),
    Scenario(
        "within-clock-skew-is-valid",
        lambda w: signed_with_status(validFrom="2026-03-01T12:04:00Z"),
        VALID,
        verified=True,
    ),
    # Tampering: the proof fails and nothing the credential names is fetched
    Scenario(
        "tampered-subject",
        tampered(("credentialSubject", "id"), "did:example:impostor"),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
        explains={"proof": "altered"},
    ),
    Scenario(
        "tampered-achievement",
        tampered(("credentialSubject", "achievement", "name"), "Data Science PhD"),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
    ),
    Scenario(
        "tampered-issuer",
        tampered(("issuer", "name"), "Famous University"),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
    ),
    Scenario(
        "tampered-date",
        tampered(("validFrom",), "2020-01-01T00:00:00Z"),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
    ),
    Scenario(
        "tampered-proof-value",
        tampered_proof_value,
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
    ),
    Scenario(
        "tampered-jwt-payload",
        tampered_jwt_payload,
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        not_fetched=(REVOCATION_LIST,),
        explains={"proof": "altered"},
    ),
    Scenario(
        "unsigned-jwt-alg-none",
        unsigned_jwt,
        FORGED,
        not_fetched=(REVOCATION_LIST, DID_URL),
        explains={"proof": "header is not acceptable"},
    ),
    Scenario(
        "jwt-claims-contradict-the-credential",
        jwt_claims_contradict_credential,
        FORGED,
        codes={"proof": "MALFORMED_VALUE_ERROR"},
        not_fetched=(REVOCATION_LIST,),
        explains={"proof": "claims contradict the credential"},
    ),
    Scenario(
        "unsupported-cryptosuite",
        unsupported_cryptosuite,
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        explains={"proof": "kind of proof Credstack does not accept"},
    ),
    Scenario(
        "no-proof",
        lambda w: with_status(),
        FORGED,
        codes={"proof": "PARSING_ERROR"},
        not_fetched=(REVOCATION_LIST, DID_URL),
        explains={"proof": "carries no proof"},
    ),
    # Keys: who signed, and may they
    Scenario(
        "wrong-key",
        lambda w: sign(with_status(), key=OTHER_KEY),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
    ),
    Scenario(
        "controller-mismatch-in-issuers-document",
        lambda w: sign(with_status(), key=FOREIGN_KEY, method=FOREIGN),
        {**VALID, "proof_purpose": "failed", "status": "passed"},
        codes={"proof_purpose": "INVALID_VERIFICATION_METHOD"},
    ),
    Scenario(
        "controller-mismatch-did-key-signs-for-did-web-issuer",
        lambda w: sign_with_did_key(with_status(), OTHER_KEY),
        {**VALID, "proof_purpose": "failed"},
        codes={"proof_purpose": "INVALID_VERIFICATION_METHOD"},
    ),
    Scenario(
        "wrong-proof-purpose",
        lambda w: sign(with_status(), purpose="authentication"),
        FORGED,
        codes={"proof": "PROOF_VERIFICATION_ERROR"},
        explains={"proof": "made for authentication, not for issuing credentials"},
    ),
    Scenario(
        "retired-key-no-longer-under-assertion-method",
        lambda w: sign(with_status(), key=RETIRED_KEY, method=RETIRED),
        {**VALID, "proof_purpose": "failed"},
        codes={"proof_purpose": "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD"},
    ),
    Scenario(
        "removed-key-gone-from-the-did-document",
        lambda w: sign(with_status(), key=RETIRED_KEY, method=REMOVED),
        FORGED,
        codes={"proof": "INVALID_VERIFICATION_METHOD"},
    ),
    Scenario(
        "did-web-not-found",
        did_web_not_found,
        FORGED,
        codes={"proof": "INVALID_VERIFICATION_METHOD"},
        not_fetched=(REVOCATION_LIST,),
    ),
    Scenario(
        "did-web-timeout",
        did_web_timeout,
        {**FORGED, "proof": "error"},
        codes={"proof": "INVALID_VERIFICATION_METHOD"},
        not_fetched=(REVOCATION_LIST,),
    ),
    # JSON-LD
    Scenario(
        "unknown-context",
        unknown_context,
        {**FORGED, "conformance": "failed"},
        codes={"conformance": "CONTEXT_NOT_ALLOWED", "proof": "PROOF_TRANSFORMATION_ERROR"},
        explains={"conformance": "JSON-LD context Credstack does not know", "proof": "cannot be processed"},
    ),
    Scenario(
        "undefined-term",
        lambda w: signed_with_status() | {"favouriteColour": "teal"},
        {**FORGED, "conformance": "failed"},
        codes={"conformance": "DATA_LOSS_DETECTION_ERROR", "proof": "DATA_LOSS_DETECTION_ERROR"},
        explains={"conformance": "no context defines", "proof": "no context defines"},
    ),
    Scenario(
        "undefined-term-signed-into-a-jwt",
        lambda w: jwt(with_status(favouriteColour="teal"), "ES256"),
        {**VALID, "conformance": "failed"},
        codes={"conformance": "DATA_LOSS_DETECTION_ERROR"},
    ),
    # Recipient
    Scenario(
        "recipient-email-match",
        lambda w: signed_with_status(credentialSubject=email_subject()),
        {**VALID, "recipient": "passed"},
        verified=True,
        options=VerifyOptions(recipient_email=EMAIL),
    ),
    Scenario(
        "recipient-email-match-ignores-case-and-spaces",
        lambda w: signed_with_status(credentialSubject=email_subject()),
        {**VALID, "recipient": "passed"},
        verified=True,
        options=VerifyOptions(recipient_email=" Learner@Example.EDU "),
    ),
    Scenario(
        "recipient-email-mismatch",
        lambda w: signed_with_status(credentialSubject=email_subject()),
        {**VALID, "recipient": "failed"},
        codes={"recipient": "RECIPIENT_MISMATCH"},
        options=VerifyOptions(recipient_email="someone.else@example.edu"),
    ),
    Scenario(
        "recipient-did-match",
        lambda w: signed_with_status(),
        {**VALID, "recipient": "passed"},
        verified=True,
        options=VerifyOptions(recipient_did=LEARNER_DID),
    ),
    # Endorsements
    Scenario(
        "endorsement-valid",
        lambda w: sign(with_status(endorsement=[endorsement()])),
        {**VALID, "endorsements": "passed"},
        verified=True,
        explains={"endorsements": "The endorsement verified."},
    ),
    Scenario(
        "endorsement-invalid",
        invalid_endorsement,
        {**VALID, "endorsements": "failed"},
        codes={"endorsements": "ENDORSEMENT_NOT_VERIFIED"},
        explains={"endorsements": "The endorsement did not verify."},
    ),
    # Unreadable input: nothing to check
    Scenario(
        "unreadable-not-json", lambda w: b"this is not a credential", UNREADABLE, codes={"parse": "PARSING_ERROR"}
    ),
    Scenario("unreadable-empty", lambda w: b"   \n", UNREADABLE, codes={"parse": "PARSING_ERROR"}),
    Scenario("unreadable-json-array", lambda w: b"[1, 2, 3]", UNREADABLE, codes={"parse": "PARSING_ERROR"}),
    Scenario(
        "unreadable-duplicate-member", lambda w: b'{"id": "a", "id": "b"}', UNREADABLE, codes={"parse": "PARSING_ERROR"}
    ),
    Scenario(
        "unreadable-png-without-credential",
        lambda w: (IMAGES / "plain-1x1.png").read_bytes(),
        UNREADABLE,
        codes={"parse": "PARSING_ERROR"},
    ),
    Scenario("unreadable-binary", lambda w: bytes(range(256)), UNREADABLE, codes={"parse": "PARSING_ERROR"}),
)
