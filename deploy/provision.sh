#!/usr/bin/env bash
# Provision one Debian 12 machine as a France Services kiosk. Run as root from a copy of the
# repository:
#
#   sudo KIOSK_PIN_FILE=/root/pin deploy/provision.sh --config my-site.toml
#
# It applies the fleet's Ansible role (deploy/fleet/roles/kiosk) to this machine, so one device
# and a fleet get exactly the same thing: Debian packages, the unprivileged `kiosk` user, the code
# of this copy in /opt/kiosk/app with its virtualenv, /etc/kiosk/config.toml (installed once,
# validated by the kiosk), the mediator's PIN stored as a salted hash, the hub enrolment, the
# voice models, the Chromium policy for visio, the printer udev rules, the kiosk session (cage on
# tty1 under systemd with a watchdog), journal limits, NTP and daily security updates.
# Idempotent: run it again after updating the repository to deploy the new code; a run with
# nothing new changes nothing. Reboot after the first run: the device comes up on the kiosk.
#
# Options:
#   --config FILE          the site's config, installed as /etc/kiosk/config.toml when that file
#                          does not exist yet (default: deploy/config.example.toml: edit [site]!)
#   --reset-pin            replace a stored mediator PIN with the one given
#   --hub URL              the hub's address; with --enrol-code CODE (from `kiosk hub add-kiosk`)
#   --enrol-code CODE      the kiosk is paired with the hub once
#   --voice-models "fr en" voice models to install from their pinned archives (default: fr)
#   --no-visio-browser     do not install Chromium (no video calls on this kiosk)
#   --read-only-root       read-only root file system (overlayroot) from the next boot
#   --check                show what would change and change nothing
# The mediator's PIN (4 to 8 digits) is never given on the command line: put it in a file named
# by KIOSK_PIN_FILE (first line), or in the environment variable KIOSK_PIN. It is needed on the
# first run (the kiosk refuses to start without one), not on later runs.
# Behind a proxy or a TLS-inspecting firewall, export HTTPS_PROXY / PIP_CERT / REQUESTS_CA_BUNDLE
# (and the like, see NETWORK_ENV below): they are passed to the downloads.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
CONFIG="$REPO/deploy/config.example.toml"
CHECK=0
RESET_PIN=false
HUB_URL=""
ENROL_CODE=""
VOICE_MODELS="fr"
VISIO_BROWSER=true
READ_ONLY_ROOT=false

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'provision: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --config) [[ $# -ge 2 ]] || usage; CONFIG=$(readlink -f "$2"); shift ;;
        --reset-pin) RESET_PIN=true ;;
        --hub) [[ $# -ge 2 ]] || usage; HUB_URL=$2; shift ;;
        --enrol-code) [[ $# -ge 2 ]] || usage; ENROL_CODE=$2; shift ;;
        --voice-models) [[ $# -ge 2 ]] || usage; VOICE_MODELS=$2; shift ;;
        --no-visio-browser) VISIO_BROWSER=false ;;
        --read-only-root) READ_ONLY_ROOT=true ;;
        --check | --dry-run) CHECK=1 ;;
        -h | --help) usage ;;
        *) printf 'provision: unknown option %s\n' "$1" >&2; usage ;;
    esac
    shift
done

[[ -f "$REPO/pyproject.toml" && -d "$REPO/deploy/fleet/roles/kiosk" ]] \
    || die "run this script from a copy of the kiosk repository (no pyproject.toml in $REPO)."
[[ -f "$CONFIG" ]] || die "config file $CONFIG not found."
command -v dpkg-query >/dev/null 2>&1 || die "this script is for Debian 12: dpkg-query not found."
[[ $EUID -eq 0 ]] || die "run as root: sudo $0 (add --check to only see what would change)."
[[ -n "$ENROL_CODE" && -z "$HUB_URL" ]] && die "--enrol-code needs --hub URL."

PIN=""
if [[ -n "${KIOSK_PIN_FILE:-}" ]]; then
    [[ -r "$KIOSK_PIN_FILE" ]] || die "cannot read the PIN file $KIOSK_PIN_FILE."
    IFS= read -r PIN <"$KIOSK_PIN_FILE" || true
elif [[ -n "${KIOSK_PIN:-}" ]]; then
    PIN=$KIOSK_PIN
fi

# ---- Ansible, from Debian ----------------------------------------------------------------------
if [[ "$(dpkg-query -W -f='${db:Status-Status}' ansible-core 2>/dev/null || true)" != installed ]]; then
    say "Installing ansible-core (Debian) to apply the kiosk role."
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -q
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends ansible-core
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
chmod 0700 "$WORK"

# ---- the code of this copy, packed the same way every time (same files = same release) ----------
tar -C "$REPO" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    --exclude=./.git --exclude=./.venv --exclude='__pycache__' --exclude='*.egg-info' \
    --exclude=./.pytest_cache --exclude=./.hypothesis -cf "$WORK/kiosk.tar" .

# ---- variables for the role (a private file: it may hold the PIN) -------------------------------
umask 077
KIOSK_VARS_PIN=$PIN KIOSK_VARS_CONFIG=$CONFIG KIOSK_VARS_ARCHIVE="$WORK/kiosk.tar" \
KIOSK_VARS_RESET=$RESET_PIN KIOSK_VARS_HUB=$HUB_URL KIOSK_VARS_CODE=$ENROL_CODE \
KIOSK_VARS_MODELS=$VOICE_MODELS KIOSK_VARS_BROWSER=$VISIO_BROWSER KIOSK_VARS_RO=$READ_ONLY_ROOT \
python3 - "$WORK/vars.json" <<'EOF'
import json, os, sys
env = os.environ
NETWORK_ENV = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
               "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT", "REQUESTS_CA_BUNDLE")
data = {
    "kiosk_config_file": env["KIOSK_VARS_CONFIG"],
    "kiosk_source_archive": env["KIOSK_VARS_ARCHIVE"],
    "kiosk_mediator_pin_reset": env["KIOSK_VARS_RESET"] == "true",
    "kiosk_hub_url": env["KIOSK_VARS_HUB"],
    "kiosk_voice_models": env["KIOSK_VARS_MODELS"].split(),
    "kiosk_visio_browser": env["KIOSK_VARS_BROWSER"] == "true",
    "kiosk_read_only_root": env["KIOSK_VARS_RO"] == "true",
    "kiosk_network_env": {k: env[k] for k in NETWORK_ENV if env.get(k)},
}
if env["KIOSK_VARS_PIN"]:
    data["kiosk_mediator_pin"] = env["KIOSK_VARS_PIN"]
if env["KIOSK_VARS_CODE"]:
    data["kiosk_hub_enrol_code"] = env["KIOSK_VARS_CODE"]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(data, f)
EOF
printf "[kiosks]\nlocalhost ansible_connection=local ansible_become=false ansible_python_interpreter=/usr/bin/python3\n" >"$WORK/inventory.ini"
umask 022

args=(-i "$WORK/inventory.ini" "$REPO/deploy/fleet/playbook.yml" -e "@$WORK/vars.json")
[[ $CHECK -eq 1 ]] && args+=(--check --diff)
say "Applying the kiosk role to this machine$([[ $CHECK -eq 1 ]] && echo ' (check only: nothing is changed)')."
ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_RETRY_FILES_ENABLED=false ansible-playbook "${args[@]}"

if [[ $CHECK -eq 0 ]]; then
    say "Done. Health: kiosk doctor. Reboot to start the kiosk: systemctl reboot. Logs: journalctl -u kiosk"
fi
