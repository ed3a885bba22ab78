"""`kiosk doctor` and kiosk.devices.health, on this machine (no screen, touch, sound or camera)
and on real files laid out like the kernel's /proc and /sys of a kiosk with its hardware."""

from __future__ import annotations

import copy
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.core.config import Config, load_config, validate
from kiosk.devices import health, voice_models
from kiosk.devices.printer.emulator import EscposEmulator

REPO = Path(__file__).resolve().parent.parent.parent
# One voice-model line per language offered that has a pinned model.
VOICE = [f"voice-model-{lang}" for lang in load_config(None).languages["available"]
         if lang in voice_models.REGISTRY]
NAMES = ["config", "display", "touch", "speaker", "microphone", *VOICE, "understanding",
         "printer", "camera", "hub", "disk", "clock", "pin", "content"]

# A real ILITEK touchscreen, a laptop touchpad and a mouse, as /proc/bus/input/devices lists them.
INPUT_DEVICES = """\
I: Bus=0003 Vendor=222a Product=0001 Version=0110
N: Name="ILITEK ILITEK-TP"
P: Phys=usb-0000:00:14.0-4/input0
S: Sysfs=/devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4:1.0/0003:222A:0001.0001/input/input5
U: Uniq=
H: Handlers=mouse0 event5
B: PROP=2
B: EV=1b
B: KEY=400 0 0 0 0 0
B: ABS=260800000000003
B: MSC=10

I: Bus=0018 Vendor=04f3 Product=30c5 Version=0100
N: Name="ELAN0501:00 04F3:30C5 Touchpad"
H: Handlers=mouse1 event7
B: PROP=5
B: EV=1b
B: KEY=e520 10000 0 0 0 0
B: ABS=2e0800000000003

I: Bus=0003 Vendor=046d Product=c077 Version=0111
N: Name="Logitech USB Optical Mouse"
H: Handlers=mouse2 event3
B: PROP=0
B: EV=17
B: KEY=70000 0 0 0 0 0 0 0 0
B: REL=903
"""

ASOUND_PCM = """\
00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1
00-03: HDMI 0 : HDMI 0 : playback 1
"""


def _doctor(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("kiosk-data")


@pytest.fixture(scope="module")
def doctor_json(data_dir):
    result = _doctor("doctor", "--json", env_extra={"KIOSK_DATA_DIR": str(data_dir)})
    return result


def _this_machine():
    """What the kernel of this machine says, read independently of health.py."""
    pcm = Path("/proc/asound/pcm")
    lines = pcm.read_text().splitlines() if pcm.exists() else []
    drm = [p for p in Path("/sys/class/drm").glob("card*-*")
           if (p / "status").exists() and (p / "status").read_text().strip() == "connected"]
    return {
        "display": bool(drm),
        "speaker": any("playback" in x for x in lines),
        "microphone": any("capture" in x for x in lines),
        "camera": bool(list(Path("/dev").glob("video*"))),
        "touch": "B: PROP=2" in Path("/proc/bus/input/devices").read_text()
        if Path("/proc/bus/input/devices").exists() else False,
    }


def test_doctor_json_on_a_machine_without_kiosk_hardware(doctor_json):
    assert doctor_json.returncode == 1, doctor_json.stderr
    checks = json.loads(doctor_json.stdout)
    assert [c["name"] for c in checks] == NAMES
    by_name = {c["name"]: c for c in checks}
    for c in checks:
        assert c["status"] in ("ok", "warn", "fail")
        assert c["en"] and c["fr"] and "{" not in c["en"]
    facts = _this_machine()
    for name, present in facts.items():
        assert (by_name[name]["status"] == "ok") == present, (name, by_name[name])
    assert by_name["config"]["status"] == "warn"           # no --config: demo settings
    assert by_name["pin"]["status"] == "warn"              # the demo's public PIN
    assert by_name["hub"]["status"] == "ok"                # none configured: the kiosk works alone
    assert by_name["content"]["status"] == "ok"
    assert by_name["voice-model-fr"]["status"] == "fail"   # the default language's: not installed
    assert {by_name[v]["status"] for v in VOICE[1:]} <= {"warn"}  # other languages: a warning
    assert "voice-model-fr" in VOICE and "voice-model-en" in VOICE
    assert by_name["printer"]["status"] == "ok"            # demo printer: preview files
    assert by_name["understanding"]["status"] == "ok"      # the sentence model runs here


def test_doctor_text_one_line_per_check_and_exit_code(data_dir):
    result = _doctor("doctor", env_extra={"KIOSK_DATA_DIR": str(data_dir)})
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(NAMES) + 1
    assert lines[-1].endswith("failed.") and "none failed" not in lines[-1]
    touch = next(x for x in lines if x.split()[1] == "touch")
    if not _this_machine()["touch"]:
        assert touch.startswith("FAIL") and "no touchscreen" in touch


def test_doctor_only_config_validates_a_file(tmp_path, data_dir):
    good = tmp_path / "good.toml"
    good.write_text("[site]\nname = \"France Services de test\"\n", encoding="utf-8")
    ok = _doctor("--config", str(good), "doctor", "--only", "config", env_extra={"KIOSK_DATA_DIR": str(data_dir)})
    assert ok.returncode == 0 and ok.stdout.splitlines()[0].startswith("ok    config")
    bad = tmp_path / "bad.toml"
    bad.write_text("[screen]\ndpi = 5\n", encoding="utf-8")
    ko = _doctor("--config", str(bad), "doctor", "--only", "config", env_extra={"KIOSK_DATA_DIR": str(data_dir)})
    assert ko.returncode == 1 and "screen.dpi" in ko.stdout


def test_doctor_reports_an_invalid_config_file(tmp_path, data_dir):
    bad = tmp_path / "config.toml"
    bad.write_text('[screen]\ndpi = "big"\n[devices]\nprinterr = "none"\n', encoding="utf-8")
    result = _doctor("--config", str(bad), "doctor", "--json", env_extra={"KIOSK_DATA_DIR": str(data_dir)})
    assert result.returncode == 1
    config = json.loads(result.stdout)[0]
    assert config["name"] == "config" and config["status"] == "fail"
    assert "screen.dpi" in config["en"] and "printerr" in config["en"]


def test_a_kiosk_with_its_hardware(tmp_path):
    proc, sys_root, dev = tmp_path / "proc", tmp_path / "sys", tmp_path / "dev"
    (proc / "bus" / "input").mkdir(parents=True)
    (proc / "bus" / "input" / "devices").write_text(INPUT_DEVICES)
    (proc / "asound").mkdir()
    (proc / "asound" / "pcm").write_text(ASOUND_PCM)
    connector = sys_root / "class" / "drm" / "card0-HDMI-A-1"
    connector.mkdir(parents=True)
    (connector / "status").write_text("connected\n")
    (connector / "modes").write_text("1080x1920\n1920x1080\n")
    off = sys_root / "class" / "drm" / "card0-DP-1"
    off.mkdir()
    (off / "status").write_text("disconnected\n")
    (off / "modes").write_text("")
    dev.mkdir()
    (dev / "video0").touch()
    v4l = sys_root / "class" / "video4linux" / "video0"
    v4l.mkdir(parents=True)
    (v4l / "name").write_text("HD Pro Webcam C920\n")
    config = load_config(None)

    display = health.check_display(sys_root)
    assert (display.status, display.values) == ("ok", {"name": "HDMI-A-1", "mode": "1080x1920"})
    assert health.touchscreens(proc) == ["ILITEK ILITEK-TP"]   # not the touchpad, not the mouse
    assert health.check_touch(proc).english == "Touch: ILITEK ILITEK-TP."
    assert health.check_speaker(config, proc).status == "ok"
    assert health.check_microphone(config, proc).values == {"name": "ALC3246 Analog"}
    assert health.check_camera(dev, sys_root).english == "Camera: HD Pro Webcam C920."


def test_touchpad_and_mouse_alone_are_no_touchscreen(tmp_path):
    (tmp_path / "bus" / "input").mkdir(parents=True)
    (tmp_path / "bus" / "input" / "devices").write_text(INPUT_DEVICES.split("\n\n", 1)[1])
    assert health.check_touch(tmp_path).status == "fail"


def test_voice_off_in_settings_is_not_a_failure(tmp_path):
    values = copy.deepcopy(load_config(None).values)
    values["devices"]["voice_input"] = False
    config = Config(values=values, source="test")
    assert health.check_microphone(config, tmp_path).status == "ok"
    assert {c.status for c in health.check_voice_models(config)} == {"ok"}


def test_voice_model_checksum_against_the_pinned_one(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    model = voice_models.model_path("fr")
    for name in ("am/final.mdl", "conf/model.conf", "graph/Gr.fst", "graph/HCLr.fst"):
        (model / name).parent.mkdir(parents=True, exist_ok=True)
        (model / name).write_bytes(b"x")
    pinned = voice_models.REGISTRY["fr"].sha256
    (model / voice_models.MARKER).write_text(json.dumps({"name": "vosk-model-small-fr-0.22", "sha256": pinned}))
    config = load_config(None)
    fr = health.check_voice_models(config)[0]
    assert (fr.name, fr.status) == ("voice-model-fr", "ok") and "checksum matches" in fr.english
    (model / voice_models.MARKER).write_text(json.dumps({"sha256": "0" * 64}))
    assert health.check_voice_models(config)[0].status == "fail"
    (model / "am" / "final.mdl").unlink()
    assert "incomplete" in health.check_voice_models(config)[0].english


@pytest.mark.parametrize("mode, status, words", [("ok", "ok", "ready"), ("paper_out", "fail", "paper"),
                                                 ("cover_open", "fail", "cover")])
def test_printer_status_query_on_a_loopback_escpos_printer(mode, status, words):
    with EscposEmulator(mode, port=0) as emu:
        values = copy.deepcopy(load_config(None).values)
        values["devices"]["printer"] = emu.uri
        check = health.check_printer(Config(values=values, source="test"))
    assert check.status == status and words in check.english


class _Hub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hub")

    def log_message(self, *args):
        pass


def test_hub_reachable_and_enrolled(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    device_file = tmp_path / "hub-device.json"
    try:
        config = validate({"hub": {"url": url, "device_file": str(device_file)}}, "test")
        not_enrolled = health.check_hub(config)
        device_file.write_text("{}")
        enrolled = health.check_hub(config)
    finally:
        server.shutdown()
        server.server_close()
    assert not_enrolled.status == "fail" and "not enrolled" in not_enrolled.english
    assert enrolled.status == "ok" and "enrolled" in enrolled.english
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/"
    gone = health.check_hub(validate({"hub": {"url": closed, "device_file": str(device_file)}}, "test"), 2)
    assert gone.status == "fail" and "cannot be reached" in gone.english


def test_pin_set_as_a_hash_or_not(tmp_path):
    values = copy.deepcopy(load_config(None).values)
    assert health.check_pin(Config(values=values, source="demo defaults")).status == "warn"
    device = tmp_path / "config.toml"
    device.write_text("[site]\nname = \"France Services de test\"\n", encoding="utf-8")
    assert health.check_pin(load_config(device)).status == "fail"
    result = subprocess.run([sys.executable, "-m", "kiosk", "--config", str(device), "set-pin", "--stdin"],
                            input="97531\n", text=True, capture_output=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert health.check_pin(load_config(device)).status == "ok"


def test_clock_read_from_the_kernel():
    synced = health.clock_synchronised()
    assert synced in (True, False)
    assert health.check_clock().status == ("ok" if synced else "fail")
    timedatectl = subprocess.run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"],
                                 capture_output=True, text=True) if Path("/run/systemd/system").is_dir() else None
    if timedatectl is not None and timedatectl.returncode == 0:
        assert (timedatectl.stdout.strip() == "yes") == synced


def test_disk_and_content_on_this_machine(tmp_path):
    assert health.check_disk(tmp_path).status in ("ok", "warn")
    assert health.check_content().status == "ok"


def test_every_health_sentence_has_its_french_for_the_mediator():
    import ast

    from kiosk import paths
    from kiosk.core.i18n import parse_po

    french = parse_po(paths.LOCALES_DIR / "fr" / "LC_MESSAGES" / "kiosk.po")
    tree = ast.parse(Path(health.__file__).read_text(encoding="utf-8"))
    msgids = [node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_"]
    assert len(msgids) > 40
    assert [m for m in msgids if m not in french] == []


def test_understanding_is_reported(tmp_path, monkeypatch):
    from kiosk.core import understanding
    from kiosk.core.config import load_config

    config = load_config(None)
    check = health.check_understanding(config)
    assert check.status == "ok" and "examples" in check.english
    assert check.values["n"] > 10_000 and "exemples" in check.french
    monkeypatch.setattr(understanding, "sentence_model", lambda: understanding.SentenceModel.__new__(_NoModel))
    assert health.check_understanding(config).status == "warn"
    assert "word lists only" in health.check_understanding(config).english
    off = tmp_path / "off.toml"
    off.write_text("[devices]\nvoice_input = false\n")
    assert health.check_understanding(load_config(off)).status == "ok"


class _NoModel(__import__("kiosk.core.understanding", fromlist=["x"]).SentenceModel):
    @property
    def available(self):
        return False
