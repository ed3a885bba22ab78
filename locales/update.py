"""Bring the .po catalogues in line with the code (maintainers run this after changing strings).

    python locales/update.py

Every msgid used in kiosk/ is kept, in code order, with its translation; new ones get an empty
msgstr to fill in (English: the msgid itself); strings no longer used are dropped.
"""

from pathlib import Path

from kiosk.core.i18n import extract_msgids, parse_po

HERE = Path(__file__).resolve().parent
LANGUAGES = (("fr", "French"), ("en", "English"), ("ar", "Arabic"), ("es", "Spanish"),
             ("pt", "Portuguese"), ("tr", "Turkish"), ("ro", "Romanian"), ("uk", "Ukrainian"))
HEADER = '''# {name} translation of the kiosk.
# Source strings are English; every string a person sees goes through gettext.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {lang}\\n"

'''


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main() -> None:
    msgids = extract_msgids(HERE.parent / "kiosk")
    for language, name in LANGUAGES:
        po = HERE / language / "LC_MESSAGES" / "kiosk.po"
        known = parse_po(po) if po.exists() else {}
        entries = [HEADER.format(name=name, lang=language)]
        for msgid in msgids:
            msgstr = known.get(msgid, msgid if language == "en" else "")
            entries.append(f"msgid {quote(msgid)}\nmsgstr {quote(msgstr)}\n\n")
        po.write_text("".join(entries), encoding="utf-8")
        untranslated = sum(1 for m in msgids if not known.get(m)) if language != "en" else 0
        print(f"{po}: {len(msgids)} strings, {len(set(known) - set(msgids))} dropped, "
              f"{untranslated} to translate")


if __name__ == "__main__":
    main()
