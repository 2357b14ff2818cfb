"""Reproducible fault injection: rule validation, the engine that decides, and what each
kind does to a request (``BEFORE`` processing or ``AFTER`` it).

Rules are evaluated in order for every API or identity request (never for
``/_emulator`` control requests).  The first rule that *fires* wins and the
rules after it are not consulted for that request (their ``after`` counters do
not move).  Every random draw comes from one ``random.Random(random_seed)``.

A new kind: add it to ``KIND_FIELDS`` (its own rule fields), check those fields in
``_validate_rule``, and give it a hook in ``BEFORE`` or ``AFTER`` (or both).
"""

import collections
import html
import json
import math
import random
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

from .identity import IdentityError
from .responses import Response, graph_error, graph_throttled, pc_error, throttle_response
from .routes import ROUTE_NAMES as ROUTES

METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ECHO_MODES = ("raw", "json", "dotnet", "html", "truncated", "headers")

# Fields every rule may carry.
COMMON_FIELDS = ("route", "method", "kind", "after", "times", "probability")
# The first kinds accepted status, retry_after and delay whatever the kind (they were
# ignored when unused); they still do, so old rules keep working.
LEGACY_FIELDS = ("status", "retry_after", "delay")
# kind -> the fields it uses besides COMMON_FIELDS.  A field outside this set is refused.
KIND_FIELDS = {
    "status": LEGACY_FIELDS + ("description", "description_repeat", "body", "content_type"),
    "reset": LEGACY_FIELDS,
    "commit_then_reset": LEGACY_FIELDS,
    "commit_then_delay": LEGACY_FIELDS,
    "delay": LEGACY_FIELDS,
    "bom": LEGACY_FIELDS,
    "pascal_case": LEGACY_FIELDS,
    "expire_token": LEGACY_FIELDS,
    "redirect": ("status", "location"),
    "echo": ("status", "echo", "cut"),
    "commit_then_empty": (),
    "token_shape": ("token_value", "expires_in"),
    "in_progress": (),
    "drip": ("delay",),
    "huge_body": ("pad_bytes",),
    "repeat_next": (),
}
KINDS = tuple(KIND_FIELDS)
# Fields the rule keeps only when the rule sets them (``describe`` shows them then).
OPTIONAL_FIELDS = ("location", "echo", "cut", "description", "description_repeat", "body",
                   "content_type", "token_value", "expires_in", "pad_bytes")
# The paged list routes (a ``repeat_next`` rule names one of them, or ``*``).
PAGED_ROUTES = ("list_users", "list_role_members", "list_customers")
# The continuation token every next link of a ``repeat_next`` rule carries.
REPEATED_TOKEN = "+repeated/continuation+token=="
ALL_FIELDS = frozenset(COMMON_FIELDS + LEGACY_FIELDS + OPTIONAL_FIELDS)


class FaultError(ValueError):
    pass


class Fault(object):
    """What happens to one request.  ``options`` holds the kind's own rule fields."""
    __slots__ = ("kind", "status", "retry_after", "delay", "source", "options")

    def __init__(self, kind, status=None, retry_after=None, delay=0.0, source="rule",
                 options=None):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.delay = delay
        self.source = source
        self.options = options or {}


def _number(raw, name, default, minimum=None, maximum=None, integer=False):
    """Rule field ``name`` as a number (numeric strings too, never a boolean) within
    ``minimum``..``maximum``; ``default`` when absent or null."""
    value = raw.get(name)
    if value is None:
        return default
    what = "an integer" if integer else "a number"
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError(value)
        number = float(value)
        if math.isnan(number) or (integer and number != int(number)):
            raise ValueError(value)
    except (ValueError, OverflowError):
        raise FaultError("%r must be %s" % (name, what))
    if integer:
        number = int(number)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        upper = "" if maximum is None else maximum
        raise FaultError("%r must be %s within %s..%s" % (name, what, minimum, upper))
    return number


def _int(raw, name, default, minimum=None):
    return _number(raw, name, default, minimum=minimum, integer=True)


def _text(raw, name, allow_empty=True):
    value = raw[name]
    if not isinstance(value, str) or (not allow_empty and not value):
        raise FaultError("%r must be a%s string" % (name, "" if allow_empty else " non-empty"))
    return value


def _check_location(value):
    if not isinstance(value, str) or not value:
        raise FaultError("'location' must be \"trap\" or an absolute http(s) URL")
    if value == "trap":
        return value
    if any(c in value for c in "\r\n"):
        raise FaultError("'location' must not contain line breaks")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FaultError("'location' must be \"trap\" or an absolute http(s) URL, not %r"
                         % value)
    return value


def _validate_rule(raw):
    if not isinstance(raw, dict):
        raise FaultError("each rule must be a JSON object")
    unknown = set(raw) - ALL_FIELDS
    if unknown:
        raise FaultError("unknown rule field(s): %s" % ", ".join(sorted(unknown)))
    route = raw.get("route", "*")
    if route != "*" and route not in ROUTES:
        raise FaultError("unknown route %r (use one of %s or '*')" % (route, ", ".join(ROUTES)))
    method = raw.get("method")
    if method is not None:
        method = str(method).upper()
        if method not in METHODS:
            raise FaultError("unknown method %r" % raw.get("method"))
    kind = raw.get("kind")
    if kind not in KINDS:
        raise FaultError("unknown kind %r (use one of %s)" % (kind, ", ".join(KINDS)))
    unused = set(raw) - set(COMMON_FIELDS) - set(KIND_FIELDS[kind])
    if unused:
        raise FaultError("field(s) %s do not apply to kind %r (it takes %s)"
                         % (", ".join(sorted(unused)), kind,
                            ", ".join(KIND_FIELDS[kind]) or "no fields of its own"))
    status = _int(raw, "status", None)
    if kind == "status":
        if status is None or not 100 <= status <= 599:
            raise FaultError("kind 'status' needs an integer 'status' (100..599)")
    elif kind == "redirect":
        status = 307 if status is None else status
        if status not in REDIRECT_STATUSES:
            raise FaultError("kind 'redirect' takes a 'status' of %s"
                             % ", ".join(str(s) for s in REDIRECT_STATUSES))
    elif kind == "echo":
        status = 400 if status is None else status
        if not 400 <= status <= 599:
            raise FaultError("kind 'echo' takes an error 'status' (400..599)")
    elif kind == "in_progress":
        status = 409
    elif status is not None and not 100 <= status <= 599:
        raise FaultError("'status' must be within 100..599")
    if kind == "token_shape" and route != "token":
        raise FaultError("kind 'token_shape' only applies to route 'token'")
    if kind == "in_progress" and route in ("token", "openid_config"):
        raise FaultError("kind 'in_progress' only applies to API routes")
    if kind == "repeat_next" and route not in PAGED_ROUTES + ("*",):
        raise FaultError("kind 'repeat_next' only applies to the paged routes %s"
                         % ", ".join(PAGED_ROUTES))
    rule = {
        "route": route,
        "method": method,
        "kind": kind,
        "status": status,
        "retry_after": _int(raw, "retry_after", None, minimum=0),
        "delay": _number(raw, "delay", 0.0, minimum=0.0),
        "after": _int(raw, "after", 0, minimum=0),
        "times": _int(raw, "times", 1, minimum=-1),
        "probability": _number(raw, "probability", 1.0, minimum=0.0, maximum=1.0),
    }
    if kind in ("delay", "commit_then_delay", "drip") and rule["delay"] <= 0:
        raise FaultError("kind %r needs a positive 'delay' (seconds)" % kind)
    if kind == "redirect":
        rule["location"] = _check_location(raw.get("location", "trap"))
    if kind == "echo":
        mode = raw.get("echo", "raw")
        if mode not in ECHO_MODES:
            raise FaultError("'echo' must be one of %s" % ", ".join(ECHO_MODES))
        rule["echo"] = mode
        if "cut" in raw:
            if mode != "truncated":
                raise FaultError("'cut' only applies to echo 'truncated'")
        if mode == "truncated":
            rule["cut"] = _int(raw, "cut", 300, minimum=1)
    if kind == "status":
        if "body" in raw:
            if "description" in raw or "description_repeat" in raw:
                raise FaultError("'body' replaces the whole answer: do not combine it with "
                                 "'description' or 'description_repeat'")
            rule["body"] = _text(raw, "body")
            rule["content_type"] = "text/plain"
        if "content_type" in raw:
            if "body" not in raw:
                raise FaultError("'content_type' only applies together with 'body'")
            content_type = _text(raw, "content_type", allow_empty=False)
            if any(c in content_type for c in "\r\n"):
                raise FaultError("'content_type' must not contain line breaks")
            rule["content_type"] = content_type
        if "description" in raw:
            rule["description"] = _text(raw, "description")
        if "description_repeat" in raw:
            rule["description_repeat"] = _int(raw, "description_repeat", 1, minimum=1)
    if kind == "huge_body":
        if raw.get("pad_bytes") is None:
            raise FaultError("kind 'huge_body' needs 'pad_bytes' (an integer >= 1)")
        rule["pad_bytes"] = _int(raw, "pad_bytes", None, minimum=1)
    if kind == "token_shape":
        if "token_value" in raw:
            rule["token_value"] = raw["token_value"]
        rule["expires_in"] = raw.get("expires_in", 3600)
    return rule


# The window of ``throttle_over_rate``, in seconds.
RATE_WINDOW = 1.0


class FaultEngine(object):
    def __init__(self, seed=0, clock=time.monotonic):
        self._lock = threading.Lock()
        self._rules = []
        self._rng = random.Random(seed)
        self._clock = clock
        self._arrivals = collections.deque()  # when the API requests of the last RATE_WINDOW came
        self._keyed_arrivals = {}             # the same per key (Graph: per customer tenant)

    def reseed(self, seed):
        with self._lock:
            self._rng = random.Random(seed)
            self._arrivals.clear()
            self._keyed_arrivals = {}

    def _over_rate(self, limit, key=None):
        """Count this request; True if more than ``limit`` (itself included) came within the
        last ``RATE_WINDOW`` seconds.  Every API request counts, throttled ones too.  ``key``:
        a window of its own (Graph: one per customer tenant)."""
        now = self._clock()
        if key is None:
            arrivals = self._arrivals
        else:
            arrivals = self._keyed_arrivals.setdefault(key, collections.deque())
        arrivals.append(now)
        while arrivals and arrivals[0] <= now - RATE_WINDOW:
            arrivals.popleft()
        return limit > 0 and len(arrivals) > limit

    def set_rules(self, rules):
        if not isinstance(rules, list):
            raise FaultError("'rules' must be a list")
        validated = [_validate_rule(r) for r in rules]
        for rule in validated:
            rule["remaining_after"] = rule["after"]
            rule["remaining_times"] = rule["times"]
            rule["fired"] = 0
            rule["seen"] = 0
        with self._lock:
            self._rules = validated

    def describe(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def decide(self, route, method, throttle_rate=0.0, error_rate=0.0,
               retry_after=1, error_status=503, in_progress_rate=0.0, over_rate=None,
               over_key=None):
        """Return a Fault or None.  ``over_rate`` (``throttle_over_rate``), then
        ``throttle_rate``/``error_rate`` (and, for writes, ``in_progress_rate``) apply only
        when no rule fired (API routes pass them; identity routes pass nothing)."""
        with self._lock:
            # Every API request counts in the rate window, whatever answers it.
            over = self._over_rate(over_rate, over_key) if over_rate is not None else False
            for rule in self._rules:
                if rule["route"] != "*" and rule["route"] != route:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["remaining_times"] == 0:
                    continue
                rule["seen"] += 1
                if rule["remaining_after"] > 0:
                    rule["remaining_after"] -= 1
                    continue
                if rule["probability"] < 1.0 and self._rng.random() >= rule["probability"]:
                    continue
                if rule["remaining_times"] > 0:
                    rule["remaining_times"] -= 1
                rule["fired"] += 1
                return Fault(rule["kind"], status=rule["status"],
                             retry_after=rule["retry_after"], delay=rule["delay"],
                             options={k: rule[k] for k in OPTIONAL_FIELDS if k in rule})
            if over:
                return Fault("status", status=429, retry_after=retry_after,
                             source="throttle_over_rate")
            if throttle_rate > 0 and self._rng.random() < throttle_rate:
                return Fault("status", status=429, retry_after=retry_after, source="throttle_rate")
            if error_rate > 0 and self._rng.random() < error_rate:
                return Fault("status", status=error_status, source="error_rate")
            if in_progress_rate > 0 and method in WRITE_METHODS \
                    and self._rng.random() < in_progress_rate:
                return Fault("in_progress", status=409, source="in_progress_conflict_rate")
        return None


# ---------------------------------------------------------------------------
# what the kinds answer

def gateway_page(status, heading=None):
    title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
    heading = title if heading is None else html.escape(heading, quote=False)
    return ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1>"
            "</center>\r\n</body>\r\n</html>\r\n" % (title, heading)).encode("utf-8")


GRAPH_FAULT_CODES = {400: "BadRequest", 401: "InvalidAuthenticationToken",
                     403: "Authorization_RequestDenied", 404: "Request_ResourceNotFound",
                     409: "Request_MultipleObjectsWithSameKeyValue", 503: "serviceNotAvailable"}


def fault_status_response(status, retry_after, identity=False, graph=False):
    """The usual answer of an injected ``status`` (429 throttling, 502/504 gateway pages,
    AAD errors on the identity side, Graph's errors on Graph, Partner Center errors on the
    API side)."""
    if status == 429:
        return graph_throttled(retry_after) if graph else throttle_response(retry_after)
    if status in (502, 504):
        return Response(status, raw=gateway_page(status), content_type="text/html")
    if graph:
        headers = {"Retry-After": str(retry_after)} if status == 503 else None
        return graph_error(status, GRAPH_FAULT_CODES.get(
            status, "generalException" if status >= 500 else "BadRequest"),
            "The service is temporarily unavailable (injected fault)." if status >= 500 else
            "Invalid request (injected fault).", headers=headers)
    if identity:
        return IdentityError(status, "temporarily_unavailable" if status >= 500 else
                             "invalid_request", 50001 if status >= 500 else 900144,
                             "The service is temporarily unavailable (injected fault)."
                             ).response(str(uuid.uuid4()))
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


def in_progress_answer(identity, correlation_id, graph=False):
    """The answer of an ``in_progress`` fault: 409 "being processed by another request"
    (Partner Center's in-progress conflicts, reference §10 row 3), before processing."""
    if graph:
        return graph_error(409, "Request_BadRequest", "The request is being processed by "
                                                      "another request. Please retry.")
    if identity:
        return IdentityError(409, "invalid_request", 900144, "The request is being processed "
                             "by another request. Please retry.").response(correlation_id)
    return pc_error(409, 800060, "The request is being processed by another request. "
                                 "Please retry.")


def status_answer(fault, retry_after, identity=False, graph=False):
    """The answer of a ``status`` fault, with its ``description``/``body`` options applied."""
    resp = fault_status_response(fault.status, retry_after, identity=identity, graph=graph)
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
    if graph:
        error = resp.body["error"]
        error["message"] = opts.get("description", error["message"]) * repeat
        return resp
    key = "message" if fault.status == 429 else (
        "error_description" if identity else "description")
    resp.body[key] = opts.get("description", resp.body[key]) * repeat
    return resp


def dotnet_json_string(text):
    """``text`` as a JSON string literal the way System.Text.Json writes it by default:
    ``+ < > & ' `` and the backtick, and every character outside printable ASCII, as
    ``\\uXXXX`` (upper-case hex)."""
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


def echo_text(req, mode):
    """What an ``echo`` fault repeats: the raw body, or the request headers."""
    if mode == "headers":
        return "\n".join("%s: %s" % (k, v) for k, v in req.headers.items())
    return req.raw_body.decode("utf-8", errors="replace")


def echo_answer(fault, text, identity, correlation_id, graph=False):
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
        return IdentityError(status, "invalid_request", 900144,
                             "The request could not be processed. Request: " + text
                             ).response(correlation_id)
    if graph:
        return graph_error(status, "BadRequest", "Invalid request: " + text)
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


# ---------------------------------------------------------------------------
# hooks: what each kind does to a request (``req``: pipeline.Request)

RESET = "reset the connection"   # a hook's answer: close the TCP connection with RST


def _mark(flag):
    def hook(_fault, req, _emu):
        setattr(req, flag, True)
    return hook


def _sleep_before(fault, _req, _emu):
    time.sleep(fault.delay)


def _repeat_before(_fault, req, _emu):
    if req.continuation_token == REPEATED_TOKEN:
        req.forget_seek()  # the repeated token leads back to the first page


BEFORE = {  # kind -> hook(fault, req, emu) -> Response to send instead, RESET, or None
    "reset": lambda fault, req, emu: RESET,
    "delay": _sleep_before,
    "status": lambda fault, req, emu: status_answer(
        fault, fault.retry_after or emu.config["graph_retry_after" if req.graph else
                                               "retry_after"],
        identity=req.identity, graph=req.graph),
    "redirect": lambda fault, req, emu: redirect_answer(fault, emu.trap_url, req.target),
    "echo": lambda fault, req, emu: echo_answer(
        fault, echo_text(req, fault.options["echo"]), req.identity, req.correlation_id,
        graph=req.graph),
    "token_shape": lambda fault, req, emu: token_shape_answer(fault),
    "in_progress": lambda fault, req, emu: in_progress_answer(req.identity, req.correlation_id,
                                                              graph=req.graph),
    "bom": _mark("bom"),
    "pascal_case": _mark("pascal"),
    "expire_token": _mark("force_expired"),
    "repeat_next": _repeat_before,
}


def _sleep_after(fault, resp, _req):
    time.sleep(fault.delay)
    return resp


def _empty_after(_fault, resp, _req):
    if 200 <= resp.status < 300:
        return Response(resp.status, headers=resp.headers, content_type=resp.content_type)
    return resp


# ---------------------------------------------------------------------------
# bodies written in pieces (``Response.stream``): the server sends the headers, with the
# whole Content-Length, at once, then ``pieces(payload)`` one by one; a client that hangs up
# ends the answer.  ``body_sent`` in the request log counts the bytes written.

class StreamedBody(object):
    """How an answer's body is written; ``entry`` is the request's log entry."""
    entry = None

    def length(self, payload):
        return len(payload)

    def pieces(self, payload):
        yield payload

    def write(self, wfile, payload):
        sent = 0
        for piece in self.pieces(payload):
            wfile.write(piece)
            sent += len(piece)
            if self.entry is not None:
                self.entry["body_sent"] = sent


class Drip(StreamedBody):
    """The answer's own body, one byte every ``delay`` seconds."""

    def __init__(self, delay):
        self.delay = delay

    def pieces(self, payload):
        for i in range(len(payload)):
            if i:
                time.sleep(self.delay)
            yield payload[i:i + 1]


PAD_PIECE = 64 * 1024


class Padded(StreamedBody):
    """The answer's JSON object with one more member, ``"padding"``, of ``size`` bytes ("xxx...").

    Written 64 KiB at a time from one buffer: the emulator never holds the body.
    """

    def __init__(self, size):
        self.size = size

    @staticmethod
    def _ends(payload):
        body = payload.rstrip()
        if body.endswith(b"}"):
            head = body[:-1].rstrip()
            return head + (b"" if head.endswith(b"{") else b",") + b'"padding":"', b'"}'
        return b'{"padding":"', b'"}'

    def length(self, payload):
        head, tail = self._ends(payload)
        return len(head) + self.size + len(tail)

    def pieces(self, payload):
        head, tail = self._ends(payload)
        yield head
        block = b"x" * PAD_PIECE
        left = self.size
        while left > 0:
            piece = block if left >= PAD_PIECE else block[:left]
            left -= len(piece)
            yield piece
        yield tail


def _drip_after(fault, resp, _req):
    resp.stream = Drip(fault.delay)
    return resp


def _huge_after(fault, resp, _req):
    if resp.status != 204:  # a 204 has no body to grow
        resp.stream = Padded(fault.options["pad_bytes"])
    return resp


def _repeat_after(_fault, resp, req):
    """A page's ``links.next`` (and ``continuationToken``) carry ``REPEATED_TOKEN``, whatever page it is."""
    body = resp.body
    if resp.status != 200 or not isinstance(body, dict) or "items" not in body:
        return resp
    links = body.get("links")
    if not isinstance(links, dict):
        links = body["links"] = collections.OrderedDict()
    path, _sep, query = ((links.get("self") or {}).get("uri") or req.path).partition("?")
    size = parse_qs(query).get("size", [""])[0]
    links["next"] = {"uri": "%s?size=%s&seekOperation=Next" % (path, size), "method": "GET",
                     "headers": [{"key": "MS-ContinuationToken", "value": REPEATED_TOKEN}]}
    body["continuationToken"] = REPEATED_TOKEN
    return resp


AFTER = {  # kind -> hook(fault, resp, req) -> the Response to send, or RESET
    "commit_then_reset": lambda fault, resp, req: RESET,
    "commit_then_delay": _sleep_after,
    "commit_then_empty": _empty_after,
    "drip": _drip_after,
    "huge_body": _huge_after,
    "repeat_next": _repeat_after,
}
assert set(BEFORE) | set(AFTER) == set(KINDS)


def before_processing(fault, req, emu):
    hook = BEFORE.get(fault.kind) if fault is not None else None
    return hook(fault, req, emu) if hook is not None else None


def after_processing(fault, resp, req):
    hook = AFTER.get(fault.kind) if fault is not None else None
    return hook(fault, resp, req) if hook is not None else resp
