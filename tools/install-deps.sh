#!/usr/bin/env bash
# Installs the system packages SwiftDet builds against, only when one is missing.
# Idempotent: a machine that has them all is left untouched (no apt-get update either).
set -euo pipefail

PACKAGES=(libopenblas-dev libjpeg-dev libturbojpeg0-dev libyaml-dev libjson-c-dev libsimdjson-dev zlib1g-dev libssl-dev libpng-dev libexif-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libopenmpi-dev openmpi-bin pkg-config)

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for p in "${PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all system packages present (${PACKAGES[*]})"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: error: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-deps: error: not root and no sudo; install by hand: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -q; then
    echo "install-deps: error: 'apt-get update' failed; cannot install ${missing[*]}" >&2
    exit 1
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "install-deps: error: 'apt-get install ${missing[*]}' failed" >&2
    exit 1
fi
for p in "${missing[@]}"; do
    is_installed "$p" || { echo "install-deps: error: $p still missing after install" >&2; exit 1; }
done
echo "install-deps: done"
