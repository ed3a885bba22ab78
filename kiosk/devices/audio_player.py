"""A null audio sink that plays a WAV file in real time: the speaker's test and bench player.

Machines without a sound card (CI, the development boxes) have no player that takes the audio's
duration: `aplay -D null`, `sox -t alsa null` and `sox -n` all return at once. This script reads
the WAV, discards each 10 ms chunk and sleeps until that chunk would have finished playing, so a
"playback" lasts exactly as long as the audio and can be stopped like a real player (SIGTERM).
It prints `first-sample <CLOCK_MONOTONIC ns>` on stdout just before the first chunk, which lets
the benchmark measure the time to the first sample played.

It is run by path with `python -I -S` (about 10 ms to start) and imports nothing from the kiosk.
The product plays on the real card with `aplay -q`; this is never the default.
"""

from __future__ import annotations

import os
import sys
import time
import wave

CHUNK_SECONDS = 0.01


def play(path: str, out=sys.stdout) -> float:
    """Play `path` to nowhere in real time; return the seconds of audio played."""
    with wave.open(path, "rb") as wav, open(os.devnull, "wb") as sink:
        rate = wav.getframerate()
        chunk = max(1, int(rate * CHUNK_SECONDS))
        played = 0
        start = None
        while True:
            data = wav.readframes(chunk)
            if not data:
                break
            if start is None:
                out.write(f"first-sample {time.monotonic_ns()}\n")
                out.flush()
                start = time.monotonic()
            sink.write(data)
            played += len(data) // (wav.getsampwidth() * wav.getnchannels())
            delay = start + played / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return played / rate


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: audio_player.py FILE.wav", file=sys.stderr)
        return 2
    try:
        play(argv[0])
    except (OSError, EOFError, wave.Error) as exc:
        print(f"audio_player: cannot play {argv[0]}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
