"""OAuth 2.0 client credentials grant (RFC 6749 §4.4) and bearer token authentication (RFC 6750)."""
