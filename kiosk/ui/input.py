"""Input routing: touches, keys and voice commands → a journey event or a shell command.

Every tap, key activation and voice command ends in `action()`. A finger's repeated tap within
0.5 s counts once; with explore by touch on, a first touch says the control and a second one
acts. Shell commands act on what is on screen (scroll a page, close a card, more time, stop
listening, choose a guess); everything else is a journey event, whose screen and effects go to
the effect runner.
"""

from __future__ import annotations

import logging
from typing import Callable

from kiosk.core.bidi_text import is_rtl_language
from kiosk.core.gestures import ExploreTouch, TapFilter
from kiosk.ui import keys
from kiosk.ui.focus import arrow_step

log = logging.getLogger(__name__)


class InputRouter:
    def __init__(self, *, journey, display, speech, inactivity, receipts, voice, effects,
                 clock: Callable[[], float], recover: Callable[[BaseException], None]):
        self.journey = journey
        self.display = display
        self.speech = speech
        self.inactivity = inactivity
        self.receipts = receipts
        self.voice = voice
        self.effects = effects
        self.clock = clock
        self.recover = recover
        self.tap_filter = TapFilter()
        self.explore = ExploreTouch()

    @property
    def _(self):
        return self.journey.translator.gettext

    def action(self, action_id: str, source=None, by_touch: bool = False, force: bool = False) -> None:
        """One tap, key activation or voice command (`force`: not a finger, no filter)."""
        now = self.clock()
        if force:
            self.tap_filter.mark(now)
        elif by_touch and self.journey.session.explore_by_touch and source is not None:
            # the control is known by what it does: a screen redrawn between the two touches
            # (a device line updated, a timer) keeps the double tap
            if not self.explore.touch(source.action_id, now):
                self._say_control(source, now)
                return
            self.tap_filter.mark(now)  # the second tap of a double tap is meant, not a bounce
        elif not self.tap_filter.accept(now):
            return
        self.inactivity.activity(now)
        try:
            self._dispatch(action_id, now)
        except Exception as exc:
            self.recover(exc)

    def send(self, action_id: str) -> None:
        """An event that is meant, not a finger (voice commands, the mediator desk)."""
        self.action(action_id, force=True)

    def _say_control(self, control, now: float) -> None:
        """Explore by touch: a first touch says the control and focuses it."""
        self.inactivity.activity(now)
        self.display.focus.focus(control)
        if control.speech_lang:   # a language's name, said in that language
            self.speech.say(control.speech, language=control.speech_lang)
        else:
            self.speech.say(f"{control.speech}. " + self._("Touch twice quickly to choose."))

    def _dispatch(self, action_id: str, now: float) -> None:
        verb, _sep, arg = action_id.partition(":")
        if verb == "scroll":
            self.display.current_screen().scroll_page(1 if arg == "down" else -1)
        elif action_id == "more-time":
            self.inactivity.extend(now)
            self.display.hide_overlay()
            self.speech.say(self._("You have more time."))
        elif action_id == "dismiss":
            self.display.hide_overlay()
        elif action_id == "read-receipt":
            self.receipts.read_aloud()
        elif action_id == "listen-stop":
            self.voice.stop()
        elif verb == "voice":
            self.voice.choose(arg)
        else:
            self._to_journey(action_id, now)

    def _to_journey(self, event: str, now: float) -> None:
        was_started = self.journey.session.started
        model = self.journey.handle(event)
        if not was_started and self.journey.session.started:
            self.inactivity.start(now)
        self.effects.run(model, self.journey.take_effects())

    # ---- keys ---------------------------------------------------------------------------------

    def on_key_down(self, _window, key, _scancode, codepoint, modifiers) -> bool:
        self.inactivity.activity(self.clock())
        focus = self.display.focus
        typed = self._typed_event(key, codepoint, modifiers)
        if typed:
            self.action(typed, force=True)   # typing: every key counts, even quick repeats
            return True
        if key == keys.TAB:
            self._move(focus, -1 if "shift" in modifiers else 1)
        elif key in (keys.DOWN, keys.RIGHT, keys.UP, keys.LEFT):
            self._move(focus, arrow_step(key, is_rtl_language(self.journey.session.language)))
        elif key in (keys.ENTER, keys.KP_ENTER, keys.SPACE):
            focused = focus.widget()
            if focused is not None:
                self.action(focused.action_id, source=focused, by_touch=False)
        elif key in (keys.ESCAPE, keys.BACKSPACE):
            if not self.display.overlay_shown and self.journey.screen_name != "attract":
                self.action("back")
        elif key == keys.F1:
            self.action("repeat")
        elif key == keys.F2:
            self.action("listen")
        elif key == keys.MEDIATOR:
            self.action("staff:open", force=True)
        else:
            return False
        return True

    def _typed_event(self, key, codepoint, modifiers) -> str | None:
        """A physical keyboard types into the search field and the PIN keypad (its space bar
        types a space there; it never presses the focused on-screen key)."""
        if self.display.overlay_shown or {"ctrl", "alt", "meta"} & set(modifiers or ()):
            return None
        screen = self.journey.screen_name
        char = (codepoint or "").lower()
        if screen == "search":
            from kiosk.core.search import BACKSPACE, SPACE, TYPABLE

            if key == keys.BACKSPACE:
                return f"key:{BACKSPACE}"
            if key == keys.SPACE:
                return f"key:{SPACE}"
            if len(char) == 1 and char in TYPABLE:
                return f"key:{char}"
        elif screen == "pin":
            if key == keys.BACKSPACE:
                return "staff:erase"
            if len(char) == 1 and char in "0123456789":
                return f"staff:digit:{char}"
        return None

    def _move(self, focus, delta: int) -> None:
        focused = focus.move(delta)
        if focused is not None:
            self.speech.say(focused.speech, interrupt=True, language=focused.speech_lang)
