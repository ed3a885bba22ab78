"""Installing and verifying voice models: pinned checksums, safe unpacking, clear refusals."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import zipfile

import pytest

from kiosk.devices import voice_models as vm

FILES = ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf", "graph/Gr.fst", "graph/HCLr.fst")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(d))
    return d


def make_zip(path, files=FILES, root="vosk-model-test", extra=None):
    with zipfile.ZipFile(path, "w") as z:
        for f in files:
            z.writestr(f"{root}/{f}" if root else f, f"content of {f}")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_french_small_model_is_pinned():
    spec = vm.REGISTRY["fr"]
    assert spec.name == "vosk-model-small-fr-0.22"
    assert spec.sha256 == "cabf6180e177eb9b3a9a9d43a437bd5e549f3a7d09525e5d69a3fed787be12ad"
    assert all(len(s.sha256) == 64 and s.url.startswith("https://") for s in vm.REGISTRY.values())


KIOSK_LANGUAGES = {"fr", "en", "ar", "es", "pt", "tr", "ro", "uk"}


def test_a_small_model_is_pinned_for_every_kiosk_language_that_has_one():
    assert set(vm.REGISTRY) == {"fr", "en", "es", "pt", "tr", "uk"}
    assert set(vm.NO_SMALL_MODEL) == {"ar", "ro"}
    assert set(vm.REGISTRY) | set(vm.NO_SMALL_MODEL) == KIOSK_LANGUAGES
    for spec in vm.REGISTRY.values():
        assert "small" in spec.name
        assert spec.url == f"https://alphacephei.com/vosk/models/{spec.name}.zip"
        assert spec.sha256 is None or (len(spec.sha256) == 64 and spec.sha256 == spec.sha256.lower()
                                       and int(spec.sha256, 16) >= 0)
        assert spec.sha256 is None or spec.checksum_source, "say where a checksum comes from"
        assert spec.size is None or spec.size > 10_000_000


def test_voice_status_per_language(tmp_path, data_dir):
    assert vm.voice_status("pt") == "not-installed"
    assert vm.voice_status("ar") == vm.voice_status("ro") == "no-model"
    archive = tmp_path / "m.zip"
    vm.install("pt", str(archive), sha256=make_zip(archive))
    assert vm.voice_status("pt") == "ready"


def test_an_archive_without_a_published_checksum_needs_one_checked_by_the_admin(
        tmp_path, data_dir, monkeypatch):
    monkeypatch.setitem(vm.REGISTRY, "uk", vm.ModelSpec("uk", "vosk-model-small-uk-test",
                                                        "https://example.invalid/m.zip", None, None))
    archive = tmp_path / "m.zip"
    digest = make_zip(archive)
    with pytest.raises(vm.ModelError, match="give its SHA-256 with --sha256"):
        vm.install("uk", str(archive))
    assert not (data_dir / "models" / "uk").exists()
    assert vm.install("uk", str(archive), sha256=digest) == data_dir / "models" / "uk"


def test_a_language_with_no_small_model_says_so_when_asked_to_install(tmp_path, data_dir):
    archive = tmp_path / "m.zip"
    make_zip(archive)
    with pytest.raises(vm.ModelError, match="No small vosk model exists for Arabic"):
        vm.install("ar", str(archive))
    with pytest.raises(vm.ModelError, match="give the archive's path or URL"):
        vm.install("ro", sha256="0" * 64)


def test_install_from_local_archive_strips_the_top_folder(tmp_path, data_dir):
    archive = tmp_path / "m.zip"
    digest = make_zip(archive)
    path = vm.install("xx", str(archive), sha256=digest)
    assert path == data_dir / "models" / "xx"
    assert (path / "am" / "final.mdl").read_text() == "content of am/final.mdl"
    assert vm.check_model_dir(path) is None
    marker = json.loads((path / vm.MARKER).read_text())
    assert marker["sha256"] == digest and marker["name"] == "vosk-model-test"


def test_checksum_mismatch_installs_nothing(tmp_path, data_dir):
    archive = tmp_path / "m.zip"
    make_zip(archive)
    with pytest.raises(vm.ModelError, match="Checksum mismatch.*the pinned archive has 42233323 bytes"):
        vm.install("fr", str(archive))  # the pinned French checksum is not this archive's
    assert not (data_dir / "models" / "fr").exists()
    assert [p for p in (data_dir / "models").iterdir()] == []


def test_unknown_language_needs_an_explicit_checksum(tmp_path, data_dir):
    archive = tmp_path / "m.zip"
    make_zip(archive)
    with pytest.raises(vm.ModelError, match="No pinned checksum"):
        vm.install("xx", str(archive))


def test_archive_without_model_files_is_refused_and_previous_model_kept(tmp_path, data_dir):
    good = tmp_path / "good.zip"
    vm.install("xx", str(good), sha256=make_zip(good))
    bad = tmp_path / "bad.zip"
    digest = make_zip(bad, files=("conf/model.conf", "README"))
    with pytest.raises(vm.ModelError, match="am/final.mdl"):
        vm.install("xx", str(bad), sha256=digest)
    assert vm.check_model_dir(data_dir / "models" / "xx") is None


def test_zip_slip_is_refused(tmp_path, data_dir):
    archive = tmp_path / "evil.zip"
    digest = make_zip(archive, extra={"../../evil.txt": "x"})
    with pytest.raises(vm.ModelError, match="outside"):
        vm.install("xx", str(archive), sha256=digest)
    assert not (tmp_path / "evil.txt").exists()


def test_tar_archive_with_links_is_refused(tmp_path, data_dir):
    archive = tmp_path / "m.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        for f in FILES:
            data = f.encode()
            info = tarfile.TarInfo(f"m/{f}")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("m/graph/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    with pytest.raises(vm.ModelError, match="links"):
        vm.install("xx", str(archive), sha256=digest)


def test_not_an_archive(tmp_path, data_dir):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello" * 10)
    with pytest.raises(vm.ModelError, match="neither a zip nor a tar"):
        vm.install("xx", str(junk), sha256=hashlib.sha256(junk.read_bytes()).hexdigest())
    with pytest.raises(vm.ModelError, match="No archive"):
        vm.install("xx", str(tmp_path / "absent.zip"), sha256="0" * 64)


def test_verify_real_model_runs_a_recognition(ko_model, wavs):
    result = vm.verify(path=ko_model, wav=wavs["annyeong"])
    assert result["ok"] and result["problem"] is None
    assert result["text"]  # the Korean model heard something in Korean speech


def test_verify_reports_missing_and_corrupt_models(tmp_path, data_dir):
    r = vm.verify("fr")
    assert not r["ok"] and "No voice model" in r["problem"]
    archive = tmp_path / "m.zip"
    vm.install("xx", str(archive), sha256=make_zip(archive))  # right files, garbage inside
    r = vm.verify("xx")
    assert not r["ok"] and "could not be loaded" in r["problem"]


def kiosk(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_models_command(tmp_path, ko_model):
    import os

    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")}
    listed = kiosk("models", "list", env=env)
    assert listed.returncode == 0
    out = json.loads(listed.stdout)
    assert {"lang": "fr", "name": "vosk-model-small-fr-0.22"}.items() <= out["pinned"][0].items()
    assert [p["lang"] for p in out["pinned"]] == ["fr", "en", "es", "pt", "tr", "uk"]
    assert {p["lang"] for p in out["no_model"]} == {"ar", "ro"}
    assert out["installed"] == []

    archive = tmp_path / "m.zip"
    make_zip(archive)
    refused = kiosk("models", "install", "fr", str(archive), env=env)
    assert refused.returncode == 1 and "Checksum mismatch" in refused.stderr

    missing = kiosk("models", "verify", "fr", env=env)
    assert missing.returncode == 1 and json.loads(missing.stdout)["ok"] is False
    ok = kiosk("models", "verify", "--path", str(ko_model), env=env)
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
