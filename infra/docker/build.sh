#!/usr/bin/env bash
# Builds the service image from the repository's sources.
#
#   infra/docker/build.sh [extra docker build args...]
#   IMAGE=sketchvl/mesh:dev   SERVICES="renderer trainer" (default: the services npm run build builds)
#
# The build context is assembled here, not taken from the working tree: the repository root has no
# .dockerignore, and node_modules/, dist/ or a stale *.tsbuildinfo must never reach the image (tsc -b
# would skip work it believes done). The context holds two trees, so the Dockerfile can install
# dependencies before it sees any source (that layer survives source edits) without naming packages:
#   manifests/  package.json, package-lock.json, each needed workspace's package.json
#   sources/    tsconfig.base.json and each needed workspace minus tests and build output
#   models/     the repository's models/ (prm's model repository) when prm is built, else empty
# "Needed" = the services and the workspaces they depend on (infra/docker/workspaces.mjs).
# A tarball on stdin works with the legacy builder (Debian's docker.io) and with BuildKit alike.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
docker="${DOCKER:-docker}"
image="${IMAGE:-sketchvl/mesh:dev}"
base_image="${BASE_IMAGE:-$(sed -n 's/^ARG BASE_IMAGE=//p' "$repo/infra/docker/Dockerfile" | head -n1)}"

if ! "$docker" image inspect "$base_image" >/dev/null 2>&1; then
  echo "base image $base_image is missing: run infra/docker/make-base-image.sh first (no registry here)" >&2
  exit 1
fi

# shellcheck disable=SC2086  # SERVICES is a space-separated list
mapfile -t workspaces < <(node "$repo/infra/docker/workspaces.mjs" ${SERVICES:-})
[ "${#workspaces[@]}" -gt 0 ] || { echo "no workspaces to build" >&2; exit 1; }
echo "image content: ${workspaces[*]}"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/manifests" "$ctx/sources" "$ctx/infra/docker/build-ca"
cd "$repo"
cp package.json package-lock.json "$ctx/manifests/"
for ws in "${workspaces[@]}"; do install -D -m 0644 "$ws/package.json" "$ctx/manifests/$ws/package.json"; done
tar -c --exclude=node_modules --exclude=dist --exclude='*.tsbuildinfo' --exclude='*.test.ts' \
    --exclude=package.json tsconfig.base.json "${workspaces[@]}" | tar -x -C "$ctx/sources"
cp infra/docker/Dockerfile "$ctx/infra/docker/"

# prm's model repository, copied as it is (models/<model>/<version>/...): the Dockerfile always
# COPYs models/, so the folder exists even when empty (no model trained yet, or no prm in SERVICES).
mkdir -p "$ctx/models"
if [ -d models ] && printf '%s\n' "${workspaces[@]}" | grep -qx services/prm; then
  cp -R models/. "$ctx/models/"
fi
shipped="$(cd "$ctx/models" && find . -mindepth 3 -maxdepth 3 -name config.json | sed 's|^\./||; s|/config.json$||' | sort | tr '\n' ' ')"
if [ -n "$shipped" ]; then echo "models: $shipped($(du -sh "$ctx/models" | cut -f1))"
else echo "models: none (prm with its default --load-models finepr will not start without a mounted repository)"; fi

# A TLS-intercepting proxy's CA for npm in the build stages (build-ca/README.md).
ca="${BUILD_CA_CERTS-${NODE_EXTRA_CA_CERTS:-}}"
if [ -n "$ca" ]; then
  install -m 0644 "$ca" "$ctx/infra/docker/build-ca/ca.pem"
  echo "npm in the build stages trusts the CA bundle $ca (BUILD_CA_CERTS; empty to disable)"
fi

start=$(date +%s)
tar -C "$ctx" -c . | "$docker" build -f infra/docker/Dockerfile --build-arg "BASE_IMAGE=$base_image" -t "$image" "$@" -
echo "built $image from $base_image in $(( $(date +%s) - start )) s"
