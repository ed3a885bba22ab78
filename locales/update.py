"""Add every new msgid of the kiosk's code to the .po catalogues (maintainers run this).

    python locales/update.py     # then translate the empty msgstr entries in fr/LC_MESSAGES/kiosk.po
"""

from pathlib import Path

from kiosk.core.i18n import extract_msgids, parse_po

HERE = Path(__file__).resolve().parent


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    msgids = extract_msgids(HERE.parent / "kiosk")
    for language in ("fr", "en"):
        po = HERE / language / "LC_MESSAGES" / "kiosk.po"
        known = parse_po(po)
        text = po.read_text(encoding="utf-8")
        missing = [m for m in msgids if m not in known and f"msgid {quote(m)}" not in text]
        with po.open("a", encoding="utf-8") as out:
            for msgid in missing:
                out.write(f"msgid {quote(msgid)}\nmsgstr {quote(msgid if language == 'en' else '')}\n\n")
        print(f"{po}: {len(missing)} new")


if __name__ == "__main__":
    main()
