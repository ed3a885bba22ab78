"""Provisioning proven on a fresh Debian 12 root file system (slow: one run, ~4 minutes here).

debootstrap builds a minimal bookworm root from the Debian mirror; the test enters it with chroot
(no systemd runs inside: units are installed and enabled, not started) and, as an admin would on
a fresh machine:
  1. runs deploy/provision.sh (which installs ansible-core and applies the fleet's role to the
     machine itself with ansible-playbook -c local), with a site config and the PIN in a file;
  2. runs it again: Ansible must report changed=0;
  3. runs `kiosk doctor` inside: valid config, PIN stored as a hash, valid content; no screen,
     touch, sound or camera (this machine has none), exit code 1;
  4. applies deploy/fleet/playbook.yml with a fleet inventory (the config from the template, the
     code from `git archive` of a snapshot of the working tree, Chromium and its policy for
     visio), twice: changed=0 the second time;
  5. boots the root with systemd-nspawn and checks the watchdog restart with the installed unit.
Nothing is cached between runs. Downloads: the Debian mirror and PyPI (the machine's CA bundle is
handed to pip inside, as a site behind TLS inspection would do with PIP_CERT).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parent.parent.parent
MIRROR = os.environ.get("KIOSK_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
PIN = "97531"
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)

pytestmark = pytest.mark.slow

FLEET_INVENTORY = """\
[kiosks]
localhost ansible_connection=local ansible_become=false ansible_python_interpreter=/usr/bin/python3 \
kiosk_site_name="France Services de Test" kiosk_opening_hours="Du lundi au vendredi, de 9 h à 17 h" \
kiosk_mediator_hours="Un médiateur est là le matin"

[kiosks:vars]
kiosk_voice_models=[]
kiosk_visio_browser=true
kiosk_visio_base_url="https://visio.example-departement.fr/france-services"
kiosk_printer="none"
"""


class Root:
    """A Debian root with /proc, /sys and /dev mounted, entered with chroot."""

    def __init__(self, path: Path):
        self.path = path
        self.mounts: list[Path] = []

    def mount(self) -> None:
        for target, argv in (("proc", ["-t", "proc", "proc"]), ("sys", ["-t", "sysfs", "sysfs"]),
                             ("dev", ["--rbind", "/dev"])):
            subprocess.run(["mount", *argv, str(self.path / target)], check=True)
            self.mounts.append(self.path / target)
        subprocess.run(["mount", "--make-rslave", str(self.path / "dev")], check=True)

    def unmount(self) -> None:
        for target in reversed(self.mounts):
            subprocess.run(["umount", "-R", str(target)], check=False)
        self.mounts.clear()
        left = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True).stdout
        assert not [m for m in left.splitlines() if m.startswith(str(self.path) + "/")], left

    def run(self, *argv: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
        base = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
                "DEBIAN_FRONTEND": "noninteractive"}
        return subprocess.run(["chroot", str(self.path), "/usr/bin/env", "-i",
                               *[f"{k}={v}" for k, v in {**base, **(env or {})}.items()], *argv],
                              capture_output=True, text=True, timeout=timeout)


def recap(result: subprocess.CompletedProcess) -> dict[str, int]:
    found = RECAP.findall(result.stdout)
    assert result.returncode == 0 and found, result.stdout[-6000:] + result.stderr[-3000:]
    ok, changed, unreachable, failed = map(int, found[-1])
    return {"ok": ok, "changed": changed, "unreachable": unreachable, "failed": failed}


def changed_tasks(output: str) -> list[str]:
    tasks, current = [], ""
    for line in output.splitlines():
        if line.startswith("TASK ["):
            current = line
        elif line.startswith("changed:"):
            tasks.append(current)
    return tasks


@pytest.fixture(scope="module")
def root():
    assert os.geteuid() == 0, "debootstrap and chroot need root (CI runs the suite as root)"
    assert shutil.which("debootstrap"), "install debootstrap (deploy/bootstrap.sh does)"
    path = Path(tempfile.mkdtemp(prefix="kiosk-debootstrap-", dir="/var/tmp"))
    r = Root(path / "root")
    try:
        built = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(r.path), MIRROR],
                               capture_output=True, text=True, timeout=900)
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
        r.mount()
        shutil.copy("/etc/resolv.conf", r.path / "etc" / "resolv.conf")
        policy = r.path / "usr" / "sbin" / "policy-rc.d"  # no service starts inside a chroot
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        ca = os.environ.get("PIP_CERT") or "/etc/ssl/certs/ca-certificates.crt"
        shutil.copy(ca, r.path / "root" / "network-ca.pem")
        # A snapshot of the working tree (the repository keeps changing while the suite runs).
        source = r.path / "srv" / "kiosk"
        source.mkdir(parents=True)
        subprocess.run(f"tar -C {REPO} --exclude=./.git --exclude=./.venv --exclude=__pycache__ "
                       f"--exclude='*.egg-info' --exclude=./.pytest_cache --exclude=./.hypothesis -cf - . "
                       f"| tar -C {source} -xf -", shell=True, check=True)
        pin = r.path / "root" / "pin"
        pin.write_text(PIN + "\n")
        pin.chmod(0o600)
        site = (REPO / "deploy" / "config.example.toml").read_text(encoding="utf-8")
        site = re.sub(r'(?m)^printer = .*$', 'printer = "none"', site)  # no packet to a LAN printer
        (r.path / "root" / "site.toml").write_text(site, encoding="utf-8")
        (r.path / "root" / "fleet.ini").write_text(FLEET_INVENTORY, encoding="utf-8")
        yield r
    finally:
        r.unmount()
        subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=False)


NETWORK = {"PIP_CERT": "/root/network-ca.pem", "REQUESTS_CA_BUNDLE": "/root/network-ca.pem"}
PROVISION = ["/srv/kiosk/deploy/provision.sh", "--config", "/root/site.toml", "--voice-models", "",
             "--no-visio-browser"]


@pytest.fixture(scope="module")
def provisioned(root):
    first = root.run(*PROVISION, env={**NETWORK, "KIOSK_PIN_FILE": "/root/pin"})
    second = root.run(*PROVISION, env=NETWORK)
    return first, second


def test_provision_sh_on_a_fresh_debian_12_and_again_changes_nothing(provisioned):
    first, second = provisioned
    assert recap(first)["changed"] > 10
    assert recap(second)["changed"] == 0, changed_tasks(second.stdout)
    for result in provisioned:
        assert PIN not in result.stdout + result.stderr


def test_the_device_as_provisioned(root, provisioned):
    config = (root.path / "etc" / "kiosk" / "config.toml").read_text(encoding="utf-8")
    assert re.search(r'(?m)^pin_hash = "scrypt\$', config) and PIN not in config
    assert oct((root.path / "etc" / "kiosk" / "config.toml").stat().st_mode & 0o777) == "0o640"
    passwd = root.run("getent", "passwd", "kiosk").stdout
    assert passwd.strip().endswith(":/var/lib/kiosk:/usr/sbin/nologin")
    enabled = root.run("systemctl", "is-enabled", "kiosk.service", "systemd-timesyncd.service",
                       "ctrl-alt-del.target").stdout.split()
    assert enabled == ["enabled", "enabled", "masked"]
    verify = root.run("systemd-analyze", "verify", "--man=no", "/etc/systemd/system/kiosk.service")
    assert verify.returncode == 0 and not (verify.stdout + verify.stderr).strip(), verify.stderr
    for path in ("etc/pam.d/kiosk", "etc/systemd/journald.conf.d/kiosk.conf", "etc/sysctl.d/90-kiosk.conf",
                 "etc/udev/rules.d/70-kiosk-printers.rules", "etc/apt/apt.conf.d/20auto-upgrades",
                 "usr/bin/cage", "usr/bin/Xwayland", "opt/kiosk/venv/bin/kiosk"):
        assert (root.path / path).exists(), path
    assert not (root.path / "etc/chromium/policies/managed/kiosk-visio.json").exists()  # --no-visio-browser


def test_kiosk_doctor_inside_reports_a_machine_without_hardware(root, provisioned):
    result = root.run("/usr/local/bin/kiosk", "doctor", "--json")
    assert result.returncode == 1, result.stderr
    status = {c["name"]: c["status"] for c in json.loads(result.stdout)}
    assert status["config"] == "ok" and status["pin"] == "ok" and status["content"] == "ok"
    assert status["touch"] == "fail" and status["microphone"] == "fail" and status["camera"] == "fail"
    assert status["printer"] == "warn" and status["hub"] == "ok"
    assert status["voice-model-fr"] == "fail"  # installed with --voice-models fr on a real device


def test_fleet_playbook_applied_twice_changes_nothing_the_second_time(root, provisioned):
    apt = root.run("apt-get", "install", "-y", "-q", "--no-install-recommends", "git")  # the controller's
    assert apt.returncode == 0, apt.stderr[-2000:]
    snapshot = root.run("sh", "-c", "cd /srv/kiosk && git init -q && git add -A && "
                        "git -c user.name=test -c user.email=test@localhost commit -q -m snapshot")
    assert snapshot.returncode == 0, snapshot.stderr
    play = ["ansible-playbook", "-i", "/root/fleet.ini", "/srv/kiosk/deploy/fleet/playbook.yml",
            "-e", json.dumps({"kiosk_network_env": NETWORK})]
    env = {**NETWORK, "ANSIBLE_LOCALHOST_WARNING": "false"}
    first = root.run(*play, env=env)
    assert recap(first)["changed"] > 0
    second = root.run(*play, env=env)
    assert recap(second)["changed"] == 0, changed_tasks(second.stdout)
    config = (root.path / "etc" / "kiosk" / "config.toml").read_text(encoding="utf-8")
    assert 'name = "France Services de Test"' in config
    policy = json.loads((root.path / "etc/chromium/policies/managed/kiosk-visio.json").read_text())
    assert policy["VideoCaptureAllowedUrls"] == policy["AudioCaptureAllowedUrls"] == [
        "https://visio.example-departement.fr"]
    assert (root.path / "usr/bin/chromium").exists()
    assert re.search(r'(?m)^pin_hash = "scrypt\$', config), "the template keeps the stored PIN hash"
    doctor = root.run("/usr/local/bin/kiosk", "doctor", "--only", "config,pin,content")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr


PROBE = """\
import os, sys, time
from pathlib import Path
from kiosk.devices import service_manager

runtime = Path(os.environ["RUNTIME_DIRECTORY"])
(runtime / f"speech-{os.getpid()}.wav").write_bytes(b"RIFF")  # what a session leaves while it runs
service_manager.notify_ready("probe ready")
interval = service_manager.watchdog_interval()
assert interval, ("no watchdog for this process", os.environ.get("WATCHDOG_PID"), os.getppid())
while not Path("/run/kiosk-test-freeze").exists():
    service_manager.notify_watchdog()
    time.sleep(interval)
service_manager.notify_status("frozen on purpose")
while True:  # a UI loop stuck for ever
    time.sleep(1)
"""

# Lines of kiosk.service that need a console and a seat (absent in a container).
SEAT_ONLY = ("PAMName=", "TTY", "StandardInput=", "Utmp")


def test_real_systemd_restarts_a_frozen_kiosk_and_empties_its_runtime_directory(root, provisioned):
    """The installed kiosk.service, booted by systemd in systemd-nspawn, with the seat lines
    removed and ExecStart replaced by a probe that uses the installed service_manager from a
    child of the main process (as the kiosk is cage's child): READY=1 and WATCHDOG=1 accepted;
    a frozen loop is killed (SIGABRT) and restarted by the watchdog, and /run/kiosk is emptied."""
    assert shutil.which("systemd-nspawn"), "install systemd-container"
    root.unmount()  # systemd-nspawn mounts its own /proc, /sys and /dev
    unit = (root.path / "etc/systemd/system/kiosk.service").read_text()
    lines = [line for line in unit.splitlines() if not line.startswith(SEAT_ONLY)]
    lines = [("ExecStart=/bin/sh -c '/opt/kiosk/venv/bin/python /usr/local/lib/kiosk-probe.py; true'"
              if line.startswith("ExecStart=") else "WatchdogSec=3" if line.startswith("WatchdogSec=")
              else line) for line in lines]
    (root.path / "etc/systemd/system/kiosk-probe.service").write_text("\n".join(lines) + "\n")
    (root.path / "usr/local/lib/kiosk-probe.py").write_text(PROBE)
    (root.path / "usr/local/lib/kiosk-probe.py").chmod(0o644)
    disabled = root.run("systemctl", "disable", "kiosk.service")  # no seat for cage in a container
    assert disabled.returncode == 0, disabled.stderr
    (root.path / "usr/sbin/policy-rc.d").unlink()
    boot = subprocess.Popen(["systemd-nspawn", "-D", str(root.path), "--boot", "--quiet", "--register=no",
                             "--keep-unit"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        def container_pid1():
            children = Path(f"/proc/{boot.pid}/task/{boot.pid}/children")
            pids = children.read_text().split() if children.exists() else []
            return pids[0] if pids else None

        pid1 = wait_until(container_pid1, 60, "the container's init")

        def inside(*argv: str) -> subprocess.CompletedProcess:
            return subprocess.run(["nsenter", "-t", pid1, "-a", *argv], capture_output=True, text=True,
                                  timeout=60)

        def show(prop: str) -> str:
            return inside("systemctl", "show", "-p", prop, "--value", "kiosk-probe.service").stdout.strip()

        wait_until(lambda: inside("systemctl", "is-system-running").stdout.strip() in ("running", "degraded"),
                 120, "systemd to finish booting")
        started = inside("systemctl", "start", "kiosk-probe.service")  # returns once READY=1 arrives
        assert started.returncode == 0, started.stderr + inside("journalctl", "-u", "kiosk-probe").stdout
        assert show("StatusText") == "probe ready" and show("NRestarts") == "0"
        before = inside("ls", "/run/kiosk").stdout.split()
        assert len(before) == 1 and before[0].startswith("speech-"), before
        assert inside("stat", "-c", "%U %a", "/run/kiosk").stdout.split() == ["kiosk", "700"]
        wait_until(lambda: show("ActiveState") == "active" and show("NRestarts") == "0", 10, "pings")
        inside("touch", "/run/kiosk-test-freeze")
        wait_until(lambda: show("NRestarts") == "1", 30, "the watchdog to restart the frozen kiosk")
        inside("rm", "-f", "/run/kiosk-test-freeze")
        journal = inside("journalctl", "-u", "kiosk-probe.service", "--no-pager").stdout
        assert "Watchdog timeout" in journal and "Failed with result 'watchdog'" in journal, journal
        wait_until(lambda: show("ActiveState") == "active", 30, "the restarted probe")
        # only the restarted probe's file: the frozen run's file went with the emptied folder
        after = wait_until(lambda: inside("ls", "/run/kiosk").stdout.split(), 30, "the new probe's file")
        assert len(after) == 1 and after != before, (before, after)
    finally:
        boot.terminate()
        try:
            boot.wait(timeout=60)
        except subprocess.TimeoutExpired:
            boot.kill()
            boot.wait(timeout=30)
