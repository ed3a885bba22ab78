"""Démarches content from the hub: a kiosk applies a newer package only when its own validator
accepts every file, switches to it in one rename, keeps the last good one when a package is refused,
and the admin sees the exact reasons. Real hub (SQLite and PostgreSQL), real HubLink, real files."""

from __future__ import annotations

import os

from sqlalchemy import select

from kiosk import paths
from kiosk.core import content_update
from kiosk.core.catalogue import load_catalogue
from kiosk.core.outbox import Outbox
from kiosk.devices.hub_client import HubLink
from kiosk.hub.models import kiosks
from kiosk.hub.store import set_content
from tests.hub.conftest import enrolled_device, wait_until


def bundled_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(paths.CONTENT_DIR.glob("*.toml"))}


def kiosk_row(hub, kiosk_id):
    with hub.engine.begin() as conn:
        return conn.execute(select(kiosks).where(kiosks.c.id == kiosk_id)).one()


def test_content_is_applied_refused_and_reported(hub, tmp_path):
    device = enrolled_device(hub, site="fs-content")
    data = tmp_path / "data"
    link = HubLink(device, Outbox(tmp_path / "o.sqlite3"), heartbeat_s=0, config_check_s=0.2, content_data_dir=data)
    applied = []
    link.on_content_applied = applied.append
    link.start()
    try:
        assert content_update.active_content_dir(data) == paths.CONTENT_DIR  # nothing from the hub yet
        files = bundled_files()
        files["aah.toml"] = files["aah.toml"].replace('[fr]\n', '[fr]\n# v1 from the hub\n', 1)
        good = set_content(hub.engine, files, site="fs-content")
        wait_until(lambda: applied, 20, what="the first package")
        active = content_update.active_content_dir(data)
        assert active == (data / "content" / f"v{good}").resolve()
        assert "# v1 from the hub" in (active / "aah.toml").read_text(encoding="utf-8")
        assert len(load_catalogue(active).demarches) == len(load_catalogue().demarches)
        wait_until(lambda: kiosk_row(hub, device["kiosk_id"]).content_status == "applied", 10, what="the report")

        broken = dict(files)
        broken["aah.toml"] = broken["aah.toml"].replace("[fr]", "[fr", 1)   # not TOML any more
        del broken["carte-identite.toml"]                                    # a démarche missing
        bad = set_content(hub.engine, broken, site="fs-content")
        wait_until(lambda: kiosk_row(hub, device["kiosk_id"]).content_status == "refused", 20, what="the refusal")
        reasons = kiosk_row(hub, device["kiosk_id"]).content_reasons
        assert f"content v{bad}: aah.toml" in reasons and "carte-identite.toml" in reasons
        assert content_update.active_content_dir(data) == active   # the last good one stays
        assert content_update.versions(data) == {"applied": good, "refused": bad}
        assert not list((data / "content").glob("*.staging"))
        assert len(applied) == 1
    finally:
        link.close()


def test_a_package_for_another_site_is_not_offered(hub, tmp_path):
    device = enrolled_device(hub, site="fs-content-a")
    set_content(hub.engine, bundled_files(), site="fs-content-b")
    from kiosk.devices.hub_client import HubClient
    client = HubClient(device)
    try:
        assert client.fetch_content(0) == {"version": 0}
    finally:
        client.close()


def test_hostile_file_names_are_refused_before_anything_is_written(tmp_path):
    files = bundled_files()
    for name in ("../escape.toml", "/etc/passwd.toml", "x/y.toml", ".hidden.toml", "a.py"):
        reasons = content_update.apply_package(tmp_path, 9, {**files, name: "x = 1"})
        assert any("is not a content file name" in r for r in reasons), name
    assert not (tmp_path.parent / "escape.toml").exists()
    assert content_update.active_content_dir(tmp_path) == paths.CONTENT_DIR
    assert content_update.apply_package(tmp_path, 10, []) == ["content v10: content package: expected a non-empty "
                                                              "table of files"]


def test_a_kiosk_started_on_hub_content_loads_it(tmp_path, monkeypatch):
    """The last accepted package is what the kiosk loads at its next start (and the doctor checks)."""
    files = bundled_files()
    files["themes.toml"] = files["themes.toml"] + "\n# from the hub\n"
    assert content_update.apply_package(tmp_path, 3, files) == []
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    from kiosk.devices.health import check_content
    assert check_content().status == "ok"
    target = os.readlink(tmp_path / "content" / "current")
    assert target == "v3"
