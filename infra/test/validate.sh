#!/usr/bin/env bash
# `npm run test:infra` (builds first): renders the kustomize base and every overlay with
# `kubectl kustomize`, then checks the output against the code it deploys (check_manifests.py):
# grpc probes on the ports the services listen on, readiness on the real gRPC service names,
# Service selectors that select, state on a volume, graceful shutdown that fits, and so on.
# The checker also proves it can fail: broken variants of the base must all be rejected.
# Not part of `npm test`. Needs kubectl (Debian: kubernetes-client) and python3-yaml; as root it
# installs what is missing. KUBECTL=/path/to/kubectl picks another client.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
k8s="$repo/infra/kubernetes"
kubectl="${KUBECTL:-kubectl}"

need=()
if ! command -v "$kubectl" >/dev/null; then
  [ -z "${KUBECTL:-}" ] || { echo "KUBECTL=$kubectl: not found" >&2; exit 1; }
  need+=(kubernetes-client)
fi
python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing: ${need[*]} (apt-get install ${need[*]})" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
rendered=()
for dir in "$k8s/base" "$k8s"/overlays/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ "$name" = base ] || name="overlay-$name"
  if ! "$kubectl" kustomize "$dir" >"$out/$name.yaml" 2>"$out/$name.err"; then
    echo "kubectl kustomize ${dir#"$repo"/} failed:" >&2
    cat "$out/$name.err" >&2
    exit 1
  fi
  # Newer kubectl warns that `bases`/`patchesStrategicMerge` are deprecated: kept on purpose for
  # kubectl 1.20 (base/kustomization.yaml). Anything else it says is shown.
  grep -v -E "Warning: '(bases|patchesStrategicMerge)' is deprecated" "$out/$name.err" >&2 || true
  rendered+=("$out/$name.yaml")
done
echo "rendered with kubectl $("$kubectl" version --client 2>/dev/null | grep -o -m1 "v[0-9][0-9.]*" | head -n1): ${#rendered[@]} kustomizations"

python3 "$repo/infra/test/check_manifests.py" "$repo" "${rendered[@]}"
# Then the checker must reject every broken variant of the (now known good) base.
python3 "$repo/infra/test/check_manifests.py" "$repo" --self-test "$out/base.yaml"
echo "infra manifests: ok"
