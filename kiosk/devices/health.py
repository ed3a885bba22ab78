"""The kiosk's health checks: one source for `kiosk doctor` and the mediator panel.

Each check looks at the real system (sysfs, /proc, ALSA, V4L2, the clock, the config, the
content, the printer) and returns a `Check`: a stable name, a status (ok, warn, fail) and one
plain sentence, kept as an English msgid with its values so that it can be said in French to the
mediator and in English to an admin (kiosk/core/i18n.py). Nothing here needs a screen or Kivy,
and nothing here reads anything of a citizen's session.

    checks = run_checks(config)                    # blocking (printer, hub): off the UI thread
    for c in checks: print(c.status, c.text("fr"))

fail: something a citizen needs does not work (no touchscreen, no sound, the printer is out of
paper, the config is wrong). warn: works, but an admin should look (disk getting full, a model
without a pinned checksum). ok: fine, or deliberately not used ("no hub is configured").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kiosk import paths
from kiosk.core.i18n import N_, translations

OK, WARN, FAIL = "ok", "warn", "fail"
STATUSES = (OK, WARN, FAIL)

SYS = Path("/sys")
PROC = Path("/proc")
DEV = Path("/dev")

DISK_FAIL_BYTES = 200 * 1024 * 1024
DISK_WARN_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    """One health line. `message` is an English msgid with {placeholders} filled from `values`."""

    name: str
    status: str
    message: str
    values: dict = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        return translations(language).gettext(self.message).format(**self.values)

    @property
    def french(self) -> str:
        """For the mediator's panel."""
        return self.text("fr")

    @property
    def english(self) -> str:
        """For admins (`kiosk doctor`, the hub's fleet view)."""
        return self.text("en")

    @property
    def ok(self) -> bool:
        return self.status != FAIL

    def as_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "en": self.english, "fr": self.french}


# ---- screen and input ------------------------------------------------------------------------

def check_display(sys_root: Path = SYS) -> Check:
    """A monitor connected to a graphics card (DRM connector status), and its best resolution."""
    connected = []
    for connector in sorted((sys_root / "class" / "drm").glob("card*-*")):
        try:
            if (connector / "status").read_text().strip() != "connected":
                continue
            modes = (connector / "modes").read_text().split()
        except OSError:
            continue
        connected.append((connector.name.split("-", 1)[1], modes[0] if modes else ""))
    if not connected:
        return Check("display", FAIL, N_("Screen: no connected screen found. Check the screen's "
                                         "cable and power, then restart the kiosk."))
    name, mode = connected[0]
    if not mode:
        return Check("display", WARN, N_("Screen: {name} is connected but reports no resolution. "
                                         "Check the cable."), {"name": name})
    return Check("display", OK, N_("Screen: {name} connected, {mode}."), {"name": name, "mode": mode})


def _bits(hex_words: str) -> set[int]:
    """The bit numbers set in a /proc/bus/input bitmap (space-separated hex words, high first)."""
    bits = set()
    for index, word in enumerate(reversed(hex_words.split())):
        value = int(word, 16)
        width = 64
        for bit in range(width):
            if value >> bit & 1:
                bits.add(index * width + bit)
    return bits


INPUT_PROP_DIRECT = 0x01
ABS_X, ABS_Y, ABS_MT_POSITION_X = 0x00, 0x01, 0x35


def touchscreens(proc_root: Path = PROC) -> list[str]:
    """Names of the input devices that are touchscreens (direct pointing with X/Y axes)."""
    try:
        text = (proc_root / "bus" / "input" / "devices").read_text()
    except OSError:
        return []
    found = []
    for block in text.split("\n\n"):
        name, prop, absolute = "", set(), set()
        for line in block.splitlines():
            if line.startswith("N: Name="):
                name = line.split("=", 1)[1].strip().strip('"')
            elif line.startswith("B: PROP="):
                prop = _bits(line.split("=", 1)[1])
            elif line.startswith("B: ABS="):
                absolute = _bits(line.split("=", 1)[1])
        has_axes = {ABS_X, ABS_Y} <= absolute or ABS_MT_POSITION_X in absolute
        if INPUT_PROP_DIRECT in prop and has_axes:
            found.append(name or "touchscreen")
    return found


def check_touch(proc_root: Path = PROC) -> Check:
    found = touchscreens(proc_root)
    if not found:
        return Check("touch", FAIL, N_("Touch: no touchscreen found. Check the screen's USB cable, "
                                       "then restart the kiosk."))
    return Check("touch", OK, N_("Touch: {name}."), {"name": found[0]})


# ---- sound, camera ---------------------------------------------------------------------------

def sound_devices(kind: str, proc_root: Path = PROC) -> list[str]:
    """ALSA PCM devices that can `kind` ("playback" or "capture"), from /proc/asound/pcm."""
    try:
        lines = (proc_root / "asound" / "pcm").read_text().splitlines()
    except OSError:
        return []
    return [line.split(":")[2].strip() if line.count(":") >= 2 else line
            for line in lines if f"{kind} " in line]


def check_speaker(config, proc_root: Path = PROC) -> Check:
    if not config.devices["voice_output"]:
        return Check("speaker", WARN, N_("Loudspeaker: speech is turned off in the settings "
                                         "(devices.voice_output)."))
    found = sound_devices("playback", proc_root)
    if not found:
        return Check("speaker", FAIL, N_("Loudspeaker: no sound output found. Check that the "
                                         "loudspeaker is plugged in and switched on."))
    return Check("speaker", OK, N_("Loudspeaker: {name}."), {"name": found[0]})


def check_microphone(config, proc_root: Path = PROC) -> Check:
    if not config.devices["voice_input"]:
        return Check("microphone", OK, N_("Microphone: voice input is turned off in the settings."))
    found = sound_devices("capture", proc_root)
    if not found:
        return Check("microphone", FAIL, N_("Microphone: none found, so voice input cannot work. "
                                            "Check that the microphone is plugged in."))
    return Check("microphone", OK, N_("Microphone: {name}."), {"name": found[0]})


def check_camera(dev_root: Path = DEV, sys_root: Path = SYS) -> Check:
    names = []
    for node in sorted(dev_root.glob("video*")):
        try:
            names.append((sys_root / "class" / "video4linux" / node.name / "name").read_text().strip())
        except OSError:
            names.append(node.name)
    if not names:
        return Check("camera", FAIL, N_("Camera: none found, so video calls cannot show the "
                                        "citizen. Check the camera's USB cable."))
    return Check("camera", OK, N_("Camera: {name}."), {"name": names[0]})


# ---- voice models ----------------------------------------------------------------------------

def check_voice_models(config) -> list[Check]:
    """One line per language offered that has a pinned model (kiosk/devices/voice_models.py):
    installed, complete, and the archive's checksum the pinned one. The default language's model
    is needed for voice input (fail when missing); another language's is a warning. Languages
    with no pinned model get no line: voice input is simply not offered in them."""
    from kiosk.devices import voice_models

    out = []
    needed = config.devices["voice_input"]
    for lang in config.languages["available"]:
        name = f"voice-model-{lang}"
        path = voice_models.model_path(lang)
        spec = voice_models.REGISTRY.get(lang)
        if spec is None:
            continue
        if not path.is_dir():
            status = OK if not needed else FAIL if lang == config.languages["default"] else WARN
            out.append(Check(name, status,
                             N_("Voice model ({lang}): not installed. Install it with "
                                "\"kiosk models install {lang}\".") if needed else
                             N_("Voice model ({lang}): not installed (voice input is off)."),
                             {"lang": lang}))
            continue
        problem = voice_models.check_model_dir(path)
        if problem:
            out.append(Check(name, FAIL, N_("Voice model ({lang}): incomplete. Install it again with "
                                            "\"kiosk models install {lang}\"."), {"lang": lang}))
            continue
        try:
            marker = json.loads((path / voice_models.MARKER).read_text())
        except (OSError, ValueError):
            marker = {}
        digest = str(marker.get("sha256", ""))
        if digest == spec.sha256:
            out.append(Check(name, OK, N_("Voice model ({lang}): {model}, checksum matches the "
                                          "pinned one."), {"lang": lang, "model": spec.name}))
        elif digest:
            out.append(Check(name, FAIL, N_("Voice model ({lang}): its checksum is not the pinned one. "
                                            "Install it again with \"kiosk models install {lang}\"."),
                             {"lang": lang}))
        else:
            out.append(Check(name, WARN, N_("Voice model ({lang}): installed, but no pinned checksum "
                                            "to compare it with."), {"lang": lang}))
    return out


# ---- printer, hub ----------------------------------------------------------------------------

_PRINTER_REASONS = {
    "absent": N_("Printer: not found. Check its cable, its power and its address in the settings."),
    "offline": N_("Printer: switched off or paused. Switch it on and clear any error."),
    "paper_out": N_("Printer: the paper roll is empty. Put in a new roll."),
    "cover_open": N_("Printer: the cover is open. Close it."),
    "timeout": N_("Printer: does not answer. Check that it is on and not jammed."),
    "refused": N_("Printer: refuses jobs. It may be busy, or its queue rejects jobs."),
}


def check_understanding(config) -> Check:
    """What voice input understands with: the sentence model and the examples, or, when the model
    cannot run on this machine, the word lists alone (still working, less forgiving)."""
    if not config.devices["voice_input"]:
        return Check("understanding", OK, N_("Understanding: voice input is turned off in the settings."))
    from kiosk.core import understanding

    # the model is mapped, not read (light); the examples' vectors are not loaded for a check
    try:
        n = len(understanding.read_examples(understanding.EXAMPLES_TSV))
    except (OSError, ValueError, UnicodeDecodeError):
        n = 0
    if not n or not understanding.sentence_model().available:
        return Check("understanding", WARN, N_("Understanding: the sentence model cannot run here, so "
                                               "spoken requests are matched on the word lists only. "
                                               "Install the kiosk's packages again."))
    return Check("understanding", OK, N_("Understanding: sentence model and {n} examples loaded."),
                 {"n": n})


def check_printer(config, printer=None) -> Check:
    """Ask the printer for its state (blocking; a DLE EOT status query for ESC/POS)."""
    uri = config.devices["printer"]
    if uri == "none":
        return Check("printer", WARN, N_("Printer: none is set up. Citizens get a QR code instead "
                                         "of paper."))
    try:
        if printer is None:
            from kiosk.devices.printer import open_printer

            printer = open_printer(uri)
        status = printer.status()
    except Exception as exc:  # a printer library can fail in many ways; the check must not
        return Check("printer", FAIL, N_("Printer: could not be asked ({error}). Check its address "
                                         "in the settings."), {"error": exc.__class__.__name__})
    if status.ok and not status.checked:
        return Check("printer", WARN, N_("Printer: set up, but this connection cannot report its "
                                         "state. Print a test page to check it."))
    if status.ok:
        return Check("printer", OK, N_("Printer: ready."))
    return Check("printer", FAIL, printer_problem(status.reason))


def printer_problem(reason: str | None) -> str:
    """A printer reason code (kiosk.devices.printer.job.REASONS) as a sentence for the mediator
    (an English msgid): the one wording of the doctor, the panel and the test page."""
    return _PRINTER_REASONS.get(reason or "", N_(
        "Printer: an unexpected problem. Print a test page from the mediator panel."))


def _hub_device_file(config) -> Path:
    configured = config.values.get("hub", {}).get("device_file", "")
    return Path(configured) if configured else paths.data_dir() / "hub-device.json"


def check_hub(config, timeout: float = 5.0) -> Check:
    """The hub: configured or not (a kiosk works alone), enrolled, reachable."""
    url = config.values.get("hub", {}).get("url", "")
    device_file = _hub_device_file(config)
    enrolled = device_file.is_file()
    if not url and enrolled:
        try:
            device = json.loads(device_file.read_text())
            url = str(device.get("hub_url") or device.get("url") or "")
        except (OSError, ValueError):
            url = ""
    if not url:
        return Check("hub", OK, N_("Hub: none is configured. The kiosk works on its own."))
    import requests

    try:
        requests.get(url, timeout=timeout)
    except requests.RequestException:
        return Check("hub", FAIL, N_("Hub: {url} cannot be reached. Check the network; the kiosk "
                                     "keeps working and sends its figures later."), {"url": url})
    if not enrolled:
        return Check("hub", FAIL, N_("Hub: {url} answers, but this kiosk is not enrolled. Enrol it "
                                     "with \"kiosk enrol\" and the code from the hub."), {"url": url})
    return Check("hub", OK, N_("Hub: {url} answers and this kiosk is enrolled."), {"url": url})


# ---- system ----------------------------------------------------------------------------------

def check_disk(folder: Path | None = None) -> Check:
    folder = folder or paths.data_dir()
    free = shutil.disk_usage(folder).free
    values = {"free": f"{free / 1024 ** 3:.1f}", "folder": str(folder)}
    if free < DISK_FAIL_BYTES:
        return Check("disk", FAIL, N_("Disk: only {free} GB free for {folder}. Free some space: the "
                                      "kiosk cannot record its figures."), values)
    if free < DISK_WARN_BYTES:
        return Check("disk", WARN, N_("Disk: {free} GB free for {folder}, getting low."), values)
    return Check("disk", OK, N_("Disk: {free} GB free for {folder}."), values)


TIME_ERROR = 5
STA_UNSYNC = 0x0040


def clock_synchronised() -> bool | None:
    """The kernel's view (adjtimex, read-only): True when an NTP client keeps the clock in step,
    None when it cannot be asked. This is what `timedatectl` reports as "System clock
    synchronized"."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    libc = ctypes.CDLL(libc_name, use_errno=True)
    timex = ctypes.create_string_buffer(512)  # struct timex is ~208 bytes; modes = 0 (read only)
    state = libc.adjtimex(timex)
    if state < 0:
        return None
    status = ctypes.c_int.from_buffer(timex, _STATUS_OFFSET).value
    return state != TIME_ERROR and not status & STA_UNSYNC


# struct timex (64-bit Linux): unsigned int modes, padding, long offset, freq, maxerror, esterror;
# then int status.
_STATUS_OFFSET = 8 + 4 * ctypes.sizeof(ctypes.c_long)


def check_clock() -> Check:
    synced = clock_synchronised()
    if synced is None:
        return Check("clock", WARN, N_("Clock: its synchronisation cannot be checked on this system."))
    if not synced:
        return Check("clock", FAIL, N_("Clock: not synchronised. Check the network and that "
                                       "systemd-timesyncd runs (timedatectl)."))
    return Check("clock", OK, N_("Clock: synchronised."))


# ---- config, PIN, content --------------------------------------------------------------------

def check_config(config_path: str | Path | None):
    """(Check, the validated Config or None). No file means the demo settings."""
    from kiosk.core.config import ConfigError, load_config

    if config_path is None:
        return Check("config", WARN, N_("Settings: no settings file, the demo settings are used.")), \
            load_config(None)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return Check("config", FAIL, N_("Settings: {file} has {n} problems: {problems}"),
                     {"file": str(config_path), "n": len(exc.problems),
                      "problems": " | ".join(exc.problems)}), None
    return Check("config", OK, N_("Settings: {file} is valid."), {"file": str(config_path)}), config


def check_pin(config) -> Check:
    if config.source == "demo defaults":
        return Check("pin", WARN, N_("Mediator code: the demo's public code. A device gets its own "
                                     "with \"kiosk set-pin --stdin\"."))
    if config.values.get("mediator", {}).get("pin_hash"):
        return Check("pin", OK, N_("Mediator code: set (stored as a salted hash)."))
    return Check("pin", FAIL, N_("Mediator code: not set. Set it with \"kiosk set-pin --stdin\"."))


def check_content() -> Check:
    from kiosk.core.catalogue import load_catalogue
    from kiosk.core.content_update import active_content_dir

    try:
        catalogue = load_catalogue(active_content_dir(paths.data_dir()))  # the hub's, when it sent one
    except Exception as exc:  # a broken content folder must be reported, not crash the doctor
        return Check("content", FAIL, N_("Content: cannot be loaded ({error}). Run \"kiosk content "
                                         "check\"."), {"error": exc.__class__.__name__})
    n, p = len(catalogue.demarches), len(catalogue.problems)
    if p:
        return Check("content", FAIL, N_("Content: {n} procedures loaded, {p} problems. Run "
                                         "\"kiosk content check\"."), {"n": n, "p": p})
    if not n:
        return Check("content", FAIL, N_("Content: no procedure is loaded. Check the content folder."))
    return Check("content", OK, N_("Content: {n} procedures, all valid."), {"n": n})


# ---- all of them -----------------------------------------------------------------------------

def run_checks(config=None, config_path: str | Path | None = None, printer=None,
               hub_timeout: float = 5.0, only: set[str] | None = None) -> list[Check]:
    """Every check, in the order a person reads them. Blocking (printer and hub are asked).

    Give `config` (already loaded, e.g. by the app) or `config_path` (validated here, for the
    doctor); `printer` reuses an opened printer object; `only` limits the run to these names
    ("voice-model" stands for every language)."""
    checks: list[Check] = []
    if config is None:
        config_check, config = check_config(config_path)
        checks.append(config_check)
        if config is None:
            from kiosk.core.config import load_config

            config = load_config(None)  # check the rest against the defaults
    elif config.source == "demo defaults":
        checks.append(Check("config", WARN, N_("Settings: no settings file, the demo settings are used.")))
    else:
        checks.append(Check("config", OK, N_("Settings: {file} is valid."), {"file": config.source}))
    steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
        ("display", check_display), ("touch", check_touch), ("speaker", lambda: check_speaker(config)),
        ("microphone", lambda: check_microphone(config)), ("voice-model", lambda: check_voice_models(config)),
        ("understanding", lambda: check_understanding(config)),
        ("printer", lambda: check_printer(config, printer)), ("camera", check_camera),
        ("hub", lambda: check_hub(config, hub_timeout)), ("disk", check_disk), ("clock", check_clock),
        ("pin", lambda: check_pin(config)), ("content", check_content),
    ]
    if only is not None:
        checks = [c for c in checks if c.name in only]
    for name, step in steps:
        if only is not None and name not in only:
            continue
        result = step()
        checks.extend(result if isinstance(result, list) else [result])
    return checks


def all_ok(checks: list[Check]) -> bool:
    return all(c.status != FAIL for c in checks)
