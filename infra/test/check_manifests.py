#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (`kubectl kustomize` output) against the code they deploy.

  check_manifests.py REPO RENDERED.yaml...       errors on stderr, exit 1 if any
  check_manifests.py REPO --self-test BASE.yaml  every known-bad mutation of BASE must be caught

The truth comes from the repository, never from the manifests: the gRPC service a container serves
is the `XxxServiceDefinition` its services/<name>/src/main.ts registers, named as in proto/; the
port, host, shutdown grace and state dir it will use come from the flags, environment and the
defaults printed by `node services/<name>/dist/main.js --help` (so the repo must be built).
Needs Debian's python3-yaml.
"""
import copy
import glob
import json
import os
import re
import subprocess
import sys

import yaml

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


class Truth:
    """What each service really does, read from the repository."""

    def __init__(self, repo):
        self.repo = repo
        self.proto_services = set()
        for path in glob.glob(os.path.join(repo, "proto", "**", "*.proto"), recursive=True):
            text = open(path, encoding="utf8").read()
            package = re.search(r"^package\s+([\w.]+);", text, re.M)
            for name in re.findall(r"^service\s+(\w+)\s*\{", text, re.M):
                self.proto_services.add(f"{package.group(1)}.{name}" if package else name)
        self._help = {}

    def grpc_services(self, service):
        main = os.path.join(self.repo, "services", service, "src", "main.ts")
        names = re.findall(r"definition:\s*(\w+)Definition", open(main, encoding="utf8").read())
        return {full for full in self.proto_services for n in names if full.endswith("." + n)}

    def options(self, service):
        """{flag: (ENV_NAME, default)} from the built service's --help."""
        if service not in self._help:
            main = os.path.join(self.repo, "services", service, "dist", "main.js")
            if not os.path.exists(main):
                raise RuntimeError(f"services/{service} is not built: run npm run build (npm run test:infra does)")
            out = subprocess.run(["node", main, "--help"], capture_output=True, text=True, timeout=60)
            if out.returncode != 0:
                raise RuntimeError(f"`node {main} --help` failed: {out.stderr.strip()[:300]}")
            opts = {}
            for flag, env, default in re.findall(r"^\s+--([\w-]+)\s+(\w+)\s+(.+)$", out.stdout, re.M):
                opts[flag] = (env, json.loads(default) if default != "(required)" else None)
            self._help[service] = opts
        return self._help[service]


def matches(selector, labels):
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def check(docs, truth):
    errors = []
    err = errors.append
    docs = [d for d in docs if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    workloads = [d for d in docs if d["kind"] in WORKLOADS]
    config_maps = {d["metadata"]["name"]: d.get("data") or {} for d in by_kind.get("ConfigMap", [])}
    namespaces = {d["metadata"]["name"] for d in by_kind.get("Namespace", [])}

    for d in docs:
        ns = d["metadata"].get("namespace")
        if d["kind"] != "Namespace" and ns not in namespaces:
            err(f"{d['kind']}/{d['metadata']['name']}: namespace {ns!r} is not created by these manifests")

    for w in workloads:
        wid = f"{w['kind']}/{w['metadata']['name']}"
        spec, pod = w["spec"], w["spec"]["template"]["spec"]
        labels = w["spec"]["template"]["metadata"].get("labels", {})
        if not matches(spec["selector"].get("matchLabels"), labels):
            err(f"{wid}: selector.matchLabels do not match the pod template's labels")
        if pod.get("enableServiceLinks", True):
            err(f"{wid}: enableServiceLinks must be false (a Service named like the service injects "
                f"<NAME>_PORT=tcp://..., which the service reads as its own --port)")
        claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        volumes = {v["name"] for v in pod.get("volumes", [])} | claims
        tolerated = any(t.get("key") == "nvidia.com/gpu" or (t.get("operator") == "Exists" and not t.get("key"))
                        for t in pod.get("tolerations", []))
        pod_sc = pod.get("securityContext", {})
        for c in pod["containers"]:
            cid = f"{wid} container {c['name']}"
            argv = (c.get("command") or []) + (c.get("args") or [])
            found = [m for a in argv for m in re.findall(r"services/([\w-]+)/dist/main\.js", a)]
            if len(found) != 1:
                err(f"{cid}: its command/args must name one services/<name>/dist/main.js")
                continue
            service = found[0]
            if not os.path.exists(os.path.join(truth.repo, "services", service, "src", "main.ts")):
                err(f"{cid}: services/{service} does not exist in the repository")
                continue
            try:
                opts, real = truth.options(service), truth.grpc_services(service)
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                err(f"{cid}: cannot read what services/{service} does: {e}")
                continue
            if not real:
                err(f"{cid}: services/{service}/src/main.ts registers no service found in proto/")

            # Container env as the process sees it: envFrom ConfigMaps, overridden by env entries.
            env = {}
            for ref in c.get("envFrom", []):
                env.update(config_maps.get(ref.get("configMapRef", {}).get("name"), {}))
            for e in c.get("env", []):
                env[e["name"]] = e.get("value", e.get("valueFrom") and "<valueFrom>")

            def option(flag):  # as packages/runtime's loadConfig: flag > <SERVICE>_* > SKETCHVL_* > default
                for i, a in enumerate(argv):
                    if a == f"--{flag}" and i + 1 < len(argv):
                        return argv[i + 1]
                    if a.startswith(f"--{flag}="):
                        return a.split("=", 1)[1]
                env_name, default = opts[flag]
                for name in (env_name, "SKETCHVL_" + env_name.split("_", 1)[1]):
                    if name in env:
                        if env[name] == "<valueFrom>":
                            err(f"{cid}: {name} comes from valueFrom; give it a literal value so it can be checked")
                        return default if env[name] in ("", "<valueFrom>") else env[name]
                return default

            port = int(option("port"))
            ports = {p["containerPort"] for p in c.get("ports", [])}
            if port not in ports:
                err(f"{cid}: the service listens on {port}, not among containerPorts {sorted(ports)}")
            if option("host") not in ("0.0.0.0", "::"):
                err(f"{cid}: host {option('host')!r}: probes and peers reach the pod IP, listen on 0.0.0.0")
            for kind, want in (("livenessProbe", {""}), ("readinessProbe", real), ("startupProbe", real)):
                probe = c.get(kind)
                grpc = (probe or {}).get("grpc")
                if not grpc:
                    err(f"{cid}: {kind} must be a native grpc probe (grpc.health.v1)")
                    continue
                if grpc.get("port") not in ports:
                    err(f"{cid}: {kind} port {grpc.get('port')} is not a containerPort {sorted(ports)}")
                elif grpc.get("port") != port:
                    err(f"{cid}: {kind} port {grpc.get('port')} is not the port the service listens on ({port})")
                if grpc.get("service", "") not in want:
                    err(f"{cid}: {kind} checks {grpc.get('service', '')!r}; it must be one of {sorted(want)}")
            startup = c.get("startupProbe") or {}
            if startup.get("failureThreshold", 3) * startup.get("periodSeconds", 10) < 120:
                err(f"{cid}: startupProbe allows under 120 s (failureThreshold x periodSeconds): too tight")
            grace_ms = int(option("shutdown-grace-ms"))
            if pod.get("terminationGracePeriodSeconds", 30) * 1000 <= grace_ms:
                err(f"{cid}: terminationGracePeriodSeconds must exceed the shutdown grace ({grace_ms} ms)")
            sc = c.get("securityContext", {})
            if not sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")):
                err(f"{cid}: runAsNonRoot must be true")
            if sc.get("allowPrivilegeEscalation") is not False:
                err(f"{cid}: allowPrivilegeEscalation must be false")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if not sc.get("readOnlyRootFilesystem"):
                err(f"{cid}: readOnlyRootFilesystem must be true")
            elif "/tmp" not in mounts:
                err(f"{cid}: a read-only root filesystem needs a volume at /tmp (HOME=/tmp in the image)")
            for path, name in mounts.items():
                if name not in volumes:
                    err(f"{cid}: volumeMount {path} uses volume {name!r}, which is not defined")
            if "state-dir" in opts:  # a stateful service: its state must outlive the pod
                state = option("state-dir")
                on_claim = [p for p, n in mounts.items() if n in claims and (state + "/").startswith(p.rstrip("/") + "/")]
                if w["kind"] != "StatefulSet" or not on_claim:
                    err(f"{cid}: state dir {state!r} must be on a volumeClaimTemplate of a StatefulSet")
            for ref in c.get("envFrom", []):
                cm = ref.get("configMapRef")
                if cm and not cm.get("optional") and cm["name"] not in config_maps:
                    err(f"{cid}: envFrom ConfigMap {cm['name']!r} does not exist")
            res = c.get("resources", {})
            if not all(k in res.get("requests", {}) for k in ("cpu", "memory")) or "memory" not in res.get("limits", {}):
                err(f"{cid}: needs cpu and memory requests and a memory limit")
            gpus = res.get("limits", {}).get("nvidia.com/gpu")
            if "nvidia.com/gpu" in res.get("requests", {}) and res["requests"]["nvidia.com/gpu"] != gpus:
                err(f"{cid}: nvidia.com/gpu requests must equal limits")
            if gpus and not (tolerated and (pod.get("nodeSelector") or pod.get("affinity"))):
                err(f"{cid}: a GPU container needs a nodeSelector/affinity and a nvidia.com/gpu toleration")

    def selected(selector):
        return [w for w in workloads if matches(selector, w["spec"]["template"]["metadata"].get("labels"))]

    services = by_kind.get("Service", [])
    for s in services:
        sid = f"Service/{s['metadata']['name']}"
        targets = selected(s["spec"].get("selector"))
        if not targets:
            err(f"{sid}: its selector matches no workload's pod labels")
        if s["spec"].get("clusterIP") != "None":
            err(f"{sid}: must be headless (clusterIP: None) for client-side round-robin over dns:///")
        for p in s["spec"].get("ports", []):
            target = p.get("targetPort", p["port"])
            for w in targets:
                cports = [cp for c in w["spec"]["template"]["spec"]["containers"] for cp in c.get("ports", [])]
                if not any(target in (cp.get("name"), cp["containerPort"]) for cp in cports):
                    err(f"{sid}: targetPort {target!r} is no containerPort of {w['kind']}/{w['metadata']['name']}")
    for w in workloads:
        wid, labels = f"{w['kind']}/{w['metadata']['name']}", w["spec"]["template"]["metadata"].get("labels")
        if not any(matches(s["spec"].get("selector"), labels) for s in services):
            err(f"{wid}: no Service selects its pods (peers need dns:///<service>)")
        if not any(matches(p["spec"].get("selector", {}).get("matchLabels"), labels) for p in by_kind.get("PodDisruptionBudget", [])):
            err(f"{wid}: no PodDisruptionBudget covers its pods")
        if w["kind"] == "StatefulSet":
            svc = next((s for s in services if s["metadata"]["name"] == w["spec"].get("serviceName")), None)
            if not svc or svc["spec"].get("clusterIP") != "None" or not matches(svc["spec"].get("selector"), labels):
                err(f"{wid}: serviceName must name a headless Service that selects its pods")
    for p in by_kind.get("PodDisruptionBudget", []):
        if not selected(p["spec"].get("selector", {}).get("matchLabels")):
            err(f"PodDisruptionBudget/{p['metadata']['name']}: its selector matches no workload")
    for h in by_kind.get("HorizontalPodAutoscaler", []):
        ref = h["spec"]["scaleTargetRef"]
        target = next((w for w in workloads if (w["kind"], w["metadata"]["name"]) == (ref["kind"], ref["name"])), None)
        hid = f"HorizontalPodAutoscaler/{h['metadata']['name']}"
        if not target:
            err(f"{hid}: scaleTargetRef {ref['kind']}/{ref['name']} does not exist")
        elif "replicas" in target["spec"]:
            err(f"{hid}: {ref['kind']}/{ref['name']} sets replicas, which every apply would reset under the HPA")
        if h["spec"].get("minReplicas", 1) > h["spec"]["maxReplicas"]:
            err(f"{hid}: minReplicas > maxReplicas")
    return errors


def self_test(base, truth):
    """Each mutation breaks one rule; the checker must notice every one (and accept the original)."""
    def find(docs, kind, name):
        return next(d for d in docs if d and d["kind"] == kind and d["metadata"]["name"] == name)

    def container(docs, kind, name):
        return find(docs, kind, name)["spec"]["template"]["spec"]["containers"][0]

    def env(docs, kind, name, var, value):
        c = container(docs, kind, name)
        c["env"] = [e for e in c.get("env", []) if e["name"] != var] + [{"name": var, "value": value}]

    D, S = ("Deployment", "renderer"), ("StatefulSet", "trainer")
    mutations = {
        "readiness names a service that does not exist": lambda d: container(d, *D)["readinessProbe"]["grpc"].update(service="sketchvl.v1.RenderService"),
        "readiness names another service": lambda d: container(d, *D)["readinessProbe"]["grpc"].update(service="sketchvl.v1.TrainerService"),
        "liveness checks the service name": lambda d: container(d, *S)["livenessProbe"]["grpc"].update(service="sketchvl.v1.TrainerService"),
        "liveness probe on another port": lambda d: container(d, *D)["livenessProbe"]["grpc"].update(port=50050),
        "no readiness probe": lambda d: container(d, *S).pop("readinessProbe"),
        "http instead of grpc probe": lambda d: container(d, *D).update(readinessProbe={"httpGet": {"port": 50051}}),
        "containerPort differs": lambda d: container(d, *D)["ports"][0].update(containerPort=8080),
        "service told to listen elsewhere": lambda d: env(d, *D, "RENDERER_PORT", "50060"),
        "listens on loopback": lambda d: env(d, *S, "TRAINER_HOST", "127.0.0.1"),
        "Service selector typo": lambda d: find(d, "Service", "renderer")["spec"]["selector"].update({"app.kubernetes.io/name": "rendrer"}),
        "Service not headless": lambda d: find(d, "Service", "trainer")["spec"].pop("clusterIP"),
        "kill before the drain ends": lambda d: find(d, *D)["spec"]["template"]["spec"].update(terminationGracePeriodSeconds=5),
        "state dir off the volume": lambda d: env(d, *S, "TRAINER_STATE_DIR", "/tmp/state"),
        "service links on": lambda d: find(d, *S)["spec"]["template"]["spec"].pop("enableServiceLinks"),
        "HPA targets nothing": lambda d: find(d, "HorizontalPodAutoscaler", "renderer")["spec"]["scaleTargetRef"].update(name="render"),
        "PDB selects nothing": lambda d: find(d, "PodDisruptionBudget", "trainer")["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/name": "x"}),
        "GPU without toleration": lambda d: container(d, *D)["resources"]["limits"].update({"nvidia.com/gpu": 1}),
        "args name a service that does not exist": lambda d: container(d, *D).update(args=["services/no-such-service/dist/main.js"]),
    }
    failures = [f"the unchanged base fails: {e}" for e in check(copy.deepcopy(base), truth)]
    for what, mutate in mutations.items():
        docs = copy.deepcopy(base)
        mutate(docs)
        if not check(docs, truth):
            failures.append(f"not caught: {what}")
    return failures, len(mutations)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    truth = Truth(os.path.abspath(argv[1]))
    if argv[2] == "--self-test":
        base = list(yaml.safe_load_all(open(argv[3], encoding="utf8")))
        failures, n = self_test(base, truth)
        for f in failures:
            print(f"self-test: {f}", file=sys.stderr)
        print(f"self-test: {n - len(failures)}/{n} broken variants of {os.path.basename(argv[3])} rejected")
        return 1 if failures else 0
    status = 0
    for path in argv[2:]:
        errors = check(list(yaml.safe_load_all(open(path, encoding="utf8"))), truth)
        for e in errors:
            print(f"{os.path.basename(path)}: {e}", file=sys.stderr)
        print(f"{os.path.basename(path)}: {'FAIL, ' + str(len(errors)) + ' problem(s)' if errors else 'ok'}")
        status |= bool(errors)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
