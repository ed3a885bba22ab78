"""A small real Kivy app that talks to systemd exactly as the kiosk does (service_manager),
then freezes its UI loop on purpose when the file named by argv[1] appears.

Used by test_service_manager.py: the pings must come from the Kivy clock, so that a frozen loop
stops them while the process stays alive (what WatchdogSec= is for).
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.app import App  # noqa: E402
from kivy.clock import Clock  # noqa: E402
from kivy.uix.label import Label  # noqa: E402

from kiosk.devices import service_manager  # noqa: E402

FREEZE = Path(sys.argv[1])


class WatchdogApp(App):
    def build(self):
        return Label(text="watchdog test")

    def on_start(self):
        Clock.schedule_once(lambda _dt: service_manager.notify_ready(), 0)
        service_manager.start_watchdog(Clock)
        Clock.schedule_interval(self.maybe_freeze, 0.05)

    def maybe_freeze(self, _dt):
        if FREEZE.exists():
            service_manager.notify_status("freezing the UI loop on purpose")
            while True:  # a UI loop stuck for ever, as a bug would leave it
                time.sleep(1)


if __name__ == "__main__":
    WatchdogApp().run()
