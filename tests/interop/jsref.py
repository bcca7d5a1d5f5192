"""Python side of the JavaScript reference harness (``tests/interop/js/ref.mjs``).

``JsReference`` runs one long-lived ``node`` process speaking JSON lines (one request per line on
its stdin, one response per line on its stdout) and exposes its operations as methods::

    from jsref import JsReference, available  # tests/interop on sys.path

    with JsReference() as js:
        signed = js.sign(credential, "eddsa-rdfc-2022", seed_hex, "2023-02-24T23:36:38Z")
        assert js.verify(signed, check_issuer=False)["verified"]

The JavaScript side is Digital Bazaar's ``@digitalbazaar/vc`` with the versions pinned in
``tests/interop/package.json``; it loads JSON-LD contexts only from ``contexts/manifest.json``
(or ``$CREDSTACK_CONTEXTS_DIR``) and never fetches anything. See ``tests/interop/README.md``.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

__all__ = [
    "INTEROP_DIR",
    "NODE_MODULES",
    "SCRIPT",
    "JsReference",
    "JsReferenceError",
    "Suite",
    "available",
    "node_executable",
]

INTEROP_DIR: Path = Path(__file__).resolve().parent
SCRIPT: Path = INTEROP_DIR / "js" / "ref.mjs"
NODE_MODULES: Path = INTEROP_DIR / "node_modules"

Suite = Literal["eddsa-rdfc-2022", "Ed25519Signature2020"]
KeyType = Literal["Multikey", "Ed25519VerificationKey2020"]
JsonObject = dict[str, Any]

_EOF = object()


class JsReferenceError(RuntimeError):
    """The reference answered ``ok: false``, or the node process failed or timed out."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        name: str | None = None,
        response: JsonObject | None = None,
    ) -> None:
        super().__init__(message if code is None else f"{message} [{code}]")
        self.message = message
        self.code = code
        self.name = name
        self.response = response


def node_executable() -> str | None:
    """The node binary to run: ``$CREDSTACK_NODE`` if set, else ``node`` on ``PATH``."""
    configured = os.environ.get("CREDSTACK_NODE")
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    return shutil.which("node")


def available() -> bool:
    """Whether node and the installed packages (``npm ci`` in tests/interop) are present."""
    return (
        node_executable() is not None
        and SCRIPT.is_file()
        and (NODE_MODULES / "@digitalbazaar" / "vc" / "package.json").is_file()
    )


class JsReference:
    """One ``node tests/interop/js/ref.mjs`` process; use as a context manager.

    Every method sends one request and waits for its response; a lock makes the object safe to share
    between threads (requests are served one at a time). ``timeout`` is the default number of seconds
    to wait for one response; on a timeout the process is killed and ``JsReferenceError`` raised.
    """

    def __init__(
        self,
        *,
        contexts_dir: str | os.PathLike[str] | None = None,
        timeout: float = 120.0,
        node: str | None = None,
    ) -> None:
        self._contexts_dir = None if contexts_dir is None else Path(contexts_dir).resolve()
        self._timeout = timeout
        self._node = node
        self._proc: subprocess.Popen[str] | None = None
        self._responses: queue.Queue[object] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._lock = threading.Lock()
        self._next_id = 0
        self.info: JsonObject = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start node and check it answers (this also loads and checks the context manifest)."""
        if self._proc is not None:
            return
        node = self._node or node_executable()
        if node is None:
            raise JsReferenceError("node is not installed (set CREDSTACK_NODE or put node on PATH)")
        if not (NODE_MODULES / "@digitalbazaar" / "vc").is_dir():
            raise JsReferenceError(f"{NODE_MODULES} is missing: run `npm ci` in {INTEROP_DIR}")
        env = dict(os.environ)
        if self._contexts_dir is not None:
            env["CREDSTACK_CONTEXTS_DIR"] = str(self._contexts_dir)
        self._proc = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=INTEROP_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        # a fresh queue per process, so a stale end-of-stream marker can never be read
        self._responses = queue.Queue()
        threading.Thread(target=_read_stdout, args=(self._proc, self._responses), daemon=True).start()
        threading.Thread(target=_read_stderr, args=(self._proc, self._stderr), daemon=True).start()
        try:
            self.info = self._request({"op": "ping"}, self._timeout)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop node (closing its stdin ends it; it is killed if it does not exit promptly)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stderr_tail(self) -> str:
        """The last lines node wrote to stderr (for error messages)."""
        return "\n".join(self._stderr)

    # -- operations ------------------------------------------------------------------------------

    def canonize(self, doc: JsonObject, safe: bool = True, *, canonizer: str = "jsonld") -> str:
        """RDFC-1.0 N-Quads of ``doc``: ``jsonld.canonize`` with the static loader.

        ``canonizer="eddsa-rdfc-2022"`` uses the cryptosuite's own canonize instead (``base: null``,
        ``rdfDirection: "i18n-datatype"``), i.e. exactly the text that signing hashes.
        """
        request: JsonObject = {"op": "canonize", "doc": doc, "safe": safe}
        if canonizer != "jsonld":
            request["canonizer"] = canonizer
        nquads = self._request(request)["nquads"]
        assert isinstance(nquads, str)
        return nquads

    def sign(
        self,
        credential: JsonObject,
        suite: Suite,
        seed_hex: str,
        created: str | None,
        verification_method: str | None = None,
    ) -> JsonObject:
        """``vc.issue()`` with the Ed25519 key from the 32-byte seed; returns the signed credential.

        ``verification_method`` defaults to the key's ``did:key:z6Mk...#z6Mk...``. ``created`` is
        normalized by the library to UTC with whole seconds; ``None`` means "now". A credential that
        already has a proof gets the new proof appended (a proof set).
        """
        request: JsonObject = {"op": "sign", "suite": suite, "seed": seed_hex, "credential": credential}
        if created is not None:
            request["created"] = created
        if verification_method is not None:
            request["verificationMethod"] = verification_method
        signed = self._request(request)["signed"]
        assert isinstance(signed, dict)
        return signed

    def verify(
        self,
        credential: JsonObject,
        *,
        check_issuer: bool = True,
        now: str | None = None,
        key_type: KeyType | None = None,
        status_lists: dict[str, JsonObject] | None = None,
    ) -> JsonObject:
        """``vc.verifyCredential()`` with both suites and the static loader.

        Returns ``{"verified", "allProofsVerified", "errors", "proofs"}``. ``verified`` is the
        library's answer: for a proof set it is true if ANY matched proof verifies, and proofs of other
        types are ignored; ``allProofsVerified`` requires every proof to match a suite and verify.
        ``check_issuer=False`` drops vc's rule that the issuer must be the verification method's
        controller (needed for the W3C vectors, whose issuer is not the signing did:key). ``now`` is
        the time for validFrom/validUntil checks (default: the current time).

        ``status_lists`` maps each ``statusListCredential`` URL to the list credential (as served): vc's
        ``checkStatus`` hook then verifies each list (signature, same issuer, purpose) and reads the bit, and
        the response has ``status`` (``{"verified", "results": [{"purpose", "bit", "verified", "error"?}]}``).
        Without it, a credential with ``credentialStatus`` is refused, as vc refuses it.
        """
        request: JsonObject = {"op": "verify", "credential": credential, "checkIssuer": check_issuer}
        if status_lists is not None:
            request["statusLists"] = status_lists
        if now is not None:
            request["now"] = now
        if key_type is not None:
            request["keyType"] = key_type
        return self._request(request)

    def bench(
        self,
        credential: JsonObject,
        suite: Suite,
        seed_hex: str,
        iterations: int = 20,
        *,
        warmup: int = 5,
        created: str | None = None,
        verification_method: str | None = None,
        check_issuer: bool = True,
        now: str | None = None,
        timeout: float | None = None,
    ) -> JsonObject:
        """Time ``vc.issue`` and ``vc.verifyCredential`` inside node (``performance.now()``).

        Returns ``{"sign_ms": [...], "verify_ms": [...], "verified", "errors", ...}`` with one entry
        per iteration, measured after ``warmup`` untimed sign+verify rounds.
        """
        request: JsonObject = {
            "op": "bench",
            "suite": suite,
            "seed": seed_hex,
            "credential": credential,
            "iterations": iterations,
            "warmup": warmup,
            "checkIssuer": check_issuer,
        }
        if created is not None:
            request["created"] = created
        if verification_method is not None:
            request["verificationMethod"] = verification_method
        if now is not None:
            request["now"] = now
        return self._request(request, timeout)

    def keys(self, seed_hex: str) -> JsonObject:
        """``{"publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z3u2...", "did": ..., ...}``.

        ``secretKeyMultibase`` is the W3C form (multicodec ed25519-priv + the 32-byte seed);
        ``librarySecretKeyMultibase`` is what @digitalbazaar/ed25519-multikey exports (seed || public).
        """
        return self._request({"op": "keys", "seed": seed_hex})

    def ping(self) -> JsonObject:
        """Node version, contexts directory and the context URLs the loader serves."""
        return self._request({"op": "ping"})

    def request(self, request: JsonObject, timeout: float | None = None) -> JsonObject:
        """Send a raw protocol request; returns the response without ``ok``/``id``."""
        return self._request(dict(request), timeout)

    # -- plumbing --------------------------------------------------------------------------------

    def _request(self, request: JsonObject, timeout: float | None = None) -> JsonObject:
        with self._lock:
            proc = self._proc
            if proc is None or proc.stdin is None:
                raise JsReferenceError("JsReference is not started (use it as a context manager)")
            self._next_id += 1
            request_id = self._next_id
            request["id"] = request_id
            try:
                line = json.dumps(request, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise JsReferenceError(f"request is not JSON: {exc}") from exc
            try:
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            except OSError as exc:
                raise self._died(f"cannot write to node: {exc}") from exc
            wait = self._timeout if timeout is None else timeout
            try:
                item = self._responses.get(timeout=wait)
            except queue.Empty:
                self.close()
                raise JsReferenceError(
                    f"no answer from node within {wait} s to {request['op']!r}; process killed"
                ) from None
            if item is _EOF:
                raise self._died("node exited")
            assert isinstance(item, str)
            try:
                response = json.loads(item)
            except json.JSONDecodeError as exc:
                raise JsReferenceError(f"node wrote a line that is not JSON: {item[:200]!r}") from exc
            if not isinstance(response, dict) or response.get("id") != request_id:
                raise JsReferenceError(f"out-of-order or malformed response: {item[:200]!r}")
            del response["id"]
            if response.pop("ok", False) is not True:
                raise JsReferenceError(
                    str(response.get("error", "unknown error")),
                    code=response.get("code"),
                    name=response.get("name"),
                    response=response,
                )
            return response

    def _died(self, what: str) -> JsReferenceError:
        proc = self._proc
        self.close()
        status = proc.returncode if proc is not None else None
        tail = self.stderr_tail()
        return JsReferenceError(f"{what} (exit status {status})" + (f"; stderr:\n{tail}" if tail else ""))


def _read_stdout(proc: subprocess.Popen[str], responses: queue.Queue[object]) -> None:
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            responses.put(line)
    except (OSError, ValueError):
        pass
    finally:
        responses.put(_EOF)


def _read_stderr(proc: subprocess.Popen[str], lines: collections.deque[str]) -> None:
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
    except (OSError, ValueError):
        pass
