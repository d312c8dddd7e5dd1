# Sourced by scripts/demo and scripts/test: makes .venv with Python >= 3.11 and installs kamerwacht.
# Usage: setup_venv "<pip install target>"   e.g. setup_venv "."  or  setup_venv "-e .[dev]"
set -euo pipefail

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

apt_install() {
    # apt_install PKG... : install Debian packages once (fresh machines have empty package lists).
    if ! command -v apt-get >/dev/null 2>&1; then echo "no apt-get: install $* by hand" >&2; return 1; fi
    if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq; _APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_venv() {
    local py="${PYTHON:-python3}"
    if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "kamerwacht needs Python >= 3.11 (set PYTHON=...)" >&2; exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        if ! "$py" -m venv .venv >/dev/null 2>&1; then
            # Debian ships venv/ensurepip separately.
            rm -rf .venv
            apt_install python3-venv
            "$py" -m venv .venv
        fi
    fi
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    # shellcheck disable=SC2086
    .venv/bin/python -m pip install -q --disable-pip-version-check $1
}
