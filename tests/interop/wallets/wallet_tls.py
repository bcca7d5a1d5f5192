"""A throwaway TLS identity for loopback servers: one self-signed EC P-256 certificate for IP 127.0.0.1.

Clients trust the certificate itself: node through ``NODE_EXTRA_CA_CERTS=<cert.pem>``, Python through
``httpx.Client(verify=ssl_context(cert))``. It is its own CA (``CA:TRUE``, ``keyCertSign``), so OpenSSL accepts it as
a trust anchor, and it names ``127.0.0.1`` and ``localhost`` in subjectAltName, as OpenID4VCI wallets check the host.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TlsFiles", "ssl_context", "write_self_signed"]


@dataclass(frozen=True)
class TlsFiles:
    """``cert``: the PEM certificate (also the trust anchor to give clients); ``key``: its PEM private key."""

    cert: Path
    key: Path


def write_self_signed(directory: Path, *, days: int = 7) -> TlsFiles:
    """Write ``cert.pem`` and ``key.pem`` (unencrypted PKCS#8) into ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(cert=directory / "cert.pem", key=directory / "key.pem")
    files.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    files.key.chmod(0o600)
    return files


def ssl_context(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only ``cert`` (hostname checking on)."""
    return ssl.create_default_context(cafile=str(cert))
