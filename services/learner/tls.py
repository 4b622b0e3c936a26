"""mTLS for the learner's server from the mesh's certificate files (the same --tls-ca-file,
--tls-cert-file, --tls-key-file as every service), re-read when they change: grpcio asks for the
certificate configuration at each new handshake, and gets a new one only after the files changed
and still hold a certificate that matches its key. A half-written rotation keeps the previous one."""

from __future__ import annotations

import ssl
import threading
import time
from typing import Optional

import grpc

# How often a handshake may re-read the files (connections are long-lived; handshakes are rare).
RELOAD_INTERVAL_S = 1.0


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class CertificateFiles:
    def __init__(self, ca_file: str, cert_file: str, key_file: str) -> None:
        self.paths = (ca_file, cert_file, key_file)
        self.lock = threading.Lock()
        self.checked_at = 0.0
        self.current = self._load()
        if self.current is None:
            raise ValueError(f"not a usable CA, certificate and key: {', '.join(self.paths)}")

    def _load(self) -> Optional[tuple[bytes, bytes, bytes]]:
        try:
            ca, cert, key = (_read(p) for p in self.paths)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.paths[1], self.paths[2])  # the key matches the certificate
            context.load_verify_locations(cadata=ca.decode("ascii"))
            return ca, cert, key
        except (OSError, ValueError, ssl.SSLError):
            return None

    def configuration(self, files: tuple[bytes, bytes, bytes]) -> grpc.ServerCertificateConfiguration:
        ca, cert, key = files
        return grpc.ssl_server_certificate_configuration([(key, cert)], root_certificates=ca)

    def fetch(self) -> Optional[grpc.ServerCertificateConfiguration]:
        """grpcio's fetcher: a new configuration when the files changed, else None (keep it)."""
        with self.lock:
            now = time.monotonic()
            if now - self.checked_at < RELOAD_INTERVAL_S:
                return None
            self.checked_at = now
            loaded = self._load()
            if loaded is None or loaded == self.current:
                return None
            self.current = loaded
            return self.configuration(loaded)

    def server_credentials(self) -> grpc.ServerCredentials:
        """Clients must present a certificate from the CA (mTLS)."""
        return grpc.dynamic_ssl_server_credentials(self.configuration(self.current), self.fetch, require_client_authentication=True)
