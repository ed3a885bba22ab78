"""The kiosk's link to the hub: enrolment, a signed HTTP client, and `HubLink`, which sends the
outbox in order from its own threads and tells the kiosk when a mediator answers a help request.

Never call the network from the UI thread: `HubLink` methods only write to the local outbox and
return at once; callbacks (`on_help_answered`, `on_help_unanswered`) run on the link's worker
thread, so a Kivy caller must hop back with `Clock.schedule_once`. Without enrolment
`HubLink.open` returns None and the kiosk works alone.

Wiring (kiosk/app.py):

    link = HubLink.open(config)            # None: not enrolled -> today's on-screen alert only
    if link:
        link.on_help_answered = lambda alert_id: Clock.schedule_once(lambda dt: show_mediator_coming())
        link.on_help_unanswered = lambda alert_id, repeats: Clock.schedule_once(lambda dt: offer_other_ways())
        link.on_config_applied = lambda path, config: ...   # the new config is valid and on disk
        link.start()
    link.record_session(demarche, help_level, outcome, satisfaction, language)   # at "terminer"
    alert_id = link.request_help(demarche, "urgent")     # then link.help_status(alert_id)
    link.report_fault("printer-paper")                   # counted, and a live alert for mediators
    link.set_device_state(printer="ok", voice="ok", microphone="off")   # said by the next heartbeat
    url = link.survey_url(demarche, language)            # the receipt's QR code
    link.state()                                         # HubState for the mediator panel
    link.close()                                         # at exit
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests
import urllib3

from kiosk.core.outbox import URGENT, Outbox
from kiosk.hub import signing
from kiosk.hub.protocol import DEVICE_STATES, HELP_LEVELS, OUTCOMES, is_ident

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.05
READ_TIMEOUT_S = 10.0
BATCH_SIZE = 100
DEVICE_FILE_NAME = "hub-device.json"


class HubUnavailable(Exception):
    """The hub could not be reached or answered badly (network, 5xx, not JSON): retry later.
    `retry_after` (seconds) is set when a busy hub said when to come back."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class HubRefused(Exception):
    """The hub refused the request (4xx); `status` and a sentence in str()."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


# ---- enrolment and the device file ------------------------------------------------------------

def default_device_file() -> Path:
    from kiosk.paths import data_dir
    return data_dir() / DEVICE_FILE_NAME


def device_file_for(config) -> Path:
    section = getattr(config, "values", {}).get("hub", {}) if config is not None else {}
    return Path(section.get("device_file") or default_device_file())


def enrol(hub_url: str, code: str, device_file: Path | None = None, timeout: float = READ_TIMEOUT_S) -> dict:
    """Exchange a pairing code for this kiosk's secret and save it (rights 0600). Returns the device."""
    url = hub_url.rstrip("/")
    try:
        response = requests.post(f"{url}/api/v1/enrol", json={"code": code.strip()},
                                 timeout=(CONNECT_TIMEOUT_S, timeout))
    except requests.RequestException as exc:
        raise HubUnavailable(f"The hub at {url} cannot be reached ({exc.__class__.__name__}): "
                             "check the address and the network, then try again.") from None
    data = _json_or_raise(response)
    device = {"hub_url": url, "kiosk_id": data["kiosk_id"], "secret": data["secret"], "site": data["site"],
              "name": data["name"], "survey_key": data["survey_key"]}
    save_device(device_file or default_device_file(), device)
    return device


def save_device(path: Path, device: dict) -> None:
    """Write atomically with rights 0600 from the start (the secret is never world-readable)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hub-device-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(device, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_device(path: Path) -> dict | None:
    try:
        device = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    needed = {"hub_url", "kiosk_id", "secret", "site", "survey_key"}
    return device if isinstance(device, dict) and needed <= set(device) else None


def _json_or_raise(response: requests.Response) -> dict:
    if response.status_code >= 500:
        retry_after = response.headers.get("retry-after", "")
        raise HubUnavailable(f"The hub answered {response.status_code}: it will be tried again later.",
                             float(retry_after) if retry_after.isdigit() and int(retry_after) <= 600 else None)
    try:
        data = response.json()
    except ValueError:
        raise HubUnavailable("The hub's answer is not valid JSON: it will be tried again later.") from None
    if not isinstance(data, dict):
        raise HubUnavailable("The hub's answer is not a JSON object: it will be tried again later.")
    if response.status_code >= 400:
        raise HubRefused(response.status_code, str(data.get("error") or f"refused ({response.status_code})"))
    return data


# ---- signed client ------------------------------------------------------------------------------

class _OneSendMixin:
    """Sends a request's header block and its small body in one write (one TCP segment, or one TLS
    record), instead of the two writes of http.client (header block, then body). Each write is a
    segment of its own (Nagle is off) that the hub's event loop wakes up to read: one write spares a
    send and a wake-up per request (on loopback, the client's involuntary context switches per
    request fell from 1.6 to 0.8). Only for a body of known length
    (Content-Length given): anything else goes as before. urllib3 is given no body, so it cannot send
    it a second time; the body joins the write that ends the header block, or, should none be seen,
    follows it as before."""

    _body_with_headers: bytes | None = None

    def request(self, method, url, body=None, headers=None, **kwargs):
        if (isinstance(body, bytes) and 0 < len(body) <= 65536 and not kwargs.get("chunked")
                and headers is not None and any(str(k).lower() == "content-length" for k in headers)):
            self._body_with_headers = body
            try:
                super().request(method, url, body=None, headers=headers, **kwargs)
                if self._body_with_headers is not None:
                    super().send(self._body_with_headers)
            finally:
                self._body_with_headers = None
        else:
            super().request(method, url, body=body, headers=headers, **kwargs)

    def send(self, data):
        if (self._body_with_headers is not None and isinstance(data, (bytes, bytearray))
                and data.endswith(b"\r\n\r\n")):
            data, self._body_with_headers = bytes(data) + self._body_with_headers, None
        super().send(data)


class _OneSendHTTPConnection(_OneSendMixin, urllib3.connection.HTTPConnection):
    pass


class _OneSendHTTPSConnection(_OneSendMixin, urllib3.connection.HTTPSConnection):
    pass


class _OneSendHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _OneSendHTTPConnection


class _OneSendHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _OneSendHTTPSConnection


class HubClient:
    """Signed JSON requests to the hub, with a timeout on every call. Not thread-safe: one per thread."""

    def __init__(self, device: dict, timeout: float = READ_TIMEOUT_S,
                 on_request: Callable[[float, float | None], None] | None = None):
        self.device = device
        self.base = device["hub_url"].rstrip("/")
        self.base_path = urlsplit(self.base).path.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        # The environment's proxy and CA bundle are read once here. Left to requests (trust_env), they
        # and ~/.netrc are looked up again for every request: about 0.1 ms of CPU each time, as much
        # as the rest of preparing the request, on a small machine that sends all day.
        self.session.proxies.update(requests.utils.get_environ_proxies(self.base))
        ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if ca_bundle:
            self.session.verify = ca_bundle
        self.session.trust_env = False
        adapter = self._adapter = self.session.get_adapter(self.base)
        pools = getattr(adapter, "poolmanager", None)
        if pools is not None and hasattr(pools, "pool_classes_by_scheme"):  # urllib3's PoolManager
            pools.pool_classes_by_scheme = {"http": _OneSendHTTPPool, "https": _OneSendHTTPSPool}
        self.on_request = on_request
        self._templates: dict[str, requests.PreparedRequest] = {}

    def close(self) -> None:
        self.session.close()

    def _template(self, path: str) -> requests.PreparedRequest:
        """POST to this path, prepared once (URL parsed, checked and encoded; hooks): each call copies it
        and adds its own headers and body, a quarter of what preparing the whole request costs."""
        template = self._templates.get(path)
        if template is None:
            template = self._templates[path] = requests.Request("POST", self.base + path).prepare()
        return template

    def post(self, path: str, payload: dict, read_timeout: float | None = None, urgent: bool = False) -> dict:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = signing.signed_headers(self.device["kiosk_id"], self.device["secret"], "POST",
                                         self.base_path + path, body)
        headers["Content-Type"] = "application/json"
        if urgent:  # a busy hub still takes it (a person is waiting for a mediator)
            headers["X-Kiosk-Urgent"] = "1"
        started = time.monotonic()
        try:
            # Prepared here and sent by the session's adapter (its kept-alive connection): what
            # Session.post and Session.send add (cookies kept from each answer, auth, hooks, redirects,
            # settings merged again for each call) is of no use to a signed, cookie-free API; Session.send
            # alone was a tenth of the client's Python time per request. No redirects: the signature
            # covers the path.
            request = self._template(path).copy()
            request.prepare_headers(headers)
            request.prepare_body(body, None)
            response = self._adapter.send(request, timeout=(CONNECT_TIMEOUT_S, read_timeout or self.timeout),
                                          verify=self.session.verify, cert=self.session.cert,
                                          proxies=self.session.proxies)
            response.content  # read to the end, whatever the status: the connection is then free again
            data = _json_or_raise(response)
        except requests.RequestException as exc:
            raise HubUnavailable(f"hub unreachable ({exc.__class__.__name__})") from None
        if self.on_request:
            self.on_request(time.monotonic() - started, _server_ms(response))
        return data

    def send_events(self, events: list[dict]) -> tuple[list[str], list[str]]:
        urgent = any(e["kind"] in URGENT for e in events)
        data = self.post("/api/v1/events", {"site": self.device["site"], "events": events}, urgent=urgent)
        stored, duplicates = data.get("stored"), data.get("duplicates")
        if not isinstance(stored, list) or not isinstance(duplicates, list):
            raise HubUnavailable("The hub's answer lacks the stored keys.")
        return stored, duplicates

    def alert_status(self, ids: list[str], wait: float = 0) -> dict[str, dict]:
        data = self.post("/api/v1/alerts/status", {"ids": ids, "wait": wait}, read_timeout=wait + self.timeout)
        alerts = data.get("alerts")
        if not isinstance(alerts, dict):
            raise HubUnavailable("The hub's answer lacks the alerts.")
        return alerts


    def fetch_config(self, have: int) -> dict:
        data = self.post("/api/v1/config", {"have": have})
        if not isinstance(data.get("version"), int) or ("toml" in data and not isinstance(data["toml"], str)):
            raise HubUnavailable("The hub's config answer is malformed.")
        return data

    def fetch_content(self, have: int) -> dict:
        data = self.post("/api/v1/content", {"have": have}, read_timeout=max(self.timeout, 60))
        if not isinstance(data.get("version"), int) or ("files" in data and not isinstance(data["files"], dict)):
            raise HubUnavailable("The hub's content answer is malformed.")
        return data

    def report_content(self, version: int, applied: bool, reasons: list[str]) -> None:
        self.post("/api/v1/content/report", {"version": version, "applied": applied,
                                             "reasons": [r[:300] for r in reasons[:50]]})

    def report_config(self, version: int, applied: bool, reasons: list[str]) -> None:
        self.post("/api/v1/config/report", {"version": version, "applied": applied,
                                            "reasons": [r[:300] for r in reasons[:50]]})


def _server_ms(response: requests.Response) -> float | None:
    """The hub's own time for a request (its Server-Timing header), for the benchmark."""
    timing = response.headers.get("server-timing", "")
    try:
        return float(timing.split("dur=", 1)[1].split(";")[0]) if "dur=" in timing else None
    except ValueError:
        return None


def backoff_delay(failures: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with jitter: half the delay fixed, half random (so kiosks spread out)."""
    delay = min(cap, base * (2 ** min(failures, 20)))
    return delay / 2 + random.uniform(0, delay / 2)


# ---- the link the kiosk uses ----------------------------------------------------------------------

@dataclass(frozen=True)
class HubState:
    enrolled: bool
    hub_url: str
    connected: bool          # the last exchange with the hub worked
    last_contact: float | None  # Unix time of the last successful exchange
    backlog: int             # items waiting in the outbox
    refused: int             # items the full outbox could not keep
    rejected: int            # items the hub refused for good
    last_error: str          # plain sentence, "" when all is well


class HubLink:
    """Everything the kiosk sends the hub goes through here (see the module docstring)."""

    def __init__(self, device: dict, outbox: Outbox, heartbeat_s: float = 60.0, version: str = "",
                 on_request: Callable[[float, float | None], None] | None = None, backoff_base: float = 1.0,
                 backoff_cap: float = 300.0, long_poll_s: float = 20.0,
                 config_file: Path | None = None, config_check_s: float = 300.0,
                 content_data_dir: Path | None = None):
        self.device = device
        self.outbox = outbox
        self.heartbeat_s = heartbeat_s
        self.version = version or _kiosk_version()
        self.on_request = on_request
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.long_poll_s = long_poll_s
        self.on_help_answered: Callable[[str], None] | None = None
        self.on_help_unanswered: Callable[[str, int], None] | None = None
        self.on_config_applied: Callable[[Path, object], None] | None = None
        self.config_file = Path(config_file) if config_file else None
        self.config_check_s = config_check_s
        self.content_data_dir = Path(content_data_dir) if content_data_dir else None
        self.on_content_applied: Callable[[Path], None] | None = None
        self._device_state = {"printer": "unknown", "voice": "unknown", "microphone": "unknown"}
        self._stop = threading.Event()
        self._wake_sender = threading.Event()
        self._wake_watcher = threading.Event()
        self._urgent = threading.Event()
        self._lock = threading.Lock()
        self._alerts: dict[str, tuple[str, int]] = {}  # alert id -> (state, repeats) last seen
        self._answered: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._last_contact: float | None = None
        self._connected = False
        self._last_error = ""
        self._closed = False
        self.failed_requests = 0  # sends that met no hub, a 5xx or a bad answer (retried later)
        self._last_counts: tuple[int, dict] = (0, {"refused": 0, "rejected": 0})

    @classmethod
    def open(cls, config=None, data_dir: Path | None = None, **kwargs) -> "HubLink | None":
        """The link of an enrolled kiosk, or None (not enrolled: the kiosk works alone)."""
        device = load_device(device_file_for(config))
        if device is None:
            return None
        url = (getattr(config, "values", {}).get("hub", {}).get("url") if config is not None else "") or ""
        if url:
            device = {**device, "hub_url": url.rstrip("/")}
        if data_dir is None:
            from kiosk.paths import data_dir as kiosk_data_dir
            data_dir = kiosk_data_dir()
        source = getattr(config, "source", "")
        if source and Path(source).is_file():
            kwargs.setdefault("config_file", Path(source))
        kwargs.setdefault("content_data_dir", Path(data_dir))
        return cls(device, Outbox(Path(data_dir) / "outbox.sqlite3"), **kwargs)

    # ---- called by the kiosk (any thread; never blocks on the network) ----

    def start(self) -> None:
        if self._threads:
            return
        for name, target in (("hub-sender", self._send_loop), ("hub-alerts", self._watch_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._urgent.set()
        self._wake_sender.set()
        self._wake_watcher.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        self.state()
        self._closed = True
        self.outbox.close()

    def record_session(self, demarche: str | None, help_level: str | None, outcome: str,
                       satisfaction: int | None, language: str, when: dt.datetime | None = None) -> None:
        """Count one finished session (anonymous; values outside the closed lists become 'none'/'other')."""
        when = when or dt.datetime.now()
        self._put("session", {
            "demarche": _ident_or(demarche, "none"),
            "help_level": help_level if help_level in HELP_LEVELS else "none",
            "outcome": outcome if outcome in OUTCOMES else "abandoned",
            "satisfaction": satisfaction if satisfaction in (1, 2, 3, 4, 5) else 0,
            "language": language if isinstance(language, str) and language.isalpha() and 2 <= len(language) <= 3
            else "other",
            "day": when.date().isoformat(), "hour": when.hour, "count": 1})

    def report_fault(self, kind: str, alert_mediator: bool = True) -> None:
        """Count a device fault (a short id such as "printer-paper"); by default the site's mediators
        also see it live on their alert page."""
        data = {"fault": _ident_or(kind, "other")}
        if alert_mediator:
            data["alert"] = True
        self._put("fault", data)

    def request_help(self, demarche: str | None, level: str | None, reason: str | None = None) -> str | None:
        """Alert the site's mediators; returns the alert id (None if the outbox could not keep it)."""
        data = {"demarche": _ident_or(demarche, "none"), "help_level": level if level in HELP_LEVELS else "none"}
        if reason in ("help", "urgent", "fault"):
            data["reason"] = reason
        alert_id = self._put("help", data)
        if alert_id:
            with self._lock:
                self._alerts[alert_id] = ("unknown", 0)
            self._wake_watcher.set()
        return alert_id

    def help_status(self, alert_id: str) -> str:
        """Where a help request stands: "queued" (not yet on the hub: no one is notified yet),
        "delivered" (mediators see it), "repeated" (no answer within the hub's delay),
        "answered" (a mediator tapped "J'arrive"), or "unknown" (not watched by this link)."""
        with self._lock:
            if alert_id in self._answered:
                return "answered"
            if alert_id not in self._alerts:
                return "unknown"
            state = self._alerts[alert_id][0]
        return {"unknown": "queued", "pending": "delivered"}.get(state, state)

    def forget_help(self, alert_id: str) -> None:
        """Stop watching an alert (the session ended)."""
        with self._lock:
            self._alerts.pop(alert_id, None)

    def set_device_state(self, printer: str | None = None, voice: str | None = None,
                         microphone: str | None = None) -> None:
        """What the next heartbeat says (each one of ok, fault, off, unknown)."""
        for name, value in (("printer", printer), ("voice", voice), ("microphone", microphone)):
            if value in DEVICE_STATES:
                self._device_state[name] = value

    def survey_url(self, demarche: str, language: str, day: dt.date | None = None) -> str:
        """The cold-survey address for the receipt's QR code (no network: signed locally)."""
        d = self.device
        return signing.survey_url(d["hub_url"], d["survey_key"], d["site"], _ident_or(demarche, "none"),
                                  (day or dt.date.today()).isoformat(), language)

    def state(self) -> HubState:
        """For the mediator panel; cheap (two small SQLite reads), callable from any thread."""
        if not self._closed:
            self._last_counts = (self.outbox.size(), self.outbox.counters())
        backlog, counters = self._last_counts
        return HubState(enrolled=True, hub_url=self.device["hub_url"], connected=self._connected,
                        last_contact=self._last_contact, backlog=backlog,
                        refused=counters["refused"], rejected=counters["rejected"], last_error=self._last_error)

    def flush(self) -> None:
        """Ask the sender to try now (e.g. after the network came back)."""
        self._wake_sender.set()

    # ---- worker threads ----

    def _put(self, kind: str, data: dict) -> str | None:
        key = self.outbox.put(kind, data)
        if kind in URGENT:
            self._urgent.set()
        self._wake_sender.set()
        return key

    def _pause(self, seconds: float) -> None:
        """Back off before the next try, unless a help request or a fault comes in meanwhile: a
        person is waiting, and a busy hub never sheds such a batch."""
        deadline = time.monotonic() + seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            if self._urgent.wait(min(0.5, max(0.0, deadline - time.monotonic()))):
                self._urgent.clear()
                return

    def _contact(self, ok: bool, error: str = "") -> None:
        self._connected = ok
        if ok:
            self._last_contact = time.time()
            self._last_error = ""
        else:
            self._last_error = error

    def _heartbeat(self) -> None:
        self.outbox.put("heartbeat", {"version": self.version, "backlog": self.outbox.size(),
                                      **self._device_state})

    def _send_loop(self) -> None:
        client = HubClient(self.device, on_request=self.on_request)
        failures = 0
        next_beat = time.monotonic()
        next_config = time.monotonic()
        try:
            while not self._stop.is_set():
                if (self.config_file or self.content_data_dir) and time.monotonic() >= next_config:
                    next_config = time.monotonic() + self.config_check_s
                    if self.config_file:
                        self._check_config(client)
                    if self.content_data_dir:
                        self._check_content(client)
                if self.heartbeat_s and time.monotonic() >= next_beat:
                    self._heartbeat()
                    next_beat = time.monotonic() + self.heartbeat_s
                batch = self.outbox.peek(BATCH_SIZE)
                if not batch:
                    self._wake_sender.clear()
                    deadlines = [t for t, on in ((next_beat, self.heartbeat_s), (next_config, self.config_file or self.content_data_dir)) if on]
                    self._wake_sender.wait(max(0.05, min(deadlines) - time.monotonic()) if deadlines else None)
                    continue
                try:
                    stored, duplicates = client.send_events(batch)
                    self.outbox.ack(stored + duplicates)
                    self._contact(True)
                    failures = 0
                    if any(item["kind"] == "help" for item in batch):
                        self._wake_watcher.set()
                    continue
                except HubRefused as exc:
                    if exc.status == 422:
                        self._isolate_bad_items(client, batch)
                        continue
                    self._contact(False, f"The hub refused this kiosk ({exc.status}): {exc}")
                    log.warning("hub refused the batch (%d)", exc.status)
                except HubUnavailable as exc:
                    self.failed_requests += 1
                    self._contact(False, f"The hub cannot be reached: {exc}")
                    if exc.retry_after is not None:  # a busy hub said when: come back then, spread out
                        self._pause(exc.retry_after * random.uniform(1.0, 2.0))
                        continue
                failures += 1
                self._pause(backoff_delay(failures, self.backoff_base, self.backoff_cap))
        finally:
            client.close()

    # ---- configuration from the hub ----

    def _config_state_file(self) -> Path:
        return self.config_file.with_name(self.config_file.name + ".hub-version")

    def config_versions(self) -> dict:
        """{"applied": n, "refused": m}: the hub's config versions this kiosk applied or refused."""
        try:
            state = json.loads(self._config_state_file().read_text(encoding="utf-8"))
            return {"applied": int(state.get("applied", 0)), "refused": int(state.get("refused", 0))}
        except (OSError, ValueError, TypeError, AttributeError):
            return {"applied": 0, "refused": 0}

    def _check_config(self, client: HubClient) -> None:
        """Fetch a newer config; apply it atomically only if the kiosk's own validator accepts it,
        keeping the previous file as <file>.last-good; report the result (and the reasons) to the hub."""
        import tomllib

        from kiosk.core.config import ConfigError, validate

        versions = self.config_versions()
        try:
            offer = client.fetch_config(max(versions.values()))
        except (HubUnavailable, HubRefused):
            return
        if "toml" not in offer or offer["version"] <= max(versions.values()):
            return
        version = offer["version"]
        try:
            config = validate(tomllib.loads(offer["toml"]), source=f"hub config v{version}")
            reasons: list[str] = []
        except tomllib.TOMLDecodeError as exc:
            config, reasons = None, [f"hub config v{version}: not valid TOML: {exc}"]
        except ConfigError as exc:
            config, reasons = None, list(exc.problems)
        if config is not None:
            try:
                self._apply_config(offer["toml"])
            except OSError as exc:
                config, reasons = None, [f"hub config v{version}: cannot be written ({exc.strerror or exc})"]
        if config is not None:
            versions["applied"] = version
        else:
            versions["refused"] = version
            log.warning("config from the hub refused (%d problem(s)); the current one stays", len(reasons))
        save_device(self._config_state_file(), versions)
        try:
            client.report_config(version, config is not None, reasons)
        except (HubUnavailable, HubRefused):
            pass
        if config is not None and self.on_config_applied:
            try:
                self.on_config_applied(self.config_file, config)
            except Exception:  # noqa: BLE001
                log.exception("on_config_applied failed")

    def _check_content(self, client: HubClient) -> None:
        """Fetch newer démarches content; the kiosk's own validator decides (kiosk/core/content_update.py);
        report what was done, with the reasons of a refusal, to the hub."""
        from kiosk.core import content_update

        known = content_update.versions(self.content_data_dir)
        try:
            offer = client.fetch_content(max(known.values()))
        except (HubUnavailable, HubRefused):
            return
        if "files" not in offer or offer["version"] <= max(known.values()):
            return
        version = offer["version"]
        try:
            reasons = content_update.apply_package(self.content_data_dir, version, offer["files"])
        except OSError as exc:
            reasons = [f"content v{version}: cannot be written ({exc.strerror or exc})"]
        if reasons:
            log.warning("content from the hub refused (%d problem(s)); the current one stays", len(reasons))
        try:
            client.report_content(version, not reasons, reasons)
        except (HubUnavailable, HubRefused):
            pass
        if not reasons and self.on_content_applied:
            try:
                self.on_content_applied(content_update.active_content_dir(self.content_data_dir))
            except Exception:  # noqa: BLE001
                log.exception("on_content_applied failed")

    def _apply_config(self, text: str) -> None:
        target = self.config_file
        if target.exists():
            backup = target.with_name(target.name + ".last-good")
            tmp = backup.with_name(backup.name + ".tmp")
            tmp.write_bytes(target.read_bytes())
            os.replace(tmp, backup)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".config-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def _isolate_bad_items(self, client: HubClient, batch: list[dict]) -> None:
        """A batch was refused as malformed: send its items one by one and drop only the bad ones."""
        for item in batch:
            try:
                stored, duplicates = client.send_events([item])
                self.outbox.ack(stored + duplicates)
            except HubRefused as exc:
                if exc.status == 422:
                    self.outbox.reject(item["key"])
                else:
                    return
            except HubUnavailable:
                return

    def _watch_loop(self) -> None:
        client = HubClient(self.device, on_request=None)
        failures = 0
        try:
            while not self._stop.is_set():
                with self._lock:
                    watched = dict(self._alerts)
                if not watched:
                    self._wake_watcher.clear()
                    self._wake_watcher.wait()
                    continue
                # wait long only when every alert is already known to the hub
                ready = all(state != "unknown" for state, _ in watched.values())
                try:
                    status = client.alert_status(list(watched)[:50], wait=self.long_poll_s if ready else 0)
                    failures = 0
                except (HubUnavailable, HubRefused):
                    failures += 1
                    self._stop.wait(backoff_delay(failures, self.backoff_base, min(self.backoff_cap, 30)))
                    continue
                self._dispatch(watched, status)
                if not ready and all(s.get("state") == "unknown" for s in status.values()):
                    self._wake_watcher.clear()
                    self._wake_watcher.wait(0.5)  # not delivered yet: the sender wakes us when it is
        finally:
            client.close()

    def _dispatch(self, watched: dict[str, tuple[str, int]], status: dict[str, dict]) -> None:
        for alert_id, (old_state, old_repeats) in watched.items():
            new = status.get(alert_id) or {}
            state, repeats = new.get("state"), new.get("repeats", 0)
            if state not in ("pending", "answered", "repeated", "unknown"):
                continue
            with self._lock:
                if alert_id not in self._alerts:
                    continue
                if state == "answered":
                    self._alerts.pop(alert_id, None)
                    if len(self._answered) > 1000:
                        self._answered.clear()
                    self._answered.add(alert_id)
                else:
                    self._alerts[alert_id] = (state, repeats)
            callback = None
            if state == "answered" and self.on_help_answered:
                callback = (self.on_help_answered, (alert_id,))
            elif state == "repeated" and repeats != old_repeats and self.on_help_unanswered:
                callback = (self.on_help_unanswered, (alert_id, repeats))
            if callback:
                try:
                    callback[0](*callback[1])
                except Exception:  # noqa: BLE001 — a caller's bug must not stop the link
                    log.exception("hub link callback failed")


def _ident_or(value, fallback: str) -> str:
    return value if is_ident(value) else fallback


def _kiosk_version() -> str:
    try:
        from importlib.metadata import version
        return version("kiosk")
    except Exception:  # noqa: BLE001
        return "0"
