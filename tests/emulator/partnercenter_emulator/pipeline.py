"""THE request pipeline, shared by the identity and API sides, carrying one
:class:`Request`:

match the route -> parse the body -> (unknown path: 404; known API path, other method:
405) -> latency -> decide the fault -> look up the bearer token -> fault before
processing -> authorization (token kind, expiry on the emulator clock, MFA, then the
customer's GDAP roles: ``gdap.check``) -> processing (the route's handler) -> fault after
processing -> record in the request log -> send.

What differs between the sides is in :class:`ApiSide`, :class:`IdentitySide` and
:class:`GraphSide` (Microsoft Graph, served by the Graph listener only).
"""

import json
import sys
import time
import uuid
from urllib.parse import parse_qs, unquote

from . import faults, gdap, routes
from .httpbase import utc_stamp
from .identity import GRAPH, IdentityError, authorize
from .model import lower_keys
from .requestlog import new_entry
from .responses import ApiError, GraphError, graph_error, not_found_path, pc_error, redact

WRITE_METHODS = faults.WRITE_METHODS
TOKEN_LOG_FIELDS = ("grant_type", "scope", "client_id")


class Request(object):
    """One API or identity request on its way through the pipeline."""

    def __init__(self, method, split, query, headers, raw_body, started):
        self.method = method
        self.path = split.path
        self.target = split.path + ("?" + split.query if split.query else "")
        self.segments = [unquote(s) for s in split.path.split("/") if s]
        self.query = query                      # parse_qs: name -> [values]
        self._query_lower = {k.lower(): v for k, v in query.items()}
        self.headers = headers
        self.raw_body = raw_body
        self.body = None            # parsed: JSON (API) or the form dict (token)
        self.body_error = None      # why the API body is not JSON
        # the ids the answer carries: echoed, or generated when the request has none
        self.request_id = headers.get("MS-RequestId") or str(uuid.uuid4())
        self.correlation_id = headers.get("MS-CorrelationId") or str(uuid.uuid4())
        self.client_request_id = headers.get("client-request-id")     # Graph's
        self.started = started
        self.entry = new_entry(method, split.path, query, headers.get("MS-RequestId"),
                               headers.get("MS-CorrelationId"))
        # ``started`` is monotonic; the log gives the same moment as epoch seconds
        self.entry["started_at"] = round(time.time() - (time.monotonic() - started), 6)
        self.route = None
        self.params = {}
        self.side = API_SIDE
        self.token = None           # identity.TokenInfo of the bearer token, if known
        self.fault = None
        self.bom = False            # set by the bom / pascal_case / expire_token faults
        self.pascal = False
        self.force_expired = False
        self._seek_forgotten = False

    @property
    def identity(self):
        return self.side is IDENTITY_SIDE

    @property
    def graph(self):
        return self.side is GRAPH_SIDE

    # query parameters (names are case-insensitive)
    def one(self, name):
        values = self._query_lower.get(name.lower())
        return values[0] if values else None

    def many(self, name):
        return self._query_lower.get(name.lower())

    @property
    def continuation_token(self):
        return None if self._seek_forgotten else self.headers.get("MS-ContinuationToken")

    def forget_seek(self):
        """Serve this request as a first page: without its seekOperation and continuation token
        (the request log keeps what was sent)."""
        self.query = {k: v for k, v in self.query.items() if k.lower() != "seekoperation"}
        self._query_lower = {k.lower(): v for k, v in self.query.items()}
        self._seek_forgotten = True

    @property
    def data(self):
        """The JSON object body with lower-case keys ({} when there is none)."""
        return lower_keys(self.body) if isinstance(self.body, dict) else {}


class ApiSide(object):
    """Partner Center API: JSON bodies, MS-* headers, bearer tokens, the rate knobs."""
    extra_headers = True

    @staticmethod
    def parse_body(req):
        if req.raw_body:
            try:
                req.body = json.loads(req.raw_body.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                req.body_error = "The request body is not valid JSON."
        if req.method != "GET" and req.body is not None:
            req.entry["body"] = redact(req.body)

    @staticmethod
    def latency_ms(cfg):
        return cfg["latency_ms"]

    @staticmethod
    def rates(cfg):
        return dict(throttle_rate=cfg["throttle_rate"], error_rate=cfg["error_rate"],
                    retry_after=cfg["retry_after"], error_status=cfg["error_status"],
                    in_progress_rate=cfg["in_progress_conflict_rate"],
                    over_rate=cfg["throttle_over_rate"])

    @staticmethod
    def authorize(emu, req):
        return authorize(req.token, req.route.tokens, emu.config, req.force_expired,
                         now=emu.state.now()) or gdap.check(emu, req)

    @staticmethod
    def tenant(req):
        return req.params.get("cid")

    @staticmethod
    def process(emu, req):
        if req.body_error is not None:
            return pc_error(400, 800002, "Invalid request input: " + req.body_error)
        if req.method in ("POST", "PATCH") and not isinstance(req.body, dict):
            return pc_error(400, 800002, "Invalid request input: a JSON object body is "
                                         "required.")
        try:
            return req.route.handler(emu, req)
        except ApiError as err:
            return err.response()

    @staticmethod
    def finish(resp):
        return resp

    @staticmethod
    def knobs(cfg):
        """(bom, pascal_case) from the knobs."""
        return cfg["bom"], cfg["pascal_case"]

    @staticmethod
    def not_found(req):
        del req
        return not_found_path()

    @staticmethod
    def wrong_method():
        return pc_error(405, 800002, "The requested HTTP method is not supported for this "
                                     "resource.")


class IdentitySide(object):
    """Entra ID: form bodies, AAD error shapes, no MS-* headers, no rate knobs."""
    extra_headers = False

    @staticmethod
    def parse_body(req):
        if req.route.name != "token":
            return
        try:
            parsed = parse_qs(req.raw_body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            parsed = {}
        req.body = {k: v[0] for k, v in parsed.items()}
        # never log a secret: only these form fields and query parameters
        req.entry["body"] = {k: v for k, v in req.body.items() if k in TOKEN_LOG_FIELDS}
        req.entry["query"] = {k: v for k, v in req.query.items() if k in TOKEN_LOG_FIELDS}

    @staticmethod
    def latency_ms(cfg):
        return cfg["latency_ms"] if cfg["latency_on_token"] else 0

    @staticmethod
    def tenant(req):
        return req.params.get("tenant")

    @staticmethod
    def rates(_cfg):
        return {}

    @staticmethod
    def process(emu, req):
        try:
            return req.route.handler(emu, req)
        except IdentityError as err:
            return err.response(req.correlation_id)

    @staticmethod
    def finish(resp):
        resp.headers.setdefault("Cache-Control", "no-store, no-cache")
        resp.headers.setdefault("Pragma", "no-cache")
        return resp

    @staticmethod
    def knobs(_cfg):
        return False, False


GRAPH_WWW_AUTHENTICATE = ('Bearer realm="", authorization_uri="https://login.microsoftonline.com/'
                          'common/oauth2/authorize", client_id="00000003-0000-0000-c000-'
                          '000000000000"')


class GraphSide(ApiSide):
    """Microsoft Graph: JSON bodies, Graph's error body, ``request-id`` headers, Graph tokens
    only (the token's ``tid`` is the customer), its own throttling per customer tenant."""
    extra_headers = False

    @staticmethod
    def rates(cfg):
        return dict(throttle_rate=cfg["throttle_rate"], error_rate=cfg["error_rate"],
                    retry_after=cfg["graph_retry_after"], error_status=cfg["error_status"],
                    over_rate=cfg["graph_throttle_over_rate"])

    @staticmethod
    def authorize(emu, req):
        """401 InvalidAuthenticationToken unless the token is a live Graph token; the GDAP
        roles (``wids``) are checked by the handlers, which know the target."""
        info = req.token
        problem = None
        if info is None:
            problem = "Access token is empty." if not _bearer(req) else \
                "Access token validation failure."
        elif info.audience != GRAPH:
            problem = "Access token validation failure. Invalid audience."
        elif info.exp <= emu.state.now() or req.force_expired:
            problem = "Lifetime validation failed, the token is expired."
        if problem is None:
            return None
        return graph_error(401, "InvalidAuthenticationToken", problem,
                           headers={"WWW-Authenticate": GRAPH_WWW_AUTHENTICATE})

    @staticmethod
    def tenant(req):
        return req.token.tenant if req.token is not None else None

    @staticmethod
    def process(emu, req):
        if req.body_error is not None:
            return graph_error(400, "BadRequest", "Unable to read JSON request payload. Please "
                                                  "ensure Content-Type header is set and payload "
                                                  "is of valid JSON format.")
        try:
            return req.route.handler(emu, req)
        except GraphError as err:
            return err.response()

    @staticmethod
    def knobs(_cfg):
        return False, False

    @staticmethod
    def not_found(req):
        last = req.segments[-1] if req.segments else ""
        if not req.segments or req.segments[0].lower() not in routes.GRAPH_PREFIXES:
            return graph_error(400, "BadRequest", "Invalid version.")
        return graph_error(400, "BadRequest", "Resource not found for the segment '%s'." % last)

    @staticmethod
    def wrong_method():
        return graph_error(405, "Request_BadRequest", "Specified HTTP method is not allowed "
                                                      "for the request uri.")


API_SIDE = ApiSide()
IDENTITY_SIDE = IdentitySide()
GRAPH_SIDE = GraphSide()
SIDES = {routes.API: API_SIDE, routes.IDENTITY: IDENTITY_SIDE, routes.GRAPH: GRAPH_SIDE}
API_NAMES = {routes.API: "partner_center", routes.IDENTITY: "identity", routes.GRAPH: "graph"}


def _note_fault(entry, fault):
    if fault is None:
        return
    entry["fault"] = fault.kind
    if fault.source != "rule":
        entry["fault_source"] = fault.source
    if fault.kind in ("status", "redirect", "echo", "in_progress"):
        entry["fault_status"] = fault.status


def _retry_after(resp):
    """The seconds a 429 answer's ``Retry-After`` header asks for (None if absent or odd)."""
    try:
        return float(resp.headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None


def _graph_headers(req, resp):
    """Graph's ``request-id`` / ``client-request-id`` headers and its error's ``innerError``."""
    resp.headers.setdefault("request-id", req.request_id)
    if req.client_request_id:
        resp.headers.setdefault("client-request-id", req.client_request_id)
    error = resp.body.get("error") if isinstance(resp.body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("innerError"), dict):
        inner = error["innerError"]
        inner.setdefault("date", utc_stamp())
        inner.setdefault("request-id", req.request_id)
        inner.setdefault("client-request-id", req.client_request_id or req.request_id)


def _bearer(req):
    auth = req.headers.get("Authorization") or ""
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def handle(emu, req, conn, graph=False):
    """Run ``req`` through the pipeline; ``conn`` sends the answer (``send``) or resets
    the connection (``reset``); ``graph``: the request came to the Graph listener."""
    cfg = emu.config
    found = routes.match(req.method, req.segments, graph=graph)
    req.route, req.params, req.side = found.route, found.params, SIDES[found.side]
    req.entry["api"] = API_NAMES[found.side]
    req.side.parse_body(req)
    if found.route is None:
        # answered at once: no latency, no faults, no BOM or PascalCase
        if found.wrong_method:
            return _finish(emu, req, conn, req.side.wrong_method(),
                           api_write=req.method in WRITE_METHODS, plain=True)
        return _finish(emu, req, conn, req.side.not_found(req), plain=True)
    req.entry["route"] = found.route.name
    api_write = req.side is not IDENTITY_SIDE and req.method in WRITE_METHODS
    latency = req.side.latency_ms(cfg)
    if latency:
        time.sleep(latency / 1000.0)       # outside every lock
    if found.route.tokens is not None:
        token = _bearer(req)
        req.token = emu.tokens.lookup(token) if token else None
        if req.token is not None:
            req.entry["token_kind"] = req.token.kind
    req.entry["tenant"] = req.side.tenant(req)
    # Graph throttles per customer tenant: its rate window is the token's tenant
    req.fault = emu.faults.decide(found.route.name, req.method,
                                  over_key=(GRAPH, req.entry["tenant"]) if req.graph else None,
                                  **req.side.rates(cfg))
    _note_fault(req.entry, req.fault)
    resp = faults.before_processing(req.fault, req, emu)
    if resp is not faults.RESET:
        if resp is None and found.route.tokens is not None:
            resp = req.side.authorize(emu, req)
        if resp is None:
            resp = req.side.process(emu, req)
        resp = faults.after_processing(req.fault, req.side.finish(resp), req)
    return _finish(emu, req, conn, None if resp is faults.RESET else resp, api_write)


def _finish(emu, req, conn, resp, api_write=False, plain=False):
    """Record the request in the log, then send ``resp`` (None: reset the connection);
    ``api_write``: count it in ``writes``; ``plain``: without the bom/pascal_case knobs."""
    entry = req.entry
    entry["status"] = resp.status if resp is not None else None
    entry["duration_ms"] = round((time.monotonic() - req.started) * 1000.0, 3)
    entry["answered_at"] = round(time.time(), 6)
    if resp is not None and resp.stream is not None:
        entry["body_sent"] = 0  # counted as the streamed body is written
        resp.stream.entry = entry
    if resp is not None and resp.status == 429:
        entry["retry_after"] = _retry_after(resp)
    if resp is not None and req.graph:
        _graph_headers(req, resp)
    emu.log.record(entry, entry["route"], req.method, api_write, emu.config["request_log_limit"])
    if emu.access_log:
        sys.stdout.write("%s %s %s\n" % (req.method, entry["path"], entry["status"]))
        sys.stdout.flush()
    if resp is None:
        conn.reset()
        return
    bom, pascal = (False, False) if plain else req.side.knobs(emu.config)
    conn.send(resp, req.request_id, req.correlation_id, bom=bom or req.bom,
              pascal=pascal or req.pascal, extra=req.side.extra_headers)
