#!/usr/bin/env bash
# Set up everything on a fresh Debian 12 machine, then start the demo or run the tests.
#
#   deploy/bootstrap.sh demo [ARGS...]   start the kiosk in demo mode (ARGS go to `kiosk run`)
#   deploy/bootstrap.sh test [ARGS...]   run the test suite (ARGS go to pytest); exits with its code
#
# Run as root, or as a user who may use sudo (only apt-get needs it). Works from any folder.
# Steps, each skipped when already done so that a second run is quick:
#   1. Debian packages (apt-get), skipped when dpkg-query says every one is installed;
#   2. a virtualenv .venv at the repository root, made with the python3 on PATH, reused when healthy;
#   3. `pip install -e ".[test,hub]"` into it, skipped while pyproject.toml (hash kept in .venv) is unchanged.
# Network: only Debian's package mirrors and PyPI.
set -euo pipefail

PACKAGES=(
    python3 python3-venv python3-pip
    xvfb xauth
    espeak-ng alsa-utils sox libportaudio2
    cups cups-client cups-bsd cups-filters printer-driver-cups-pdf poppler-utils
    libgl1 libgl1-mesa-dri libegl1 libmtdev1 libsdl2-2.0-0
    fonts-dejavu-core fonts-dejavu-extra xdotool imagemagick git
    postgresql chromium
    cage xwayland grim matchbox-window-manager wmctrl debootstrap systemd-container ansible-core ansible-lint
    janus libjs-janus-gateway tcpdump iproute2 util-linux
)
XVFB_SCREEN="-screen 0 1920x1920x24"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: deploy/bootstrap.sh demo [kiosk run options...]
       deploy/bootstrap.sh test [pytest options...]
  demo  installs what is needed, then starts the kiosk with the demo settings
  test  installs what is needed, then runs the whole test suite
EOF
    exit 2
}

[[ $# -ge 1 ]] || usage
MODE=$1
shift
case "$MODE" in
    demo | test) ;;
    -h | --help | help) usage ;;
    *) printf 'bootstrap: unknown mode "%s"\n' "$MODE" >&2; usage ;;
esac

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
[[ -f pyproject.toml ]] || die "no pyproject.toml in $REPO: run this script from a copy of the kiosk repository."

# ---- 1. Debian packages -------------------------------------------------------------------------

missing_packages() {
    local pkg status
    for pkg in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        [[ "$status" == installed ]] || printf '%s\n' "$pkg"
    done
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "installing Debian packages needs root: run this script as root or install sudo."
    fi
}

command -v dpkg-query >/dev/null 2>&1 || die "this script is for Debian (12 or later): dpkg-query not found."
mapfile -t MISSING < <(missing_packages)
if [[ ${#MISSING[@]} -eq 0 ]]; then
    say "Debian packages: all ${#PACKAGES[@]} already installed, apt skipped."
else
    say "Debian packages: installing ${MISSING[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends "${MISSING[@]}"
    mapfile -t STILL < <(missing_packages)
    [[ ${#STILL[@]} -eq 0 ]] || die "these Debian packages are still missing after apt-get: ${STILL[*]}"
fi

# ---- 2. virtualenv ------------------------------------------------------------------------------

PYTHON=$(command -v python3) || die "python3 not found on PATH."
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
    || die "the kiosk needs Python 3.11 or later; $PYTHON is $("$PYTHON" -V 2>&1)."
PY_VERSION=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV="$REPO/.venv"

venv_healthy() {
    [[ -x "$VENV/bin/python" ]] || return 1
    local v
    v=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
    [[ "$v" == "$PY_VERSION" ]] || return 1
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if venv_healthy; then
    say "virtualenv: reusing $VENV (Python $PY_VERSION)."
else
    if [[ -e "$VENV" ]]; then
        say "virtualenv: $VENV is broken or made with another Python; making it again."
        rm -rf "$VENV"
    fi
    say "virtualenv: creating $VENV with $PYTHON (Python $PY_VERSION)."
    "$PYTHON" -m venv "$VENV" || die "could not create the virtualenv: is python3-venv installed?"
fi

# ---- 3. the kiosk and its Python dependencies ---------------------------------------------------

STAMP="$VENV/.kiosk-install-stamp"
WANTED=$( { sha256sum pyproject.toml | cut -d' ' -f1; printf '%s\n%s\n' "$REPO" "$PY_VERSION"; } | sha256sum | cut -d' ' -f1)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANTED" && -x "$VENV/bin/kiosk" ]] \
    && "$VENV/bin/python" -c 'import kiosk, pytest' >/dev/null 2>&1; then
    say "Python packages: already installed and pyproject.toml unchanged, pip skipped."
else
    say "Python packages: pip install -e \".[test,hub]\" (a few minutes the first time)."
    rm -f "$STAMP"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e ".[test,hub]" \
        || die "pip could not install the kiosk: see the messages above (is PyPI reachable?)."
    printf '%s\n' "$WANTED" >"$STAMP"
fi

# ---- 4. run -------------------------------------------------------------------------------------

case "$MODE" in
    demo)
        if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
            say "Starting the kiosk demo on this screen. Close its window to stop it."
            exec "$VENV/bin/kiosk" run "$@"
        fi
        say "There is no screen here (DISPLAY is not set), so the demo runs on a virtual screen" \
            "(Xvfb) where nobody can see it: it only shows that the kiosk starts. Run this on a" \
            "desktop session to use it. Stop it with Ctrl+C."
        exec xvfb-run -a -s "$XVFB_SCREEN" "$VENV/bin/kiosk" run "$@"
        ;;
    test)
        say "Running the tests: python -m pytest -q $*"
        set +e
        "$VENV/bin/python" -m pytest -q "$@"
        code=$?
        set -e
        exit "$code"
        ;;
esac
