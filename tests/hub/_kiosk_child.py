"""A kiosk process for the fault tests: records N sessions through HubLink, then sends them.

python -m tests.hub._kiosk_child DEVICE_FILE OUTBOX_FILE N
"""

import json
import sys
import time
from pathlib import Path

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink, load_device


def main() -> None:
    device = load_device(Path(sys.argv[1]))
    link = HubLink(device, Outbox(sys.argv[2]), heartbeat_s=0, backoff_base=0.05, backoff_cap=0.5)
    for i in range(int(sys.argv[3])):
        link.record_session("carte-identite", "guide", "done", 1 + i % 5, "fr")
    print(json.dumps({"recorded": int(sys.argv[3])}), flush=True)
    link.start()  # everything is in the outbox first, so that the kill lands in the middle of the sending
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
