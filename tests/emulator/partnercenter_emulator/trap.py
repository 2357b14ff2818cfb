"""The trap: a plain-HTTP listener on 127.0.0.1 that stands for a foreign host.

A ``redirect`` fault with ``"location": "trap"`` sends the client here.  The trap
records every request it receives (method, path, query, header names, the
``Authorization`` value and the raw body as text) so a test can see what a client
would have leaked to another host, and answers 200 with a plausible JSON body.
"""

import json
import threading
from urllib.parse import parse_qs, urlsplit

from .httpbase import QuietHandler, QuietServer, read_body, utc_stamp

TOKEN_ANSWER = {"access_token": "trap-token", "token_type": "Bearer", "expires_in": 3600}
OTHER_ANSWER = {"id": "trap", "items": [], "attributes": {"objectType": "Collection"}}


class TrapLog(object):
    """What the trap received, oldest first (thread-safe)."""

    def __init__(self, limit=100000):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0
        self.limit = limit

    def add(self, entry):
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            if len(self._entries) > self.limit:
                del self._entries[:len(self._entries) - self.limit]

    def entries(self):
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self):
        with self._lock:
            self._entries = []
            self._seq = 0


class _TrapHandler(QuietHandler):
    server_version = "nginx"
    timeout = 60

    def handle_any(self):
        try:
            raw = read_body(self.rfile, self.headers)
        except (OSError, ValueError):
            self.close_connection = True
            return
        split = urlsplit(self.path)
        self.server.trap_log.add({
            "seq": None,
            "time": utc_stamp(),
            "method": self.command,
            "target": self.path,
            "path": split.path,
            "query": parse_qs(split.query, keep_blank_values=True),
            "header_names": list(self.headers.keys()),
            "authorization": self.headers.get("Authorization"),
            "body": raw.decode("utf-8", errors="replace"),
        })
        answer = TOKEN_ANSWER if split.path.rstrip("/").endswith("/token") else OTHER_ANSWER
        payload = json.dumps(answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class _TrapServer(QuietServer):
    def __init__(self, trap_log):
        self.trap_log = trap_log
        QuietServer.__init__(self, ("127.0.0.1", 0), _TrapHandler)


class Trap(object):
    """The running trap listener: ``url`` and ``log``."""

    def __init__(self, trap_log):
        self.log = trap_log
        self._server = _TrapServer(trap_log)
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, name="pcemu-trap",
                                        daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
