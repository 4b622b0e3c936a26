"""Starts the learner: /usr/bin/python3 services/learner/main.py [--host 127.0.0.1] [--port 0]

Prints exactly one line, `learner listening on <host>:<port>`, when it accepts calls. SIGTERM or
SIGINT: stop taking calls, let running ones finish (up to --grace seconds), exit 0.
"""

import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from process_env import reexec_with_env  # noqa: E402

reexec_with_env()  # before torch is imported: malloc and OpenMP settings (see process_env.py)

from server import create_server  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="SketchVL Mesh learner (sketchvl.v1.LearnerService)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--grace", type=float, default=10.0, help="seconds running calls get on shutdown")
    # The mesh's certificate files (SKETCHVL_TLS_* like every service): all three turn mTLS on.
    p.add_argument("--tls-ca-file", default=os.environ.get("SKETCHVL_TLS_CA_FILE", ""))
    p.add_argument("--tls-cert-file", default=os.environ.get("SKETCHVL_TLS_CERT_FILE", ""))
    p.add_argument("--tls-key-file", default=os.environ.get("SKETCHVL_TLS_KEY_FILE", ""))
    args = p.parse_args(argv)
    tls_files = (args.tls_ca_file, args.tls_cert_file, args.tls_key_file)
    if any(tls_files) and not all(tls_files):
        p.error("--tls-ca-file, --tls-cert-file and --tls-key-file go together")
    credentials = None
    if all(tls_files):
        from tls import CertificateFiles

        try:
            credentials = CertificateFiles(*tls_files).server_credentials()
        except ValueError as err:
            p.error(str(err))

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server, port = create_server(args.host, args.port, credentials=credentials)
    print(f"learner listening on {args.host}:{port}", flush=True)
    stop.wait()
    server.stop(args.grace).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
