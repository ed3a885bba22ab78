"""`kiosk models list|install|verify`: the vosk voice models in the kiosk's data folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.devices import voice_models


def register(sub) -> None:
    models = sub.add_parser("models", help="voice recognition models (vosk)")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    ls = msub.add_parser("list", help="pinned models and what is installed; prints JSON")
    ls.set_defaults(func=run_list)

    ins = msub.add_parser("install", help="install a language's model from a local archive or an URL")
    ins.add_argument("lang", help="language code, e.g. fr")
    ins.add_argument("source", nargs="?", help="archive path or URL (default: the pinned URL)")
    ins.add_argument("--sha256", help="the SHA-256 you checked, for an archive the registry does not "
                     "pin (without it such an archive is refused)")
    ins.set_defaults(func=run_install)

    ver = msub.add_parser("verify", help="load a model and run a short recognition; exit 1 if it fails")
    ver.add_argument("lang", nargs="?", default="fr")
    ver.add_argument("--path", type=Path, help="a model folder instead of the installed one")
    ver.add_argument("--wav", type=Path, help="a 16 kHz mono WAV to recognise (default: silence)")
    ver.set_defaults(func=run_verify)


def run_list(args) -> int:
    out = {
        "models_dir": str(voice_models.models_dir()),
        "pinned": [{"lang": s.lang, "name": s.name, "url": s.url, "sha256": s.sha256, "size": s.size,
                    "checksum_source": s.checksum_source}
                   for s in voice_models.REGISTRY.values()],
        "no_model": [{"lang": lang, "reason": voice_models.no_model_reason(lang)}
                     for lang in voice_models.NO_SMALL_MODEL],
        "installed": [m for m in voice_models.installed() if m["installed"]],
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def run_install(args) -> int:
    try:
        path = voice_models.install(args.lang, args.source, args.sha256)
    except voice_models.ModelError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"voice model for {args.lang} installed in {path}")
    return 0


def run_verify(args) -> int:
    result = voice_models.verify(args.lang, path=args.path, wav=args.wav)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1
