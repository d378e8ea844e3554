#!/usr/bin/env python3
"""sd-cache, the Python twin: the HTTP cache API (PUT/GET/DELETE /v1/cache/{key}, GET /v1/stats)
with LRU eviction under a byte budget and per-item TTLs, on an OrderedDict behind one lock — the
seed's design with its bugs fixed. Same contract as main.cpp, which adds S3-FIFO/SIEVE, sharding
and the memcached protocol."""

from __future__ import annotations

import collections
import pathlib
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "core" / "python"))
import sdhttp  # noqa: E402
from sdhttp import HttpError, Request, Response  # noqa: E402

MAX_KEY_BYTES = 250      # memcached's limit
ITEM_OVERHEAD = 64       # bytes charged per item on top of key + value (documented estimate)


class LruTtlCache:
    def __init__(self, capacity_bytes: int, default_ttl: float, clock=time.monotonic):
        self.capacity, self.default_ttl, self.clock = capacity_bytes, default_ttl, clock
        self.items: collections.OrderedDict[str, tuple[bytes, float | None]] = collections.OrderedDict()
        self.bytes = 0
        self.stats = collections.Counter()
        self.lock = threading.Lock()

    @staticmethod
    def charge(key: str, value: bytes) -> int:
        return len(key.encode()) + len(value) + ITEM_OVERHEAD

    def _remove(self, key: str) -> None:
        value, _ = self.items.pop(key)
        self.bytes -= self.charge(key, value)

    def get(self, key: str):
        """(value, seconds left or None) or None; expired items are removed on read (lazy expiry)."""
        with self.lock:
            entry = self.items.get(key)
            if entry is not None and entry[1] is not None and entry[1] <= self.clock():
                self._remove(key)
                self.stats["expirations"] += 1
                entry = None
            if entry is None:
                self.stats["get_misses"] += 1
                return None
            self.items.move_to_end(key)  # the LRU bookkeeping every hit pays for
            self.stats["get_hits"] += 1
            return entry[0], None if entry[1] is None else entry[1] - self.clock()

    def set(self, key: str, value: bytes, ttl: float | None) -> bool:
        """Stores; False if the item can never fit the budget."""
        ttl = self.default_ttl if ttl is None else ttl
        if self.charge(key, value) > self.capacity:
            return False
        with self.lock:
            if key in self.items:
                self._remove(key)
            self.items[key] = (value, self.clock() + ttl if ttl > 0 else None)
            self.bytes += self.charge(key, value)
            self.stats["total_items"] += 1
            while self.bytes > self.capacity:
                oldest = next(iter(self.items))
                self._remove(oldest)
                self.stats["evictions"] += 1
        return True

    def delete(self, key: str) -> bool:
        with self.lock:
            if key not in self.items:
                return False
            self._remove(key)
            return True

    def expire_some(self) -> None:
        """Active expiry: drop expired items (the C++ cache samples; at this size a scan is fine)."""
        with self.lock:
            now = self.clock()
            for key in [k for k, (_, exp) in self.items.items() if exp is not None and exp <= now]:
                self._remove(key)
                self.stats["expirations"] += 1


def valid_key(key: str) -> bool:
    raw = key.encode("utf-8", "surrogateescape")
    # memcached's rule: any byte but space, CR, LF and NUL (control bytes such as 0x10 are keys).
    return 0 < len(raw) <= MAX_KEY_BYTES and not any(b in b" \r\n\0" for b in raw)


class Service:
    def __init__(self, cache: LruTtlCache, registry):
        self.cache = cache
        for name, help_text, kind, stat in (
                ("cache_hits_total", "Cache lookups that found a live item.", "counter", "get_hits"),
                ("cache_misses_total", "Cache lookups that found nothing (or an expired item).", "counter", "get_misses"),
                ("cache_expirations_total", "Items removed because their TTL passed.", "counter", "expirations")):
            registry.callback(name, help_text, kind, lambda s=stat: cache.stats[s])
        registry.callback("cache_evictions_total", "Items evicted to stay within the byte budget.", "counter",
                          lambda: cache.stats["evictions"])
        registry.callback("cache_items", "Items in the cache.", "gauge", lambda: len(cache.items))
        registry.callback("cache_bytes", "Bytes charged against the budget (keys, values, overhead).", "gauge",
                          lambda: cache.bytes)
        registry.callback("cache_limit_bytes", "The memory budget in bytes.", "gauge", lambda: cache.capacity)

    def key(self, request: Request) -> str:
        key = request.params["key"]
        if not valid_key(key):
            raise HttpError(400, f"key: 1..{MAX_KEY_BYTES} bytes, none a space, CR, LF or NUL")
        return key

    @staticmethod
    def ttl(request: Request) -> float | None:
        text = (request.query.get("ttl") or [None])[0]
        if text is None:
            text = request.headers.get("X-Cache-TTL")
        if text is None:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > 10:  # "²".isdigit() is True
            raise HttpError(400, "ttl: whole seconds, 0 (never expires) or more")
        return float(text)

    def put(self, request: Request) -> Response:
        key, ttl = self.key(request), self.ttl(request)
        if not self.cache.set(key, request.body, ttl):
            raise HttpError(413, "the item is larger than the whole cache")
        return Response(204)

    def get(self, request: Request) -> Response:
        found = self.cache.get(self.key(request))
        if found is None:
            raise HttpError(404, f"no item for key {request.params['key']!r}")
        value, left = found
        headers = {"Content-Type": "application/octet-stream"}
        if left is not None:
            headers["X-Cache-TTL-Remaining"] = str(max(0, int(left + 0.999)))
        return Response(200, value, headers)

    def delete(self, request: Request) -> Response:
        if not self.cache.delete(self.key(request)):
            raise HttpError(404, f"no item for key {request.params['key']!r}")
        return Response(204)

    def stats(self, _request: Request) -> Response:
        with self.cache.lock:
            s = self.cache.stats
            body = {"policy": "lru", "get_hits": s["get_hits"], "get_misses": s["get_misses"],
                    "evictions": s["evictions"], "expirations": s["expirations"], "curr_items": len(self.cache.items),
                    "total_items": s["total_items"], "bytes": self.cache.bytes, "limit_maxbytes": self.cache.capacity}
        return Response.json(200, body)


def main() -> int:
    p = sdhttp.common_args("TTL + LRU cache over HTTP", 9004)
    p.add_argument("--capacity-bytes", type=int, default=64 * 1024 * 1024)
    p.add_argument("--default-ttl", type=float, default=0, help="seconds; 0 = items never expire")
    p.add_argument("--max-item-bytes", type=int, default=1024 * 1024)
    p.add_argument("--expiry-interval", type=float, default=1.0, help="seconds between active expiry passes")
    args = p.parse_args()
    args.max_body_bytes = args.max_item_bytes
    cache = LruTtlCache(args.capacity_bytes, args.default_ttl)
    router = sdhttp.Router()
    app = sdhttp.App("sd-cache", router, sdhttp.options_from(args))
    service = Service(cache, app.registry)
    router.put("/v1/cache/{key}", service.put)
    router.get("/v1/cache/{key}", service.get)
    router.delete("/v1/cache/{key}", service.delete)
    router.get("/v1/stats", service.stats)

    stop = threading.Event()

    def expiry_loop():  # stops with the service: the seed's cleanup goroutine never could
        while not stop.wait(args.expiry_interval):
            cache.expire_some()

    threading.Thread(target=expiry_loop, daemon=True).start()
    return sdhttp.serve(app, on_stop=stop.set)


if __name__ == "__main__":
    sys.exit(main())
