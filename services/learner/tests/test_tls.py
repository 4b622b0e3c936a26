"""The learner process with the mesh's certificate files: clients without a certificate from the
mesh's CA are refused, and replaced files are used for new connections without a restart.
Certificates are made with the openssl CLI at test time."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import grpc
import support

MAIN = os.path.join(support.LEARNER, "main.py")
SERVING = b"\x08\x01"


def make_pki(directory, subject):
    os.makedirs(directory)
    p = {n: os.path.join(directory, n) for n in ("ca.crt", "ca.key", "tls.crt", "tls.key", "tls.csr", "ext")}
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", *key, "-keyout", p["ca.key"], "-out", p["ca.crt"], "-days", "1", "-subj", f"/CN={subject}")
    run("req", *key, "-keyout", p["tls.key"], "-out", p["tls.csr"], "-subj", "/CN=learner")
    with open(p["ext"], "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
    run("x509", "-req", "-in", p["tls.csr"], "-CA", p["ca.crt"], "-CAkey", p["ca.key"], "-CAcreateserial", "-days", "1",
        "-out", p["tls.crt"], "-extfile", p["ext"])
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


@unittest.skipIf(shutil.which("openssl") is None, "needs the openssl CLI")
class MutualTls(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="learner-tls-")
        self.first = make_pki(os.path.join(self.tmp, "first"), "first-ca")
        self.second = make_pki(os.path.join(self.tmp, "second"), "second-ca")
        self.served = os.path.join(self.tmp, "served")
        os.makedirs(self.served)
        for name in ("ca.crt", "tls.crt", "tls.key"):
            shutil.copy(self.first[name], os.path.join(self.served, name))
        s = lambda n: os.path.join(self.served, n)  # noqa: E731
        self.proc = subprocess.Popen(
            [sys.executable, MAIN, "--port", "0", "--tls-ca-file", s("ca.crt"), "--tls-cert-file", s("tls.crt"), "--tls-key-file", s("tls.key")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"learner listening on (127\.0\.0\.1:\d+)\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"unexpected first line {line!r}; stderr: {self.proc.stderr.read()}")
        self.address = m.group(1)

    def tearDown(self):
        self.proc.terminate()
        self.proc.wait(30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def health(self, pki, with_certificate=True):
        key, cert = (read(pki["tls.key"]), read(pki["tls.crt"])) if with_certificate else (None, None)
        credentials = grpc.ssl_channel_credentials(read(pki["ca.crt"]), key, cert)
        # Its own connection every time: a rotation applies to new connections.
        with grpc.secure_channel(self.address, credentials, options=[("grpc.use_local_subchannel_pool", 1)]) as channel:
            return channel.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=5)

    def test_refuses_clients_without_the_mesh_certificate_and_takes_rotated_files(self):
        self.assertEqual(self.health(self.first), SERVING)
        with self.assertRaises(grpc.RpcError) as caught:
            self.health(self.first, with_certificate=False)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)
        with self.assertRaises(grpc.RpcError):
            self.health(self.second)
        for name in ("ca.crt", "tls.key", "tls.crt"):
            shutil.copy(self.second[name], os.path.join(self.served, name + ".new"))
            os.replace(os.path.join(self.served, name + ".new"), os.path.join(self.served, name))
        deadline = time.monotonic() + 10
        while True:
            try:
                self.assertEqual(self.health(self.second), SERVING)
                break
            except grpc.RpcError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        with self.assertRaises(grpc.RpcError):
            self.health(self.first)
        self.assertIsNone(self.proc.poll(), "the same process, not restarted")


if __name__ == "__main__":
    unittest.main()
