"""Values in flight on the memcached port are charged to the byte budget (issue 10, item 8).

500 connections each send a 1 MB `set` and hold back its last byte. sd-cache used to allocate all
500 values (505 MB RSS with --capacity-bytes 8388608; `memcached -m 8` stays at 22 MB). Now the
ninth and later are refused with memcached's own error and their bytes skipped, so the process
holds about the budget. C++ only; the harness starts sd-cache with --capacity-bytes 8388608
--shards 1 --memcached-port 0 --memcached-read-timeout 60s (CMakeLists.txt)."""

import re
import socket
import time

import contract

CONNECTIONS = 500
VALUE = 1_000_000
BUDGET = 8 << 20


class ValuesInFlight(contract.ServiceTest):
    @classmethod
    def setUpClass(cls):
        line = next(l for l in cls.SERVICE_STDOUT if "memcached protocol on" in l)
        cls.mc_port = int(re.search(r"memcached protocol on \S+:(\d+)", line).group(1))

    stats_calls = 0

    def stats(self) -> dict[str, str]:
        """`stats` on a new connection. Its own 7 bytes count in bytes_read after it answers."""
        type(self).stats_calls += 1
        with socket.create_connection(("127.0.0.1", self.mc_port), timeout=10) as s:
            s.sendall(b"stats\r\n")
            got = b""
            while not got.endswith(b"END\r\n"):
                chunk = s.recv(65536)
                self.assertTrue(chunk, "closed while answering stats")
                got += chunk
        return dict(re.findall(r"STAT (\S+) (\S+)\r\n", got.decode()))

    def wait_for(self, what: str, predicate, timeout: float = 60.0) -> dict[str, str]:
        """Polls `stats` until predicate(stats) holds (the server works on its own threads)."""
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats()
            if predicate(stats):
                return stats
            self.assertLess(time.monotonic(), deadline, f"timed out waiting for {what}: {stats}")
            time.sleep(0.05)

    def rss_bytes(self, pid: int) -> int:
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1)) * 1024

    def test_500_clients_holding_a_megabyte_value_each_stay_within_the_budget(self):
        before = self.stats()
        pid = int(before["pid"])
        with open(f"/proc/{pid}/maps") as f:
            # A sanitizer's shadow memory (ASan's quarantine, TSan's shadow of every byte) is not ours.
            maps = f.read()
            sanitized = "libasan" in maps or "libtsan" in maps
        rss_before = self.rss_bytes(pid)
        sockets = []
        try:
            payload = b"v" * (VALUE - 1)
            for i in range(CONNECTIONS):
                s = socket.create_connection(("127.0.0.1", self.mc_port), timeout=30)
                sockets.append(s)
                s.sendall(b"set inflight%d 0 0 %d\r\n" % (i, VALUE) + payload)
            sent = sum(len(b"set inflight%d 0 0 %d\r\n" % (i, VALUE)) + VALUE - 1 for i in range(CONNECTIONS))
            read_before, calls_before = int(before["bytes_read"]), self.stats_calls
            during = self.wait_for(
                "every byte sent to be read",
                lambda st: int(st["bytes_read"]) - read_before >= sent + 7 * (self.stats_calls - calls_before))
            rss = self.rss_bytes(pid)

            refused = 0
            for s in sockets:
                s.setblocking(False)
                try:
                    reply = s.recv(1024)
                except BlockingIOError:
                    reply = b""
                if reply:
                    self.assertEqual(reply, b"SERVER_ERROR out of memory storing object\r\n")
                    refused += 1
            accepted = CONNECTIONS - refused
            # As many values as the budget holds are accepted; the rest are refused, not buffered.
            self.assertEqual(accepted, BUDGET // (VALUE + len(b"inflight000") + 88))
            self.assertLessEqual(int(during["bytes"]) + int(during["bytes_in_flight"]),
                                 int(during["limit_maxbytes"]))
            self.assertGreaterEqual(int(during["bytes_in_flight"]), accepted * VALUE)
            # Over HTTP, a value that would fit the budget but not beside the values in flight is
            # refused as transient (503), not as too large (413).
            self.assertProblem(self.client.request("PUT", "/v1/cache/over-http", body=b"h" * 500_000), 503)
            if not sanitized:
                # The budget, plus a 16 KiB read buffer per connection, plus slack for the allocator;
                # memcached -m 8 holds 22 MB in all for the same input. It was ~500 MB.
                self.assertLess(rss - rss_before, BUDGET + CONNECTIONS * 16 * 1024 + (16 << 20),
                                f"RSS grew from {rss_before} to {rss}")
        finally:
            for s in sockets:
                s.close()
        after = self.wait_for("the connections to close", lambda st: int(st["curr_connections"]) <= 1)
        self.assertEqual(int(after["bytes_in_flight"]), 0)
        self.assertEqual(self.client.request("PUT", "/v1/cache/over-http", body=b"h" * 500_000).status, 204)
