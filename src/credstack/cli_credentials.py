"""CLI commands over the standards core: bake, unbake, sign, verify (README "Command line")."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from credentials import baking
from credentials.jsonld import ContextStore, ContextStoreError
from credentials.keys import Ed25519KeyPair, InvalidJwk, KeyMaterialError, load_private_jwk
from credentials.proofs import ProofError, ProofOptions
from credentials.proofs.data_integrity import SUITES, add_proof
from credentials.proofs.vc_jwt import JwtSigningError, VcJwtError, sign_vc_jwt
from credstack.report_text import render_text
from credstack.settings import Settings
from credstack.verification import verifier_ports
from verifier.parse import UnreadableInput, parse_json_object
from verifier.service import VerifyOptions, verify_input

EXIT_OK = 0
EXIT_NOT_VERIFIED = 1
EXIT_BAD_INPUT = 2


class CliInputError(Exception):
    """Input the command cannot use; printed as one line, exit code 2."""


def read_input(path: str, *, limit: int) -> bytes:
    """Read FILE or `-` (stdin) up to `limit` bytes; one byte more means the input is over the cap."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise CliInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise CliInputError(f"{path} is larger than the {limit} byte limit")
    return data


def cmd_bake(args: argparse.Namespace, settings: Settings) -> int:
    """OB 3.0 baking: the credential (JSON or compact JWS) into a PNG or SVG."""
    payload = read_input(args.file, limit=settings.max_json_bytes).decode("utf-8-sig", errors="strict").strip()
    image = read_input(args.image, limit=settings.max_image_bytes)
    try:
        baked = baking.bake(image, payload, replace=args.replace)
    except baking.BakingError as exc:
        raise CliInputError(str(exc)) from exc
    try:
        Path(args.output).write_bytes(baked)
    except OSError as exc:
        raise CliInputError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return EXIT_OK


def cmd_unbake(args: argparse.Namespace, settings: Settings) -> int:
    """OB 3.0 baking: print the credential baked into a PNG or SVG."""
    image = read_input(args.image, limit=settings.max_image_bytes)
    try:
        payload = baking.extract(image)
    except baking.BakingError as exc:
        raise CliInputError(str(exc)) from exc
    sys.stdout.write(payload + "\n")
    return EXIT_OK


def _load_contexts(args: argparse.Namespace, settings: Settings) -> ContextStore:
    try:
        return ContextStore.load(extra_dir=args.extra_contexts or settings.extra_contexts)
    except ContextStoreError as exc:
        raise CliInputError(str(exc)) from exc


def _read_credential(path: str, settings: Settings) -> dict[str, Any]:
    try:
        return parse_json_object(read_input(path, limit=settings.max_json_bytes).decode("utf-8-sig"))
    except (UnreadableInput, UnicodeDecodeError) as exc:
        raise CliInputError(f"{path}: {exc}") from exc


def _sign_jwt(args: argparse.Namespace, credential: dict[str, Any]) -> str:
    """OB 3.0 §8.2: RS256 for RSA keys, ES256 for P-256 keys (what the 1EdTech validator accepts)."""
    try:
        jwk = json.loads(Path(args.jwk).read_text(encoding="utf-8"))
        load_private_jwk(jwk)
        if jwk.get("kty") == "RSA":
            return sign_vc_jwt(credential, key=jwk, alg="RS256", kid=args.kid, embed_jwk=args.kid is None)
        return sign_vc_jwt(credential, key=jwk, alg="ES256", kid=args.kid, embed_jwk=args.kid is None)
    except OSError as exc:
        raise CliInputError(f"cannot read {args.jwk}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, InvalidJwk, KeyMaterialError, JwtSigningError, VcJwtError) as exc:
        raise CliInputError(f"cannot sign as a JWT: {exc}") from exc


def cmd_sign(args: argparse.Namespace, settings: Settings) -> int:
    """VC-DI 1.0 §4.2 Add Proof with the chosen suite, or OB 3.0 §8.2 VC-JWT; prints the result."""
    credential = _read_credential(args.file, settings)
    if args.format == "jwt":
        if not args.jwk:
            raise CliInputError("--format jwt needs --jwk FILE (a private RSA or P-256 JWK)")
        sys.stdout.write(_sign_jwt(args, credential) + "\n")
        return EXIT_OK
    if not args.secret_key:
        raise CliInputError("--secret-key is required (a z3u2... Ed25519 secretKeyMultibase)")
    try:
        key = Ed25519KeyPair.from_secret_key_multibase(args.secret_key)
    except KeyMaterialError as exc:
        raise CliInputError(f"--secret-key: {exc}") from exc
    suite = SUITES[args.suite]
    method = args.verification_method or key.did_key_verification_method
    options = ProofOptions.for_suite(suite, method, created=args.created)
    try:
        signed = add_proof(credential, suite, options, key.signer(method), _load_contexts(args, settings))
    except ProofError as exc:
        raise CliInputError(f"cannot sign: {exc.problem.title}: {exc.problem.detail}") from exc
    sys.stdout.write(json.dumps(signed, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """The verification pipeline over one input; exit 0 verified, 1 not verified, 2 unreadable."""
    data = read_input(args.file, limit=max(settings.max_json_bytes, settings.max_image_bytes))
    options = VerifyOptions(recipient_email=args.recipient_email, recipient_did=args.recipient_did)

    async def run() -> Any:
        async with verifier_ports(
            settings,
            offline=args.offline,
            allow_hosts=frozenset(h.lower() for h in args.allow_host),
            extra_contexts=args.extra_contexts,
        ) as ports:
            return await verify_input(data, ports, options)

    try:
        report = asyncio.run(run())
    except UnreadableInput as exc:
        raise CliInputError(f"{args.file}: {exc}") from exc
    except ContextStoreError as exc:
        raise CliInputError(str(exc)) from exc
    if args.format == "text":
        sys.stdout.write(render_text(report))
    else:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    return EXIT_OK if report.verified else EXIT_NOT_VERIFIED


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the credential commands on the top-level parser."""
    bake = sub.add_parser("bake", help="bake a credential into a PNG or SVG image")
    bake.add_argument("file", help="credential JSON or compact JWT ('-' for stdin)")
    bake.add_argument("--image", required=True, help="PNG or SVG to bake into")
    bake.add_argument("-o", "--output", required=True, help="where to write the baked image")
    bake.add_argument("--replace", action="store_true", help="replace a credential already baked in")
    bake.set_defaults(handler=cmd_bake)

    unbake = sub.add_parser("unbake", help="print the credential baked into a PNG or SVG image")
    unbake.add_argument("image")
    unbake.set_defaults(handler=cmd_unbake)

    sign = sub.add_parser("sign", help="sign a credential (Data Integrity proof or VC-JWT)")
    sign.add_argument("file", help="unsigned credential JSON ('-' for stdin)")
    sign.add_argument("--secret-key", help="Ed25519 secretKeyMultibase (z3u2...)")
    sign.add_argument("--suite", choices=sorted(SUITES), default="eddsa-rdfc-2022")
    sign.add_argument("--created", help="proof creation time (XSD dateTimeStamp); default now")
    sign.add_argument("--verification-method", help="verification method URL; default the key's did:key URL")
    sign.add_argument("--extra-contexts", type=Path, help="folder of extra JSON-LD contexts with a manifest.json")
    sign.add_argument("--format", choices=["di", "jwt"], default="di", help="di: embedded proof; jwt: VC-JWT")
    sign.add_argument("--jwk", help="private RSA or P-256 JWK file, for --format jwt")
    sign.add_argument("--kid", help="JWT kid (a key URL); without it the public JWK goes in the header")
    sign.set_defaults(handler=cmd_sign)

    verify = sub.add_parser("verify", help="verify a credential: JSON, JWT, or a baked PNG/SVG")
    verify.add_argument("file", help="the credential ('-' for stdin)")
    verify.add_argument("--format", choices=["json", "text"], default="json")
    verify.add_argument("--extra-contexts", type=Path, help="folder of extra JSON-LD contexts with a manifest.json")
    verify.add_argument(
        "--offline", action="store_true", help="fetch nothing: status lists and did:web are not checked"
    )
    verify.add_argument("--recipient-email", help="check the credential was issued to this email address")
    verify.add_argument("--recipient-did", help="check the credential was issued to this DID")
    verify.add_argument(
        "--allow-host", action="append", default=[], help="host the address policy would refuse but may be fetched"
    )
    verify.set_defaults(handler=cmd_verify)
