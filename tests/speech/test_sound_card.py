"""Whether the kernel has a sound card for `aplay` is known at once (the first screen shows a
missing loudspeaker), and the worker's probe still has the last word."""

from __future__ import annotations

from kiosk.devices.speaker import alsa_has_a_card
from tests.speech.conftest import wait_for


def test_the_kernels_card_list_decides(tmp_path):
    cards = tmp_path / "cards"
    cards.write_text("--- no soundcards ---\n")
    assert not alsa_has_a_card(str(cards))
    cards.write_text(" 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n"
                     "                      HDA Intel PCH at 0xf7f10000 irq 31\n")
    assert alsa_has_a_card(str(cards))
    cards.write_text("")
    assert not alsa_has_a_card(str(cards))
    assert not alsa_has_a_card(str(tmp_path / "no-asound" / "cards"))   # no ALSA at all


def test_a_card_missing_is_known_at_once_and_the_probe_has_the_last_word(make_speaker, tmp_path,
                                                                         monkeypatch):
    import kiosk.devices.speaker as speaker

    monkeypatch.setattr(speaker, "alsa_has_a_card", lambda: False)
    states = []
    s = speaker.Speaker(player="aplay -q -D kiosk_no_such_card", cache_dir=tmp_path / "cache",
                        on_state=states.append)
    try:
        assert s.unavailable_key == "no_sound_card" and states == ["unavailable"]  # before the worker
        assert s.wait_ready(15)
        assert s.unavailable_key == "no_sound_card"   # the probe agrees: no new state, no redraw
        assert states == ["unavailable"]
    finally:
        s.close(timeout=2)
    # a player called aplay that works (a sound server behind ALSA's default device): the probe
    # clears what /proc/asound said
    fake = tmp_path / "bin" / "aplay"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")   # plays nothing, and says it worked
    fake.chmod(0o755)
    s = make_speaker(player=[str(fake), "-q"])
    assert wait_for(lambda: s.available, 10), s.unavailable_reason
