import re
from datetime import datetime

from kiosk.core.receipt import REFERENCE_ALPHABET, build_receipt, new_reference, qr_image


def test_receipt_holds_the_issue_content(receipt, config):
    text = "\n".join(receipt.lines())
    from kiosk.core.config import site_text

    for key in ("name", "opening_hours", "mediator_hours"):
        assert site_text(config, key, receipt.language)[0] in text
    assert "Le 4 mars 2025 à 14 h 05" in text
    assert "K7P-4MX" in text
    assert "Carte Vitale" in text and "Assurance Maladie" in text
    assert "[ ] Une photo d'identité récente" in text
    assert "1. Ouvrez votre compte ameli sur internet." in text
    assert "Environ 2 à 3 semaines." in text
    assert "Sur le site ameli.fr" in text
    urls = [url for _, url in receipt.qr_codes()]
    assert urls == ["https://www.ameli.fr/assure/remboursements/etre-bien-rembourse/carte-vitale",
                    config.receipt["satisfaction_url"]]


def test_speech_says_the_same_but_never_the_reference(receipt):
    speech = receipt.speech_text()
    for piece in ("Carte Vitale", "Assurance Maladie", "Une photo d'identité récente",
                  "Étape 5 : Vous recevez la carte chez vous", "Environ 2 à 3 semaines", "Gratuit",
                  "ameli.fr", "codes QR", "médiateur", "Du lundi au vendredi"):
        assert piece in speech
    assert "K7P" not in speech and "4MX" not in speech


def test_english_receipt(config, catalogue):
    r = build_receipt(catalogue.demarches["carte-vitale"], config, "en", now=datetime(2025, 3, 4, 9, 7))
    text = "\n".join(r.lines())
    assert "Papers to get ready" in text and "4 March 2025 at 9:07" in text
    assert "Carte Vitale (health card)" in text
    assert "Here is what your recap says" in r.speech_text()


def test_reference_is_short_random_and_unambiguous():
    refs = {new_reference() for _ in range(300)}
    assert len(refs) > 290
    for ref in refs:
        assert re.fullmatch(rf"[{REFERENCE_ALPHABET}]{{3}}-[{REFERENCE_ALPHABET}]{{3}}", ref)


def test_receipt_has_no_field_for_personal_data(receipt):
    fields = set(receipt.__dataclass_fields__)
    assert not fields & {"name", "email", "phone", "address", "birth", "nir", "user"}


def test_qr_image_for_screen(receipt):
    img = qr_image(receipt.official_url)
    assert img.width == img.height and img.width >= 200
    assert img.getextrema() == (0, 255)
