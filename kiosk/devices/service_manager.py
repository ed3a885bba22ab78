"""Tell systemd how the kiosk is doing: the sd_notify protocol, spoken directly.

systemd starts the kiosk with `Type=notify` and `WatchdogSec=`. It passes the address of a
unix datagram socket in $NOTIFY_SOCKET (a path, or an abstract name written with a leading `@`)
and, when a watchdog is set, the interval in $WATCHDOG_USEC. Each message is one datagram of
`KEY=value` lines: `READY=1` once the first screen is interactive, `WATCHDOG=1` at least every
half interval, `STATUS=...` for `systemctl status`. No library is needed for that much.

Wiring (done by the app): call `notify_ready()` once the first screen is drawn, and
`start_watchdog(kivy.clock.Clock)`, which schedules `notify_watchdog()` on the Kivy clock every
`watchdog_interval()` seconds when systemd asked for a watchdog. Because the pings come from the UI loop itself, a loop that freezes stops them and
systemd restarts the kiosk after WatchdogSec, even though the process is still alive.

Outside systemd (no $NOTIFY_SOCKET) every function does nothing and returns False.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def _address(value: str) -> str | bytes | None:
    """The socket address for $NOTIFY_SOCKET: a path, or an abstract name (leading @ -> NUL)."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    return None  # vsock:… and other forms are for VMs, not for a kiosk


def notify(*lines: str) -> bool:
    """Send one datagram of `KEY=value` lines to the service manager.

    Returns True when it was sent, False outside systemd or when the socket is gone (never raises:
    a kiosk must not fail because its supervisor went away)."""
    address = _address(os.environ.get("NOTIFY_SOCKET", ""))
    if address is None:
        return False
    message = "\n".join(lines).encode("utf-8")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message)
    except OSError as exc:
        log.warning("service manager notification not sent: %s", exc.__class__.__name__)
        return False
    return True


def notify_ready(status: str = "Ready: the first screen is shown.") -> bool:
    """The kiosk is up: systemd considers the start finished (Type=notify)."""
    return notify("READY=1", f"STATUS={status}")


def notify_status(status: str) -> bool:
    """One line shown by `systemctl status kiosk` (never anything about a citizen)."""
    return notify(f"STATUS={status}")


def notify_watchdog() -> bool:
    """The UI loop is alive: call it from the Kivy clock, every `watchdog_interval()` seconds."""
    return notify("WATCHDOG=1")


def notify_stopping(status: str = "Stopping.") -> bool:
    """The kiosk is shutting down on purpose (SIGTERM or the mediator's close)."""
    return notify("STOPPING=1", f"STATUS={status}")


def watchdog_interval() -> float | None:
    """Seconds between two WATCHDOG=1 pings (half of WatchdogSec), or None without a watchdog.

    $WATCHDOG_PID, when set, names the service's main process. On the device that is `cage`,
    and the kiosk is its direct child (it inherits cage's environment): the kiosk pings for it
    (the unit has NotifyAccess=all). Any other process (a grandchild such as the visio browser,
    or a stale environment) does not."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if pid and pid not in (str(os.getpid()), str(os.getppid())):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    if value <= 0:
        return None
    return value / 2_000_000


def start_watchdog(clock):
    """Ping the watchdog from `clock` (Kivy's Clock, or anything with `schedule_interval`).

    Returns the scheduled event (cancel it to stop), or None when no watchdog is asked for. The
    first ping is sent at once so that a slow first frame never eats into the interval."""
    interval = watchdog_interval()
    if interval is None:
        return None
    notify_watchdog()
    return clock.schedule_interval(lambda _dt: notify_watchdog(), interval)
