"""A citizen's session: held in memory only, wiped at the end, on timeout and on crash."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from kiosk.core.i18n import N_

# The three levels of help every démarche offers, with their names (English msgids).
HELP_LEVELS = ("urgent", "guide", "teach")
HELP_LEVEL_LABELS = {"urgent": N_("Do it for me now"), "guide": N_("Guide me"),
                     "teach": N_("Teach me")}
NO_HELP_LEVEL = "none"   # in the anonymous counts: a session that chose no level


@dataclass
class Session:
    """Everything the kiosk knows about the person in front of it. Never written anywhere."""

    language: str = "fr"
    text_step: int = 0            # 0, 1, 2: the three text sizes
    high_contrast: bool = False
    voice_on: bool = True
    speech_rate: str = "normal"   # normal | slow
    explore_by_touch: bool = False
    theme: str | None = None
    demarche: str | None = None
    help_level: str | None = None  # urgent | guide | teach
    step: int = 0
    outcome: str | None = None     # done | stuck | mediator | abandoned
    satisfaction: int | None = None  # 1..5
    reason: str | None = None        # one of the fixed reason ids, never free text
    mediator_called: bool = False
    history: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return bool(self.history)

    def wipe(self, default_language: str) -> None:
        """Forget everything, in place, back to a new citizen's defaults."""
        fresh = Session(language=default_language)
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))
