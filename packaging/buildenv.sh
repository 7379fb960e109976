# Sourced by the build scripts of packaging/ (quickstart, make-deb.sh, sanitizers.sh) after they cd
# to the checkout: installs what is missing and sets the build's environment.
bash packaging/install-deps.sh
# Two cores: keep parallel jobs to what the machine has, and let ccache make rebuilds cheap.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Paths relative to the checkout, so a clone elsewhere (CI's clean clone) reuses this checkout's
# cache; room for the dev, sanitizer and release builds side by side.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-25G}"
