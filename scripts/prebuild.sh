#!/usr/bin/env bash
# Builds the native addon into prebuilds/linux-<arch>/ with prebuildify (--napi --strip), which node-gyp-build
# (lib/kvm/binding.ts) picks at run time.
#
#   scripts/prebuild.sh            # linux-x64 and linux-arm64
#   scripts/prebuild.sh arm64      # only the arm64 cross build (aarch64-linux-gnu-g++)
#   npm run prebuild [-- arm64]
#
# Node-API headers: the addon uses Node-API only, whose headers are the same on every architecture, so the
# host's headers serve the cross build too. They are taken from, in order: $KVM_ARM_NODEDIR; npm's `nodedir`
# setting; /usr/include/node (Debian's nodejs); /var/cache/arm64-kvm-lab/node-arm64 (the lab's copy); else the
# `node-linux-<arch>@<node version>` package from the npm registry (`npm pack`, which holds include/node),
# unpacked under build/node-dist/. Nothing is downloaded outside npm.
set -euo pipefail
cd "$(dirname "$0")/.."

arches=("${@:-x64 arm64}")
[ "${1:-}" = all ] && arches=(x64 arm64)
# shellcheck disable=SC2206
arches=(${arches[*]})

node_version=$(node -p 'process.version.slice(1)')
host=$(node -p 'process.arch')
# Build the host's arch last, so build/Release (which node-gyp-build prefers) ends up loadable here.
ordered=()
for a in "${arches[@]}"; do case "$a" in "$host" | amd64 | aarch64) ;; *) ordered+=("$a") ;; esac; done
for a in "${arches[@]}"; do case "$a" in "$host" | amd64 | aarch64) ordered+=("$a") ;; esac; done
arches=("${ordered[@]}")

nodedir_for() {
  local arch=$1
  if [ -n "${KVM_ARM_NODEDIR:-}" ]; then echo "$KVM_ARM_NODEDIR"; return; fi
  local cfg
  cfg=$(npm config get nodedir 2>/dev/null || true)
  if [ -n "$cfg" ] && [ "$cfg" != undefined ] && [ -f "$cfg/include/node/node_api.h" ]; then echo "$cfg"; return; fi
  if [ -f /usr/include/node/node_api.h ]; then echo /usr; return; fi
  if [ -f /var/cache/arm64-kvm-lab/node-arm64/include/node/node_api.h ]; then echo /var/cache/arm64-kvm-lab/node-arm64; return; fi
  local dir="build/node-dist/$arch"
  if [ ! -f "$dir/include/node/node_api.h" ]; then
    mkdir -p "$dir"
    echo "prebuild: fetching Node headers: npm pack node-linux-$arch@$node_version" >&2
    local tgz
    tgz=$(cd "$dir" && npm pack --silent "node-linux-$arch@$node_version" | tail -1)
    tar -xzf "$dir/$tgz" -C "$dir" --strip-components=1 package/include
    rm -f "$dir/$tgz"
  fi
  echo "$(pwd)/$dir"
}

for arch in "${arches[@]}"; do
  case "$arch" in
    x64 | amd64) arch=x64; cross=x86_64-linux-gnu ;;
    arm64 | aarch64) arch=arm64; cross=aarch64-linux-gnu ;;
    *) echo "prebuild: unknown arch '$arch' (x64 or arm64)" >&2; exit 2 ;;
  esac
  env_args=()
  if [ "$arch" != "$host" ]; then
    command -v "$cross-g++" >/dev/null || { echo "prebuild: $cross-g++ is missing (apt-get install g++-$cross)" >&2; exit 1; }
    env_args=(CC="$cross-gcc" CXX="$cross-g++" LINK="$cross-g++" AR="$cross-ar" PREBUILD_STRIP_BIN="$cross-strip")
  fi
  nodedir=$(nodedir_for "$arch")
  echo "prebuild: linux-$arch (Node-API headers from $nodedir)"
  env "${env_args[@]}" npm_config_nodedir="$nodedir" npx --no-install prebuildify --napi --strip --arch "$arch" --platform linux
  file "prebuilds/linux-$arch/"*.node 2>/dev/null || ls -l "prebuilds/linux-$arch/"
done
