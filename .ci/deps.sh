#!/usr/bin/env bash
# Installs what the build and tests need on Debian 12: apt packages (as root) and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(cmake g++ make libxsimd-dev nlohmann-json3-dev libgtest-dev googletest emscripten wabt chromium
      python3-torch   # python3-torch: the check that model files load into PyTorch
      clang-19 lld-19)  # the relaxed-SIMD wasm builds (README "Relaxed SIMD build"): clang and wasm-ld 19
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "deps: missing Debian packages. Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
# npm ci only when the lockfile changed since the last install.
if [[ -f package-lock.json ]]; then
  stamp=node_modules/.lock-stamp
  if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund
    cp package-lock.json "$stamp"
  fi
fi
