"""`kiosk enrol --hub URL CODE`: pair this kiosk with a hub (the code comes from `kiosk hub add-kiosk`)."""

from __future__ import annotations

import sys

from kiosk.commands import config_or_exit


def register(sub) -> None:
    p = sub.add_parser("enrol", help="pair this kiosk with a hub using a one-time code")
    p.add_argument("--hub", required=True, metavar="URL", help="the hub's address, e.g. https://hub.example.org")
    p.add_argument("code", help="the pairing code, e.g. ABCD-EFGH-JKLM")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.devices.hub_client import HubRefused, HubUnavailable, device_file_for, enrol

    config = config_or_exit(args)
    if not args.hub.startswith(("https://", "http://")):
        print("The hub's address must start with https:// (or http:// on a local network).", file=sys.stderr)
        return 1
    path = device_file_for(config)
    try:
        device = enrol(args.hub, args.code, path)
    except HubRefused as exc:
        print(f"The hub refused the code: {exc}", file=sys.stderr)
        return 1
    except HubUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Enrolled as \"{device['name']}\" (site {device['site']}) on {device['hub_url']}.")
    print(f"The device secret is saved in {path} (readable by this user only).")
    return 0
