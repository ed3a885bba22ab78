"""Vosk models per language: a registry with pinned archives, install, verify.

Models live in `paths.data_dir()/models/<lang>/` (the archive's top folder removed). An archive
is installed only when its SHA-256 is the pinned one (or the one given explicitly for an archive
the registry does not know), is extracted in a temporary folder next to the target, checked for
the files vosk needs, then moved into place — a failed install never leaves half a model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tarfile
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kiosk import paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    lang: str
    name: str
    url: str
    sha256: str | None  # None: no published checksum known; install needs --sha256
    size: int | None    # bytes of the archive, when known
    checksum_source: str = ""  # where the checksum was found (the publisher signs nothing)


def _alphacephei(name: str) -> str:
    return f"https://alphacephei.com/vosk/models/{name}.zip"


# Small (dynamic-graph) models of the kiosk's languages: the only kind where grammars work.
# alphacephei.com publishes no checksums: each SHA-256 and size below is the one other projects
# measured on the archive they downloaded and pinned in their manifests; several that agree are
# named. A download that differs is refused, so a wrong pin fails closed.
REGISTRY: dict[str, ModelSpec] = {
    spec.lang: spec
    for spec in (
        ModelSpec("fr", "vosk-model-small-fr-0.22", _alphacephei("vosk-model-small-fr-0.22"),
                  "cabf6180e177eb9b3a9a9d43a437bd5e549f3a7d09525e5d69a3fed787be12ad", 42233323,
                  "Sayboard ModelLink.kt, MetaVoiceType docs/models.md, a Yocto recipe, others"),
        ModelSpec("en", "vosk-model-small-en-us-0.15", _alphacephei("vosk-model-small-en-us-0.15"),
                  "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498", 41205931,
                  "Sayboard ModelLink.kt, MetaVoiceType docs/models.md"),
        ModelSpec("es", "vosk-model-small-es-0.42", _alphacephei("vosk-model-small-es-0.42"),
                  "09b239888f633ef2f0b4e09736e3d9936acfd810bc65d53fad45261762c6511f", 39817833,
                  "Sayboard ModelLink.kt, MetaVoiceType docs/models.md"),
        ModelSpec("pt", "vosk-model-small-pt-0.3", _alphacephei("vosk-model-small-pt-0.3"),
                  "6e1ce909032e1afa7a88e68a3d628ecafff302bdf195befab308826c395e93b7", 32453112,
                  "Sayboard ModelLink.kt, MetaVoiceType docs/models.md, several Brazilian projects"),
        ModelSpec("tr", "vosk-model-small-tr-0.3", _alphacephei("vosk-model-small-tr-0.3"),
                  "8c8d07cec1bce31add14967c16891c84152cdf76d391e33c08278119b9ea96e5", 36855784,
                  "Sayboard ModelLink.kt and two other projects' pinned assets"),
        ModelSpec("uk", "vosk-model-small-uk-v3-small", _alphacephei("vosk-model-small-uk-v3-small"),
                  "ee05b6a8c796c53c61cd1c821d38e897e5bd67b4d691d8797ec8f9e5100d4247", 143914407,
                  "Sayboard ModelLink.kt (one source only)"),
    )
}

# Kiosk languages for which no small vosk model exists (their English names): voice input is not
# offered in them, the kiosk says so and offers touch. Arabic has only large server models, which
# take gigabytes of memory and cannot use grammars; Romanian has none.
NO_SMALL_MODEL: dict[str, str] = {"ar": "Arabic", "ro": "Romanian"}


def no_model_reason(lang: str) -> str:
    """For the admin (English, like the rest of `kiosk models`): why `lang` has no voice model."""
    return f"No small vosk model exists for {NO_SMALL_MODEL[lang]}."


def voice_status(lang: str) -> str:
    """What voice input can do in `lang`: "ready" (a complete model is installed), "not-installed"
    (a model is pinned but not installed here) or "no-model" (no small model exists: touch only)."""
    if check_model_dir(model_path(lang)) is None:
        return "ready"
    return "not-installed" if lang in REGISTRY else "no-model"


# What vosk needs to load a model: the acoustic model, its features config, and a graph
# (dynamic Gr.fst + HCLr.fst for small models, or a static HCLG.fst).
REQUIRED = ("am/final.mdl", "conf/model.conf")
GRAPHS = (("graph/Gr.fst", "graph/HCLr.fst"), ("graph/HCLG.fst",))
MARKER = ".kiosk-model.json"


class ModelError(Exception):
    """A model cannot be installed or used; the message says why, in a sentence."""


def models_dir() -> Path:
    return paths.data_dir() / "models"


def model_path(lang: str) -> Path:
    return models_dir() / lang


def missing_files(path: Path) -> list[str]:
    """What a model directory lacks for vosk to load it (empty list: looks complete)."""
    path = Path(path)
    if not path.is_dir():
        return ["(the folder itself)"]
    missing = [f for f in REQUIRED if not (path / f).is_file()]
    if not any(all((path / f).is_file() for f in graph) for graph in GRAPHS):
        missing.append("graph/Gr.fst + graph/HCLr.fst (or graph/HCLG.fst)")
    return missing


def check_model_dir(path: Path) -> str | None:
    """None if the folder looks like a usable vosk model, else a sentence saying what is wrong."""
    path = Path(path)
    if not path.exists():
        return f"No voice model is installed ({path} does not exist)."
    missing = missing_files(path)
    if missing:
        return f"The voice model in {path} is incomplete: missing {', '.join(missing)}."
    return None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def installed() -> list[dict]:
    """One entry per language folder under models/: lang, path, name, problem (or None)."""
    out = []
    base = models_dir()
    langs = sorted(set(REGISTRY) | ({p.name for p in base.iterdir() if p.is_dir()} if base.is_dir() else set()))
    for lang in langs:
        path = model_path(lang)
        info = {"lang": lang, "path": str(path), "installed": path.is_dir(),
                "pinned": REGISTRY[lang].name if lang in REGISTRY else None}
        if path.is_dir():
            marker = path / MARKER
            if marker.is_file():
                try:
                    info.update({k: v for k, v in json.loads(marker.read_text()).items()
                                 if k in ("name", "sha256", "source")})
                except (OSError, ValueError):
                    pass
            info["problem"] = check_model_dir(path)
        out.append(info)
    return out


def _download(url: str, dest: Path, timeout: float = 60.0) -> None:
    import requests

    log.info("downloading %s", url)
    with requests.get(url, stream=True, timeout=timeout) as r:
        r.raise_for_status()
        with open(dest, "wb") as f:
            for chunk in r.iter_content(chunk_size=1 << 20):
                f.write(chunk)


def _safe_members(names: list[str]) -> None:
    for name in names:
        p = Path(name)
        if p.is_absolute() or ".." in p.parts:
            raise ModelError(f"The archive holds a file outside its folder ({name}); refused.")


def _extract(archive: Path, into: Path) -> None:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            _safe_members(z.namelist())
            z.extractall(into)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as t:
            members = t.getmembers()
            _safe_members([m.name for m in members])
            if any(m.issym() or m.islnk() or m.isdev() for m in members):
                raise ModelError("The archive holds links or device files; refused.")
            t.extractall(into, filter="data")
    else:
        raise ModelError(f"{archive.name} is neither a zip nor a tar archive.")


def _model_root(folder: Path) -> Path:
    """The folder inside an extracted archive that holds am/ and conf/."""
    if (folder / "am").is_dir():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and (subdirs[0] / "am").is_dir():
        return subdirs[0]
    return folder


def install(lang: str, source: str | None = None, sha256: str | None = None) -> Path:
    """Install the model for `lang` from a local archive or an URL (default: the pinned URL).

    The archive's SHA-256 must equal `sha256` when given, else the registry's pinned value; an
    archive with no known checksum is refused."""
    spec = REGISTRY.get(lang)
    expected = (sha256 or (spec.sha256 if spec else None) or "").lower()
    if not expected:
        why = (no_model_reason(lang) if lang in NO_SMALL_MODEL else "") if spec is None \
            else "Its publisher gives no checksum."
        raise ModelError(" ".join(filter(None, (
            f"No pinned checksum for language {lang!r}.", why,
            "Check the archive yourself, then give its SHA-256 with --sha256."))))
    source = source or (spec.url if spec else None)
    if not source:
        raise ModelError(f"No model is pinned for language {lang!r}: give the archive's path or URL.")
    target = model_path(lang)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{lang}-install-") as tmp:
        tmp = Path(tmp)
        if source.startswith(("http://", "https://")):
            archive = tmp / "download"
            try:
                _download(source, archive)
            except Exception as exc:  # network errors come in many classes
                raise ModelError(f"Could not download {source}: {exc}") from exc
        else:
            archive = Path(source)
            if not archive.is_file():
                raise ModelError(f"No archive at {archive}.")
        digest = sha256_of(archive)
        if digest != expected:
            size = archive.stat().st_size
            pinned_size = (f", the pinned archive has {spec.size} bytes"
                           if spec and spec.size and not sha256 else "")
            raise ModelError(f"Checksum mismatch for {source}: got {digest} ({size} bytes{pinned_size}), "
                             f"expected {expected}; the archive was not installed.")
        out = tmp / "extract"
        out.mkdir()
        try:
            _extract(archive, out)
        except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
            raise ModelError(f"Could not unpack {archive.name}: {exc}") from exc
        root = _model_root(out)
        problem = check_model_dir(root)
        if problem:
            raise ModelError(f"The archive is not a usable vosk model. {problem}")
        name = root.name if root != out else (spec.name if spec else lang)
        (root / MARKER).write_text(json.dumps({"name": name, "sha256": digest, "source": str(source)}))
        old = tmp / "previous"
        if target.exists():
            target.rename(old)
        root.rename(target)
    log.info("voice model for %s installed in %s", lang, target)
    return target


def verify(lang: str | None = None, path: Path | None = None, wav: Path | None = None) -> dict:
    """Load the model and run a short recognition (on `wav`, else one second of silence).

    Returns {"ok", "path", "load_s", "text", "problem"}; never raises for a bad model."""
    import time
    import wave

    path = Path(path) if path else model_path(lang or "fr")
    result = {"ok": False, "path": str(path), "load_s": None, "text": None, "problem": None}
    problem = check_model_dir(path)
    if problem:
        result["problem"] = problem
        return result
    try:
        import vosk

        t0 = time.perf_counter()
        model = load_model(path)
        result["load_s"] = round(time.perf_counter() - t0, 2)
        rec = vosk.KaldiRecognizer(model, 16000)
        if wav:
            with wave.open(str(wav), "rb") as w:
                if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise ModelError(f"{wav} must be 16 kHz mono 16-bit PCM.")
                data = w.readframes(w.getnframes())
        else:
            data = b"\0\0" * 16000
        for i in range(0, len(data), 8000):
            rec.AcceptWaveform(data[i:i + 8000])
        result["text"] = json.loads(rec.FinalResult()).get("text", "")
        result["ok"] = True
    except Exception as exc:  # vosk raises plain Exception for a corrupt model
        result["problem"] = f"The voice model in {path} could not be loaded: {exc}"
    return result


# ---- the shared model ----------------------------------------------------------------------------
_models: dict[str, object] = {}
_models_lock = threading.Lock()


def load_model(path: str | Path):
    """The vosk Model for `path`, loaded once per process and shared by every recogniser."""
    import vosk

    key = str(Path(path).resolve())
    with _models_lock:
        if key not in _models:
            vosk.SetLogLevel(-1)
            _models[key] = vosk.Model(key)  # always a path: Model(lang=…) would download
        return _models[key]
