"""sd-cache's memcached port through real clients: raw protocol bytes, and libmemcached's own
command-line tools (Debian libmemcached-tools), unchanged. C++ only; the harness starts sd-cache
with --memcached-port 0 and --memcached-read-timeout 500ms."""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

import contract


class MemcachedProtocol(contract.ServiceTest):
    @classmethod
    def setUpClass(cls):
        line = next(l for l in cls.SERVICE_STDOUT if "memcached protocol on" in l)
        host, port = re.search(r"memcached protocol on (\S+):(\d+)", line).groups()
        cls.mc_host, cls.mc_port = host, int(port)
        cls.servers = f"--servers={host}:{port}"

    def connect(self) -> socket.socket:
        s = socket.create_connection((self.mc_host, self.mc_port), timeout=5)
        self.addCleanup(s.close)
        return s

    def roundtrip(self, s: socket.socket, data: bytes, until: bytes) -> bytes:
        s.sendall(data)
        got = b""
        while not got.endswith(until):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        return got

    def tool(self, name, *args, stdin=None):
        exe = shutil.which(name) or f"/usr/bin/{name}"
        return subprocess.run([exe, self.servers, *args], capture_output=True, timeout=30, input=stdin)

    # --- raw protocol ---------------------------------------------------------------------

    def test_set_get_delete(self):
        s = self.connect()
        self.assertEqual(self.roundtrip(s, b"set raw1 5 0 3\r\nabc\r\n", b"\r\n"), b"STORED\r\n")
        self.assertEqual(self.roundtrip(s, b"get raw1\r\n", b"END\r\n"), b"VALUE raw1 5 3\r\nabc\r\nEND\r\n")
        self.assertEqual(self.roundtrip(s, b"delete raw1\r\n", b"\r\n"), b"DELETED\r\n")
        self.assertEqual(self.roundtrip(s, b"get raw1\r\n", b"END\r\n"), b"END\r\n")

    def test_pipelined_commands_are_answered_in_order(self):
        s = self.connect()
        reply = self.roundtrip(s, b"set p1 0 0 1\r\na\r\nset p2 0 0 1\r\nb\r\nget p1 p2 nope\r\nincr p1 1\r\n",
                               b"non-numeric value\r\n")
        self.assertEqual(reply, b"STORED\r\nSTORED\r\nVALUE p1 0 1\r\na\r\nVALUE p2 0 1\r\nb\r\nEND\r\n"
                                b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")

    def test_errors_are_memcached_replies(self):
        s = self.connect()
        self.assertEqual(self.roundtrip(s, b"bogus\r\n", b"\r\n"), b"ERROR\r\n")
        self.assertTrue(self.roundtrip(s, b"get " + b"k" * 251 + b"\r\n", b"\r\n").startswith(b"CLIENT_ERROR"))
        # memcached answers the bad chunk, then parses the leftover "f" as a command: so do we.
        self.assertEqual(self.roundtrip(s, b"set bad 0 0 3\r\nabcdef\r\n", b"ERROR\r\n"),
                         b"CLIENT_ERROR bad data chunk\r\nERROR\r\n")

    def test_binary_junk_gets_errors_and_the_server_keeps_serving(self):
        s = self.connect()
        s.sendall(bytes(range(256)) * 8 + b"\r\n")
        s.settimeout(2)
        try:
            while s.recv(65536):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        t = self.connect()
        self.assertEqual(self.roundtrip(t, b"version\r\n", b"\r\n")[:8], b"VERSION ")

    def test_a_client_stopping_mid_value_is_cut_off(self):
        s = self.connect()
        s.sendall(b"set stuck 0 0 100\r\nonly-a-few-bytes")
        s.settimeout(10)
        start = time.monotonic()
        self.assertEqual(s.recv(100), b"")  # closed after --memcached-read-timeout (500 ms)
        self.assertLess(time.monotonic() - start, 9)

    def test_stats_use_memcached_names(self):
        s = self.connect()
        stats = self.roundtrip(s, b"stats\r\n", b"END\r\n").decode()
        for name in ("pid", "uptime", "version", "curr_connections", "get_hits", "get_misses", "evictions",
                     "curr_items", "bytes", "limit_maxbytes", "cmd_get", "cmd_set"):
            self.assertRegex(stats, rf"STAT {name} \S+\r\n")

    # --- libmemcached tools, unchanged ----------------------------------------------------

    def test_memcstat_reads_stats(self):
        p = self.tool("memcstat")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"limit_maxbytes", p.stdout)
        self.assertIn(b"curr_connections", p.stdout)

    def test_memccp_then_memccat_round_trips_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "payload.bin")
            data = os.urandom(100_000)
            with open(path, "wb") as f:
                f.write(data)
            p = self.tool("memccp", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            p = self.tool("memccat", "payload.bin")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, data + b"\n")  # memccat ends what it prints with a newline
            self.assertEqual(self.tool("memcrm", "payload.bin").returncode, 0)
            self.assertNotEqual(self.tool("memccat", "payload.bin").returncode, 0)

    def test_memcaslap_sets_gets_and_verifies_every_value(self):
        # memcaslap's keys begin with a control byte (0x10); memcached stores them, so must we.
        # -v 1 verifies every value read back; -x 2000 = 200 sets then 1,800 gets (its 10/90 mix).
        exe = shutil.which("memcaslap") or "/usr/bin/memcaslap"
        p = subprocess.run([exe, "-s", f"{self.mc_host}:{self.mc_port}", "-T", "1", "-c", "4", "-x", "2000",
                            "-X", "64", "-v", "1"], capture_output=True, timeout=60)
        out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
        self.assertNotIn("CLIENT_ERROR", out)
        self.assertNotIn("SERVER_ERROR", out)
        for line in ("cmd_get: 1800", "cmd_set: 200", "get_misses: 0", "verify_misses: 0", "verify_failed: 0"):
            self.assertIn(line, out, out[-2000:])

    def test_memcflush_empties_the_cache(self):
        s = self.connect()
        self.roundtrip(s, b"set f1 0 0 1\r\nx\r\n", b"\r\n")
        self.assertEqual(self.tool("memcflush").returncode, 0)
        self.assertEqual(self.roundtrip(s, b"get f1\r\n", b"END\r\n"), b"END\r\n")

    # --- one cache, two protocols ---------------------------------------------------------

    def test_http_and_memcached_see_the_same_items(self):
        s = self.connect()
        self.roundtrip(s, b"set shared 0 0 5\r\nhello\r\n", b"\r\n")
        self.assertEqual(self.client.get("/v1/cache/shared").body, b"hello")
        self.client.request("PUT", "/v1/cache/" + urllib.parse.quote("from-http"), body=b"world")
        self.assertEqual(self.roundtrip(s, b"get from-http\r\n", b"END\r\n"), b"VALUE from-http 0 5\r\nworld\r\nEND\r\n")
