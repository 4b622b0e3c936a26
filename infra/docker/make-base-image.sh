#!/usr/bin/env bash
# Builds the base image that infra/docker/Dockerfile starts FROM, without any registry: no image can
# be pulled on these machines, so the base is a root filesystem made here and `docker import`ed.
#
#   infra/docker/make-base-image.sh [auto|debootstrap|host]      (as root: debootstrap and chroot)
#
#   debootstrap  Debian bookworm (minbase) from the Debian mirror, plus this machine's node and npm
#                in /usr/local, where the official node images keep them. Has apt, so the
#                Dockerfile installs the fonts itself, as it would on node:20-bookworm-slim.
#   host         no mirror needed: node, npm, a shell and a few coreutils with the shared libraries
#                ldd names, all of glibc, CA certificates and the DejaVu fonts + fontconfig config,
#                copied from this (Debian) machine, which must have fonts-dejavu-core. No apt inside.
#   auto         (default) debootstrap, and host if debootstrap fails (mirror unreachable).
#
# Env: BASE_IMAGE (default: the Dockerfile's ARG BASE_IMAGE), DEBIAN_MIRROR, DOCKER.
# Node comes from this machine in both modes: it is the only Node available without a registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-auto}"
docker="${DOCKER:-docker}"
# One source of truth for the tag: the Dockerfile's `ARG BASE_IMAGE=...` line.
default_base="$(sed -n 's/^ARG BASE_IMAGE=//p' "$here/Dockerfile" | head -n1)"
base_image="${BASE_IMAGE:-$default_base}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"   # .../node_modules/npm
node_version="$("$node_bin" --version)"
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "npm not found next to $(command -v npm)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, chroot and file ownership need it)" >&2; exit 1; }

work="$(mktemp -d /tmp/sketchvl-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

add_node() {  # the host's node and npm, laid out as in the official node images
  install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
}

make_debootstrap() {
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; return 1; }
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  add_node
}

copy_with_libs() {  # a host binary and every shared library ldd says it loads, at the same paths
  local bin lib
  for bin in "$@"; do
    bin="$(readlink -f "$(command -v "$bin")")"
    cp -L --parents "$bin" "$rootfs"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp -L --parents "$lib" "$rootfs"; done
  done
}

make_host() {
  mkdir -p "$rootfs"/{bin,etc,tmp,root,usr/bin,usr/local/bin,var/tmp}
  chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
  # sh runs RUN lines and npm scripts; env runs `#!/usr/bin/env node` bins; the rest are for RUN lines.
  copy_with_libs "$node_bin" sh env mkdir chown chmod rm ln ls cat cp id
  # sharp's prebuilt libvips loads more of glibc than node does (libresolv): all of libc6.
  dpkg-query -L libc6 | while read -r f; do
    if [ -f "$f" ] && [[ "$f" != /usr/share/* ]]; then cp -L --parents "$f" "$rootfs"; fi
  done
  ln -sf "$(readlink -f "$(command -v sh)")" "$rootfs/bin/sh"
  [ -e "$rootfs/usr/bin/env" ] || ln -s "$(readlink -f "$(command -v env)")" "$rootfs/usr/bin/env"
  rm -f "$rootfs${node_bin}" && add_node
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] \
    || { echo "host mode needs the host's fonts: apt-get install fonts-dejavu-core" >&2; return 1; }
  tar -C / -c usr/share/fonts/truetype/dejavu etc/fonts | tar -C "$rootfs" -x   # (cp -a --parents fails in coreutils 9.1)
  local jemalloc
  jemalloc="$(ls /usr/lib/*-linux-gnu/libjemalloc.so.2 2>/dev/null | head -n1)"
  [ -n "$jemalloc" ] || { echo "host mode needs the host's jemalloc: apt-get install libjemalloc2" >&2; return 1; }
  copy_with_libs "$jemalloc"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp -L --parents /etc/ssl/certs/ca-certificates.crt "$rootfs"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
}

start=$(date +%s)
case "$mode" in
  debootstrap) make_debootstrap ;;
  host) make_host ;;
  auto) make_debootstrap || { echo "debootstrap failed; building the root filesystem from this machine's files" >&2
                              rm -rf "$rootfs"; mode=host; make_host; } ;;
  *) echo "usage: $0 [auto|debootstrap|host]" >&2; exit 2 ;;
esac
[ "$mode" = auto ] && mode=debootstrap
env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin chroot "$rootfs" /usr/local/bin/node -e 'process.stdout.write(`node ${process.version} runs in the new root filesystem\n`)'

tar -C "$rootfs" --numeric-owner -c . | "$docker" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$node_version" \
  --change "LABEL org.sketchvl.base.mode=$mode org.sketchvl.base.node=$node_version" \
  --change 'CMD ["node"]' \
  --message "sketchvl base ($mode, node $node_version), made by infra/docker/make-base-image.sh" \
  - "$base_image" >/dev/null
echo "built $base_image ($mode, node $node_version) in $(( $(date +%s) - start )) s"
