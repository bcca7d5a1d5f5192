"""OpenID4VCI 1.0 issuer, pre-authorized code flow (WALLETS.md §2): metadata, token, nonce, credential, notification.

- `metadata`: Credential Issuer metadata (§12.2) and OAuth 2.0 Authorization Server metadata (RFC 8414), per issuer;
- `token`: the pre-authorized code grant (§6), single use, with the optional transaction code and its attempt limit;
- `nonce`: c_nonce values (§7), single use, five minutes;
- `access`: the access token of a credential or notification request (RFC 6750);
- `credential_request`: the request shapes real wallets send (§8.2 and the draft dialects of WALLETS.md §2.8);
- `credential`: proof of possession, then the holder-bound copy (§8);
- `notification`: the wallet's report of what became of the copy (§11);
- `errors`: the `{"error", "error_description"}` answers these endpoints give instead of problem details.

Pure parsing and rules here; routes in issuer.routers.oid4vci.
"""
