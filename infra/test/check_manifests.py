#!/usr/bin/env python3
"""Checks rendered Kubernetes manifests (`kubectl kustomize` output) against the code they deploy.

  check_manifests.py REPO RENDERED.yaml...       errors on stderr, exit 1 if any
  check_manifests.py REPO --self-test BASE.yaml  every known-bad mutation of BASE must be caught

The truth comes from the repository, never from the manifests: the gRPC service a container serves
is the `XxxServiceDefinition` its services/<name>/src/main.ts registers, named as in proto/; the
port, host, shutdown grace and state dir it will use come from the flags, environment and the
defaults printed by `node services/<name>/dist/main.js --help` (so the repo must be built); which
options are peers (`--<service>-address`), extra listeners (`--<x>-port`), a model repository
(`--model-repository`, `--load-models`) or a state dir also comes from --help; where the image
keeps models, from infra/docker/Dockerfile; which services can use a GPU, from their dependencies.
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
GPU_LIBRARIES = {"onnxruntime-node"}  # a GPU limit on a service that uses none of these wastes the GPU
# A peer address as the services dial it in a cluster: a headless Service, or one StatefulSet pod.
PEER = re.compile(r"dns:///(?:([a-z0-9-]+)\.)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)")


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
        dockerfile = open(os.path.join(repo, "infra", "docker", "Dockerfile"), encoding="utf8").read()
        workdirs = re.findall(r"^WORKDIR\s+(\S+)", dockerfile, re.M)
        self.image_workdir = workdirs[-1] if workdirs else "/"
        shipped = re.search(r"^COPY\s+(?:--\S+\s+)*models/?\s+(\S+)", dockerfile, re.M)
        self.image_models = shipped.group(1).rstrip("/") if shipped else None  # where the image has models/
        self.workspaces = {}
        for path in glob.glob(os.path.join(repo, "packages", "*", "package.json")) + glob.glob(os.path.join(repo, "services", "*", "package.json")):
            pkg = json.load(open(path, encoding="utf8"))
            self.workspaces[pkg.get("name")] = pkg

    def is_service(self, service):
        return os.path.exists(os.path.join(self.repo, "services", service, "src", "main.ts"))

    def uses_gpu_library(self, service):
        """Whether services/<service> (or a workspace it depends on) can run anything on a GPU."""
        pkg = json.load(open(os.path.join(self.repo, "services", service, "package.json"), encoding="utf8"))
        seen, todo = set(), [pkg]
        while todo:
            deps = todo.pop().get("dependencies", {})
            if any(d in GPU_LIBRARIES for d in deps):
                return True
            for d in deps:
                if d in self.workspaces and d not in seen:
                    seen.add(d)
                    todo.append(self.workspaces[d])
        return False

    def models_in_checkout(self):
        """{model: [versions]} in the repository's models/ (what build.sh puts in the image)."""
        found = {}
        for cfg in glob.glob(os.path.join(self.repo, "models", "*", "*", "config.json")):
            version_dir = os.path.dirname(cfg)
            found.setdefault(os.path.basename(os.path.dirname(version_dir)), []).append(os.path.basename(version_dir))
        return found

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


def expand(value, env):
    """Kubernetes' $(VAR) expansion in env values and args: only variables already defined (earlier
    in the list, or from envFrom); `$$` is a literal `$`; an unknown reference stays as it is."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        known = env.get(m.group(1))
        return m.group(0) if known is None or known == "<valueFrom>" else known
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", sub, value)


def check(docs, truth, notes=None):
    errors = []
    err = errors.append
    note = notes.append if notes is not None else (lambda _: None)
    docs = [d for d in docs if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    workloads = [d for d in docs if d["kind"] in WORKLOADS]
    config_maps = {d["metadata"]["name"]: d.get("data") or {} for d in by_kind.get("ConfigMap", [])}
    namespaces = {d["metadata"]["name"] for d in by_kind.get("Namespace", [])}
    # What each checked container serves: its service, gRPC port, other listeners, peer addresses.
    serving = []

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
            raw_argv = (c.get("command") or []) + (c.get("args") or [])
            found = [m for a in raw_argv for m in re.findall(r"services/([\w-]+)/dist/main\.js", a)]
            if len(found) != 1:
                err(f"{cid}: its command/args must name one services/<name>/dist/main.js")
                continue
            service = found[0]
            if not truth.is_service(service):
                err(f"{cid}: services/{service} does not exist in the repository")
                continue
            try:
                opts, real = truth.options(service), truth.grpc_services(service)
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                err(f"{cid}: cannot read what services/{service} does: {e}")
                continue
            if not real:
                err(f"{cid}: services/{service}/src/main.ts registers no service found in proto/")

            # Container env as the process sees it: envFrom ConfigMaps, then env entries in order,
            # with $(VAR) expanded as Kubernetes does (metadata.namespace is known: it is rendered).
            env = {}
            for ref in c.get("envFrom", []):
                env.update(config_maps.get(ref.get("configMapRef", {}).get("name"), {}))
            for e in c.get("env", []):
                field = ((e.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
                if "value" in e or not e.get("valueFrom"):
                    env[e["name"]] = expand(str(e.get("value", "")), env)
                elif field == "metadata.namespace" and w["metadata"].get("namespace"):
                    env[e["name"]] = w["metadata"]["namespace"]
                else:
                    env[e["name"]] = "<valueFrom>"
            argv = [expand(a, env) for a in raw_argv]

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
            # Other listeners (--http-port ...): a fixed containerPort, not the gRPC one (-1 = off).
            listeners = {}
            for flag in sorted(f for f in opts if f.endswith("-port") and f != "port"):
                extra = int(option(flag))
                if extra < 0:
                    continue
                if extra == 0:
                    err(f"{cid}: --{flag} 0 picks a random port, which no Service can target")
                    continue
                if extra == port:
                    err(f"{cid}: --{flag} {extra} is the gRPC port too")
                elif extra not in ports:
                    err(f"{cid}: --{flag} {extra} is not among containerPorts {sorted(ports)}")
                listeners[flag] = extra
            # Peers (--renderer-address ...): checked against the Services below.
            peers = {flag: (flag[: -len("-address")], option(flag)) for flag in opts
                     if flag.endswith("-address") and truth.is_service(flag[: -len("-address")])}
            serving.append({"w": w, "cid": cid, "service": service, "port": port, "listeners": listeners, "peers": peers})

            for kind, want in (("livenessProbe", {""}), ("readinessProbe", real), ("startupProbe", real)):
                probe = c.get(kind)
                grpc = (probe or {}).get("grpc")
                if not grpc:
                    err(f"{cid}: {kind} must be a native grpc probe (grpc.health.v1)")
                    continue
                # With --health-port, probes go there: it answers health in plaintext, which a probe
                # (no client certificate) can reach when mTLS is on.
                probed = listeners.get("health-port", port)
                if grpc.get("port") not in ports:
                    err(f"{cid}: {kind} port {grpc.get('port')} is not a containerPort {sorted(ports)}")
                elif grpc.get("port") != probed:
                    where = "its --health-port" if "health-port" in listeners else "the port the service listens on"
                    err(f"{cid}: {kind} port {grpc.get('port')} is not {where} ({probed})")
                if grpc.get("service", "") not in want:
                    err(f"{cid}: {kind} checks {grpc.get('service', '')!r}; it must be one of {sorted(want)}")
            startup = c.get("startupProbe") or {}
            # A service that loads models before it is ready (--load-models) gets far longer.
            floor = 300 if "load-models" in opts else 120
            if startup.get("failureThreshold", 3) * startup.get("periodSeconds", 10) < floor:
                err(f"{cid}: startupProbe allows under {floor} s (failureThreshold x periodSeconds): too tight"
                    + (" for loading models" if floor > 120 else ""))
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

            def mounted(path):
                return any((path.rstrip("/") + "/").startswith(p.rstrip("/") + "/") for p in mounts)

            def in_image(path):
                return path if path.startswith("/") else os.path.normpath(os.path.join(truth.image_workdir, path))

            if "state-dir" in opts:  # a stateful service: its state must outlive the pod
                state = option("state-dir")
                on_claim = [p for p, n in mounts.items() if n in claims and (state + "/").startswith(p.rstrip("/") + "/")]
                if w["kind"] != "StatefulSet" or not on_claim:
                    err(f"{cid}: state dir {state!r} must be on a volumeClaimTemplate of a StatefulSet")
            if "model-repository" in opts:  # models come from the image (build.sh) or a volume
                repo_path = in_image(option("model-repository"))
                if mounted(repo_path):
                    pass
                elif repo_path != truth.image_models:
                    err(f"{cid}: model repository {repo_path!r} is neither the image's ({truth.image_models}, "
                        f"infra/docker/Dockerfile) nor on a volumeMount")
                else:
                    have = truth.models_in_checkout()
                    for m in (x.strip() for x in option("load-models").split(",") if x.strip()):
                        if m not in have:
                            note(f"{cid}: loads {m!r} from the image, but this checkout's models/{m}/ has no "
                                 f"version yet: an image built now cannot start {service}")
            if "load-models" in opts and "default-model" in opts:
                loaded = {x.strip() for x in option("load-models").split(",") if x.strip()}
                if option("default-model") not in loaded:
                    err(f"{cid}: default model {option('default-model')!r} is not among --load-models {sorted(loaded)}: "
                        f"calls naming no model would fail")
            # Security: files it reads must be mounted (a Secret), and mTLS needs the plaintext health port.
            for flag in sorted(f for f in opts if f.endswith("-file") and (f.startswith("tls-") or f.startswith("auth-"))):
                if option(flag) and not mounted(in_image(option(flag))):
                    err(f"{cid}: --{flag} {option(flag)!r} is not on a volumeMount (mount the Secret)")
            if "tls-ca-file" in opts and option("tls-ca-file") and "health-port" not in listeners:
                err(f"{cid}: mTLS on without --health-port: native grpc probes present no client certificate and would fail")
            if "image-root" in opts and option("image-root") and not mounted(in_image(option("image-root"))):
                err(f"{cid}: image root {option('image-root')!r} is not on a volumeMount (the image has no images)")
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
            if gpus and not truth.uses_gpu_library(service):
                err(f"{cid}: services/{service} depends on none of {sorted(GPU_LIBRARIES)}: it cannot use the GPU it asks for")

    def selected(selector):
        return [w for w in workloads if matches(selector, w["spec"]["template"]["metadata"].get("labels"))]

    def target_ports(service_port, w):
        """The containerPorts (numbers) a Service port reaches on workload w."""
        target = service_port.get("targetPort", service_port["port"])
        return {cp["containerPort"] for c in w["spec"]["template"]["spec"]["containers"]
                for cp in c.get("ports", []) if target in (cp.get("name"), cp["containerPort"])}

    def grpc_port(w):
        return next((s["port"] for s in serving if s["w"] is w), None)

    services = by_kind.get("Service", [])
    for s in services:
        sid = f"Service/{s['metadata']['name']}"
        targets = selected(s["spec"].get("selector"))
        if not targets:
            err(f"{sid}: its selector matches no workload's pod labels")
        headless = s["spec"].get("clusterIP") == "None"
        for p in s["spec"].get("ports", []):
            for w in targets:
                reached = target_ports(p, w)
                if not reached:
                    err(f"{sid}: targetPort {p.get('targetPort', p['port'])!r} is no containerPort of {w['kind']}/{w['metadata']['name']}")
                elif grpc_port(w) in reached and not headless:
                    err(f"{sid}: port {p['port']} is gRPC ({w['kind']}/{w['metadata']['name']}): the Service must be "
                        f"headless (clusterIP: None) for client-side round-robin over dns:///")
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

    for entry in serving:
        w, cid = entry["w"], entry["cid"]
        labels = w["spec"]["template"]["metadata"].get("labels")
        for flag, number in entry["listeners"].items():  # e.g. reward's OpenRLHF HTTP endpoint
            if flag == "health-port":
                continue  # for the kubelet's probes only, which reach the pod directly
            if not any(matches(s["spec"].get("selector"), labels) and any(number in target_ports(p, w) for p in s["spec"].get("ports", []))
                       for s in services):
                err(f"{cid}: --{flag} {number} is exposed by no Service (its clients cannot reach it)")
        for flag, (peer, address) in entry["peers"].items():
            where = f"{cid}: --{flag} {address!r}"
            m = PEER.fullmatch(address)
            if not m:
                hint = " (a $(VAR) it uses is not defined above it)" if "$(" in address else ""
                err(f"{where}{hint}: must be dns:///<service>.<namespace>.svc.cluster.local:<port>, the headless "
                    f"Service of services/{peer} (round-robin per call)")
                continue
            pod_name, svc_name, ns, number = m.group(1), m.group(2), m.group(3), int(m.group(4))
            svc = next((s for s in services if s["metadata"]["name"] == svc_name and s["metadata"].get("namespace") == ns), None)
            if not svc:
                err(f"{where}: there is no Service {svc_name!r} in namespace {ns!r} in these manifests")
                continue
            if svc["spec"].get("clusterIP") != "None":
                err(f"{where}: Service {svc_name} is not headless: DNS would return one virtual IP, not every pod")
            sport = next((p for p in svc["spec"].get("ports", []) if p["port"] == number), None)
            if not sport:
                err(f"{where}: Service {svc_name} has no port {number} (it has {[p['port'] for p in svc['spec'].get('ports', [])]})")
                continue
            targets = selected(svc["spec"].get("selector"))
            if pod_name is not None:
                targets = [t for t in targets if t["kind"] == "StatefulSet" and t["spec"].get("serviceName") == svc_name
                           and re.fullmatch(re.escape(t["metadata"]["name"]) + r"-(\d+)", pod_name)
                           and int(pod_name.rsplit("-", 1)[1]) < t["spec"].get("replicas", 1)]
                if not targets:
                    err(f"{where}: {pod_name} is no pod of a StatefulSet whose serviceName is {svc_name}")
                    continue
            for t in targets:
                served = next((s for s in serving if s["w"] is t), None)
                if not served:
                    continue
                if served["service"] != peer:
                    err(f"{where}: reaches {t['kind']}/{t['metadata']['name']}, which runs services/{served['service']}, not services/{peer}")
                elif served["port"] not in target_ports(sport, t):
                    err(f"{where}: port {number} of Service {svc_name} does not reach the gRPC port {served['port']} of services/{peer}")

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
    """Each mutation breaks one rule; the checker must notice every one, for the right reason (the
    error names it), and accept the original and every variant that only looks unusual."""
    def find(docs, kind, name):
        return next(d for d in docs if d and d["kind"] == kind and d["metadata"]["name"] == name)

    def container(docs, kind, name):
        return find(docs, kind, name)["spec"]["template"]["spec"]["containers"][0]

    def env(docs, kind, name, var, value):
        c = container(docs, kind, name)
        c["env"] = [e for e in c.get("env", []) if e["name"] != var] + [{"name": var, "value": value}]

    def unset(docs, kind, name, var):
        c = container(docs, kind, name)
        c["env"] = [e for e in c.get("env", []) if e["name"] != var]

    def pod_vars_last(docs, kind, name):  # $(POD_NAMESPACE) used before it is defined
        c = container(docs, kind, name)
        c["env"] = [e for e in c["env"] if not e["name"].startswith("POD_")] + [e for e in c["env"] if e["name"].startswith("POD_")]

    def on_gpu(docs, kind, name):  # the gpu-example placement
        find(docs, kind, name)["spec"]["template"]["spec"].update(
            nodeSelector={"nvidia.com/gpu.present": "true"},
            tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}])
        container(docs, kind, name)["resources"]["limits"]["nvidia.com/gpu"] = 1

    def models_volume(docs):
        find(docs, *P)["spec"]["template"]["spec"]["volumes"].append({"name": "models", "emptyDir": {}})
        container(docs, *P)["volumeMounts"].append({"name": "models", "mountPath": "/models", "readOnly": True})
        env(docs, *P, "PRM_MODEL_REPOSITORY", "/models")

    D, S = ("Deployment", "renderer"), ("StatefulSet", "trainer")
    P, R = ("Deployment", "prm"), ("Deployment", "reward")
    peer = "dns:///{}.$(POD_NAMESPACE).svc.cluster.local:{}".format
    # what -> (mutation, a fragment the error must contain)
    mutations = {
        "readiness names a service that does not exist": (lambda d: container(d, *D)["readinessProbe"]["grpc"].update(service="sketchvl.v1.RenderService"), "readinessProbe checks 'sketchvl.v1.RenderService'"),
        "readiness names another service": (lambda d: container(d, *D)["readinessProbe"]["grpc"].update(service="sketchvl.v1.TrainerService"), "readinessProbe checks 'sketchvl.v1.TrainerService'"),
        "liveness checks the service name": (lambda d: container(d, *S)["livenessProbe"]["grpc"].update(service="sketchvl.v1.TrainerService"), "livenessProbe checks"),
        "liveness probe on another port": (lambda d: container(d, *D)["livenessProbe"]["grpc"].update(port=50050), "livenessProbe port 50050"),
        "no readiness probe": (lambda d: container(d, *S).pop("readinessProbe"), "readinessProbe must be a native grpc probe"),
        "http instead of grpc probe": (lambda d: container(d, *D).update(readinessProbe={"httpGet": {"port": 50051}}), "readinessProbe must be a native grpc probe"),
        "containerPort differs": (lambda d: container(d, *D)["ports"][0].update(containerPort=8080), "listens on 50051, not among containerPorts"),
        "service told to listen elsewhere": (lambda d: env(d, *D, "RENDERER_PORT", "50060"), "listens on 50060"),
        "listens on loopback": (lambda d: env(d, *S, "TRAINER_HOST", "127.0.0.1"), "host '127.0.0.1'"),
        "Service selector typo": (lambda d: find(d, "Service", "renderer")["spec"]["selector"].update({"app.kubernetes.io/name": "rendrer"}), "Service/renderer: its selector matches no workload"),
        "Service not headless": (lambda d: find(d, "Service", "trainer")["spec"].pop("clusterIP"), "Service/trainer: port 50052 is gRPC"),
        "kill before the drain ends": (lambda d: find(d, *D)["spec"]["template"]["spec"].update(terminationGracePeriodSeconds=5), "terminationGracePeriodSeconds must exceed"),
        "state dir off the volume": (lambda d: env(d, *S, "TRAINER_STATE_DIR", "/tmp/state"), "state dir '/tmp/state'"),
        "service links on": (lambda d: find(d, *S)["spec"]["template"]["spec"].pop("enableServiceLinks"), "enableServiceLinks must be false"),
        "HPA targets nothing": (lambda d: find(d, "HorizontalPodAutoscaler", "renderer")["spec"]["scaleTargetRef"].update(name="render"), "scaleTargetRef Deployment/render does not exist"),
        "PDB selects nothing": (lambda d: find(d, "PodDisruptionBudget", "trainer")["spec"]["selector"]["matchLabels"].update({"app.kubernetes.io/name": "x"}), "PodDisruptionBudget/trainer: its selector matches no workload"),
        "GPU without toleration": (lambda d: container(d, *P)["resources"]["limits"].update({"nvidia.com/gpu": 1}), "needs a nodeSelector/affinity and a nvidia.com/gpu toleration"),
        "args name a service that does not exist": (lambda d: container(d, *D).update(args=["services/no-such-service/dist/main.js"]), "services/no-such-service does not exist"),
        # prm
        "prm readiness names the renderer's service": (lambda d: container(d, *P)["readinessProbe"]["grpc"].update(service="sketchvl.v1.RendererService"), "prm: readinessProbe checks 'sketchvl.v1.RendererService'"),
        "prm startup too short to load models": (lambda d: container(d, *P)["startupProbe"].update(failureThreshold=30), "too tight for loading models"),
        "prm containerPort is policy's": (lambda d: container(d, *P)["ports"][0].update(containerPort=50054), "listens on 50053, not among containerPorts"),
        "prm default model not loaded": (lambda d: env(d, *P, "PRM_DEFAULT_MODEL", "reference"), "default model 'reference' is not among --load-models"),
        "prm models where the image has none": (lambda d: env(d, *P, "PRM_MODEL_REPOSITORY", "/models"), "model repository '/models' is neither"),
        "GPU for a service that cannot use one": (lambda d: on_gpu(d, *D), "services/renderer depends on none of"),
        # reward: peers
        "peer Service name typo": (lambda d: env(d, *R, "REWARD_RENDERER_ADDRESS", peer("rendrer", 50051)), "no Service 'rendrer' in namespace 'sketchvl'"),
        "prm address reaches the renderer": (lambda d: env(d, *R, "REWARD_PRM_ADDRESS", peer("renderer", 50051)), "runs services/renderer, not services/prm"),
        "trainer address on the wrong port": (lambda d: env(d, *R, "REWARD_TRAINER_ADDRESS", peer("trainer", 50053)), "Service trainer has no port 50053"),
        "peer address left at its default": (lambda d: unset(d, *R, "REWARD_RENDERER_ADDRESS"), "--renderer-address '127.0.0.1:50051': must be dns:///"),
        "peer in another namespace": (lambda d: env(d, *R, "REWARD_PRM_ADDRESS", "dns:///prm.default.svc.cluster.local:50053"), "no Service 'prm' in namespace 'default'"),
        "$(POD_NAMESPACE) used before it is defined": (lambda d: pod_vars_last(d, *R), "is not defined above it"),
        "peer Service not headless": (lambda d: find(d, "Service", "prm")["spec"].pop("clusterIP"), "Service prm is not headless"),
        "peer is a trainer pod that does not exist": (lambda d: env(d, *R, "REWARD_TRAINER_ADDRESS", "dns:///trainer-1.trainer.$(POD_NAMESPACE).svc.cluster.local:50052"), "trainer-1 is no pod of a StatefulSet"),
        # reward: its HTTP endpoint, grace, image root
        "HTTP port not a containerPort": (lambda d: env(d, *R, "REWARD_HTTP_PORT", "8056"), "--http-port 8056 is not among containerPorts"),
        "HTTP port random": (lambda d: env(d, *R, "REWARD_HTTP_PORT", "0"), "--http-port 0 picks a random port"),
        "HTTP port exposed by no Service": (lambda d: d.remove(find(d, "Service", "reward-http")), "--http-port 8055 is exposed by no Service"),
        "ClusterIP Service over the gRPC port": (lambda d: find(d, "Service", "reward-http")["spec"]["ports"][0].update(port=50055, targetPort="grpc"), "Service/reward-http: port 50055 is gRPC"),
        "reward drain longer than the pod's grace": (lambda d: env(d, *R, "REWARD_SHUTDOWN_GRACE_MS", "200000"), "shutdown grace (200000 ms)"),
        "image root not mounted": (lambda d: env(d, *R, "REWARD_IMAGE_ROOT", "/data/images"), "image root '/data/images' is not on a volumeMount"),
        "mTLS without a health port": (lambda d: [env(d, *R, f"REWARD_TLS_{k}_FILE", f"/tmp/{k.lower()}") for k in ("CA", "CERT", "KEY")], "mTLS on without --health-port"),
        "token file not mounted": (lambda d: env(d, *R, "REWARD_AUTH_CALLER_TOKENS_FILE", "/etc/sketchvl/tokens/callers"), "--auth-caller-tokens-file '/etc/sketchvl/tokens/callers' is not on a volumeMount"),
        "probe on the gRPC port beside a health port": (lambda d: (container(d, *D)["ports"].append({"name": "health", "containerPort": 8086}), env(d, *D, "RENDERER_HEALTH_PORT", "8086")), "is not its --health-port (8086)"),
        "reward HPA targets nothing": (lambda d: find(d, "HorizontalPodAutoscaler", "reward")["spec"]["scaleTargetRef"].update(name="rewards"), "scaleTargetRef Deployment/rewards"),
    }
    # Unusual but right: these must pass.
    accepted = {
        "a run routed to trainer-0 by its pod name": lambda d: env(d, *R, "REWARD_TRAINER_ADDRESS", "dns:///trainer-0.trainer.$(POD_NAMESPACE).svc.cluster.local:50052"),
        "prm models from a mounted volume": models_volume,
        "prm on a GPU node": lambda d: on_gpu(d, *P),
        "reward's HTTP endpoint off, its Service gone": lambda d: (env(d, *R, "REWARD_HTTP_PORT", "-1"), d.remove(find(d, "Service", "reward-http"))),
        "a peer address as a flag": lambda d: container(d, *R).update(args=container(d, *R)["args"] + ["--prm-address", peer("prm", 50053)]),
    }
    failures = [f"the unchanged base fails: {e}" for e in check(copy.deepcopy(base), truth)]
    for what, mutate in accepted.items():
        docs = copy.deepcopy(base)
        mutate(docs)
        failures += [f"wrongly rejected ({what}): {e}" for e in check(docs, truth)]
    for what, (mutate, expected) in mutations.items():
        docs = copy.deepcopy(base)
        mutate(docs)
        errors = check(docs, truth)
        if not errors:
            failures.append(f"not caught: {what}")
        elif not any(expected in e for e in errors):
            failures.append(f"caught for another reason: {what} (wanted {expected!r}; got {errors})")
    return failures, len(mutations), len(accepted)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    truth = Truth(os.path.abspath(argv[1]))
    if argv[2] == "--self-test":
        base = list(yaml.safe_load_all(open(argv[3], encoding="utf8")))
        failures, n, ok = self_test(base, truth)
        for f in failures:
            print(f"self-test: {f}", file=sys.stderr)
        caught = n - sum(f.startswith(("not caught", "caught for another")) for f in failures)
        print(f"self-test: {caught}/{n} broken variants of {os.path.basename(argv[3])} rejected for the right reason, "
              f"{ok} unusual-but-valid variants {'checked' if not failures else 'checked (see above)'}")
        return 1 if failures else 0
    status, noted = 0, set()
    for path in argv[2:]:
        notes = []
        errors = check(list(yaml.safe_load_all(open(path, encoding="utf8"))), truth, notes)
        for e in errors:
            print(f"{os.path.basename(path)}: {e}", file=sys.stderr)
        for n in dict.fromkeys(notes):
            if n not in noted:  # the same note for every overlay says nothing new
                noted.add(n)
                print(f"{os.path.basename(path)}: note: {n}")
        print(f"{os.path.basename(path)}: {'FAIL, ' + str(len(errors)) + ' problem(s)' if errors else 'ok'}")
        status |= bool(errors)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
