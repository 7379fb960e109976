#!/usr/bin/env bash
# Builds the Debian package with the release preset, checks its menu entry and AppStream metadata,
# installs it with apt and smoke-tests the installed programs:
#   packaging/make-deb.sh            build, check, install, smoke test
#   packaging/make-deb.sh --no-install   build and check only
# Non-interactive; run as root or with sudo rights. The package is left in build/release/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
install=1
[ "${1:-}" = "--no-install" ] && install=0

source packaging/buildenv.sh

# configure, build, cpack -G DEB
rm -f build/release/namethattrue_*.deb
cmake --workflow --preset release
deb="$(ls build/release/namethattrue_*.deb)"
echo "make-deb: built $deb"

# The package's own files pass the freedesktop and AppStream validators.
check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
dpkg-deb -x "$deb" "$check"
desktop-file-validate "$check/usr/share/applications/org.namethattrue.NameThatTrue.desktop"
appstreamcli validate --no-net "$check/usr/share/metainfo/org.namethattrue.NameThatTrue.metainfo.xml"
for f in usr/bin/namethattrue usr/bin/ntt usr/share/icons/hicolor/scalable/apps/namethattrue.svg; do
    [ -f "$check/$f" ] || { echo "make-deb: the package has no /$f" >&2; exit 1; }
done
# What it needs at run time are libraries and plugins, never a development package.
depends="$(dpkg-deb -f "$deb" Depends)"
echo "make-deb: Depends: $depends"
if grep -qE -- '-dev([ ,(]|$)' <<<"$depends"; then
    echo "make-deb: the package depends on a development package" >&2
    exit 1
fi
[ "$install" = 1 ] || exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get install -y -qq "$PWD/$deb" </dev/null
# Smoke test of what was installed, from the PATH, away from the build tree.
smoke="$(mktemp -d)"
trap 'rm -rf "$check" "$smoke"' EXIT
cd "$smoke"
[ "$(command -v ntt)" = /usr/bin/ntt ] && [ "$(command -v namethattrue)" = /usr/bin/namethattrue ]
namethattrue --version
ntt --version
ntt demo --out "$smoke/demo"
ntt export --db "$smoke/demo/demo.ntt" --study 1 --what categories --include-simulated --out "$smoke/categories.csv"
head -3 "$smoke/categories.csv"
echo "make-deb: $deb installed; namethattrue and ntt run from /usr/bin"
