#!/usr/bin/env bash
# Installs, from Debian 12 packages only, exactly the build, test and run dependencies that are missing.
# Safe to run twice: packages already present are skipped, and nothing is asked interactively.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libsqlite3-dev libqt6opengl6-dev libgl-dev qt6-svg-dev
    libqcustomplot-dev
    libopencv-dev
    libtorch-dev libopenblas0-pthread
    xvfb xauth imagemagick clang-format desktop-file-utils appstream
    clang libclang-rt-14-dev
    python3
    postgresql libqt6sql6-psql
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
