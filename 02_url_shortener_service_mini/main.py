#!/usr/bin/env python3
"""sd-shortener, the Python twin: POST /shorten + GET /r/{code} (a real redirect) and the core of
/v1/links (create with alias/ttl/expires_at/max_visits/redirect/find_if_exists, get, delete, stats),
on sqlite3 in WAL mode. The same contract as main.cpp, which adds group commit, PostgreSQL, an
in-process cache in front of the store and batched visit counting; here every redirect reads the
database and every visit is written at once — simple, and what the C++ numbers are compared to."""

from __future__ import annotations

import json
import os
import pathlib
import re
import secrets
import sqlite3
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALIAS_RE = re.compile(r"[A-Za-z0-9_-]{3,64}")
CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
RESERVED = {"r", "v1", "v2", "api", "shorten", "links", "healthz", "readyz", "metrics", "stats", "admin",
            "login", "logout", "signin", "signup", "account", "auth", "oauth", "password", "static",
            "assets", "www", "help", "status", "settings", "security", "support", "favicon.ico"}
URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
HOST_NAME = re.compile(r"[a-z0-9_.\-\x80-\U0010ffff]{1,253}")
BOT_MARKERS = ("bot", "crawl", "spider", "slurp", "facebookexternalhit", "embedly", "preview", "curl/",
               "wget/", "python-requests", "go-http-client", "headless")
MAX_TTL = 10 * 366 * 86400

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
  code TEXT PRIMARY KEY, url TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER,
  max_visits INTEGER, redirect INTEGER NOT NULL DEFAULT 0, custom INTEGER NOT NULL DEFAULT 0,
  visits INTEGER NOT NULL DEFAULT 0, cap_used INTEGER NOT NULL DEFAULT 0, deleted_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS visit_counts (
  code TEXT NOT NULL, day INTEGER NOT NULL, referrer TEXT NOT NULL, bot INTEGER NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY (code, day, referrer, bot)
) WITHOUT ROWID;
"""
COLUMNS = "code, url, created_at, expires_at, max_visits, redirect, custom, visits, cap_used, deleted_at"


def random_code(length: int) -> str:
    return "".join(secrets.choice(BASE62) for _ in range(length))


def normalize_host(host: str) -> str:
    host = host.lower()
    return host[:-1] if host.endswith(".") else host


def blocked(host: str, hosts: set[str]) -> bool:
    if host in hosts:
        return True
    if re.fullmatch(r"[0-9.]+", host) or ":" in host:
        return False  # IP literals match exactly
    parts = host.split(".")
    return any(".".join(parts[i:]) in hosts for i in range(1, len(parts)))


def url_rejection(url: str, max_bytes: int, reject_credentials: bool, blocklist: set[str],
                  self_hosts: set[str], request_host: str) -> str | None:
    """The reason `url` may not be shortened (the names of domain/url_policy.hpp), or None."""
    if not url:
        return "empty"
    if len(url.encode()) > max_bytes:
        return "too_long"
    if not URI_CHARS.fullmatch(url) or re.search(r"%(?![0-9A-Fa-f]{2})", url):
        return "malformed"
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    if not m:
        return "malformed"
    if m.group(1).lower() not in ("http", "https"):
        return "scheme"
    parts = urllib.parse.urlsplit(url)
    if not url[len(m.group(0)):].startswith("//") or not parts.netloc:
        return "no_host"
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):
        host = hostport[1:hostport.find("]")] if "]" in hostport else ""
        port = hostport[hostport.find("]") + 2:] if "]:" in hostport else ""
    else:
        host, _, port = hostport.partition(":")
        host = urllib.parse.unquote(host, errors="strict")
    if not host:
        return "no_host"
    host = normalize_host(host)
    if not hostport.startswith("[") and (not HOST_NAME.fullmatch(host) or ".." in host or host.startswith(".")):
        return "bad_host"
    if port and (not port.isdigit() or int(port) > 65535):
        return "bad_port"
    if reject_credentials and "@" in parts.netloc:
        return "credentials"
    if blocked(host, blocklist):
        return "blocked_host"
    if blocked(host, self_hosts) or (request_host and host == normalize_host(request_host)):
        return "self_link"
    return None


def referrer_host(referer: str) -> str:
    if not referer or len(referer) > 4096:
        return ""
    try:
        return normalize_host(urllib.parse.urlsplit(referer).hostname or "")
    except ValueError:
        return ""


def is_bot(agent: str) -> bool:
    agent = agent[:512].lower()
    return not agent or any(m in agent for m in BOT_MARKERS)


class Store:
    """sqlite3 behind one lock: the seed's check-then-save race is gone because uniqueness is the
    PRIMARY KEY's job (an INSERT that collides raises IntegrityError), not a lookup's."""

    def __init__(self, path: str, synchronous: str):
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    def insert(self, link: dict) -> bool:
        """False when the code is taken (by a live link or a tombstone)."""
        with self.lock:
            try:
                self.db.execute("INSERT INTO links (code, url, created_at, expires_at, max_visits, redirect, custom) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                                (link["code"], link["url"], link["created_at"], link["expires_at"],
                                 link["max_visits"], link["redirect"], int(link["custom"])))
                return True
            except sqlite3.IntegrityError:
                return False

    def find(self, code: str) -> dict | None:
        with self.lock:
            row = self.db.execute(f"SELECT {COLUMNS} FROM links WHERE code = ?", (code,)).fetchone()
        return None if row is None else dict(zip(COLUMNS.split(", "), row))

    def find_reusable(self, url: str, redirect: int) -> dict | None:
        with self.lock:
            row = self.db.execute(f"SELECT {COLUMNS} FROM links WHERE url = ? AND deleted_at IS NULL AND custom = 0 "
                                  "AND expires_at IS NULL AND max_visits IS NULL AND redirect = ? "
                                  "ORDER BY created_at, code LIMIT 1", (url, redirect)).fetchone()
        return None if row is None else dict(zip(COLUMNS.split(", "), row))

    def delete(self, code: str, at: int) -> None:
        with self.lock:
            self.db.execute("UPDATE links SET deleted_at = ? WHERE code = ? AND deleted_at IS NULL", (at, code))

    def take_capped_visit(self, code: str) -> bool:
        with self.lock:
            cur = self.db.execute("UPDATE links SET cap_used = cap_used + 1 WHERE code = ? AND max_visits IS NOT NULL "
                                  "AND cap_used < max_visits AND deleted_at IS NULL", (code,))
            return cur.rowcount == 1

    def add_visit(self, code: str, now: int, referrer: str, bot: bool) -> None:
        with self.lock:
            self.db.execute("BEGIN")
            self.db.execute("INSERT INTO visit_counts VALUES (?, ?, ?, ?, 1) ON CONFLICT (code, day, referrer, bot) "
                            "DO UPDATE SET count = count + 1", (code, now // 86400, referrer, int(bot)))
            self.db.execute("UPDATE links SET visits = visits + 1 WHERE code = ?", (code,))
            self.db.execute("COMMIT")

    def stats(self, code: str, top: int) -> dict:
        with self.lock:
            days = self.db.execute("SELECT day, SUM(count), SUM(CASE WHEN bot THEN count ELSE 0 END) FROM visit_counts "
                                   "WHERE code = ? GROUP BY day ORDER BY day", (code,)).fetchall()
            hosts = self.db.execute("SELECT referrer, SUM(count) AS n FROM visit_counts WHERE code = ? GROUP BY referrer "
                                    "ORDER BY n DESC, referrer LIMIT ?", (code, top)).fetchall()
        visits = sum(d[1] for d in days)
        bots = sum(d[2] for d in days)
        return {"code": code, "visits": visits, "bot_visits": bots, "bot_share": bots / visits if visits else 0.0,
                "per_day": [{"day": time.strftime("%Y-%m-%d", time.gmtime(d[0] * 86400)), "visits": d[1]} for d in days],
                "top_referrers": [{"host": h or None, "visits": n} for h, n in hosts]}

    def ping(self) -> str | None:
        try:
            with self.lock:
                self.db.execute("SELECT 1").fetchone()
            return None
        except sqlite3.Error as e:
            return str(e)


class TokenBuckets:
    """Per-client-IP creation limit (the C++ service mounts 01's module for this)."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> float:
        """0 when allowed, else seconds until a token is back."""
        now = time.monotonic()
        with self.lock:
            if len(self.buckets) > 100_000:
                self.buckets.clear()  # bounded memory: forgetting everyone only lets clients in
            tokens, last = self.buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                return 0.0
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


class Service:
    def __init__(self, store: Store, args, registry):
        self.store, self.args = store, args
        self.blocklist: set[str] = set()
        if args.blocklist:
            for line in pathlib.Path(args.blocklist).read_text().splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    self.blocklist.add(normalize_host(line))
        self.self_hosts = {normalize_host(urllib.parse.urlsplit(args.public_url).hostname or "")} - {""}
        # 01's --rule syntax (the C++ service mounts 01's module): name, rate, burst, key=ip, shadow.
        fields = dict(kv.split("=", 1) for kv in args.rule.split(","))
        count, _, unit = fields["rate"].partition("/")
        per = {"s": 1, "m": 60, "h": 3600}[unit or "s"]
        self.limits = None if fields.get("shadow") == "true" else \
            TokenBuckets(int(count) / per, float(fields.get("burst", count)))
        self.created = registry.counter("shortener_links_created_total", "Links stored.")
        self.collisions = registry.counter("shortener_code_collisions_total",
                                           "Inserts refused because the generated code was taken (then retried).")
        self.resolves = registry.counter("shortener_resolves_total", "Redirect lookups by where they were answered from.",
                                         ("source",))

    # --- helpers -------------------------------------------------------------------------------
    def short_url(self, request: Request, code: str) -> str:
        if self.args.public_url:
            return self.args.public_url.rstrip("/") + "/r/" + code
        host = request.headers.get("Host", "")
        if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]{1,255}", host):
            host = "localhost"
        return f"http://{host}/r/{code}"

    def effective_redirect(self, link: dict) -> int:
        return link["redirect"] or self.args.redirect_status

    @staticmethod
    def state(link: dict, now: int) -> str:
        if link["deleted_at"] is not None:
            return "deleted"
        if link["expires_at"] is not None and now >= link["expires_at"]:
            return "expired"
        if link["max_visits"] is not None and link["cap_used"] >= link["max_visits"]:
            return "exhausted"
        return "active"

    def link_json(self, request: Request, link: dict) -> dict:
        return {"code": link["code"], "short_url": self.short_url(request, link["code"]), "url": link["url"],
                "created_at": link["created_at"], "expires_at": link["expires_at"], "max_visits": link["max_visits"],
                "redirect": self.effective_redirect(link), "custom": bool(link["custom"]), "visits": link["visits"],
                "state": self.state(link, int(time.time())), "deleted_at": link["deleted_at"]}

    def rate_limit(self, request: Request) -> None:
        if self.limits is None:
            return
        wait = self.limits.allow(request.peer)
        if wait:
            raise HttpError(429, "too many links created; slow down", headers={"Retry-After": str(max(1, int(wait + 0.999)))})

    @staticmethod
    def body(request: Request) -> dict:
        try:
            doc = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError) as e:
            raise HttpError(400, f"body: not valid JSON ({e})") from None
        if not isinstance(doc, dict):
            raise HttpError(400, "body: a JSON object")
        return doc

    @staticmethod
    def integer(doc: dict, name: str, what: str) -> int | None:
        v = doc.get(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not -2**63 <= v < 2**63:
            raise HttpError(400, f"{name}: {what}")
        return v

    # --- handlers --------------------------------------------------------------------------------
    def create(self, request: Request, seed: bool) -> Response:
        self.rate_limit(request)
        doc = self.body(request)
        url = doc.get("url")
        if url is None:
            raise HttpError(400, "url: required")
        if not isinstance(url, str):
            raise HttpError(400, "url: a string")
        alias = ttl = expires_at = max_visits = redirect = None
        find_if_exists = False
        if not seed:
            alias = doc.get("alias")
            if alias is not None and not isinstance(alias, str):
                raise HttpError(400, "alias: a string")
            ttl = self.integer(doc, "ttl", "an integer number of seconds")
            expires_at = self.integer(doc, "expires_at", "an integer Unix time in seconds")
            max_visits = self.integer(doc, "max_visits", "an integer")
            redirect = self.integer(doc, "redirect", "one of 301, 302, 307, 308")
            f = doc.get("find_if_exists")
            if f is not None and not isinstance(f, bool):
                raise HttpError(400, "find_if_exists: true or false")
            find_if_exists = bool(f)
        now = int(time.time())
        host = request.headers.get("Host", "")
        host = host[1:host.find("]")] if host.startswith("[") else host.rpartition(":")[0] if ":" in host else host
        reason = url_rejection(url, self.args.max_url_bytes, not self.args.allow_credentials, self.blocklist,
                               self.self_hosts, host)
        if reason:
            raise HttpError(400, f"url rejected ({reason})")
        if alias is not None:
            if not 3 <= len(alias) <= 64:
                raise HttpError(400, "alias: 3 to 64 characters")
            if not ALIAS_RE.fullmatch(alias):
                raise HttpError(400, "alias: only letters, digits, '_' and '-'")
            if alias.lower() in RESERVED:
                raise HttpError(400, f"alias: '{alias}' is reserved")
        if ttl is not None and expires_at is not None:
            raise HttpError(400, "ttl and expires_at: give one, not both")
        if ttl is not None and not 1 <= ttl <= MAX_TTL:
            raise HttpError(400, f"ttl: 1 to {MAX_TTL} seconds")
        if expires_at is not None and not now < expires_at <= now + MAX_TTL:
            raise HttpError(400, "expires_at: a Unix time in the future")
        if max_visits is not None and not 1 <= max_visits <= 10**12:
            raise HttpError(400, "max_visits: 1 to 1000000000000")
        if redirect is not None and redirect not in (301, 302, 307, 308):
            raise HttpError(400, "redirect: one of 301, 302, 307, 308")
        link = {"url": url, "created_at": now, "expires_at": now + ttl if ttl is not None else expires_at,
                "max_visits": max_visits, "redirect": redirect or 0, "custom": alias is not None}
        if find_if_exists and alias is None and link["expires_at"] is None and max_visits is None:
            existing = self.store.find_reusable(url, link["redirect"])
            if existing:
                return Response.json(200, self.link_json(request, existing))
        for _attempt in range(self.args.max_insert_attempts):
            link["code"] = alias if alias is not None else random_code(self.args.code_length)
            if self.store.insert(link):
                break
            if alias is not None:
                raise HttpError(409, f"alias '{alias}' is taken")
            self.collisions.inc()
        else:
            raise HttpError(503, "no free code: the code space is nearly full")
        self.created.inc()
        stored = dict(link, visits=0, cap_used=0, deleted_at=None)
        if seed:
            body = {"code": link["code"], "short_url": self.short_url(request, link["code"])}
        else:
            body = self.link_json(request, stored)
        resp = Response.json(201, body)
        resp.headers["Location"] = "/v1/links/" + link["code"]
        return resp

    def redirect(self, request: Request) -> Response:
        code = request.params["code"]
        self.resolves.inc("store")
        link = self.store.find(code) if CODE_RE.fullmatch(code) else None
        if link is None:
            raise HttpError(404, f"no link with code '{code}'")
        now = int(time.time())
        gone = HttpError(410, f"link '{code}' has expired, was deleted or used up")
        if self.state(link, now) != "active":
            raise gone
        if link["max_visits"] is not None and not self.store.take_capped_visit(code):
            raise gone
        if request.method == "GET":
            self.store.add_visit(code, now, referrer_host(request.headers.get("Referer", "")),
                                 is_bot(request.headers.get("User-Agent", "")))
        status = self.effective_redirect(link)
        age = f"public, max-age={self.args.permanent_max_age}" if status in (301, 308) else \
            f"private, max-age={self.args.redirect_max_age}"
        return Response(status, b"", {"Location": link["url"], "Cache-Control": age})

    def get(self, request: Request) -> Response:
        link = self.store.find(request.params["code"])
        if link is None:
            raise HttpError(404, f"no link with code '{request.params['code']}'")
        return Response.json(200, self.link_json(request, link))

    def delete(self, request: Request) -> Response:
        code = request.params["code"]
        if self.store.find(code) is None:
            raise HttpError(404, f"no link with code '{code}'")
        self.store.delete(code, int(time.time()))
        return Response(204)

    def stats(self, request: Request) -> Response:
        code = request.params["code"]
        if self.store.find(code) is None:
            raise HttpError(404, f"no link with code '{code}'")
        return Response.json(200, self.store.stats(code, 10))


def main() -> int:
    p = sdhttp.common_args("URL shortener: shorten, redirect, count", 9002)
    p.add_argument("--data", default="./data/shortener.db")
    p.add_argument("--sqlite-sync", default="full", choices=["full", "normal"])
    p.add_argument("--code-length", type=int, default=7)
    p.add_argument("--max-insert-attempts", type=int, default=8)
    p.add_argument("--redirect-status", type=int, default=302, choices=[301, 302, 307, 308])
    p.add_argument("--redirect-max-age", type=int, default=90)
    p.add_argument("--permanent-max-age", type=int, default=86400)
    p.add_argument("--public-url", default="")
    p.add_argument("--max-url-bytes", type=int, default=2048)
    p.add_argument("--allow-credentials", action="store_true")
    p.add_argument("--blocklist", default="")
    p.add_argument("--rule", default="name=default,rate=2/s,burst=5,key=ip",
                   help="creation limit per client, 01's syntax")
    args = p.parse_args()
    try:
        store = Store(args.data, args.sqlite_sync)
    except (sqlite3.Error, OSError) as e:
        print(f"sd-shortener: --data: {args.data}: {e}", file=sys.stderr)
        return 2
    router = sdhttp.Router()
    app = sdhttp.App("sd-shortener", router, sdhttp.options_from(args))
    service = Service(store, args, app.registry)
    app.readiness_checks.append(("store", store.ping))
    router.post("/shorten", lambda r: service.create(r, seed=True))
    router.post("/v1/links", lambda r: service.create(r, seed=False))
    router.get("/r/{code}", service.redirect)
    router.get("/v1/links/{code}", service.get)
    router.delete("/v1/links/{code}", service.delete)
    router.get("/v1/links/{code}/stats", service.stats)
    return sdhttp.serve(app)


if __name__ == "__main__":
    sys.exit(main())
