"""The HTTPS server: TLS per connection thread, reading a request and writing an answer
(or a TCP reset), handing control requests to ``control`` and the rest to ``pipeline``;
and ``start()``, which also starts the trap and writes the info file.

Python API::

    from partnercenter_emulator.server import start
    handle = start({"port": 0, "seed": {...}, "latency_ms": 5})
    handle.info["api_url"]; handle.info["graph_url"]; handle.stop()

Two HTTPS listeners share one emulator: ``api_url`` (Partner Center, the identity endpoints
and the control API) and ``graph_url`` (Microsoft Graph only), with the same certificate.
"""

import json
import os
import secrets
import shutil
import socket
import ssl
import struct
import threading
import time
from urllib.parse import parse_qs, urlsplit

from . import certs, control, pipeline
from .emulator import Emulator
from .httpbase import QuietHandler, QuietServer, read_body
from .model import SeedError
from .trap import Trap


class EmulatorHandle(object):
    def __init__(self, emulator, listeners, info, temp_cert_dir=None, trap=None):
        self.emulator = emulator
        self.trap = trap
        self._temp_cert_dir = temp_cert_dir
        self.listeners = listeners      # [(server, thread)]: Partner Center's, then Graph's
        self.server, self.thread = listeners[0]
        self.info = info
        self._stopped = False

    @property
    def url(self):
        return self.info["api_url"]

    @property
    def graph_url(self):
        return self.info["graph_url"]

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        for server, _thread in self.listeners:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for _server, thread in self.listeners:
            thread.join(5)
        if self.trap is not None:
            self.trap.stop()
        if self._temp_cert_dir:
            shutil.rmtree(self._temp_cert_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _Server(QuietServer):
    request_queue_size = 256

    def __init__(self, address, handler, ssl_context, emulator, graph=False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.ssl_context = ssl_context
        self.emulator = emulator
        self.graph = graph              # the Microsoft Graph listener
        self._conns = set()
        self._conns_lock = threading.Lock()
        QuietServer.__init__(self, address, handler)

    def finish_request(self, request, client_address):
        try:
            request.settimeout(15)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError, ValueError):
            return
        with self._conns_lock:
            self._conns.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except Exception:  # noqa: BLE001 - a broken connection must not kill the server
            pass
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def close_connections(self):
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(QuietHandler):
    """One connection; also the pipeline's ``conn`` (``send`` and ``reset``)."""
    timeout = 120

    def handle_any(self):
        emu = self.server.emulator
        started = time.monotonic()
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            raw_body = read_body(self.rfile, self.headers)
        except (OSError, ValueError):
            self.close_connection = True
            return
        graph = self.server.graph
        if split.path.startswith("/_emulator") and not graph:
            self.send(control.handle(emu, split.path, self.command, query, raw_body), "", "",
                      extra=False)
            return
        req = pipeline.Request(self.command, split, query, self.headers, raw_body, started)
        pipeline.handle(emu, req, self, graph=graph)

    def reset(self):
        """Abort the connection with a TCP RST."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        # rfile/wfile hold references to the socket, so socket.close() would
        # not close the descriptor now: detach it and close the fd directly.
        try:
            os.close(self.connection.detach())
        except (OSError, ValueError):
            pass
        self.close_connection = True

    def send(self, resp, request_id, correlation_id, bom=False, pascal=False, extra=True):
        """Write ``resp``; ``extra`` adds the MS-* headers of the API."""
        try:
            self._write(resp, resp.payload(bom=bom, pascal=pascal), request_id,
                        correlation_id, extra)
        except (OSError, ssl.SSLError):
            self.close_connection = True

    def _write(self, resp, payload, request_id, correlation_id, extra):
        self.send_response(resp.status)
        if extra:
            self.send_header("MS-RequestId", request_id)
            self.send_header("MS-CorrelationId", correlation_id)
            self.send_header("MS-CV", secrets.token_urlsafe(12) + ".0")
            self.send_header("MS-ServerId", "101112%03d" % (os.getpid() % 1000))
        if payload or resp.status != 204:
            self.send_header("Content-Type", resp.content_type)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        stream = resp.stream
        self.send_header("Content-Length", str(stream.length(payload) if stream else len(payload)))
        self._headers_buffer.append(b"\r\n")
        if stream is not None:  # the headers now, then the body piece by piece
            self.flush_headers()
            if self.command != "HEAD":
                stream.write(self.wfile, payload)
            return
        # one write for headers and body (avoids a Nagle/delayed-ACK stall)
        if self.command != "HEAD" and payload:
            self._headers_buffer.append(payload)
        self.flush_headers()


# ---------------------------------------------------------------------------

def load_seed_file(path):
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    if path.lower().endswith((".yml", ".yaml")):
        try:
            import yaml
        except ImportError:
            raise SeedError("PyYAML is not installed; use a .json seed file")
        return yaml.safe_load(text) or {}
    return json.loads(text)


def write_info_file(path, info):
    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # The info file names the client secret and refresh token it accepts: owner-only.
    certs.write_atomic(path, json.dumps(info, indent=2).encode("utf-8"), mode=0o600)


def _url_host(host):
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        host = "::1"
    return "[%s]" % host if ":" in host else host


def start(config=None):
    """Start the emulator in background threads; returns an EmulatorHandle.

    ``config`` keys: ``host`` (127.0.0.1), ``port`` (0), ``graph_port`` (0), ``cert_dir``,
    ``info_file``, ``seed`` (dict) or ``seed_file`` (path), credentials
    (``tenant_id``, ``client_id``, ``client_secret``, ``refresh_token``,
    ``random_credentials``), ``access_log``, and any knob of DEFAULT_CONFIG.
    """
    config = dict(config or {})
    if config.get("seed_file") and config.get("seed") is None:
        config["seed"] = load_seed_file(config["seed_file"])
    host = config.get("host") or "127.0.0.1"
    port = int(config.get("port") or 0)
    emulator = Emulator(config)
    paths = certs.generate(config.get("cert_dir"), extra_names=(host,))
    context = certs.server_context(paths)
    server = _Server((host, port), Handler, context, emulator)
    graph_server = _Server((host, int(config.get("graph_port") or 0)), Handler, context, emulator,
                           graph=True)
    base = "https://%s:%d" % (_url_host(host), server.server_address[1])
    emulator.base_url = base
    emulator.graph_url = "https://%s:%d" % (_url_host(host), graph_server.server_address[1])
    emulator.state.graph_url = emulator.graph_url
    trap = Trap(emulator.trap_log)
    emulator.trap_url = trap.url
    info = {
        "api_url": base,
        "graph_url": emulator.graph_url,
        "authority": base,
        "ca_path": paths["ca_path"],
        "cert_dir": paths["cert_dir"],
        "tenant_id": emulator.credentials["tenant_id"],
        "client_id": emulator.credentials["client_id"],
        "client_secret": emulator.credentials["client_secret"],
        "refresh_token": emulator.credentials["refresh_token"],
        "control_url": base + "/_emulator",
        "trap_url": trap.url,
        "pid": os.getpid(),
    }
    listeners = []
    for name, srv in (("pcemu-server", server), ("pcemu-graph", graph_server)):
        thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                                  name=name, daemon=True)
        thread.start()
        listeners.append((srv, thread))
    if config.get("info_file"):
        write_info_file(config["info_file"], info)
    return EmulatorHandle(emulator, listeners, info,
                          temp_cert_dir=None if config.get("cert_dir") else paths["cert_dir"],
                          trap=trap)
