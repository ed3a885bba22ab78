"""The device session as deployed: `cage` runs the real kiosk full screen as an unprivileged user.

Why an own interpreter: the project's venv python links into /root/.pyenv, which other users
cannot enter. The test makes a throw-away venv with Debian's /usr/bin/python3 (what provisioning
uses on a device), without pip, whose only addition is a .pth file pointing at the project's
installed packages (same CPython minor version, same ABI): nothing is copied or downloaded.

Two runs of cage, as the user `nobody`:
- WLR_BACKENDS=x11, cage's output being a window on a private Xvfb: the screenshot is taken with
  grim, through cage's own screencopy, and saved (kiosk-cage-screenshots/ in the temp folder);
- WLR_BACKENDS=headless: the kiosk starts and its window fills cage's 1280x720 output. (On these
  machines wlroots 0.15's headless output with the pixman renderer hands screencopy clients the
  first frame only, so the pixels are checked in the x11 run.)
"""

from __future__ import annotations

import io
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from tests.deploy.x11 import have, start_xvfb, wait_until

REPO = Path(__file__).resolve().parent.parent.parent
USER = "nobody"
TITLE = "France Services"
SHOTS = Path(os.environ.get("KIOSK_TEST_SCREENSHOTS", tempfile.gettempdir())) / "kiosk-cage-screenshots"

pytestmark = [pytest.mark.ui, pytest.mark.slow]


@pytest.fixture(scope="module")
def user_env():
    """A venv, a data folder and a runtime folder that `nobody` can use."""
    missing = have("cage", "Xwayland", "grim", "Xvfb", "xdotool", "setpriv")
    assert not missing, f"install the Debian packages providing {missing} (deploy/bootstrap.sh does)"
    assert os.geteuid() == 0, "this test switches to an unprivileged user: run it as root (CI does)"
    debian_python = Path("/usr/bin/python3")
    version = subprocess.run([str(debian_python), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == str(sys.version_info[:2]), "the project's venv must use the same Python as Debian's"
    pw = pwd.getpwnam(USER)
    base = Path(tempfile.mkdtemp(prefix="kiosk-cage-"))
    base.chmod(0o755)
    venv = base / "venv"
    subprocess.run([str(debian_python), "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "kiosk-project.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    for name in ("data", "run"):
        (base / name).mkdir(mode=0o700)
        os.chown(base / name, pw.pw_uid, pw.pw_gid)
    yield {"base": base, "python": venv / "bin" / "python", "uid": pw.pw_uid}
    if os.environ.get("KIOSK_KEEP_CAGE_TMP") != "1":
        shutil.rmtree(base, ignore_errors=True)


def as_user(env_vars: dict, *argv: str) -> list[str]:
    return ["setpriv", f"--reuid={USER}", f"--regid={pwd.getpwnam(USER).pw_gid}", "--clear-groups",
            "env", "-i", *[f"{k}={v}" for k, v in env_vars.items()], *argv]


def start_cage(u, backend: str, extra: dict) -> tuple[subprocess.Popen, dict]:
    run_dir = u["base"] / "run"
    for stale in run_dir.iterdir():
        if stale.name.startswith(("wayland-", "display")):
            stale.unlink()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(u["base"] / "data"), "XDG_RUNTIME_DIR": str(run_dir),
           "WLR_BACKENDS": backend, "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman",
           "SDL_VIDEODRIVER": "x11", "KIOSK_DATA_DIR": str(u["base"] / "data"),
           "KIOSK_SPEECH_PLAYER": "null", **extra}
    kiosk = f'echo "$DISPLAY" > {run_dir}/display; exec {u["python"]} -m kiosk run --fullscreen'
    log = open(u["base"] / f"cage-{backend}.log", "wb")
    proc = subprocess.Popen(as_user(env, "cage", "-d", "--", "/bin/sh", "-c", kiosk), cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    wait_until(lambda: (run_dir / "display").is_file() and (run_dir / "display").read_text().strip()
               or proc.poll() is not None, 60, "cage to start the kiosk")
    assert proc.poll() is None, (u["base"] / f"cage-{backend}.log").read_text(errors="replace")
    env["DISPLAY"] = (run_dir / "display").read_text().strip()
    env["WAYLAND_DISPLAY"] = next(p.name for p in run_dir.iterdir()
                                  if p.name.startswith("wayland-") and not p.name.endswith(".lock"))
    return proc, env


def kiosk_geometry(env: dict) -> tuple[int, int, int, int] | None:
    """Position and size of the kiosk's X window on cage's XWayland display."""
    def xdotool(*args: str) -> str:
        return subprocess.run(as_user(env, "xdotool", *args), capture_output=True, text=True,
                              timeout=30).stdout

    # (this xdotool's --name search misses SDL's UTF-8 title: list by class, then read the name)
    for window in xdotool("search", "--onlyvisible", "--class", ".").split():
        if TITLE not in xdotool("getwindowname", window):
            continue
        values = dict(line.split("=", 1) for line in xdotool("getwindowgeometry", "--shell", window).split()
                      if "=" in line)
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])
    return None


def descendants(pid: int) -> dict[int, int]:
    """pid -> uid of a process and everything it started (setpriv execs cage in place)."""
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        found[p] = int(next(x for x in status.splitlines() if x.startswith("Uid:")).split()[1])
        todo += [int(c) for c in children]
    return found


def descendants_uids(pid: int) -> set[int]:
    return set(descendants(pid).values())


def stop(proc: subprocess.Popen, base: Path) -> None:
    """Stop cage and whatever it started, including helpers the kiosk left behind (the speech
    worker outlives a killed kiosk; on a device systemd kills the whole control group). Those are
    found by the test's own temporary folder in their command line."""
    import signal

    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if str(base).encode() in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def grim_png(u, env: dict, name: str) -> bytes:
    out = u["base"] / "run" / name
    subprocess.run(as_user(env, "grim", str(out)), check=True, timeout=30, capture_output=True)
    return out.read_bytes()


def output_size(u, env: dict) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(grim_png(u, env, "size.png"))).size


def test_cage_shows_the_kiosk_full_screen_as_an_unprivileged_user(user_env):
    from PIL import Image

    xvfb, display = start_xvfb(1080, 1920)
    try:
        proc, env = start_cage(user_env, "x11", {"DISPLAY": display})
        try:
            width, height = output_size(user_env, env)
            wait_until(lambda: kiosk_geometry(env) == (0, 0, width, height) or proc.poll() is not None,
                       120, f"the kiosk window to fill cage's {width}x{height} output")
            assert proc.poll() is None
            assert descendants_uids(proc.pid) == {user_env["uid"]}

            def drawn():
                image = Image.open(io.BytesIO(grim_png(user_env, env, "shot.png"))).convert("RGB")
                colours = image.getcolors(maxcolors=1 << 16)
                return image if colours is None or len(colours) > 50 else None

            image = wait_until(drawn, 120, "the kiosk's first screen in cage's screenshot", interval=0.5)
            SHOTS.mkdir(parents=True, exist_ok=True)
            image.save(SHOTS / f"cage-x11-{width}x{height}.png")
            # The kiosk's light page fills the output: no black compositor background anywhere.
            small = image.resize((width // 20, height // 20))
            black = sum(1 for px in small.getdata() if max(px) < 16)
            assert black == 0, f"{black} black cells: the kiosk does not fill the screen"
        finally:
            stop(proc, user_env["base"])
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=30)


def test_cage_headless_starts_the_kiosk_on_its_output(user_env):
    proc, env = start_cage(user_env, "headless", {})
    try:
        width, height = output_size(user_env, env)
        assert (width, height) == (1280, 720)  # wlroots' headless output
        wait_until(lambda: kiosk_geometry(env) == (0, 0, width, height) or proc.poll() is not None, 120,
                   "the kiosk window to fill the headless output")
        assert proc.poll() is None
        assert descendants_uids(proc.pid) == {user_env["uid"]}
    finally:
        stop(proc, user_env["base"])
