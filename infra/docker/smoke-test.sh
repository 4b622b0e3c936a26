#!/usr/bin/env bash
# Runs the built image the way infra/kubernetes runs it (non-root, read-only root filesystem, a
# writable /tmp, a volume for the trainer's state, HOST=0.0.0.0): renderer, prm, trainer and reward
# on a user-defined Docker network, reward reaching its peers by container DNS name
# (dns:///<container>:<port>, as dns:///<service>.<ns>.svc.cluster.local in Kubernetes). Ports are
# published on 127.0.0.1 only, then:
#   - infra/docker/smoke.mjs against each service (readiness and liveness over real gRPC, a real
#     call each; reward's scores a group through the other three and over its HTTP endpoint);
#   - SIGTERM (docker stop) must end each container with exit code 0 within the shutdown grace.
# Needs the repo built (`npm run build`) for smoke.mjs. IMAGE=sketchvl/mesh:dev by default.
#
# prm's models: the image's own (/app/models) when it ships finepr, prm's default; otherwise (no
# model trained yet) a temporary repository with one seeded `random` model, mounted read-only and
# named with --model-repository / --load-models / --default-model. SMOKE_PRM_MODELS=image|random
# forces either.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
docker="${DOCKER:-docker}"
image="${IMAGE:-sketchvl/mesh:dev}"
prefix="sketchvl-smoke-$$"
network="$prefix-net"
volume="$prefix-trainer-state"
models="$(mktemp -d)"
services=(renderer prm trainer reward)
cleanup() {
  for name in "${services[@]}"; do "$docker" rm -f "$prefix-$name" >/dev/null 2>&1 || true; done
  "$docker" network rm "$network" >/dev/null 2>&1 || true
  "$docker" volume rm "$volume" >/dev/null 2>&1 || true
  rm -rf "$models"
}
trap cleanup EXIT

run() {  # name port [docker run options...] [-- service args...]; prints the published address
  local name="$1" port="$2" opts=() args=(); shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift && args=("$@")
  "$docker" run -d --name "$prefix-$name" --network "$network" --read-only --tmpfs /tmp --user 10001:10001 \
    -p "127.0.0.1::$port" -e "${name^^}_HOST=0.0.0.0" -e "${name^^}_SHUTDOWN_GRACE_MS=10000" \
    "${opts[@]}" "$image" "services/$name/dist/main.js" "${args[@]}" >/dev/null
  "$docker" port "$prefix-$name" "$port/tcp" | head -n1   # 127.0.0.1:<random free port>
}

mode="${SMOKE_PRM_MODELS:-}"
if [ -z "$mode" ]; then
  if "$docker" run --rm --entrypoint node "$image" -e \
      'const fs = require("fs"); process.exit(fs.readdirSync("/app/models/finepr").some((v) => fs.existsSync(`/app/models/finepr/${v}/config.json`)) ? 0 : 1)' \
      2>/dev/null; then mode=image; else mode=random; fi
fi
case "$mode" in
  image) prm_model=finepr; prm_run=(); echo "prm: the image's models (/app/models, --load-models finepr)" ;;
  random)
    prm_model=random
    mkdir -p "$models/random/1"
    echo '{"backend":"random","seed":1}' >"$models/random/1/config.json"
    chmod -R a+rX "$models"   # mktemp's 0700 would keep uid 10001 out
    prm_run=(-v "$models:/models:ro" -- --model-repository /models --load-models random --default-model random)
    echo "prm: no finepr model in $image; a temporary repository with random/1 (seed 1) at /models" ;;
  *) echo "SMOKE_PRM_MODELS=image|random" >&2; exit 2 ;;
esac

start=$(date +%s%N)
"$docker" network create "$network" >/dev/null
renderer_addr="$(run renderer 50051)"
prm_addr="$(run prm 50053 "${prm_run[@]}")"
"$docker" volume create "$volume" >/dev/null
# A fresh named volume copies the image's /var/lib/sketchvl/trainer-state, owner 10001 included.
trainer_addr="$(run trainer 50052 -v "$volume:/var/lib/sketchvl/trainer-state")"
# Peers by container name through Docker's DNS on the user-defined network.
reward_addr="$(run reward 50055 -p 127.0.0.1::8055 -e REWARD_HTTP_PORT=8055 \
  -e "REWARD_RENDERER_ADDRESS=dns:///$prefix-renderer:50051" \
  -e "REWARD_PRM_ADDRESS=dns:///$prefix-prm:50053" \
  -e "REWARD_TRAINER_ADDRESS=dns:///$prefix-trainer:50052")"
reward_http="$("$docker" port "$prefix-reward" 8055/tcp | head -n1)"
echo "4 containers started on network $network in $(( ($(date +%s%N) - start) / 1000000 )) ms"

status=0
node "$repo/infra/docker/smoke.mjs" renderer "$renderer_addr" || status=1
node "$repo/infra/docker/smoke.mjs" prm "$prm_addr" "$prm_model" || status=1
node "$repo/infra/docker/smoke.mjs" trainer "$trainer_addr" || status=1
node "$repo/infra/docker/smoke.mjs" reward "$reward_addr" "$reward_http" || status=1

# Nothing unexpected in the logs: JSON lines only (ONNX Runtime's own warnings would be plain text).
for name in "${services[@]}"; do
  odd="$("$docker" logs "$prefix-$name" 2>&1 | grep -v '^{' || true)"
  [ -z "$odd" ] || { echo "$name printed non-JSON lines:" >&2; echo "$odd" | head -n 5 >&2; status=1; }
done

if [ "$status" != 0 ]; then   # the services' side of a failed check, before the containers go
  for name in "${services[@]}"; do
    echo "--- $name (last log lines)" >&2; "$docker" logs --tail 5 "$prefix-$name" 2>&1 | cut -c1-400 >&2
  done
fi

# The client first, then its peers.
for name in reward renderer prm trainer; do
  start=$(date +%s%N)
  "$docker" stop -t 30 "$prefix-$name" >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  code="$("$docker" inspect -f '{{.State.ExitCode}}' "$prefix-$name")"
  echo "$name: SIGTERM -> exit $code after $ms ms"
  [ "$code" = 0 ] && [ "$ms" -lt 10000 ] || { echo "$name did not drain cleanly" >&2; "$docker" logs --tail 20 "$prefix-$name" >&2; status=1; }
done
[ "$status" = 0 ] && echo "smoke test passed ($image)" || echo "smoke test FAILED ($image)" >&2
exit "$status"
