"""Issue 4 "API": the verification HTTP API (`POST /api/v1/verify`) and the VC-API verifier routes
(`POST /credentials/verify`, `POST /presentations/verify`), over the pipeline in verifier.service."""
