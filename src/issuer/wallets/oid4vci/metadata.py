"""OpenID4VCI 1.0 §12.2 Credential Issuer metadata and RFC 8414 Authorization Server metadata, per issuer.

Each Credstack issuer is its own Credential Issuer, identified by the URL of its OB Profile (`{base}/issuers/{id}`,
issuer.wallets.offers.credential_issuer_id), and its own Authorization Server (no `authorization_servers` member:
§12.2.4 says the Credential Issuer is then the AS). The endpoints themselves are shared by every issuer: the access
token and the offer behind it say which issuer a request is for.

Two configurations, both OB 3.0 OpenBadgeCredential (WALLETS.md §2.3):
- `OpenBadgeCredential_ldp_vc`: VCDM 2.0 with one eddsa-rdfc-2022 Data Integrity proof;
- `OpenBadgeCredential_jwt_vc_json`: an OB 3.0 VC-JWT (the credential at the top level of the payload, OB 3.0 §8.2),
  signed with EdDSA, the only algorithm Credstack issuer keys (Ed25519) can make.

Deliberately absent: `deferred_credential_endpoint` (no held awards yet: every copy is issued at once), the `di_vp`
proof type (only `jwt` key proofs are verified), credential response encryption and batch issuance.
`issuer`, `token_endpoint` and `authorization_details_types_supported` are not Credential Issuer metadata members:
the Digital Bazaar client reads them there (WALLETS.md §2.3), and wallets ignore members they do not know.
"""

from __future__ import annotations

from typing import Any, Final

from issuer.models import Issuer
from issuer.wallets.offers import JWT_CONFIGURATION, LDP_CONFIGURATION, PRE_AUTHORIZED_GRANT, credential_issuer_id

OB_CONTEXTS: Final = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)
CREDENTIAL_TYPES: Final = ("VerifiableCredential", "OpenBadgeCredential")
# What credentials.oid4vci_proof verifies (its DEFAULT_ALGS) and the holder DIDs it binds (did:key, did:jwk).
PROOF_ALGS: Final = ("EdDSA", "ES256")
BINDING_METHODS: Final = ("did:key", "did:jwk")
LDP_CRYPTOSUITE: Final = "eddsa-rdfc-2022"
JWT_ALG: Final = "EdDSA"
AUTHORIZATION_DETAILS_TYPE: Final = "openid_credential"
FORMATS: Final = {LDP_CONFIGURATION: "ldp_vc", JWT_CONFIGURATION: "jwt_vc_json"}
LOCALE: Final = "en-US"
_CLAIMS: Final = (
    (("credentialSubject", "achievement", "name"), "Achievement"),
    (("credentialSubject", "achievement", "description"), "Description"),
    (("credentialSubject", "achievement", "criteria", "narrative"), "Criteria"),
    (("issuer", "name"), "Issued by"),
    (("validFrom",), "Issued on"),
)


def token_endpoint(base_url: str) -> str:
    """RFC 8414 §2 `token_endpoint` (OpenID4VCI 1.0 §6): shared by every issuer."""
    return f"{base_url}/oid4vci/token"


def credential_endpoint(base_url: str) -> str:
    """OpenID4VCI 1.0 §12.2.4 `credential_endpoint` (§8): shared by every issuer."""
    return f"{base_url}/oid4vci/credential"


def nonce_endpoint(base_url: str) -> str:
    """OpenID4VCI 1.0 §12.2.4 `nonce_endpoint` (§7): shared by every issuer."""
    return f"{base_url}/oid4vci/nonce"


def notification_endpoint(base_url: str) -> str:
    """OpenID4VCI 1.0 §12.2.4 `notification_endpoint` (§11): shared by every issuer."""
    return f"{base_url}/oid4vci/notification"


def issuer_display(profile: dict[str, Any]) -> dict[str, Any]:
    """§12.2.4 `display`: the Profile's name and, when it has one, its image as the logo (http(s) or data: URI)."""
    display: dict[str, Any] = {"name": str(profile.get("name") or "Credstack issuer")}
    image = profile.get("image")
    uri = image.get("id") if isinstance(image, dict) else image
    if isinstance(uri, str) and uri:
        caption = image.get("caption") if isinstance(image, dict) else None
        display["logo"] = {"uri": uri, "alt_text": str(caption or f"{display['name']} logo")}
    return display


def _credential_metadata(name: str, issuer_name: str, with_claims: bool) -> dict[str, Any]:
    """§12.2.4 `credential_metadata`; @openid4vc sees 1.0 metadata only when a configuration has it (§2.3)."""
    display = {"name": name, "locale": LOCALE, "description": f"An Open Badges 3.0 achievement from {issuer_name}"}
    metadata: dict[str, Any] = {"display": [display]}
    if with_claims:
        metadata["claims"] = [
            {"path": list(path), "display": [{"name": label, "locale": LOCALE}]} for path, label in _CLAIMS
        ]
    return metadata


def credential_configurations(issuer_name: str) -> dict[str, Any]:
    """§12.2.4 `credential_configurations_supported`, with Appendix A.1.1 (ldp_vc) and A.1.2 (jwt_vc_json)."""
    jwt_proofs = {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}}
    common = {"cryptographic_binding_methods_supported": list(BINDING_METHODS), "proof_types_supported": jwt_proofs}
    return {
        LDP_CONFIGURATION: {
            "format": FORMATS[LDP_CONFIGURATION],
            "scope": LDP_CONFIGURATION,
            **common,
            "credential_signing_alg_values_supported": [LDP_CRYPTOSUITE],
            "credential_definition": {"@context": list(OB_CONTEXTS), "type": list(CREDENTIAL_TYPES)},
            "credential_metadata": _credential_metadata("Open Badge", issuer_name, with_claims=True),
        },
        JWT_CONFIGURATION: {
            "format": FORMATS[JWT_CONFIGURATION],
            "scope": JWT_CONFIGURATION,
            **common,
            "credential_signing_alg_values_supported": [JWT_ALG],
            "credential_definition": {"type": list(CREDENTIAL_TYPES)},
            "credential_metadata": _credential_metadata("Open Badge (JWT)", issuer_name, with_claims=True),
        },
    }


def credential_issuer_metadata(base_url: str, issuer: Issuer) -> dict[str, Any]:
    """OpenID4VCI 1.0 §12.2.4 Credential Issuer Metadata Parameters of one issuer (plus the Digital Bazaar extras)."""
    issuer_url = credential_issuer_id(base_url, issuer.id)
    display = issuer_display(issuer.profile)
    return {
        "credential_issuer": issuer_url,
        "credential_endpoint": credential_endpoint(base_url),
        "nonce_endpoint": nonce_endpoint(base_url),
        "notification_endpoint": notification_endpoint(base_url),
        "issuer": issuer_url,
        "token_endpoint": token_endpoint(base_url),
        "authorization_details_types_supported": [AUTHORIZATION_DETAILS_TYPE],
        "display": [display],
        "credential_configurations_supported": credential_configurations(display["name"]),
    }


def authorization_server_metadata(base_url: str, issuer: Issuer) -> dict[str, Any]:
    """RFC 8414 §2 metadata of the issuer's AS, pre-authorized code only (OpenID4VCI 1.0 §12.3, WALLETS.md §2.4).

    No `authorization_endpoint`: there is no authorization code flow, so `response_types_supported` (which §2
    requires) is empty.
    """
    return {
        "issuer": credential_issuer_id(base_url, issuer.id),
        "token_endpoint": token_endpoint(base_url),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
        "authorization_details_types_supported": [AUTHORIZATION_DETAILS_TYPE],
        "response_types_supported": [],
    }
