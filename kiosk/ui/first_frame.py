"""The first screen drawn once, not twice.

The X server sends an Expose event when the kiosk's window is mapped. Kivy reads it only after
it has drawn its first frame, and then draws the whole screen again: with software rendering
that second frame of identical pixels costs as much as the first (~40 ms of the start-up).
Just before the first frame, the exposures already waiting are dropped: the frame about to be
drawn covers them. Any later exposure (a window over the kiosk's, a screen woken up) is kept.
"""

from __future__ import annotations

import ctypes
import logging
import re

log = logging.getLogger(__name__)

SDL_WINDOWEVENT = 0x200
SDL_WINDOWEVENT_EXPOSED = 3
_SDL_LIBRARY = re.compile(r"/libSDL2-2[.-][^/]*\.so[^/]*$")   # not libSDL2_ttf, _image, _mixer


class _WindowEventHead(ctypes.Structure):
    """The start of an SDL_Event holding an SDL_WindowEvent."""
    _fields_ = [("type", ctypes.c_uint32), ("timestamp", ctypes.c_uint32),
                ("window_id", ctypes.c_uint32), ("event", ctypes.c_uint8)]


_EventFilter = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_WindowEventHead))


def loaded_sdl_library(maps_file: str = "/proc/self/maps") -> str | None:
    """The path of the SDL2 library this process has loaded (Kivy's own copy or the system's)."""
    try:
        with open(maps_file, encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(" ")[-1]
                if _SDL_LIBRARY.search(path):
                    return path
    except OSError:
        pass
    return None


def drop_pending_exposures() -> int:
    """Remove the exposure events waiting in SDL's queue (call on the UI thread, right before
    the first frame); the other events stay, in order. Returns how many were dropped (0 when
    the window is not SDL's or SDL cannot be reached)."""
    path = loaded_sdl_library()
    if path is None:
        return 0
    try:
        sdl = ctypes.CDLL(path)   # the library already loaded: the same handle, the same queue
        sdl.SDL_PumpEvents.restype = None
        sdl.SDL_FilterEvents.restype = None
        sdl.SDL_FilterEvents.argtypes = [_EventFilter, ctypes.c_void_p]
    except (OSError, AttributeError) as exc:
        log.debug("SDL not reachable to drop exposures: %s", exc)
        return 0
    dropped = 0

    def keep(_userdata, event) -> int:
        nonlocal dropped
        head = event.contents
        if head.type == SDL_WINDOWEVENT and head.event == SDL_WINDOWEVENT_EXPOSED:
            dropped += 1
            return 0
        return 1

    sdl.SDL_PumpEvents()
    sdl.SDL_FilterEvents(_EventFilter(keep), None)
    return dropped
