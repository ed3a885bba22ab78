"""The fleet playbook and role pass ansible-lint (production profile) and Ansible's syntax check;
provision.sh parses, and its --help says how to give the PIN without the command line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FLEET = REPO / "deploy" / "fleet"


def test_ansible_lint_production_profile_is_clean():
    assert shutil.which("ansible-lint"), "install ansible-lint (deploy/bootstrap.sh does)"
    result = subprocess.run(["ansible-lint", "--profile", "production", "--nocolor", "playbook.yml"],
                            cwd=FLEET, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_playbook_syntax(tmp_path):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text((FLEET / "inventory.example.ini").read_text(encoding="utf-8"), encoding="utf-8")
    result = subprocess.run(["ansible-playbook", "--syntax-check", "-i", str(inventory), "playbook.yml"],
                            cwd=FLEET, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_provision_sh_parses_and_documents_the_pin():
    assert subprocess.run(["bash", "-n", str(REPO / "deploy" / "provision.sh")]).returncode == 0
    help_text = subprocess.run(["bash", str(REPO / "deploy" / "provision.sh"), "--help"],
                               capture_output=True, text=True).stderr
    assert "KIOSK_PIN_FILE" in help_text and "never given on the command line" in help_text
