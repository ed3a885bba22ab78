#!/usr/bin/env bash
# Provision one Debian 12 device as a France Services kiosk. Run as root from a copy of the
# repository:   sudo deploy/provision.sh [options]
#
# What it does, in order (each step is skipped or harmless when already done: run it again after
# an update of the repository to deploy the new version):
#   1. installs the Debian packages the kiosk needs (and, with the auto-login session, a minimal
#      X server, xinit and the matchbox window manager);
#   2. creates the system user `kiosk` (groups audio, video, lp: sound, screen, USB printer);
#   3. copies the code to /opt/kiosk/app (root-owned, read-only for the kiosk) and installs it with
#      its Python dependencies into the virtualenv /opt/kiosk/venv;
#   4. copies the config to /etc/kiosk/config.toml if that file does not exist yet (an existing
#      one is never overwritten), then validates it with the kiosk's own checker and stops with
#      the precise errors if it is wrong, before anything is enabled;
#   5. installs /etc/systemd/system/kiosk.service and enables it (restarts it if it was running);
#   6. unless --no-autologin: console auto-login of `kiosk` on tty1, which starts X with
#      matchbox (one full-screen window, no title bar, no cursor, no screen blanking).
# Reboot afterwards: the device comes up on the kiosk.
#
# Options:
#   --config FILE     config to install when /etc/kiosk/config.toml is absent
#                     (default: deploy/config.example.toml: edit [site] first!)
#   --no-autologin    do not set up the auto-login X session (a display already exists)
#   --dry-run         print the actions without changing anything (no root needed)
set -euo pipefail

PREFIX=/opt/kiosk
KIOSK_USER=kiosk
ETC=/etc/kiosk
UNIT=/etc/systemd/system/kiosk.service
AUTOLOGIN_DROPIN=/etc/systemd/system/getty@tty1.service.d/kiosk-autologin.conf
PACKAGES=(
    python3 python3-venv python3-pip
    espeak-ng alsa-utils sox libportaudio2
    cups cups-client cups-bsd cups-filters printer-driver-cups-pdf poppler-utils
    libgl1 libgl1-mesa-dri libegl1 libmtdev1 libsdl2-2.0-0
    fonts-dejavu-core xdotool xauth
)
SESSION_PACKAGES=(xserver-xorg-core xserver-xorg-input-libinput xinit matchbox-window-manager x11-xserver-utils)

DRY_RUN=0
AUTOLOGIN=1
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
SOURCE_CONFIG="$REPO/deploy/config.example.toml"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dry-run) DRY_RUN=1 ;;
        --no-autologin) AUTOLOGIN=0 ;;
        --config) [[ $# -ge 2 ]] || usage; SOURCE_CONFIG=$(readlink -f "$2"); shift ;;
        -h | --help) usage ;;
        *) printf 'provision: unknown option %s\n' "$1" >&2; usage ;;
    esac
    shift
done

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'provision: %s\n' "$*" >&2; exit 1; }
# Run a command that changes the system, or only show it with --dry-run.
act() {
    if [[ $DRY_RUN -eq 1 ]]; then
        printf '    would run: %s\n' "$*" >&2
    else
        "$@"
    fi
}
# Write stdin to FILE (mode MODE, owner OWNER) only when its content differs. Prints "changed".
put_file() {
    local file=$1 mode=$2 owner=$3 tmp
    tmp=$(mktemp)
    cat >"$tmp"
    if [[ -f "$file" ]] && cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        return 0
    fi
    if [[ $DRY_RUN -eq 1 ]]; then
        printf '    would write %s (mode %s, owner %s)\n' "$file" "$mode" "$owner" >&2
        rm -f "$tmp"
    else
        install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$tmp" "$file"
        rm -f "$tmp"
        printf '    wrote %s\n' "$file" >&2
    fi
    echo changed
}

[[ -f "$REPO/pyproject.toml" && -f "$REPO/deploy/systemd/kiosk.service" ]] \
    || die "run this script from a copy of the kiosk repository (no pyproject.toml in $REPO)."
[[ -f "$SOURCE_CONFIG" ]] || die "config file $SOURCE_CONFIG not found."
command -v dpkg-query >/dev/null 2>&1 || die "this script is for Debian 12: dpkg-query not found."
if [[ $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
    die "run as root (sudo $0), or add --dry-run to only see what it would do."
fi
[[ $DRY_RUN -eq 1 ]] && say "Dry run: nothing is changed on this machine."

# ---- 1. Debian packages -------------------------------------------------------------------------
wanted=("${PACKAGES[@]}")
[[ $AUTOLOGIN -eq 1 ]] && wanted+=("${SESSION_PACKAGES[@]}")
missing=()
for pkg in "${wanted[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" == installed ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    say "1. Debian packages: all installed."
else
    say "1. Debian packages: installing ${missing[*]}"
    act env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -q
    act env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        --no-install-recommends "${missing[@]}"
fi

# ---- 2. the kiosk user --------------------------------------------------------------------------
if id "$KIOSK_USER" >/dev/null 2>&1; then
    say "2. User $KIOSK_USER: exists."
else
    say "2. User $KIOSK_USER: creating it."
    act useradd --system --create-home --home-dir "/home/$KIOSK_USER" --shell /bin/bash \
        --user-group --comment "France Services kiosk" "$KIOSK_USER"
fi
groups=()
for group in audio video lp input render; do
    getent group "$group" >/dev/null && groups+=("$group")
done
if [[ ${#groups[@]} -gt 0 ]]; then
    act usermod -a -G "$(IFS=,; echo "${groups[*]}")" "$KIOSK_USER"
fi

# ---- 3. code and virtualenv ---------------------------------------------------------------------
say "3. Code: copying $REPO to $PREFIX/app; virtualenv $PREFIX/venv."
if [[ $DRY_RUN -eq 1 ]]; then
    printf '    would copy %s (without .git, .venv, caches) to %s/app, replacing the previous copy\n' "$REPO" "$PREFIX" >&2
else
    install -d -m 0755 "$PREFIX"
    rm -rf "$PREFIX/app.new"
    install -d -m 0755 "$PREFIX/app.new"
    tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude='__pycache__' --exclude='*.egg-info' \
        --exclude=./.pytest_cache --exclude=./.hypothesis -cf - . | tar -C "$PREFIX/app.new" -xf - --no-same-owner
    chown -R root:root "$PREFIX/app.new"
    chmod -R u=rwX,go=rX "$PREFIX/app.new"
    rm -rf "$PREFIX/app.old"
    [[ -d "$PREFIX/app" ]] && mv "$PREFIX/app" "$PREFIX/app.old"
    mv "$PREFIX/app.new" "$PREFIX/app"
    rm -rf "$PREFIX/app.old"
fi
VENV="$PREFIX/venv"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "   virtualenv $VENV: reusing it."
else
    act rm -rf "$VENV"
    act python3 -m venv "$VENV"
fi
STAMP="$VENV/.kiosk-install-stamp"
wanted_stamp=$(sha256sum "$REPO/pyproject.toml" | cut -d' ' -f1)
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted_stamp" && -x "$VENV/bin/kiosk" ]]; then
    say "   Python packages: up to date."
else
    # Editable: the kiosk finds its assets/ and locales/ beside its package in $PREFIX/app.
    act "$VENV/bin/python" -m pip install --disable-pip-version-check -q -e "$PREFIX/app"
    if [[ $DRY_RUN -eq 1 ]]; then
        printf '    would write %s\n' "$STAMP" >&2
    else
        printf '%s\n' "$wanted_stamp" >"$STAMP"
    fi
fi

# ---- 4. config ----------------------------------------------------------------------------------
act install -d -m 0750 -o root -g "$KIOSK_USER" "$ETC"
if [[ -f "$ETC/config.toml" ]]; then
    say "4. Config: keeping the existing $ETC/config.toml."
else
    say "4. Config: installing $SOURCE_CONFIG as $ETC/config.toml."
    # Readable by the kiosk, not by other users: it holds the mediator's PIN.
    act install -m 0640 -o root -g "$KIOSK_USER" "$SOURCE_CONFIG" "$ETC/config.toml"
fi
CHECK='import sys
from kiosk.core.config import ConfigError, load_config
try:
    config = load_config(sys.argv[1])
except ConfigError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
print(f"    config valid: {config.site[\"name\"]}")'
if [[ $DRY_RUN -eq 1 ]]; then
    printf '    would validate %s/config.toml with %s/bin/python (kiosk.core.config) and stop if invalid\n' "$ETC" "$VENV" >&2
elif ! "$VENV/bin/python" -c "$CHECK" "$ETC/config.toml"; then
    die "$ETC/config.toml is not valid (lines above). Correct it and run this script again; nothing was enabled."
fi

# ---- 5. systemd unit ----------------------------------------------------------------------------
say "5. Service: $UNIT."
changed=$(sed "s#/opt/kiosk#$PREFIX#g" "$REPO/deploy/systemd/kiosk.service" | put_file "$UNIT" 0644 root:root)
[[ -n "$changed" ]] && act systemctl daemon-reload
act systemctl enable kiosk.service
if systemctl is-active --quiet kiosk.service 2>/dev/null; then
    act systemctl restart kiosk.service
fi

# ---- 6. auto-login X session --------------------------------------------------------------------
if [[ $AUTOLOGIN -eq 1 ]]; then
    say "6. Auto-login: $KIOSK_USER on tty1 starts X with matchbox; the kiosk service draws on it."
    home="/home/$KIOSK_USER"
    changed=$(put_file "$AUTOLOGIN_DROPIN" 0644 root:root <<EOF
# Written by deploy/provision.sh: log the kiosk user in on tty1 without a password.
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin $KIOSK_USER --noclear %I \$TERM
EOF
)
    [[ -n "$changed" ]] && act systemctl daemon-reload
    put_file "$home/.bash_profile" 0644 "$KIOSK_USER:$KIOSK_USER" >/dev/null <<'EOF'
# Written by deploy/provision.sh: on tty1, start the kiosk's X session (restarted if X stops).
if [ -z "${DISPLAY:-}" ] && [ "$(tty)" = /dev/tty1 ]; then
    exec startx -- -nocursor -nolisten tcp vt1 >/dev/null 2>&1
fi
EOF
    put_file "$home/.xinitrc" 0644 "$KIOSK_USER:$KIOSK_USER" >/dev/null <<'EOF'
#!/bin/sh
# Written by deploy/provision.sh: no screen saver, no blanking; one full-screen window manager.
xset s off -dpms s noblank
exec matchbox-window-manager -use_titlebar no -use_cursor no
EOF
    act systemctl set-default graphical.target
else
    say "6. Auto-login: skipped (--no-autologin); the kiosk service expects an X display :0 for user $KIOSK_USER."
fi

say "Done. Reboot to start the kiosk: systemctl reboot. Logs (no personal data): journalctl -u kiosk"
