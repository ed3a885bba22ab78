"""`kiosk print-test`: print one receipt on the configured (or given) printer and report its status."""

from __future__ import annotations

import logging

from kiosk.commands import config_or_exit


def register(sub) -> None:
    p = sub.add_parser("print-test", help="print a test receipt and report the printer's status; exit 1 on failure")
    p.add_argument("--printer", metavar="URI",
                   help="printer address (default: devices.printer from the config), e.g. escpos+tcp://HOST:9100")
    p.add_argument("--demarche", metavar="ID", default=None, help="démarche id (default: the first one)")
    p.add_argument("--lang", choices=("fr", "en", "ar", "es", "pt", "tr", "ro", "uk"), default=None,
                   help="receipt language (default: languages.default)")
    p.add_argument("--bilingual", action="store_true",
                   help="the language chosen, then French (as a citizen can ask for it)")
    p.set_defaults(func=run)


def run(args) -> int:
    from kiosk.core.catalogue import load_catalogue
    from kiosk.core.receipt import build_receipt
    from kiosk.devices.printer import PrinterUriError, open_printer

    config = config_or_exit(args)
    uri = args.printer or config.devices["printer"]
    try:
        printer = open_printer(uri, preview_keep_seconds=None)  # a test page: the admin looks at it
    except PrinterUriError as exc:
        print(f"error: {exc}")
        return 1
    logging.getLogger("kiosk.core.catalogue").setLevel(logging.ERROR)
    catalogue = load_catalogue()
    if not catalogue.demarches:
        print("error: no valid démarche in the content folder (run `kiosk content check`)")
        return 1
    demarche_id = args.demarche or next(iter(catalogue.demarches))
    demarche = catalogue.demarches.get(demarche_id)
    if demarche is None:
        print(f"error: unknown démarche {demarche_id!r} (known: {', '.join(catalogue.demarches)})")
        return 1
    print(f"printer: {uri} ({printer.kind})")
    status = printer.status()
    print(f"status before: {status.describe()}")
    language = args.lang or config.languages["default"]
    receipt = build_receipt(demarche, config, language, bilingual=getattr(args, "bilingual", False) and language != "fr")
    result = printer.print_receipt(receipt, f"test-{receipt.reference}")
    if result.ok:
        print(f"printed: {demarche.id} ({result.output}) in {result.duration * 1000:.0f} ms")
        after = printer.status()
        print(f"status after: {after.describe()}")
        return 0
    print(f"failed: {result.reason}: {result.mediator_message()}")
    return 1
