"""`kiosk speak TEXT` and `kiosk speech voices|prerender|check`: the voice from the command line."""

from __future__ import annotations

import sys

from kiosk.core.config import ConfigError, load_config


def register(sub) -> None:
    speak = sub.add_parser("speak", help="say a text aloud (or write it to a WAV file)")
    speak.add_argument("text", help="what to say")
    speak.add_argument("--lang", default=None, help="language code: fr, en… (default: the config's)")
    speak.add_argument("--wav", metavar="OUT.wav", help="write the speech to this WAV file instead of playing it")
    speak.add_argument("--rate", choices=("slow", "normal"), default=None, help="speech rate")
    speak.add_argument("--player", default=None,
                       help="player command the WAV path is appended to (default: aplay -q; "
                            "'null' = silent real-time sink)")
    speak.set_defaults(func=run_speak)

    speech = sub.add_parser("speech", help="voice output: voices, pre-rendered prompts, check")
    ssub = speech.add_subparsers(dest="speech_command", metavar="ACTION", required=True)
    voices = ssub.add_parser("voices", help="list the installed voices and the one chosen per language")
    voices.add_argument("--all", action="store_true", help="list every espeak-ng voice, not only fr/en")
    voices.set_defaults(func=run_voices)
    pre = ssub.add_parser("prerender", help="render the fixed prompts (greeting, timeout, errors) to WAV")
    pre.set_defaults(func=run_prerender)
    check = ssub.add_parser("check", help="say whether voice output works on this machine; exit 1 if not")
    check.add_argument("--player", default=None, help="player command to check (default: aplay -q)")
    check.set_defaults(func=run_check)


def _config(args):
    try:
        return load_config(getattr(args, "config", None))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return None


def _speaker(config, **kwargs):
    from kiosk.devices.speaker import Speaker  # noqa: PLC0415 - keep `kiosk --help` fast

    return Speaker(rate=kwargs.pop("rate", None) or config.devices["speech_rate"],
                   default_lang=config.languages["default"], **kwargs)


def run_speak(args) -> int:
    config = _config(args)
    if config is None:
        return 2
    speaker = _speaker(config, rate=args.rate, player=args.player, check_player=not args.wav)
    try:
        if args.wav:
            duration = speaker.render(args.text, args.lang, args.wav)
            if duration is None:
                print(f"could not synthesise speech: {speaker.unavailable_reason or 'no audio produced'}",
                      file=sys.stderr)
                return 1
            print(f"{args.wav}: {duration:.2f} s")
            return 0
        speaker.wait_ready(10)
        if not speaker.available:
            print(speaker.unavailable_reason, file=sys.stderr)
            print("Tip: --wav OUT.wav writes the speech to a file instead.", file=sys.stderr)
            return 1
        speaker.say(args.text, args.lang)
        speaker.wait_idle(timeout=600)
        return 0
    except KeyboardInterrupt:
        speaker.stop()
        return 130
    finally:
        speaker.close(timeout=2)


def run_voices(args) -> int:
    config = _config(args)
    if config is None:
        return 2
    langs = list(config.languages["available"])
    speaker = _speaker(config, player="null")
    try:
        reply = speaker.voices(langs)
    finally:
        speaker.close(timeout=2)
    if reply is None:
        print(f"no voices: {speaker.unavailable_reason or 'the speech worker did not answer'}", file=sys.stderr)
        return 1
    for lang, voice in reply["chosen"].items():
        print(f"{lang}: {voice}")
    for v in reply["voices"]:
        codes = [c.split("-")[0] for c in v["languages"]]
        if args.all or any(c in langs for c in codes):
            print(f"  {v['id']:<28} {v['name']:<36} {' '.join(v['languages'])}")
    return 0


def run_prerender(args) -> int:
    from kiosk.devices.speaker import fixed_prompts  # noqa: PLC0415

    config = _config(args)
    if config is None:
        return 2
    prompts = fixed_prompts(config.languages["available"])
    speaker = _speaker(config, player="null")
    try:
        for rate in ("normal", "slow"):
            speaker.set_rate(rate)
            speaker.prerender(prompts)
            done = speaker.wait_prerendered(timeout=60)
            print(f"{rate}: {len(done)}/{len(prompts)} prompts rendered")
    finally:
        speaker.close(timeout=2)
    return 0 if len(done) == len(prompts) else 1


def run_check(args) -> int:
    config = _config(args)
    if config is None:
        return 2
    speaker = _speaker(config, player=args.player)
    try:
        speaker.wait_ready(10)
        if speaker.available:
            print("voice output works")
            return 0
        print(f"voice output unavailable ({speaker.unavailable_key}): {speaker.unavailable_reason}")
        return 1
    finally:
        speaker.close(timeout=2)
