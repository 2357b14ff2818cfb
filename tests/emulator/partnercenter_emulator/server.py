"""HTTPS server, request routing, fault handling, request log and control API.

Python API::

    from partnercenter_emulator.server import start
    handle = start({"port": 0, "seed": {...}, "latency_ms": 5})
    handle.info["api_url"]; handle.stop()
"""

import copy
import datetime
import html
import json
import os
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import certs
from .faults import FaultEngine, FaultError
from .identity import Identity, IdentityError, TokenStore
from .trap import Trap, TrapLog, read_body
from .state import (DEFAULT_CONFIG, ApiError, ConfigError, SeedError, State, lower_keys,
                    validate_config)

REDACTED = "***REDACTED***"
JSON_TYPE = "application/json; charset=utf-8"
BOM = b"\xef\xbb\xbf"

DEFAULT_CREDENTIALS = {
    "tenant_id": "11111111-1111-1111-1111-111111111111",
    "client_id": "22222222-2222-2222-2222-222222222222",
    "client_secret": "emulator-client-secret",
    "refresh_token": "emulator-refresh-token",
}

# pattern name -> {method: route}
API_PATTERNS = {
    "customers": {"GET": "list_customers"},
    "customer": {"GET": "get_customer"},
    "users": {"GET": "list_users", "POST": "create_user"},
    "user": {"GET": "get_user", "PATCH": "update_user", "DELETE": "delete_user"},
    "resetpassword": {"PATCH": "reset_password"},
    "user_roles": {"GET": "list_user_directory_roles"},
    "user_licenses": {"GET": "list_user_licenses"},
    "licenseupdates": {"POST": "update_user_licenses"},
    "roles": {"GET": "list_directory_roles"},
    "role_members": {"GET": "list_role_members", "POST": "add_role_member"},
    "role_member": {"DELETE": "remove_role_member"},
    "skus": {"GET": "list_subscribed_skus"},
}
APP_ONLY_ALLOWED = ("list_customers", "get_customer")
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")


def match_api_path(segs):
    """``segs``: path segments after the version prefix.  Returns
    (pattern, params) or (None, None)."""
    low = [s.lower() for s in segs]
    n = len(segs)
    if n == 0 or low[0] != "customers":
        return None, None
    if n == 1:
        return "customers", {}
    p = {"cid": segs[1]}
    if n == 2:
        return "customer", p
    if low[2] == "users":
        if n == 3:
            return "users", p
        p["uid"] = segs[3]
        if n == 4:
            return "user", p
        if n == 5:
            return {"resetpassword": "resetpassword", "directoryroles": "user_roles",
                    "licenses": "user_licenses", "licenseupdates": "licenseupdates"}.get(
                        low[4], None), p
        return None, None
    if low[2] == "directoryroles":
        if n == 3:
            return "roles", p
        p["rid"] = segs[3]
        if n >= 5 and low[4] == "usermembers":
            if n == 5:
                return "role_members", p
            if n == 6:
                p["uid"] = segs[5]
                return "role_member", p
        return None, None
    if low[2] == "subscribedskus" and n == 3:
        return "skus", p
    return None, None


def to_pascal(obj):
    if isinstance(obj, dict):
        return {(k[:1].upper() + k[1:]): to_pascal(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_pascal(v) for v in obj]
    return obj


def redact(obj):
    if isinstance(obj, dict):
        return {k: (REDACTED if str(k).lower() == "password" else redact(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact(v) for v in obj]
    return obj


def _dotnet_time(epoch):
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return "%d/%d/%d %d:%02d:%02d %s" % (dt.month, dt.day, dt.year, (dt.hour % 12) or 12,
                                         dt.minute, dt.second, "AM" if dt.hour < 12 else "PM")


class Response(object):
    __slots__ = ("status", "body", "headers", "raw", "content_type")

    def __init__(self, status, body=None, headers=None, raw=None, content_type=JSON_TYPE):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw
        self.content_type = content_type


def pc_error(status, code, description, data=None, source="PartnerFD"):
    return Response(status, {"code": code, "description": description, "data": list(data or []),
                             "source": source})


def throttle_response(retry_after):
    return Response(429, {"statusCode": 429,
                          "message": "Rate limit is exceeded. Try again in %d seconds."
                                     % retry_after},
                    headers={"Retry-After": str(retry_after)})


def gateway_page(status, heading=None):
    title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
    heading = title if heading is None else html.escape(heading, quote=False)
    return ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1>"
            "</center>\r\n</body>\r\n</html>\r\n" % (title, heading)).encode("utf-8")


def fault_status_response(status, retry_after, identity=False):
    if status == 429:
        return throttle_response(retry_after)
    if status in (502, 504):
        return Response(status, raw=gateway_page(status), content_type="text/html")
    if identity:
        err = IdentityError(status, "temporarily_unavailable" if status >= 500 else
                            "invalid_request", 50001 if status >= 500 else 900144,
                            "The service is temporarily unavailable (injected fault).")
        return Response(status, err.body(str(uuid.uuid4())))
    if status == 401:
        return pc_error(401, 800001, "Partner Token missing in request context")
    if status == 403:
        return pc_error(403, 900150, "The supplied role does not have the rights to perform the "
                                     "requested operation")
    if status == 404:
        return pc_error(404, 1000, "Not found")
    if status == 409:
        return pc_error(409, 3001, "Another object with the same value for property "
                                   "userPrincipalName already exists.")
    if 400 <= status < 500:
        return pc_error(status, 800002, "Invalid request input")
    return pc_error(status, 800003, "Unexpected service error")


def status_fault_answer(fault, retry_after, identity=False):
    """The answer of a ``status`` fault, with its ``description``/``body`` options applied."""
    resp = fault_status_response(fault.status, retry_after, identity=identity)
    opts = fault.options
    if "body" in opts:
        resp.raw = opts["body"].encode("utf-8")
        resp.body = None
        resp.content_type = opts["content_type"]
        return resp
    if "description" not in opts and "description_repeat" not in opts:
        return resp
    repeat = opts.get("description_repeat", 1)
    if resp.raw is not None:  # 502/504 gateway page: the text of its heading
        default = "502 Bad Gateway" if fault.status == 502 else "504 Gateway Time-out"
        resp.raw = gateway_page(fault.status, opts.get("description", default) * repeat)
        return resp
    key = "message" if fault.status == 429 else (
        "error_description" if identity else "description")
    resp.body[key] = opts.get("description", resp.body[key]) * repeat
    return resp


def dotnet_json_string(text):
    """``text`` as a JSON string literal the way System.Text.Json writes it by default:
    ``+ < > & ' ` `` and every non-ASCII character as ``\\uXXXX`` (upper-case hex)."""
    out = ['"']
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
             "\r": "\\r", "\t": "\\t"}
    for char in text:
        code = ord(char)
        if char in short:
            out.append(short[char])
        elif code < 0x20 or code > 0x7e or char in "+<>&'`":
            if code > 0xFFFF:
                code -= 0x10000
                out.append("\\u%04X\\u%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
            else:
                out.append("\\u%04X" % code)
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def echo_answer(fault, text, identity, correlation_id):
    """The answer of an ``echo`` fault: an error whose body repeats ``text``."""
    mode = fault.options["echo"]
    status = fault.status
    if mode == "html":
        page = ("<html><body><h1>Bad Request</h1><pre>" + html.escape(text, quote=True)
                + "</pre></body></html>")
        return Response(status, raw=page.encode("utf-8"), content_type="text/html; charset=utf-8")
    if mode == "truncated":
        return Response(status, raw=("Bad request: " + text)[:fault.options["cut"]].encode("utf-8"),
                        content_type="text/plain; charset=utf-8")
    if mode == "json":
        text = json.dumps(text)
    elif mode == "dotnet":
        text = dotnet_json_string(text)
    if identity:
        err = IdentityError(status, "invalid_request", 900144,
                            "The request could not be processed. Request: " + text)
        return Response(status, err.body(correlation_id))
    return pc_error(status, 800002, "Invalid request input: " + text)


def redirect_answer(fault, trap_url, target):
    """The answer of a ``redirect`` fault (``target``: the request's path and query)."""
    location = fault.options["location"]
    if location == "trap":
        location = trap_url + target
    page = ('<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1>This '
            'document may be found <a HREF="%s">here</a></body>' % html.escape(location, quote=True))
    return Response(fault.status, raw=page.encode("utf-8"), headers={"Location": location},
                    content_type="text/html; charset=UTF-8")


def token_shape_answer(fault):
    """The answer of a ``token_shape`` fault: 200 with the rule's odd token fields."""
    answer = {"token_type": "Bearer", "expires_in": fault.options["expires_in"],
              "ext_expires_in": fault.options["expires_in"]}
    if "token_value" in fault.options:
        answer["access_token"] = fault.options["token_value"]
    return Response(200, answer)


class _Reset(Exception):
    """Abort the connection with a TCP RST."""


# ---------------------------------------------------------------------------

class Emulator(object):
    def __init__(self, options):
        options = dict(options or {})
        self.options = options
        knobs = validate_config({k: v for k, v in options.items() if k in DEFAULT_CONFIG})
        self.base_config = dict(DEFAULT_CONFIG)
        self.base_config.update(knobs)
        self.config = dict(self.base_config)
        self.credentials = dict(DEFAULT_CREDENTIALS)
        if options.get("random_credentials"):
            self.credentials.update({
                "tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                "client_secret": "emu-secret-" + secrets.token_urlsafe(24),
                "refresh_token": "emu-rt-" + secrets.token_urlsafe(32)})
        for key in DEFAULT_CREDENTIALS:
            if options.get(key):
                self.credentials[key] = options[key]
        self.initial_seed = options.get("seed")
        self.state = State(self.config)
        self.faults = FaultEngine(self.config["random_seed"])
        self.tokens = TokenStore()
        self.identity = Identity(self.credentials, self.tokens)
        self.log_lock = threading.Lock()
        self.request_log = []
        self.seq = 0
        self.counters = self._new_counters()
        self.access_log = bool(options.get("access_log"))
        self.base_url = None
        self.trap_log = TrapLog()
        self.trap_url = None
        if self.initial_seed is not None:
            self.state.seed(self.initial_seed)

    @staticmethod
    def _new_counters():
        return {"by_route": {}, "by_method": {}, "writes": 0}

    # ---- config ------------------------------------------------------------
    def apply_config(self, partial):
        values = validate_config(partial)
        with self.state.lock:
            self.config.update(values)
        if "random_seed" in values:
            self.faults.reseed(values["random_seed"])
        return dict(self.config)

    def reset(self, body):
        config = body.get("config") or {}
        values = validate_config(config)
        with self.state.lock:
            self.config.clear()
            self.config.update(self.base_config)
            self.config.update(values)
            self.state.clear()
            self.faults.set_rules([])
            self.faults.reseed(self.config["random_seed"])
            with self.log_lock:
                self.request_log = []
                self.seq = 0
                self.counters = self._new_counters()
            self.trap_log.clear()
            seed = body["seed"] if "seed" in body else self.initial_seed
            return self.state.seed(seed)

    # ---- request log -----------------------------------------------------
    def record(self, entry, route, method, api_write):
        with self.log_lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.request_log.append(entry)
            limit = self.config["request_log_limit"]
            if limit and len(self.request_log) > limit:
                del self.request_log[:len(self.request_log) - limit]
            by_route = self.counters["by_route"]
            by_route[route] = by_route.get(route, 0) + 1
            by_method = self.counters["by_method"]
            by_method[method] = by_method.get(method, 0) + 1
            if api_write:
                self.counters["writes"] += 1


class EmulatorHandle(object):
    def __init__(self, emulator, server, thread, info, temp_cert_dir=None, trap=None):
        self.emulator = emulator
        self.trap = trap
        self._temp_cert_dir = temp_cert_dir
        self.server = server
        self.thread = thread
        self.info = info
        self._stopped = False

    @property
    def url(self):
        return self.info["api_url"]

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.server.close_connections()
        self.thread.join(5)
        if self.trap is not None:
            self.trap.stop()
        if self._temp_cert_dir:
            import shutil
            shutil.rmtree(self._temp_cert_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, handler, ssl_context, emulator):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.ssl_context = ssl_context
        self.emulator = emulator
        self._conns = set()
        self._conns_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, address, handler)

    def server_bind(self):
        # skip HTTPServer's getfqdn() (slow on some machines)
        import socketserver
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

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

    def handle_error(self, request, client_address):
        pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    timeout = 120

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # silence default stderr logging
        pass

    # one entry point for every method
    def do_GET(self):
        self._dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = do_GET

    # ------------------------------------------------------------------
    def _read_body(self):
        return read_body(self.rfile, self.headers)

    def _rst(self):
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

    def _send(self, resp, request_id, correlation_id, bom=False, pascal=False, extra=True):
        if resp.raw is not None:
            payload = resp.raw
        elif resp.body is not None:
            body = to_pascal(resp.body) if pascal else resp.body
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if bom:
                payload = BOM + payload
        else:
            payload = b""
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
        self.send_header("Content-Length", str(len(payload)))
        # one write for headers and body (avoids a Nagle/delayed-ACK stall)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD" and payload:
            self._headers_buffer.append(payload)
        self.flush_headers()

    def _dispatch(self):
        emu = self.server.emulator
        started = time.monotonic()
        split = urlsplit(self.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            raw_body = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        if path.startswith("/_emulator"):
            self._control(emu, path, query, raw_body)
            return
        self._raw_body = raw_body
        self._target = path + ("?" + split.query if split.query else "")
        segs = [unquote(s) for s in path.split("/") if s]
        request_id = self.headers.get("MS-RequestId")
        correlation_id = self.headers.get("MS-CorrelationId")
        out_request_id = request_id or str(uuid.uuid4())
        out_correlation_id = correlation_id or str(uuid.uuid4())
        entry = {
            "seq": None,
            "time": datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "method": self.command,
            "path": path,
            "query": query,
            "route": "unknown",
            "status": None,
            "request_id": request_id,
            "correlation_id": correlation_id,
            "token_kind": None,
            "fault": None,
            "body": None,
            "duration_ms": None,
        }
        identity_route = self._identity_route(segs)
        if identity_route is not None:
            self._handle_identity(emu, identity_route, segs, query, raw_body, entry, started,
                                  out_correlation_id)
            return
        self._handle_api(emu, segs, query, raw_body, entry, started, out_request_id,
                         out_correlation_id)

    # ------------------------------------------------------------------ identity
    def _identity_route(self, segs):
        low = [s.lower() for s in segs]
        if self.command == "GET" and len(segs) == 4 and low[1:] == [
                "v2.0", ".well-known", "openid-configuration"]:
            return "openid_config"
        if self.command == "GET" and len(segs) == 3 and low[1:] == [
                ".well-known", "openid-configuration"]:
            return "openid_config"
        if len(segs) == 4 and low[1:] == ["oauth2", "v2.0", "token"]:
            return "token"
        if len(segs) == 3 and low[1:] == ["oauth2", "token"]:
            return "token"
        return None

    def _handle_identity(self, emu, route, segs, query, raw_body, entry, started, correlation_id):
        entry["route"] = route
        cfg = emu.config
        form = {}
        if route == "token":
            try:
                parsed = parse_qs(raw_body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                parsed = {}
            form = {k: v[0] for k, v in parsed.items()}
            entry["body"] = {k: v for k, v in form.items()
                             if k in ("grant_type", "scope", "client_id")}
            entry["query"] = {k: v for k, v in query.items()
                              if k in ("grant_type", "scope", "client_id")}
        if cfg["latency_on_token"] and cfg["latency_ms"]:
            time.sleep(cfg["latency_ms"] / 1000.0)
        fault = emu.faults.decide(route, self.command)
        self._note_fault(entry, fault)
        resp, reset = self._fault_before_processing(emu, entry, started, fault, cfg, identity=True,
                                                    correlation_id=correlation_id)
        if reset:
            return
        if resp is None:
            try:
                if route == "openid_config":
                    resp = Response(200, emu.identity.openid_configuration(emu.base_url, segs[0]))
                elif self.command != "POST":
                    resp = Response(405, IdentityError(
                        405, "invalid_request", 900561,
                        "The endpoint only accepts POST requests.").body(correlation_id))
                else:
                    resp = Response(200, emu.identity.token(
                        segs[0], form, cfg["token_lifetime"], mfa=cfg["token_mfa"],
                        v1=(len(segs) == 3)))
            except IdentityError as err:
                resp = Response(err.status, err.body(correlation_id))
        resp.headers.setdefault("Cache-Control", "no-store, no-cache")
        resp.headers.setdefault("Pragma", "no-cache")
        resp = self._fault_after_processing(emu, entry, started, fault, resp)
        if resp is None:
            return
        entry["status"] = resp.status
        self._finish(emu, entry, started, route, False)
        try:
            self._send(resp, str(uuid.uuid4()), correlation_id,
                       bom=fault is not None and fault.kind == "bom",
                       pascal=fault is not None and fault.kind == "pascal_case", extra=False)
        except (OSError, ssl.SSLError):
            self.close_connection = True

    def _finish(self, emu, entry, started, route, api_write):
        entry["duration_ms"] = round((time.monotonic() - started) * 1000.0, 3)
        emu.record(entry, route, self.command, api_write)
        if emu.access_log:
            sys.stdout.write("%s %s %s\n" % (self.command, entry["path"], entry["status"]))
            sys.stdout.flush()

    @staticmethod
    def _note_fault(entry, fault):
        if fault is None:
            return
        entry["fault"] = fault.kind
        if fault.source != "rule":
            entry["fault_source"] = fault.source
        if fault.kind in ("status", "redirect", "echo"):
            entry["fault_status"] = fault.status

    def _fault_after_processing(self, emu, entry, started, fault, resp):
        """Apply a fault that strikes after the request was committed; returns the answer to
        send, or None when the connection was reset."""
        if fault is None:
            return resp
        if fault.kind == "commit_then_reset":
            self._finish_reset(emu, entry, started)
            return None
        if fault.kind == "commit_then_delay":
            time.sleep(fault.delay)
        elif fault.kind == "commit_then_empty" and 200 <= resp.status < 300:
            return Response(resp.status, headers=resp.headers, content_type=resp.content_type)
        return resp

    def _echo_text(self, mode):
        if mode == "headers":
            return "\n".join("%s: %s" % (k, v) for k, v in self.headers.items())
        return self._raw_body.decode("utf-8", errors="replace")

    def _fault_before_processing(self, emu, entry, started, fault, cfg, identity=False,
                                 correlation_id=""):
        """Apply a fault that strikes before the request is processed: (response or None, was_reset)."""
        if fault is None:
            return None, False
        if fault.kind == "reset":
            self._finish_reset(emu, entry, started)
            return None, True
        if fault.kind == "delay":
            time.sleep(fault.delay)
        elif fault.kind == "status":
            return status_fault_answer(fault, fault.retry_after or cfg["retry_after"],
                                       identity=identity), False
        elif fault.kind == "redirect":
            return redirect_answer(fault, emu.trap_url, self._target), False
        elif fault.kind == "echo":
            return echo_answer(fault, self._echo_text(fault.options["echo"]), identity,
                               correlation_id), False
        elif fault.kind == "token_shape":
            return token_shape_answer(fault), False
        return None, False

    def _finish_reset(self, emu, entry, started):
        entry["status"] = None
        self._finish(emu, entry, started, entry["route"],
                     entry["route"] not in ("token", "openid_config", "unknown")
                     and self.command in WRITE_METHODS)
        self._rst()

    # ------------------------------------------------------------------ API
    def _handle_api(self, emu, segs, query, raw_body, entry, started, request_id, correlation_id):
        cfg = emu.config
        route = None
        params = {}
        method_ok = False
        if segs and segs[0].lower() in ("v1", "v1.0"):
            pattern, params = match_api_path(segs[1:])
            if pattern is not None:
                route = API_PATTERNS[pattern].get(self.command)
                method_ok = route is not None
                if route is None:
                    route = "unknown"
        body_obj = None
        body_error = None
        if raw_body:
            try:
                body_obj = json.loads(raw_body.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                body_error = "The request body is not valid JSON."
        if self.command != "GET" and body_obj is not None:
            entry["body"] = redact(body_obj)
        if route is None:
            entry["route"] = "unknown"
            entry["status"] = 404
            self._finish(emu, entry, started, "unknown", False)
            self._safe_send(pc_error(404, 1000, "The requested resource was not found."),
                            request_id, correlation_id)
            return
        entry["route"] = route
        api_write = self.command in WRITE_METHODS
        if not method_ok:
            entry["status"] = 405
            self._finish(emu, entry, started, route, api_write)
            self._safe_send(pc_error(405, 800002, "The requested HTTP method is not supported for "
                                                  "this resource."), request_id, correlation_id)
            return
        # latency outside any lock
        if cfg["latency_ms"]:
            time.sleep(cfg["latency_ms"] / 1000.0)
        fault = emu.faults.decide(route, self.command, cfg["throttle_rate"], cfg["error_rate"],
                                  cfg["retry_after"], cfg["error_status"])
        self._note_fault(entry, fault)
        auth = self.headers.get("Authorization") or ""
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        info = emu.tokens.lookup(token) if token else None
        if info is not None:
            entry["token_kind"] = info.kind
        resp, reset = self._fault_before_processing(emu, entry, started, fault, cfg,
                                                    correlation_id=correlation_id)
        if reset:
            return
        if resp is None:
            resp = self._authorize(info, route, cfg, fault)
        if resp is None:
            if body_error is not None:
                resp = pc_error(400, 800002, "Invalid request input: " + body_error)
            elif self.command in ("POST", "PATCH") and not isinstance(body_obj, dict):
                resp = pc_error(400, 800002, "Invalid request input: a JSON object body is "
                                             "required.")
            else:
                try:
                    resp = self._api(emu, route, params, query,
                                     lower_keys(body_obj) if isinstance(body_obj, dict) else {})
                except ApiError as err:
                    resp = Response(err.status, err.body, err.headers)
        resp = self._fault_after_processing(emu, entry, started, fault, resp)
        if resp is None:
            return
        entry["status"] = resp.status
        self._finish(emu, entry, started, route, api_write)
        bom = cfg["bom"] or (fault is not None and fault.kind == "bom")
        pascal = cfg["pascal_case"] or (fault is not None and fault.kind == "pascal_case")
        self._safe_send(resp, request_id, correlation_id, bom=bom, pascal=pascal)

    def _safe_send(self, resp, request_id, correlation_id, bom=False, pascal=False):
        try:
            self._send(resp, request_id, correlation_id, bom=bom, pascal=pascal)
        except (OSError, ssl.SSLError):
            self.close_connection = True

    def _authorize(self, info, route, cfg, fault):
        if info is None:
            return Response(401, {"code": 800001,
                                  "description": "Partner Token missing in request context",
                                  "data": [], "source": "PartnerFD"},
                            headers={"WWW-Authenticate": 'Bearer realm="api.partnercenter."'
                                                         'microsoft.com"'})
        now = time.time()
        if info.exp <= now or (fault is not None and fault.kind == "expire_token"):
            exp = min(info.exp, now - 1)
            return Response(401, {"error": {
                "code": "ExpiredAuthenticationToken",
                "message": "The access token expiry UTC time '%s' is earlier than current UTC "
                           "time '%s'." % (_dotnet_time(exp), _dotnet_time(now))}},
                headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                             'error_description="The access token has expired"'})
        if info.kind == "app" and route not in APP_ONLY_ALLOWED:
            return pc_error(403, 900329, "This resource doesn't support application-only "
                                         "authentication.")
        if info.kind == "user" and cfg["mfa_required"] and not info.mfa:
            return pc_error(401, 900421, "Multi-factor authentication (MFA) is required for this "
                                         "App+User request.")
        return None

    def _api(self, emu, route, p, query, body):
        st = emu.state
        q = {k.lower(): v for k, v in query.items()}

        def one(name):
            values = q.get(name.lower())
            return values[0] if values else None

        seek = one("seekOperation")
        token = self.headers.get("MS-ContinuationToken")
        if route == "list_customers":
            return Response(200, st.list_customers(one("size"), one("filter"), seek, token))
        if route == "get_customer":
            return Response(200, st.get_customer(p["cid"]))
        if route == "list_users":
            return Response(200, st.list_users(p["cid"], one("size"), one("filter"), seek, token))
        if route == "get_user":
            return Response(200, st.get_user(p["cid"], p["uid"]))
        if route == "create_user":
            status, user = st.create_user(p["cid"], body)
            return Response(status, user)
        if route == "update_user":
            return Response(200, st.update_user(p["cid"], p["uid"], body))
        if route == "reset_password":
            if emu.config["password_reset_route"] == "user":
                return pc_error(404, 1000, "The requested resource was not found.")
            return Response(200, st.reset_password(p["cid"], p["uid"], body))
        if route == "delete_user":
            st.delete_user(p["cid"], p["uid"])
            return Response(204)
        if route == "list_directory_roles":
            return Response(200, st.list_directory_roles(p["cid"]))
        if route == "list_user_directory_roles":
            return Response(200, st.list_user_directory_roles(p["cid"], p["uid"]))
        if route == "list_role_members":
            return Response(200, st.list_role_members(p["cid"], p["rid"], one("size"), seek,
                                                      token))
        if route == "add_role_member":
            return Response(201, st.add_role_member(p["cid"], p["rid"], body))
        if route == "remove_role_member":
            st.remove_role_member(p["cid"], p["rid"], p["uid"])
            return Response(204)
        if route == "list_subscribed_skus":
            return Response(200, st.list_subscribed_skus(p["cid"], q.get("licensegroupids")))
        if route == "list_user_licenses":
            return Response(200, st.list_user_licenses(p["cid"], p["uid"],
                                                       q.get("licensegroupids")))
        if route == "update_user_licenses":
            return Response(201, st.update_user_licenses(p["cid"], p["uid"], body))
        raise ApiError(404, 1000, "Not found")

    # ------------------------------------------------------------------ control
    def _control(self, emu, path, query, raw_body):
        name = path[len("/_emulator"):].strip("/")
        method = self.command
        try:
            body = {}
            if raw_body:
                try:
                    body = json.loads(raw_body.decode("utf-8-sig"))
                except ValueError:
                    raise ConfigError("body is not valid JSON")
                if not isinstance(body, dict):
                    raise ConfigError("body must be a JSON object")
            resp = self._control_action(emu, name, method, query, body)
        except (ConfigError, SeedError, FaultError, ValueError, TypeError) as err:
            resp = Response(400, {"error": str(err)})
        try:
            self._send(resp, "", "", extra=False)
        except (OSError, ssl.SSLError):
            self.close_connection = True

    def _control_action(self, emu, name, method, query, body):
        if name == "health" and method == "GET":
            return Response(200, {"ok": True})
        if name == "reset" and method == "POST":
            return Response(200, emu.reset(body))
        if name == "config":
            if method == "GET":
                return Response(200, dict(emu.config))
            if method == "POST":
                return Response(200, emu.apply_config(body))
        if name == "seed" and method == "POST":
            return Response(200, emu.state.seed(body))
        if name == "state" and method == "GET":
            customer = (query.get("customer") or [None])[0]
            return Response(200, emu.state.dump(customer))
        if name == "requests":
            if method == "GET":
                with emu.log_lock:
                    return Response(200, {"requests": copy.deepcopy(emu.request_log)})
            if method == "DELETE":
                with emu.log_lock:
                    emu.request_log = []
                    emu.counters = emu._new_counters()
                return Response(200, {"ok": True})
        if name == "counters":
            if method == "GET":
                with emu.log_lock:
                    return Response(200, copy.deepcopy(emu.counters))
            if method == "DELETE":
                with emu.log_lock:
                    emu.counters = emu._new_counters()
                return Response(200, {"ok": True})
        if name == "faults":
            if method == "GET":
                return Response(200, {"rules": emu.faults.describe()})
            if method == "POST":
                emu.faults.set_rules(body.get("rules", []))
                return Response(200, {"rules": emu.faults.describe()})
        if name == "trap":
            if method == "GET":
                return Response(200, {"requests": emu.trap_log.entries()})
            if method == "DELETE":
                emu.trap_log.clear()
                return Response(200, {"ok": True})
        if name == "expire_tokens" and method == "POST":
            return Response(200, {"expired": emu.tokens.expire_all()})
        if name == "clock" and method == "POST":
            seconds = body.get("advance_seconds", 0)
            if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
                raise ConfigError("advance_seconds must be a number >= 0")
            now = emu.state.advance_clock(seconds)
            return Response(200, {"now": datetime.datetime.fromtimestamp(
                now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "offset_seconds": emu.state.clock_offset})
        return Response(404, {"error": "unknown control endpoint %s %s" % (method, name)})


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


def start(config=None):
    """Start the emulator in background threads; returns an EmulatorHandle.

    ``config`` keys: ``host`` (127.0.0.1), ``port`` (0), ``cert_dir``,
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
    ctx = certs.server_context(paths)
    server = _Server((host, port), Handler, ctx, emulator)
    bound_port = server.server_address[1]
    url_host = host
    if host in ("0.0.0.0", ""):
        url_host = "127.0.0.1"
    elif host == "::":
        url_host = "::1"
    if ":" in url_host:
        url_host = "[%s]" % url_host
    base = "https://%s:%d" % (url_host, bound_port)
    emulator.base_url = base
    trap = Trap(emulator.trap_log)
    emulator.trap_url = trap.url
    info = {
        "api_url": base,
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
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="pcemu-server", daemon=True)
    thread.start()
    if config.get("info_file"):
        write_info_file(config["info_file"], info)
    return EmulatorHandle(emulator, server, thread, info,
                          temp_cert_dir=None if config.get("cert_dir") else paths["cert_dir"],
                          trap=trap)
