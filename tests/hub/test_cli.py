"""The commands as an admin and a kiosk installer type them: kiosk hub serve / add-kiosk / add-user /
list-kiosks / revoke-kiosk, and kiosk enrol (secret saved 0600 in the kiosk's data folder)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests

from tests.hub.conftest import ROOT, free_port, wait_until


def kiosk(*args, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, input=stdin, text=True,
                          capture_output=True, timeout=120, env={**os.environ, **(env or {})})


def test_serve_add_kiosk_enrol_and_revoke_on_an_embedded_hub(tmp_path):
    data = tmp_path / "hub"
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "hub", "serve", "--port", str(port),
                               "--data-dir", str(data), "--alert-repeat", "30"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def healthy():
        assert server.poll() is None, server.stdout.read()
        try:
            return requests.get(url + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False
    try:
        wait_until(healthy, 60, what="kiosk hub serve")
        assert "No account yet" in server.stdout.readline() + server.stdout.readline()
        assert (data / "hub.sqlite3").exists()
        added = kiosk("hub", "add-kiosk", "Accueil 1", "--site", "fs-lens", "--data-dir", str(data))
        assert added.returncode == 0, added.stderr
        code = added.stdout.split("pairing code: ")[1].split()[0]
        kiosk_id = added.stdout.split("kiosk: ")[1].split()[0]

        user = kiosk("hub", "add-user", "alice", "--role", "admin", "--data-dir", str(data),
                     stdin="a long enough password\n")
        assert user.returncode == 0 and "alice (admin) saved" in user.stdout
        short = kiosk("hub", "add-user", "bob", "--role", "mediator", "--data-dir", str(data), stdin="short\n")
        assert short.returncode == 1 and "at least 10 characters" in short.stderr

        kiosk_data = tmp_path / "kiosk-data"
        enrolled = kiosk("enrol", "--hub", url, code, env={"KIOSK_DATA_DIR": str(kiosk_data)})
        assert enrolled.returncode == 0, enrolled.stderr
        assert 'Enrolled as "Accueil 1" (site fs-lens)' in enrolled.stdout
        secret_file = kiosk_data / "hub-device.json"
        assert secret_file.stat().st_mode & 0o777 == 0o600
        again = kiosk("enrol", "--hub", url, code, env={"KIOSK_DATA_DIR": str(tmp_path / "other")})
        assert again.returncode == 1 and "already used" in again.stderr

        listed = kiosk("hub", "list-kiosks", "--data-dir", str(data))
        assert f"{kiosk_id}  fs-lens  Accueil 1  (enrolled)" in listed.stdout
        revoked = kiosk("hub", "revoke-kiosk", kiosk_id, "--data-dir", str(data))
        assert revoked.returncode == 0
        assert "(revoked)" in kiosk("hub", "list-kiosks", "--data-dir", str(data)).stdout
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(15)


def test_enrol_explains_an_unreachable_hub(tmp_path):
    result = kiosk("enrol", "--hub", f"http://127.0.0.1:{free_port()}", "ABCD-EFGH-JKLM",
                   env={"KIOSK_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1 and "cannot be reached" in result.stderr
    assert not (tmp_path / "hub-device.json").exists()


def test_hub_link_opens_only_when_enrolled(tmp_path):
    from kiosk.core.config import validate
    from kiosk.devices.hub_client import HubLink, save_device
    config = validate({"hub": {"device_file": str(tmp_path / "dev.json")}})
    assert HubLink.open(config, data_dir=tmp_path) is None
    save_device(tmp_path / "dev.json", {"hub_url": "http://127.0.0.1:9", "kiosk_id": "k", "secret": "s",
                                        "site": "fs", "survey_key": "x", "name": "n"})
    link = HubLink.open(config, data_dir=tmp_path)
    try:
        assert link is not None and link.state().enrolled and link.state().backlog == 0
        assert link.survey_url("retraite", "fr").startswith("http://127.0.0.1:9/s/")
    finally:
        link.close()


def test_set_content_checks_the_folder_before_offering_it(tmp_path):
    import shutil

    from kiosk import paths
    data = tmp_path / "hub"
    folder = tmp_path / "content"
    shutil.copytree(paths.CONTENT_DIR, folder)
    offered = kiosk("hub", "set-content", str(folder), "--site", "fs-lens", "--data-dir", str(data))
    assert offered.returncode == 0, offered.stderr
    assert "content v1 (35 démarches) offered to the kiosks of fs-lens" in offered.stdout
    (folder / "aah.toml").write_text("title = [broken", encoding="utf-8")
    refused = kiosk("hub", "set-content", str(folder), "--data-dir", str(data))
    assert refused.returncode == 1 and "aah.toml" in refused.stderr and "Not sent" in refused.stderr


def test_set_advisor_attaches_an_advisor_account_to_its_partner(tmp_path):
    data = tmp_path / "hub"
    assert kiosk("hub", "add-user", "carla", "--role", "advisor", "--data-dir", str(data),
                 stdin="a long enough password\n").returncode == 0
    done = kiosk("hub", "set-advisor", "carla", "CAF", "--languages", "fr,ar", "--data-dir", str(data))
    assert done.returncode == 0 and "carla takes the video calls of CAF in fr,ar" in done.stdout
    unknown = kiosk("hub", "set-advisor", "nobody", "CAF", "--data-dir", str(data))
    assert unknown.returncode == 1 and "No advisor account has this name" in unknown.stderr
