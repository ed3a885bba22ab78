"""The kiosk's call state machine (pure Python): what it says while waiting, and every way a call ends."""

from __future__ import annotations

from kiosk.core.visio import HUB_GIVE_UP_S, HUB_SILENCE_S, SAY_AGAIN_S, VisioCall, not_offered_text, say


def identity(text: str) -> str:
    return text


def waiting(position, wait_s):
    return {"state": "waiting", "position": position, "wait_s": wait_s}


def test_position_and_wait_are_said_when_they_change_and_again_after_a_while():
    call = VisioCall(started_at=0)
    call.created("abc")
    assert call.phase == "consent"
    first = call.status(waiting(3, 600), now=1)
    assert say(identity, first) == "You are number 3 in the queue. Estimated wait: about 10 minutes."
    assert call.status(waiting(3, 610), now=2) == []  # same position, same minutes: silence
    assert say(identity, call.status(waiting(1, 50), now=3)) == \
        "You are next in the queue. Estimated wait: about 1 minute."
    assert call.status(waiting(1, 50), now=3 + SAY_AGAIN_S) != []
    assert say(identity, call.status(waiting(2, None), now=4 + 2 * SAY_AGAIN_S)) == \
        "You are number 2 in the queue. No advisor is available at the moment."
    assert call.log == ["consent", "waiting"]


def test_taken_then_ended_by_the_advisor():
    call = VisioCall(started_at=0)
    call.created("abc")
    call.status(waiting(1, 60), now=1)
    call.status({"state": "taken"}, now=2)
    assert call.phase == "in_call"
    call.status({"state": "ended", "end_reason": "advisor"}, now=3)
    assert call.over and call.end_reason == "advisor"
    assert say(identity, [call.end_sentence()]) == "The advisor has hung up."
    call.browser_exited()  # the browser closed after: the first reason stays
    assert call.end_reason == "advisor"


def test_the_hub_silent_is_said_once_then_the_call_is_given_up():
    call = VisioCall(started_at=0)
    call.created("abc")
    call.status(waiting(1, 60), now=0)
    assert call.hub_unreachable(now=10) == []
    said = call.hub_unreachable(now=10 + HUB_SILENCE_S)
    assert say(identity, said) == "The link with the call service is cut. We keep trying."
    assert call.hub_unreachable(now=11 + HUB_SILENCE_S) == []
    call.status(waiting(1, 60), now=20)  # back: the count starts again
    assert call.hub_unreachable(now=21) == []
    call.hub_unreachable(now=21 + HUB_GIVE_UP_S)
    assert call.over and call.end_reason == "hub"


def test_a_crashed_browser_ends_the_call():
    call = VisioCall(started_at=0)
    call.created("abc")
    call.browser_exited()
    assert call.over and call.end_reason == "browser"


def test_why_a_call_is_not_offered_is_one_sentence_with_what_to_do():
    text = not_offered_text(identity, "no_advisor")
    assert text.startswith("No advisor of this partner is available right now.")
    assert "mediator" in text
