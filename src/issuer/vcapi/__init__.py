"""VC-API (W3C CCG VC API / VCALM) issuing for the W3C test suites and DCC-style clients.

`POST /credentials/issue` signs a credential the caller wrote, as sent, with the configured VC-API issuer's key,
and stores it with a Bitstring Status List entry; `POST /credentials/status` changes that entry. The modules:

- `credential_rules`: VCDM 2.0 / 1.1 structure rules for the incoming credential (pure);
- `request`: the issue request and its options, validated (pure);
- `status_entries`: the credentialStatus entries and contexts added to a credential (pure);
- `issuance`: allocate, sign and store one credential (database);
- `status_update`: the status request dialects and the status change (database).

See /work/shared/design/VC-API.md and README "VC-API".
"""
