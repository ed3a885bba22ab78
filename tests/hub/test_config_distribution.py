"""Configuration from the hub: a kiosk applies a newer config only when its own validator accepts it,
atomically, keeping the previous file; it refuses a bad one, keeps the last good, and the admin sees why."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from kiosk.hub.models import kiosks
from kiosk.hub.store import set_config
from tests.hub.conftest import ROOT, enrolled_device, wait_until

GOOD = '[site]\nname = "France Services Lens"\n\n[session]\ninactivity_seconds = 120\n'
BETTER = '[site]\nname = "France Services Lens — gare"\n'
BAD = '[site]\nname = "France Services Lens"\nnmae = "typo"\n\n[session]\ninactivity_seconds = 5\n'


def kiosk_row(hub, kiosk_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(kiosks).where(kiosks.c.id == kiosk_id)).one()


def test_config_is_applied_refused_and_reported(hub, tmp_path):
    device = enrolled_device(hub, site="fs-config")
    config_file = tmp_path / "config.toml"
    config_file.write_text('[site]\nname = "Avant"\n', encoding="utf-8")
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0, config_file=config_file,
                   config_check_s=0.2)
    applied = []
    link.on_config_applied = lambda path, config: applied.append(config.site["name"])
    link.start()
    try:
        assert set_config(hub.engine, GOOD, kiosk_id=device["kiosk_id"]) == {device["kiosk_id"]: 1}
        wait_until(lambda: applied == ["France Services Lens"], 10, what="the first config")
        assert config_file.read_text(encoding="utf-8") == GOOD
        assert (tmp_path / "config.toml.last-good").read_text(encoding="utf-8") == '[site]\nname = "Avant"\n'
        wait_until(lambda: kiosk_row(hub, device["kiosk_id"]).config_status == "applied", 10, what="the report")

        set_config(hub.engine, BAD, kiosk_id=device["kiosk_id"])
        wait_until(lambda: kiosk_row(hub, device["kiosk_id"]).config_status == "refused", 10, what="the refusal")
        row = kiosk_row(hub, device["kiosk_id"])
        assert row.config_version == 2
        assert "site.nmae: unknown key (did you mean 'name'?)" in row.config_reasons
        assert "session.inactivity_seconds" in row.config_reasons
        assert config_file.read_text(encoding="utf-8") == GOOD  # the last good one stays
        assert link.config_versions() == {"applied": 1, "refused": 2}

        set_config(hub.engine, BETTER, site="fs-config")
        wait_until(lambda: applied[-1] == "France Services Lens — gare", 10, what="the fixed config")
        wait_until(lambda: kiosk_row(hub, device["kiosk_id"]).config_version == 3
                   and kiosk_row(hub, device["kiosk_id"]).config_status == "applied", 10, what="the report of v3")
    finally:
        link.close()


def test_set_config_command_checks_the_file_first(hub, tmp_path):
    device = enrolled_device(hub, site="fs-config-cli")
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    env = {**os.environ, "KIOSK_HUB_DATABASE_URL": hub.database_url}
    refused = subprocess.run([sys.executable, "-m", "kiosk", "hub", "set-config", str(bad), "--kiosk",
                              device["kiosk_id"]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "Not sent" in refused.stderr
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    sent = subprocess.run([sys.executable, "-m", "kiosk", "hub", "set-config", str(good), "--site", "fs-config-cli"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0 and f"kiosk {device['kiosk_id']}: config v1 offered" in sent.stdout
