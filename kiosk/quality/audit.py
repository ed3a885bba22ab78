"""Check a drawn screen against the accessibility numbers (docs/accessibility.md).

Measures the real widgets: text cap height in mm at the configured DPI, contrast of each text
against what is painted behind it, target sizes and gaps, clipped text, speech labels and
keyboard reachability. Returns one sentence per violation.
"""

from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from kiosk.core import accessibility as a11y
from kiosk.core.screen import calls_or_erases
from kiosk.quality.driver import is_visible
from kiosk.ui.widgets.content import BodyText, ListItem
from kiosk.ui.widgets.controls import KioskButton
from kiosk.ui.widgets.tree import ancestors

TOLERANCE_PX = 1.5
CONTENT_SHARE = 0.5   # the page's content keeps at least half of the screen, in every mode


def _background(widget) -> tuple:
    for node in ancestors(widget):
        color = getattr(node, "bg_color", None)
        if color is not None and len(color) == 4 and color[3] > 0.5:
            return tuple(color)
    return tuple(Window.clearcolor)


def _window_rect(widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _inside_scroll(widget) -> bool:
    return any(isinstance(node, ScrollView) for node in ancestors(widget))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _is_body_text(label: Label) -> bool:
    return isinstance(label, BodyText) or isinstance(label.parent, (ListItem, KioskButton)) or \
        isinstance(getattr(label.parent, "parent", None), KioskButton)


def audit_screen(driver, mode: str) -> list[str]:
    app = driver.app
    dpi = app.dpi
    high_contrast = mode == "high-contrast"
    largest = mode == "largest-text"
    problems: list[str] = []
    min_text = a11y.MIN_TEXT_CONTRAST_HIGH if high_contrast else a11y.MIN_TEXT_CONTRAST
    win_w, win_h = Window.size

    # Under a modal overlay only the overlay can be seen clearly and used.
    display = app.display
    top = display.overlay if display.overlay_shown else display.root
    widgets = [w for w in top.walk(restrict=False) if is_visible(w)]
    for label in (w for w in widgets if isinstance(w, Label) and w.text.strip()):
        icon = label.font_name == "Lucide"
        name = "pictogram" if icon else f"text {_short(label.text)}"
        if not icon:
            cap = a11y.cap_mm_for_font_px(label.font_size, dpi)
            if cap < a11y.MIN_BODY_CAP_MM - 0.01:
                problems.append(f"{name}: capital letters {cap:.1f} mm tall, at least {a11y.MIN_BODY_CAP_MM} mm")
            if largest and _is_body_text(label) and cap < a11y.MIN_LARGE_CAP_MM - 0.01:
                problems.append(f"{name}: {cap:.1f} mm in largest-text mode, at least {a11y.MIN_LARGE_CAP_MM} mm")
        ratio = a11y.contrast_ratio(label.color, _background(label))
        needed = a11y.MIN_CONTROL_CONTRAST if icon else min_text
        if ratio < needed:
            problems.append(f"{name}: contrast {ratio:.1f}:1, at least {needed}:1")
        tw, th = label.texture_size
        if tw > label.width + TOLERANCE_PX or th > label.height + TOLERANCE_PX:
            problems.append(f"{name}: clipped ({tw:.0f}x{th:.0f} px of text in a {label.width:.0f}x{label.height:.0f} px box)")
        x0, y0, x1, y1 = _window_rect(label)
        if not _inside_scroll(label) and (x0 < -TOLERANCE_PX or y0 < -TOLERANCE_PX or
                                          x1 > win_w + TOLERANCE_PX or y1 > win_h + TOLERANCE_PX):
            problems.append(f"{name}: outside the screen")

    buttons = [w for w in widgets if isinstance(w, KioskButton)]
    min_px = a11y.mm_to_px(a11y.MIN_TARGET_MM, dpi) - TOLERANCE_PX
    for button in buttons:
        name = f"button {_short(button.label or button.action_id)}"
        if button.width < min_px or button.height < min_px:
            problems.append(f"{name}: {a11y.px_to_mm(button.width, dpi):.1f} x "
                            f"{a11y.px_to_mm(button.height, dpi):.1f} mm, at least {a11y.MIN_TARGET_MM} mm each way")
        if not button.speech.strip():
            problems.append(f"{name}: no speech label")
        if button not in display.focus.order:
            problems.append(f"{name}: not reachable with the keyboard")
        behind = _background(button)
        if max(a11y.contrast_ratio(button.bg_color, behind),
               a11y.contrast_ratio(button.border_color, behind)) < a11y.MIN_CONTROL_CONTRAST:
            problems.append(f"{name}: control contrast below {a11y.MIN_CONTROL_CONTRAST}:1 against its background")
    min_gap = a11y.mm_to_px(a11y.MIN_TARGET_GAP_MM, dpi) - TOLERANCE_PX
    rects = [(b, _window_rect(b)) for b in buttons]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            if a in b.walk() or b in a.walk():
                continue
            dx = max(rb[0] - ra[2], ra[0] - rb[2])
            dy = max(rb[1] - ra[3], ra[1] - rb[3])
            if max(dx, dy) < min_gap:
                problems.append(f"buttons {_short(a.label)} and {_short(b.label)}: "
                                f"{a11y.px_to_mm(max(dx, dy, 0), dpi):.1f} mm apart, at least {a11y.MIN_TARGET_GAP_MM} mm")

    focused = display.focus.widget()
    if focused is not None and calls_or_erases(focused.action_id):  # as the screen opened
        problems.append(f"the screen opens with the focus on {_short(focused.label)}, which calls "
                        "a person or erases the session")
    if not display.overlay_shown:
        screen = display.current_screen()
        if type(screen).__name__ == "BaseScreen":   # the generic screen: content and choices
            # the content is what the bar, the fixed choices and the navigation row leave
            controls = [display.bar, screen.ids.nav]
            if screen.ids.actions.parent is screen.ids.fixed_actions:
                controls.append(screen.ids.fixed_actions)
            taken = sum(w.width * w.height for w in controls)
            share = 1 - taken / (win_w * win_h)
            if share < CONTENT_SHARE - 0.005:
                problems.append(f"the content has {share:.0%} of the screen, at least {CONTENT_SHARE:.0%}")
    if buttons and (focused is None or not is_visible(focused)):
        problems.append("no visible keyboard focus")
    elif focused is not None:
        ring = a11y.contrast_ratio(app.colors["focus"], _background(focused))
        if ring < a11y.MIN_CONTROL_CONTRAST:
            problems.append(f"focus ring contrast {ring:.1f}:1, at least {a11y.MIN_CONTROL_CONTRAST}:1")
    return problems
