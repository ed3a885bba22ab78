"""`kiosk hub serve|add-kiosk|new-code|revoke-kiosk|list-kiosks|add-user`: run and manage the hub.

Needs the hub extra: pip install -e ".[hub]". Every sub-command takes --data-dir (embedded SQLite
hub.sqlite3 under it) or --database-url (PostgreSQL for a network); KIOSK_HUB_DATA_DIR and
KIOSK_HUB_DATABASE_URL give the same from the environment.
"""

from __future__ import annotations

import os
import sys


def register(sub) -> None:
    hub = sub.add_parser("hub", help="the hub server for a site or a network of kiosks")
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="ACTION")

    def with_db(p):
        p.add_argument("--data-dir", metavar="DIR", default=os.environ.get("KIOSK_HUB_DATA_DIR"),
                       help="folder of the embedded SQLite hub (default ~/.local/share/kiosk-hub)")
        p.add_argument("--database-url", metavar="URL", default=os.environ.get("KIOSK_HUB_DATABASE_URL"),
                       help="e.g. postgresql://hub:PASSWORD@127.0.0.1/hub (default: embedded SQLite)")
        return p

    serve = with_db(hub_sub.add_parser("serve", help="start the hub (migrates the database first)"))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL for more than 1)")
    serve.add_argument("--alert-repeat", type=int, default=120, metavar="SECONDS",
                       help="an unanswered alert repeats after this delay (default 120)")
    serve.set_defaults(func=serve_hub)

    add = with_db(hub_sub.add_parser("add-kiosk", help="register a kiosk and print its one-time pairing code"))
    add.add_argument("name", help='the kiosk\'s name, e.g. "Accueil 1"')
    add.add_argument("--site", required=True, help="site id, e.g. fs-lens")
    add.add_argument("--valid-minutes", type=int, default=60, help="how long the code works (default 60)")
    add.set_defaults(func=add_kiosk)

    code = with_db(hub_sub.add_parser("new-code", help="a fresh pairing code for a known kiosk"))
    code.add_argument("kiosk_id")
    code.add_argument("--valid-minutes", type=int, default=60)
    code.set_defaults(func=new_code)

    revoke = with_db(hub_sub.add_parser("revoke-kiosk", help="refuse every further call of a kiosk"))
    revoke.add_argument("kiosk_id")
    revoke.set_defaults(func=revoke_kiosk)

    ls = with_db(hub_sub.add_parser("list-kiosks", help="list the kiosks"))
    ls.set_defaults(func=list_kiosks)

    conf = with_db(hub_sub.add_parser("set-config", help="offer a config file (TOML) to a kiosk or a whole site"))
    conf.add_argument("file", help="the kiosk config (each kiosk validates it before use)")
    target = conf.add_mutually_exclusive_group(required=True)
    target.add_argument("--kiosk", metavar="ID")
    target.add_argument("--site", metavar="SITE")
    conf.set_defaults(func=set_config)

    content = with_db(hub_sub.add_parser("set-content", help="offer the démarches content (a folder of .toml "
                                                              "files) to every kiosk or one site's"))
    content.add_argument("folder", help="themes.toml and one file per démarche (as assets/content)")
    content.add_argument("--site", metavar="SITE", default=None, help="only this site's kiosks")
    content.set_defaults(func=set_content)

    user = with_db(hub_sub.add_parser("add-user", help="add or update an account (password read from stdin)"))
    user.add_argument("name")
    user.add_argument("--role", required=True, choices=("admin", "mediator", "advisor"))
    user.add_argument("--site", default=None, help="limit a mediator to one site's alerts")
    user.set_defaults(func=add_user)

    advisor = with_db(hub_sub.add_parser("set-advisor", help="attach an advisor account to its partner agency "
                                                              "and the languages it takes video calls in"))
    advisor.add_argument("name", help="an account added with --role advisor")
    advisor.add_argument("partner", help="the partner's code as in the démarches (CAF, DGFiP, France Travail…)")
    advisor.add_argument("--languages", default="fr", help="comma-separated language codes (default: fr)")
    advisor.set_defaults(func=set_advisor)
    hub.set_defaults(func=lambda args: (hub.print_help(), 2)[1])


def _engine(args):
    try:
        from kiosk.hub.db import database_url, make_engine, migrate
    except ImportError:
        print('The hub is not installed: run  pip install -e ".[hub]"  first.', file=sys.stderr)
        raise SystemExit(1) from None
    engine = make_engine(database_url(args.data_dir, args.database_url))
    try:
        migrate(engine)
    except Exception as exc:  # noqa: BLE001 — say what to check, not a traceback
        print(f"The hub's database cannot be reached or prepared ({exc.__class__.__name__}: {exc}). "
              "Check --database-url (or --data-dir) and that the database server runs.", file=sys.stderr)
        raise SystemExit(1) from None
    return engine


def serve_hub(args) -> int:
    from kiosk.hub.db import database_url
    engine = _engine(args)
    from sqlalchemy import func, select

    from kiosk.hub.models import users
    with engine.begin() as conn:
        has_users = conn.execute(select(func.count()).select_from(users)).scalar_one() > 0
    engine.dispose()
    url = database_url(args.data_dir, args.database_url)
    if not has_users:
        print("No account yet: create the first one with  kiosk hub add-user NAME --role admin"
              + (f" --data-dir {args.data_dir}" if args.data_dir else ""), flush=True)
    if args.workers > 1 and url.startswith("sqlite"):
        print("Several workers need PostgreSQL (--database-url); starting one.", file=sys.stderr)
        args.workers = 1
    os.environ["KIOSK_HUB_DATABASE_URL"] = url
    os.environ["KIOSK_HUB_ALERT_REPEAT_SECONDS"] = str(args.alert_repeat)
    import uvicorn
    print(f"hub: http://{args.host}:{args.port}/ (database: {url.split('@')[-1]})", flush=True)
    uvicorn.run("kiosk.hub.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, proxy_headers=True, log_level="warning", access_log=False)
    return 0


def add_kiosk(args) -> int:
    from kiosk.hub.store import HubError, add_kiosk as add
    try:
        kiosk_id, code = add(_engine(args), args.name, args.site, args.valid_minutes * 60)
    except HubError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"kiosk: {kiosk_id}")
    print(f"pairing code: {code}")
    print(f"valid for {args.valid_minutes} minutes, once. On the kiosk: kiosk enrol --hub URL {code}")
    return 0


def new_code(args) -> int:
    from kiosk.hub.store import new_pairing_code
    print(f"pairing code: {new_pairing_code(_engine(args), args.kiosk_id, args.valid_minutes * 60)}")
    return 0


def revoke_kiosk(args) -> int:
    from kiosk.hub.store import revoke_kiosk as revoke
    if not revoke(_engine(args), args.kiosk_id):
        print(f"No kiosk {args.kiosk_id!r}: see `kiosk hub list-kiosks`.", file=sys.stderr)
        return 1
    print(f"kiosk {args.kiosk_id} revoked")
    return 0


def list_kiosks(args) -> int:
    from kiosk.hub.store import list_kiosks as ls
    for k in ls(_engine(args)):
        state = "revoked" if k.revoked_at else "enrolled" if k.enrolled_at else "waiting for enrolment"
        print(f"{k.id}  {k.site}  {k.name}  ({state})")
    return 0


def add_user(args) -> int:
    from kiosk.hub.store import HubError, add_user as add
    if sys.stdin.isatty():
        import getpass
        password = getpass.getpass("Password (10 characters or more): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        add(_engine(args), args.name, args.role, password, args.site)
    except HubError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"user {args.name} ({args.role}) saved")
    return 0


def set_advisor(args) -> int:
    from kiosk.hub.store import HubError
    from kiosk.hub.visio_dispatch import set_advisor as attach
    try:
        attach(_engine(args), args.name, args.partner, args.languages)
    except HubError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"{args.name} takes the video calls of {args.partner} in {args.languages}")
    return 0


def set_content(args) -> int:
    from pathlib import Path

    from kiosk.core.catalogue import load_catalogue
    from kiosk.hub.store import HubError, set_content as offer
    folder = Path(args.folder)
    catalogue = load_catalogue(folder)  # the same check the kiosks will make: catch mistakes before sending
    if catalogue.problems or not catalogue.demarches:
        for problem in catalogue.problems or [f"{folder}: no démarche found"]:
            print(problem, file=sys.stderr)
        print("Not sent: correct the content above (kiosk content check).", file=sys.stderr)
        return 1
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}
    try:
        version = offer(_engine(args), files, args.site)
    except HubError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"content v{version} ({len(catalogue.demarches)} démarches) offered to "
          + (f"the kiosks of {args.site}" if args.site else "every kiosk"))
    return 0


def set_config(args) -> int:
    from pathlib import Path

    from kiosk.core.config import ConfigError, load_config
    from kiosk.hub.store import HubError, set_config as offer
    try:
        load_config(args.file)  # the same check the kiosks will make: catch mistakes before sending
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        print("Not sent: correct the settings above.", file=sys.stderr)
        return 1
    try:
        versions = offer(_engine(args), Path(args.file).read_text(encoding="utf-8"), args.kiosk, args.site)
    except HubError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    if not versions:
        print("No (non-revoked) kiosk matches: see `kiosk hub list-kiosks`.", file=sys.stderr)
        return 1
    for kiosk_id, version in sorted(versions.items()):
        print(f"kiosk {kiosk_id}: config v{version} offered")
    return 0
