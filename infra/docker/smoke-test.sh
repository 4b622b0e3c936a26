#!/usr/bin/env bash
# Runs the built image the way infra/kubernetes runs it (non-root, read-only root filesystem, a
# writable /tmp, a volume for the trainer's state, HOST=0.0.0.0), ports on 127.0.0.1 only, then:
#   - infra/docker/smoke.mjs against each service (health over real gRPC, a real call each);
#   - SIGTERM (docker stop) must end each container with exit code 0 within the shutdown grace.
# Needs the repo built (`npm run build`) for smoke.mjs. IMAGE=sketchvl/mesh:dev by default.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
docker="${DOCKER:-docker}"
image="${IMAGE:-sketchvl/mesh:dev}"
prefix="sketchvl-smoke-$$"
volume="$prefix-trainer-state"
cleanup() {
  "$docker" rm -f "$prefix-renderer" "$prefix-trainer" >/dev/null 2>&1 || true
  "$docker" volume rm "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

run() {  # name port [docker run options...]
  local name="$1" port="$2"; shift 2
  "$docker" run -d --name "$prefix-$name" --read-only --tmpfs /tmp --user 10001:10001 \
    -p "127.0.0.1::$port" -e "${name^^}_HOST=0.0.0.0" -e "${name^^}_SHUTDOWN_GRACE_MS=10000" \
    "$@" "$image" "services/$name/dist/main.js" >/dev/null
  "$docker" port "$prefix-$name" "$port/tcp" | head -n1   # 127.0.0.1:<random free port>
}

renderer_addr="$(run renderer 50051)"
"$docker" volume create "$volume" >/dev/null
# A fresh named volume copies the image's /var/lib/sketchvl/trainer-state, owner 10001 included.
trainer_addr="$(run trainer 50052 -v "$volume:/var/lib/sketchvl/trainer-state")"

status=0
node "$repo/infra/docker/smoke.mjs" renderer "$renderer_addr" || status=1
node "$repo/infra/docker/smoke.mjs" trainer "$trainer_addr" || status=1

for name in renderer trainer; do
  start=$(date +%s%N)
  "$docker" stop -t 30 "$prefix-$name" >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  code="$("$docker" inspect -f '{{.State.ExitCode}}' "$prefix-$name")"
  echo "$name: SIGTERM -> exit $code after $ms ms"
  [ "$code" = 0 ] && [ "$ms" -lt 10000 ] || { echo "$name did not drain cleanly" >&2; "$docker" logs --tail 20 "$prefix-$name" >&2; status=1; }
done
[ "$status" = 0 ] && echo "smoke test passed ($image)" || echo "smoke test FAILED ($image)" >&2
exit "$status"
