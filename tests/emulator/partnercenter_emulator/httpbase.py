"""HTTP plumbing shared by the HTTPS server and the trap: quiet handler and server base
classes, the request-body reader and the UTC time stamp of logs."""

import datetime
import socketserver
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read_body(rfile, headers):
    """The request body from ``Content-Length`` or chunked transfer coding."""
    length = headers.get("Content-Length")
    if length is not None:
        try:
            n = int(length)
        except ValueError:
            n = 0
        return rfile.read(n) if n > 0 else b""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        chunks = []
        while True:
            line = rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(rfile.read(size))
            rfile.readline(65537)
        return b"".join(chunks)
    return b""


def utc_stamp():
    """Now as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, a fixed ``Server`` header, no stderr logging, and every method
    sent to ``handle_any``."""
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        raise NotImplementedError

    def do_GET(self):
        self.handle_any()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = do_GET


class QuietServer(ThreadingHTTPServer):
    """Daemon threads, address reuse, no reverse DNS at bind, no tracebacks on stderr."""
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # skip HTTPServer's getfqdn() (slow on some machines)
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def handle_error(self, request, client_address):
        pass
