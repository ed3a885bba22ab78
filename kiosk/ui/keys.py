"""Key codes the kiosk reacts to (SDL2 codes as Kivy reports them). No Kivy import here.

A physical keypad maps onto these: arrows or Tab move the focus, Enter activates,
Escape goes back, F1 repeats what was said, F2 is push-to-talk.
"""

TAB, ENTER, SPACE, ESCAPE, BACKSPACE = 9, 13, 32, 27, 8
UP, DOWN, RIGHT, LEFT, KP_ENTER, F1, F2 = 273, 274, 275, 276, 271, 282, 283
MEDIATOR = 293  # F12: the mediator's PIN screen
