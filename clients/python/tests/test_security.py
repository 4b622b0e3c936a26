"""RewardClient and request_rewards against a mesh with security on: a caller token on every call,
TLS with the mesh's CA and this client's certificate (mTLS), over real gRPC / HTTP with certificates
made by the openssl CLI at test time."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

import grpc

from sketchvl_mesh import RewardClient
from sketchvl_mesh.errors import RewardServiceError
from sketchvl_mesh.integrations.openrlhf import request_rewards

from .support import TINY_PNG, FakeServer

TOKEN = "caller-7f3a9c2e1b5d4f60"


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_pki(directory: str) -> dict[str, str]:
    """A CA and one certificate for both ends (127.0.0.1), as the mesh's launcher makes them."""
    paths = {name: os.path.join(directory, name) for name in ("ca.crt", "ca.key", "tls.crt", "tls.key", "tls.csr", "ext")}
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", paths["ca.key"], "-out", paths["ca.crt"], "-days", "1", "-subj", "/CN=test-ca")
    openssl("req", *key, "-keyout", paths["tls.key"], "-out", paths["tls.csr"], "-subj", "/CN=tls")
    with open(paths["ext"], "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
    openssl("x509", "-req", "-in", paths["tls.csr"], "-CA", paths["ca.crt"], "-CAkey", paths["ca.key"], "-CAcreateserial",
            "-days", "1", "-out", paths["tls.crt"], "-extfile", paths["ext"])
    return paths


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@unittest.skipIf(shutil.which("openssl") is None, "needs the openssl CLI")
class MutualTlsClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="pki-")
        self.pki = make_pki(self.dir)
        credentials = grpc.ssl_server_credentials(
            [(read(self.pki["tls.key"]), read(self.pki["tls.crt"]))], root_certificates=read(self.pki["ca.crt"]), require_client_auth=True
        )
        self.fake = FakeServer(credentials)

    def tearDown(self) -> None:
        self.fake.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_token_and_client_certificate_reach_the_server(self) -> None:
        client = RewardClient(self.fake.address, timeout_s=10, token=TOKEN,
                              tls_root_cert=self.pki["ca.crt"], tls_cert=self.pki["tls.crt"], tls_key=read(self.pki["tls.key"]))
        try:
            group = client.score_group(TINY_PNG, "q", ["a"], ["Answer: a"])
            self.assertEqual(group[0].outcome_reward, 1.0)
            self.assertEqual(self.fake.service.authorizations, [f"Bearer {TOKEN}"])
        finally:
            client.close()

    def test_without_a_client_certificate_the_server_refuses(self) -> None:
        client = RewardClient(self.fake.address, timeout_s=3, max_retries=0, tls_root_cert=self.pki["ca.crt"])
        try:
            with self.assertRaises(RewardServiceError) as caught:
                client.score_group(TINY_PNG, "q", ["a"], ["Answer: a"])
            self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)
            self.assertEqual(self.fake.service.requests, [])
        finally:
            client.close()

    def test_certificate_without_its_key_is_refused_at_once(self) -> None:
        with self.assertRaises(ValueError):
            RewardClient(self.fake.address, tls_root_cert=self.pki["ca.crt"], tls_cert=self.pki["tls.crt"])


class HttpTokenTest(unittest.TestCase):
    def test_request_rewards_sends_the_token(self) -> None:
        seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                seen.append(self.headers.get("Authorization", ""))
                self.rfile.read(int(self.headers["Content-Length"]))
                body = b'{"rewards": [], "scores": [], "extra_logs": {}}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/get_reward"
            self.assertEqual(request_rewards(url, [], [], [], token=TOKEN)["rewards"], [])
            request_rewards(url, [], [], [])
            self.assertEqual(seen, [f"Bearer {TOKEN}", ""])
        finally:
            server.shutdown()
            server.server_close()
