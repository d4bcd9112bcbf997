"""A self-signed certificate made at run time, for stubs of ``https``/``wss``/``grpcs`` endpoints.

``cryptography`` is not a dependency of wiremap, so the certificate comes from ``openssl`` on PATH
(a P-256 key, valid one day, for ``localhost`` and ``127.0.0.1``). Its files live in a temporary
directory until :meth:`SelfSigned.cleanup`; clients trust ``cafile`` (the certificate itself).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .._errors import UsageError

__all__ = ["SelfSigned", "self_signed"]


@dataclass(frozen=True, slots=True)
class SelfSigned:
    directory: Path
    certfile: Path
    keyfile: Path

    @property
    def cafile(self) -> str:
        """What a client trusts: the certificate itself."""
        return str(self.certfile)

    def server_context(self, alpn: list[str] | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.certfile, self.keyfile)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def cleanup(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def self_signed() -> SelfSigned:
    """A new certificate and key; :class:`UsageError` when ``openssl`` is missing or fails."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise UsageError("an https stub needs a certificate, and `openssl` is not on PATH to make one")
    directory = Path(tempfile.mkdtemp(prefix="wiremap-stub-tls-"))
    cert, key = directory / "cert.pem", directory / "key.pem"
    cmd = [
        openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    try:
        subprocess.run(cmd, capture_output=True, check=True, timeout=30)
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        detail = (
            exc.stderr.decode(errors="replace").strip()
            if isinstance(exc, subprocess.CalledProcessError)
            else exc
        )
        raise UsageError(f"openssl could not make the stub's certificate: {detail}") from exc
    key.chmod(0o600)
    return SelfSigned(directory, cert, key)
