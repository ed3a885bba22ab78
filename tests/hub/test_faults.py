"""Faults: kill -9 the kiosk mid-send, kill -9 and restart the hub mid-batch: counts stay exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from sqlalchemy import func, select

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from kiosk.hub.models import event_keys, session_counts
from tests.hub.conftest import ROOT, enrolled_device, wait_until


def total_sessions(hub, kiosk_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(func.coalesce(func.sum(session_counts.c.count), 0))
                            .where(session_counts.c.kiosk_id == kiosk_id)).scalar_one()


def ledger(hub, kiosk_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(func.count()).select_from(event_keys)
                            .where(event_keys.c.kiosk_id == kiosk_id)).scalar_one()


def test_kill_9_the_kiosk_mid_send_then_restart_it(hub, tmp_path):
    device_file = tmp_path / "hub-device.json"
    device = enrolled_device(hub, site="fs-faults", path=device_file)
    outbox = tmp_path / "outbox.sqlite3"
    n = 2000  # 20 batches: the kill below lands after the first one and before the last
    child = subprocess.Popen([sys.executable, "-m", "tests.hub._kiosk_child", str(device_file), str(outbox), str(n)],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert '"recorded"' in child.stdout.readline()
        wait_until(lambda: total_sessions(hub, device["kiosk_id"]) > 0, 20, interval=0.01,
                   what="the first batch to land")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    partial = total_sessions(hub, device["kiosk_id"])
    assert 0 < partial < n, f"the kill did not land mid-send ({partial} of {n} had landed)"
    link = HubLink(device, Outbox(outbox), heartbeat_s=0, backoff_base=0.05, backoff_cap=0.5)
    link.start()
    try:
        wait_until(lambda: link.state().backlog == 0, 30, what="the restarted kiosk to drain its outbox")
    finally:
        link.close()
    assert total_sessions(hub, device["kiosk_id"]) == n, f"{partial} had landed before the kill"


def test_kill_9_the_hub_mid_batch_then_restart_it(hub, tmp_path):
    device = enrolled_device(hub, site="fs-faults")
    link = HubLink(device, Outbox(tmp_path / "outbox.sqlite3"), heartbeat_s=0, backoff_base=0.05, backoff_cap=0.5)
    n = 3000  # 30 batches: the hub dies after the first one and before the last
    for i in range(n):
        link.record_session("retraite", "teach", "done", 0, "en")
    link.start()
    try:
        wait_until(lambda: total_sessions(hub, device["kiosk_id"]) > 0, 20, interval=0.005,
                   what="the first batch to land")
        hub.kill()
        landed = total_sessions(hub, device["kiosk_id"])
        assert 0 < landed < n, f"the hub was not killed mid-batch ({landed} of {n} had landed)"
        wait_until(lambda: not link.state().connected, 10, what="the kiosk to notice")
        hub.start()
        wait_until(lambda: link.state().backlog == 0, 30, what="the backlog to drain after the restart")
    finally:
        link.close()
    assert total_sessions(hub, device["kiosk_id"]) == n, f"{landed} had landed before the kill"
    assert ledger(hub, device["kiosk_id"]) == n
