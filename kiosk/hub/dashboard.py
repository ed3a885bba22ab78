"""The admin's dashboard: fleet state, usage and satisfaction as server-drawn SVG charts, CSV export.

Only counts leave this module, and any count below SMALL_CELL is shown as "< 5" so that no
single visit can be singled out (averages over fewer than SMALL_CELL answers are not shown).
"""

from __future__ import annotations

import csv
import io
import time
from html import escape

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine, case, func, select
from starlette.concurrency import run_in_threadpool

from kiosk.hub.models import faults, kiosks, session_counts, survey_answers

router = APIRouter()
SMALL_CELL = 5
DIMENSIONS = ("demarche", "help_level", "hour", "language", "outcome")


def shown(count: int | None) -> str:
    count = int(count or 0)
    return f"< {SMALL_CELL}" if 0 < count < SMALL_CELL else str(count)


def usage(engine: Engine, dimension: str) -> list[tuple[str, int]]:
    column = session_counts.c[dimension]
    with engine.begin() as conn:
        rows = conn.execute(select(column, func.sum(session_counts.c.count))
                            .group_by(column).order_by(column)).all()
    return [(str(k), int(v)) for k, v in rows]


def satisfaction(engine: Engine) -> list[dict]:
    """Per démarche: hot (on the kiosk, 1-5) and cold (survey, 1-5) averages with their counts."""
    sc = session_counts.c
    with engine.begin() as conn:
        hot = conn.execute(select(sc.demarche, func.sum(sc.satisfaction * sc.count), func.sum(sc.count))
                           .where(sc.satisfaction > 0).group_by(sc.demarche)).all()
        cold = conn.execute(select(survey_answers.c.demarche, func.sum(survey_answers.c.rating), func.count(),
                                   func.sum(case((survey_answers.c.solved == "yes", 1), else_=0)))
                            .group_by(survey_answers.c.demarche)).all()
    table: dict[str, dict] = {}
    for demarche, total, n in hot:
        table.setdefault(demarche, {})["hot"] = (int(total), int(n))
    for demarche, total, n, solved in cold:
        table.setdefault(demarche, {})["cold"] = (int(total), int(n), int(solved))
    out = []
    for demarche in sorted(table):
        hot_t, hot_n = table[demarche].get("hot", (0, 0))
        cold_t, cold_n, solved = table[demarche].get("cold", (0, 0, 0))
        out.append({"demarche": demarche, "hot_n": hot_n, "cold_n": cold_n,
                    "hot": round(hot_t / hot_n, 1) if hot_n >= SMALL_CELL else None,
                    "cold": round(cold_t / cold_n, 1) if cold_n >= SMALL_CELL else None,
                    "solved_pct": round(100 * solved / cold_n) if cold_n >= SMALL_CELL else None})
    return out


def fleet(engine: Engine) -> list[dict]:
    since = time.time() - 24 * 3600
    with engine.begin() as conn:
        rows = conn.execute(select(kiosks).order_by(kiosks.c.site, kiosks.c.name)).all()
        recent = conn.execute(select(faults.c.kiosk_id, faults.c.fault, func.count())
                              .where(faults.c.at > since).group_by(faults.c.kiosk_id, faults.c.fault)).all()
    by_kiosk: dict[str, list[str]] = {}
    for kiosk_id, fault, n in recent:
        by_kiosk.setdefault(kiosk_id, []).append(f"{fault} ×{n}")
    now = time.time()
    out = []
    for r in rows:
        if r.revoked_at:
            status = "révoquée"
        elif r.last_contact is None:
            status = "jamais vue" if r.enrolled_at else "pas encore appairée"
        else:
            status = "en ligne" if now - r.last_contact < 180 else "silencieuse"
        out.append({"id": r.id, "revoked": r.revoked_at is not None, "name": r.name, "site": r.site, "status": status, "version": r.version or "—",
                    "last_contact": _ago(now, r.last_contact), "printer": r.printer or "—",
                    "voice": r.voice or "—", "microphone": r.microphone or "—",
                    "backlog": "—" if r.backlog is None else r.backlog,
                    "faults": ", ".join(sorted(by_kiosk.get(r.id, []))) or "aucune",
                    "config": _config_text(r), "content": _content_text(r)})
    return out


def _config_text(row) -> str:
    if row.config_version is None:
        return "—"
    if row.config_status == "applied":
        return f"v{row.config_version} appliquée"
    return f"v{row.config_version} refusée : {row.config_reasons or 'sans raison donnée'}"


def _content_text(row) -> str:
    if row.content_version is None:
        return "celui de la borne"
    if row.content_status == "applied":
        return f"v{row.content_version} appliqué"
    return f"v{row.content_version} refusé : {row.content_reasons or 'sans raison donnée'}"


def _ago(now: float, then: float | None) -> str:
    if then is None:
        return "jamais"
    seconds = int(now - then)
    if seconds < 120:
        return f"il y a {seconds} s"
    if seconds < 7200:
        return f"il y a {seconds // 60} min"
    return f"il y a {seconds // 3600} h"


def bar_chart(title: str, rows: list[tuple[str, int]], width: int = 640) -> Markup:
    """A horizontal bar chart as inline SVG, with a text value on every bar (not colour alone)."""
    bar_h, gap, label_w, value_w = 22, 6, 170, 60
    height = max(1, len(rows)) * (bar_h + gap) + 10
    peak = max([v for _, v in rows if v >= SMALL_CELL] or [1])
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg" class="chart">', f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        length = 0 if value < SMALL_CELL else int((width - label_w - value_w) * value / peak)
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="lbl">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(length, 2)}" height="{bar_h}" class="bar"/>')
        parts.append(f'<text x="{label_w + max(length, 2) + 6}" y="{y + 16}" class="val">{escape(shown(value))}</text>')
    if not rows:
        parts.append('<text x="10" y="20" class="lbl">No figures yet</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def satisfaction_chart(rows: list[dict], width: int = 640) -> Markup:
    """Hot (kiosk) and cold (survey) satisfaction out of 5 side by side per démarche; each bar says
    which it is and its value in words, so colour is never the only cue."""
    bar_h, label_w, value_w = 18, 170, 120
    group_h = 2 * bar_h + 14
    height = max(1, len(rows)) * group_h + 10
    title = "Satisfaction à chaud et à froid, sur 5"
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg" class="chart">', f"<title>{escape(title)}</title>"]
    scale = (width - label_w - value_w) / 5
    for i, r in enumerate(rows):
        y = 5 + i * group_h
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h + 4}" text-anchor="end" class="lbl">'
                     f'{escape(r["demarche"])}</text>')
        for j, (kind, value) in enumerate((("à chaud", r["hot"]), ("à froid", r["cold"]))):
            yy = y + j * (bar_h + 2)
            length = int(scale * value) if value is not None else 0
            css = "bar" if j == 0 else "bar cold"
            parts.append(f'<rect x="{label_w}" y="{yy}" width="{max(length, 2)}" height="{bar_h}" class="{css}"/>')
            text = f"{kind} {value}" if value is not None else f"{kind} : trop peu de réponses"
            parts.append(f'<text x="{label_w + max(length, 2) + 6}" y="{yy + 14}" class="val">{escape(text)}</text>')
    if not rows:
        parts.append('<text x="10" y="20" class="lbl">Pas encore de réponses</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


async def _admin(request: Request):
    from kiosk.hub.web import current_user
    return await current_user(request, "dashboard")


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, notice: str | None = None, error: str | None = None, status: int = 200):
    if await _admin(request) is None:
        return RedirectResponse("/login?next=/dashboard", status_code=303)
    engine = request.app.state.engine

    def gather():
        charts = {d: usage(engine, d) for d in DIMENSIONS}
        return fleet(engine), charts, satisfaction(engine)
    fleet_rows, charts, sat = await run_in_threadpool(gather)
    titles = {"demarche": "Sessions par démarche", "help_level": "Sessions par niveau d'aide",
              "hour": "Sessions par heure de la journée", "language": "Sessions par langue",
              "outcome": "Sessions par issue"}
    svgs = [(titles[d], bar_chart(titles[d], rows)) for d, rows in charts.items()]
    sat_rows = [(r["demarche"], r) for r in sat]
    svgs.append(("Satisfaction à chaud (borne) et à froid (enquête), sur 5", satisfaction_chart(sat)))
    from kiosk.hub.web import render
    return render(request, "dashboard.html", status=status, fleet=fleet_rows, charts=svgs,
                  satisfaction=sat_rows, small=SMALL_CELL, shown=shown, notice=notice, error=error)


@router.post("/dashboard/kiosks", response_class=HTMLResponse)
async def dashboard_add_kiosk(request: Request, name: str = Form(""), site: str = Form(""),
                              csrf_token_field: str = Form("", alias="csrf_token")):
    """Add a kiosk from the dashboard: the page then shows its one-time pairing code."""
    from kiosk.hub.store import HubError, add_kiosk
    from kiosk.hub.web_auth import csrf_ok
    if await _admin(request) is None:
        return RedirectResponse("/login?next=/dashboard", status_code=303)
    if not csrf_ok(request, csrf_token_field):
        return await dashboard(request, error="Ce formulaire a expiré : rechargez la page.", status=403)
    try:
        _, code = await run_in_threadpool(add_kiosk, request.app.state.engine, name[:80], site.strip()[:64])
    except HubError as exc:
        return await dashboard(request, error=exc.message, status=exc.status)
    return await dashboard(request, notice=f"Borne « {name.strip()} » ajoutée. Code d'appairage, valable 1 heure "
                                           f"et une seule fois : {code} — sur la borne : kiosk enrol --hub "
                                           f"{request.base_url}".rstrip("/") + f" {code}")


@router.post("/dashboard/kiosks/{kiosk_id}/revoke", response_class=HTMLResponse)
async def dashboard_revoke(request: Request, kiosk_id: str, csrf_token_field: str = Form("", alias="csrf_token")):
    from kiosk.hub.store import revoke_kiosk
    from kiosk.hub.web_auth import csrf_ok
    if await _admin(request) is None:
        return RedirectResponse("/login?next=/dashboard", status_code=303)
    if not csrf_ok(request, csrf_token_field):
        return await dashboard(request, error="Ce formulaire a expiré : rechargez la page.", status=403)
    done = await run_in_threadpool(revoke_kiosk, request.app.state.engine, kiosk_id[:32])
    return await dashboard(request, notice="Borne révoquée : le hub refuse désormais ses envois." if done
                           else None, error=None if done else "Borne inconnue.", status=200 if done else 404)


@router.get("/dashboard/export.csv")
async def export_csv(request: Request):
    if await _admin(request) is None:
        return RedirectResponse("/login?next=/dashboard", status_code=303)
    engine = request.app.state.engine

    def build() -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["dimension", "value", "sessions"])
        for d in DIMENSIONS:
            for value, count in usage(engine, d):
                writer.writerow([d, value, shown(count)])
        writer.writerow([])
        writer.writerow(["demarche", "hot_satisfaction", "hot_answers", "cold_satisfaction", "cold_answers",
                         "cold_solved_pct"])
        for r in satisfaction(engine):
            writer.writerow([r["demarche"], r["hot"] if r["hot"] is not None else "", shown(r["hot_n"]),
                             r["cold"] if r["cold"] is not None else "", shown(r["cold_n"]),
                             r["solved_pct"] if r["solved_pct"] is not None else ""])
        return out.getvalue()
    text = await run_in_threadpool(build)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="kiosk-usage.csv"'})
