"""sd-cache's memcached port side by side with the real memcached (Debian's, started here on a
random loopback port): the same bytes go to both and the replies must be the same bytes, except
where the 04 README documents a difference (each such case says so and pins both answers).

C++ only; the harness starts sd-cache with --memcached-port 0 and prints its memcached port."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import contract
import procs


def start_memcached():
    """Starts memcached on an ephemeral loopback port; returns (process, port, workdir)."""
    exe = shutil.which("memcached") or "/usr/sbin/memcached"
    if not os.path.exists(exe):
        raise AssertionError("memcached is not installed (scripts/setup.sh installs it)")
    workdir = tempfile.mkdtemp(prefix="sd-memcached-")
    os.chmod(workdir, 0o777)  # memcached drops to "nobody" when started as root
    port_file = os.path.join(workdir, "ports")
    # -p -1: any free port, written to MEMCACHED_PORT_FILENAME (memcached's own test-suite hook).
    command = [exe, "-l", "127.0.0.1", "-p", "-1", "-U", "0", "-m", "64", "-c", "1024"]
    if os.geteuid() == 0:
        command += ["-u", "nobody"]
    proc = subprocess.Popen(command, env=dict(os.environ, MEMCACHED_PORT_FILENAME=port_file),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while True:
        try:
            with open(port_file) as f:
                m = re.search(r"TCP INET: (\d+)", f.read())
            if m:
                return proc, int(m.group(1)), workdir
        except FileNotFoundError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"memcached did not start: {proc.stderr.read()[-500:]!r}")
        time.sleep(0.02)


def exchange(port: int, data: bytes, until: bytes | None = b"VERSION", timeout: float = 5.0) -> bytes:
    """Sends `data`, reads until a line starting with `until` has arrived in full (None: until the
    server closes, which shows as a trailing b"<closed>")."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        got = b""
        while True:
            if until is not None and re.search(rb"(^|\n)" + re.escape(until) + rb"[^\n]*\r\n$", got):
                return got
            chunk = s.recv(1 << 20)
            if not chunk:
                return got + b"<closed>"
            got += chunk


def normalize(reply: bytes) -> bytes:
    return re.sub(rb"VERSION \S+", b"VERSION x", reply)


# memcached 1.6.18's stats that have no counterpart here (README, "Stats"): slab allocator, LRU
# segments and crawler, hash-table expansion, logger, read/response buffers, extstore, TLS, NAPI.
OMITTED_STATS = {
    "libevent", "response_obj_oom", "response_obj_count", "response_obj_bytes", "read_buf_count",
    "read_buf_bytes", "read_buf_bytes_free", "read_buf_oom", "reserved_fds", "hash_power_level",
    "hash_bytes", "hash_is_expanding", "slab_reassign_rescues", "slab_reassign_chunk_rescues",
    "slab_reassign_evictions_nomem", "slab_reassign_inline_reclaim", "slab_reassign_busy_items",
    "slab_reassign_busy_deletes", "slab_reassign_running", "slabs_moved", "lru_crawler_running",
    "lru_crawler_starts", "lru_maintainer_juggles", "malloc_fails", "log_worker_dropped",
    "log_worker_written", "log_watcher_skipped", "log_watcher_sent", "log_watchers",
    "unexpected_napi_ids", "round_robin_fallback", "slab_global_page_pool", "evicted_active",
    "lrutail_reflocked", "moves_to_cold", "moves_to_warm", "moves_within_lru", "direct_reclaims",
    "lru_bumps_dropped"}
OMITTED_SETTINGS = {
    "oldest", "umask", "growth_factor", "chunk_size", "num_threads_per_udp", "stat_key_prefix",
    "reqs_per_event", "tcp_backlog", "hashpower_init", "slab_reassign", "slab_automove",
    "slab_automove_ratio", "slab_automove_window", "slab_chunk_max", "lru_crawler",
    "lru_crawler_sleep", "lru_crawler_tocrawl", "tail_repair_time", "hash_algorithm",
    "hot_lru_pct", "warm_lru_pct", "hot_max_factor", "warm_max_factor", "temporary_ttl",
    "watcher_logbuf_size", "worker_logbuf_size", "read_buf_mem_limit", "inline_ascii_response",
    "ext_item_size", "ext_item_age", "ext_low_ttl", "ext_recache_rate", "ext_wbuf_size",
    "ext_compact_under", "ext_drop_under", "ext_max_sleep", "ext_max_frag",
    "slab_automove_freeratio", "ext_drop_unread", "ssl_chain_cert", "ssl_key", "ssl_verify_mode",
    "ssl_keyformat", "ssl_ciphers", "ssl_ca_cert", "ssl_wbuf_size", "ssl_session_cache",
    "ssl_kernel_tls", "ssl_min_version", "num_napi_ids", "memory_file"}
# Ours, after memcached's fields.
EXTRA_STATS = {"bytes_in_flight", "eviction_policy"}
EXTRA_SETTINGS = {"eviction_policy", "num_shards", "max_line_bytes", "max_get_line_bytes"}


def stat_names(reply: bytes) -> list[str]:
    return re.findall(r"STAT (\S+) ", reply.decode(errors="replace"))


class MemcachedDifferential(contract.ServiceTest):
    @classmethod
    def setUpClass(cls):
        line = next(l for l in cls.SERVICE_STDOUT if "memcached protocol on" in l)
        cls.ours = int(re.search(r"memcached protocol on \S+:(\d+)", line).group(1))
        cls.proc, cls.theirs, cls.workdir = start_memcached()

    @classmethod
    def tearDownClass(cls):
        procs.stop(cls.proc)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def both(self, data: bytes, until: bytes | None = b"VERSION") -> tuple[bytes, bytes]:
        if until == b"VERSION":
            data += b"version\r\n"
        return (normalize(exchange(self.ours, data, until)),
                normalize(exchange(self.theirs, data, until)))

    def assertSameReply(self, data: bytes, until: bytes | None = b"VERSION") -> bytes:
        ours, theirs = self.both(data, until)
        self.assertEqual(ours, theirs, data[:200])
        return ours

    # --- keys (issue 10, item 12) ---------------------------------------------------------------

    def test_keys_memcached_accepts_round_trip_the_same(self):
        for key in (b"\x10memcaslap", b"k\x01", b"tab\tkey", b"del\x7f", "café".encode(), b"\xff" * 250,
                    b"k" * 250):
            reply = self.assertSameReply(b"set " + key + b" 7 0 3\r\nabc\r\nget " + key + b"\r\nget "
                                         + key + b" nokey " + key + b"\r\ndelete " + key + b"\r\n")
            self.assertTrue(reply.startswith(b"STORED\r\nVALUE " + key + b" 7 3\r\nabc\r\n"), reply)

    def test_keys_memcached_refuses_are_refused_the_same(self):
        # One exchange each: memcached drops the replies pipelined before a get it refuses.
        self.assertSameReply(b"set " + b"k" * 251 + b" 0 0 1\r\nx\r\n")
        self.assertSameReply(b"get a " + b"k" * 251 + b"\r\n")
        self.assertSameReply(b"touch " + b"k" * 251 + b" 0\r\ndelete " + b"k" * 251 + b"\r\n")

    def test_difference_a_key_with_a_carriage_return(self):
        # Documented difference: memcached 1.6 stores "a\rb"; we refuse keys no CR-splitting client
        # could read back.
        ours, theirs = self.both(b"set a\rb 0 0 1\r\nx\r\n")
        self.assertEqual(theirs, b"STORED\r\nVERSION x\r\n")
        self.assertEqual(ours, b"CLIENT_ERROR bad command line format\r\nERROR\r\nVERSION x\r\n")

    # --- exptime (item 11): memcached's defined range gives the same answers --------------------

    def test_exptimes_in_memcacheds_range_answer_the_same(self):
        now = int(time.time())
        for exptime in (0, 1, 100, 2592000, 2592001, -1, -2147483648, now + 3600, now - 10, 2147483647):
            key = f"exp{exptime}".replace("-", "m").encode()
            self.assertSameReply(b"set %s 0 %d 1\r\nx\r\nget %s\r\ntouch %s %d\r\nget %s\r\n"
                                 % (key, exptime, key, key, exptime, key))

    def test_difference_exptimes_beyond_32_bits_are_not_wrapped(self):
        # memcached 1.6.18 reads exptime as 32 bits: 2147483648 wraps negative (expired at once),
        # 9999999999 to a date in 2014 (expired). We read all 64 bits: both are dates after 2038.
        for exptime in (b"2147483648", b"9999999999"):
            ours, theirs = self.both(b"set wrap 0 " + exptime + b" 1\r\nx\r\nget wrap\r\n")
            self.assertEqual(theirs, b"STORED\r\nEND\r\nVERSION x\r\n")
            self.assertEqual(ours, b"STORED\r\nVALUE wrap 0 1\r\nx\r\nEND\r\nVERSION x\r\n")

    # --- long retrieval lines (item 13) ---------------------------------------------------------

    def test_a_get_of_18700_keys_is_served_like_memcached(self):
        keys = [b"key%06d" % i for i in range(18_700)]  # ~187 KB line
        setup = b"".join(b"set %s 0 0 2\r\nv%d\r\n" % (k, i % 10) for i, k in enumerate(keys[:50]))
        exchange(self.ours, setup + b"version\r\n")
        exchange(self.theirs, setup + b"version\r\n")
        line = b"get " + b" ".join(keys) + b"\r\n"
        self.assertGreater(len(line), 180_000)
        reply = self.assertSameReply(line)
        self.assertEqual(reply.count(b"VALUE "), 50)

    # --- stats (item 14): memcached's names, in memcached's order --------------------------------

    def assertShapeLikeMemcached(self, command: bytes, omitted: set[str], extras: set[str],
                                 extra_prefixes: tuple[str, ...] = ()):
        ours, theirs = (stat_names(exchange(port, command + b"\r\n", until=b"END"))
                        for port in (self.ours, self.theirs))
        self.assertEqual(set(theirs) - set(ours), omitted, "fields memcached has and we do not")
        shared = [name for name in theirs if name in ours]
        self.assertEqual([name for name in ours if name in theirs], shared, "relative order")
        ours_only = ours[len(shared):]
        self.assertEqual(ours[:len(shared)], shared, "our own fields come after memcached's")
        for name in ours_only:
            self.assertTrue(name in extras or name.startswith(extra_prefixes), name)

    def test_stats_fields_are_memcacheds_in_its_order(self):
        self.assertShapeLikeMemcached(b"stats", OMITTED_STATS, EXTRA_STATS,
                                      ("s3fifo_", "sieve_", "lru_", "wtinylfu_"))

    def test_stats_settings_fields_are_memcacheds_in_its_order(self):
        self.assertShapeLikeMemcached(b"stats settings", OMITTED_SETTINGS, EXTRA_SETTINGS)

    def test_stats_slabs_and_items_have_memcacheds_per_class_shape(self):
        self.both(b"set slabbed 0 0 5\r\nhello\r\n")
        for command, prefix, totals in ((b"stats slabs", r"\d+:", ["active_slabs", "total_malloced"]),
                                        (b"stats items", r"items:\d+:", [])):
            per_class = []
            for port in (self.ours, self.theirs):
                names = stat_names(exchange(port, command + b"\r\n", until=b"END"))
                first = re.match(prefix, names[0]).group(0)
                per_class.append([n[len(first):] for n in names if n.startswith(first)])
                self.assertEqual([n for n in names if not re.match(prefix, n)], totals)
            ours, theirs = per_class
            self.assertTrue(ours, command)
            self.assertEqual([n for n in theirs if n in ours], ours, f"{command}: a subset, in order")

    def test_stats_sizes_and_reset_answer_the_same(self):
        self.assertSameReply(b"stats sizes\r\n")
        self.assertSameReply(b"stats reset\r\n")
        self.assertSameReply(b"stats bogus\r\n")

    def test_stats_conns_lines_have_memcacheds_shape(self):
        for port in (self.ours, self.theirs):
            reply = exchange(port, b"stats conns\r\n", until=b"END").decode()
            lines = reply.split("\r\n")[:-2]
            self.assertTrue(lines, reply)
            for line in lines:
                self.assertRegex(line, r"^STAT \d+:(addr|listen_addr|state|secs_since_last_cmd) \S+$")
            self.assertIn(":state conn_parse_cmd", reply)  # the connection asking

    # --- cross-protocol requests (item 15) ------------------------------------------------------

    def test_an_http_request_line_closes_the_connection_without_a_reply(self):
        for request in (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"POST /set HTTP/1.0\r\n\r\nset a 0 0 1\r\n"):
            self.assertEqual(self.assertSameReply(request, until=None), b"<closed>")

    def test_http_tokens_that_memcached_does_not_close_on(self):
        self.assertSameReply(b"get foo HTTP/1.1\r\nstats HTTP/1.1\r\nbogus HTTP/1.1 x\r\ngx HTTP/1.1\r\n"
                             b"mx HTTP/1.1\r\nx HTTP/1.1\r\nbogus http/1.1\r\n")


if __name__ == "__main__":
    unittest.main()
