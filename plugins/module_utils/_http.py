# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""HTTP for Partner Center and the identity provider: one session, one retry loop, error mapping, paging.

``RetryLoop`` is the only place a request is sent and sent again; ``PartnerCenterClient``
(API calls, by route name) and ``AuthorityHttpClient`` (what MSAL talks to the authority
through) both use it.  No redirect is ever followed: a 3xx would re-send a password or a
client secret to whatever host ``Location`` names.

Every request ends: each attempt has a deadline for the whole answer (``read_body``; the socket
``timeout`` alone bounds one read, and a server sending a byte a second never trips it), a body
is read up to ``MAX_BODY_BYTES``, and a listing stops at a continuation token it has seen
before or after ``MAX_PAGES`` pages.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import socket
import time
import traceback
import uuid
from urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils import _retry
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import refused_call
from ansible_collections.csp.partnercenter.plugins.module_utils._routes import ROUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber, bound
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import is_loopback_host

try:
    import requests
    from requests import exceptions as requests_exceptions
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    _SessionBase = requests.Session
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    _SessionBase = object
    requests_exceptions = None

PAGE_SIZE = 500
USER_AGENT = "csp.partnercenter-ansible/0.1.0"

# The largest answer body read, in bytes (after gzip is undone).  Partner Center's largest answers are pages of 500
# users: about 550 bytes a user as the API writes them (0.3 MB a page), under 1 KB a user with every name at its
# longest, so 1 MB at most; a customer's SKUs with all their service plans are smaller.  8 MiB leaves eight times
# that, and still stops a hostile or broken server (a 300 MB answer was read whole once, 416 MB at peak) long before
# a controller or an AWX worker runs out of memory.
MAX_BODY_BYTES = 8 * 1024 * 1024
READ_CHUNK = 64 * 1024
# The most pages one listing follows.  We ask for 500 items a page (Partner Center's largest); 1,000 pages hold
# 500,000 users, more than the 300,000 directory objects (users, groups and devices together) Entra ID allows a
# tenant by default, and still 100,000 users should a server ignore the size and page by its default of 100.
MAX_PAGES = 1000


class VerifyingSession(_SessionBase):
    """A ``requests`` session that passes ``verify`` and a timeout on every request, and never redirects.

    ``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a session-level
    ``verify`` (and MSAL only sets that), so a CA path or ``validate_certs: false`` would be
    silently ignored on machines that set those variables.  Passing ``verify`` per request
    is what requests honours.  ``allow_redirects`` is forced off for the same reason: MSAL
    would otherwise follow a 307 with the client secret in the body.
    """

    def __init__(self, verify=True, timeout=30, pool_size=10):
        super(VerifyingSession, self).__init__()
        self._verify = verify
        self._timeout = timeout
        self.trust_env = False  # no .netrc credentials, no environment CA override; proxies are re-read below
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.headers["User-Agent"] = USER_AGENT

    @property
    def timeout(self):
        return self._timeout

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs["verify"] = self._verify
        kwargs["allow_redirects"] = False
        if kwargs.get("proxies") is None:
            kwargs["proxies"] = requests.utils.get_environ_proxies(url)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super(VerifyingSession, self).request(method, url, *args, **kwargs)


def camel_keys(value):
    """Normalise PascalCase keys (as some responses and the .NET SDK use) to camelCase."""
    if isinstance(value, dict):
        return dict((k[:1].lower() + k[1:] if isinstance(k, str) else k, camel_keys(v)) for k, v in value.items())
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def parse_json(content):
    """Decode a JSON body that may start with a UTF-8 byte-order mark."""
    if not content:
        return None
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip(u"\ufeff")
    if not text.strip():
        return None
    return camel_keys(json.loads(text))


def error_details(body, text):
    """(code, description) from any of the error shapes Partner Center and its gateway use."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):  # gateway: {"error": {"code": ..., "message": ...}}
            return inner.get("code"), inner.get("message") or inner.get("description")
        if isinstance(inner, str):  # identity provider: {"error": ..., "error_description": ...}
            return inner, body.get("error_description")
        if "code" in body or "description" in body:  # {"code", "description", "data", "source"}
            return body.get("code"), body.get("description") or body.get("message")
        if "statusCode" in body or "message" in body:  # throttling: {"statusCode", "message"}
            return body.get("statusCode"), body.get("message")
    snippet = (text or "").strip()
    if snippet.startswith("<"):
        snippet = ""  # an HTML gateway page says nothing useful
    return None, snippet or None


class BodyFault(Exception):
    """An answer's body could not be read whole: ``kind`` is ``_retry.DEADLINE`` or ``_retry.TOO_LARGE``."""

    def __init__(self, kind):
        super(BodyFault, self).__init__(kind)
        self.kind = kind
        self.status = None  # the answer's HTTP status, set by the loop


class _DeadlineSocket:
    """Stands in for the socket under an answer's body: no receive waits past the attempt's deadline.

    The socket's own timeout bounds one receive; a server that sends a byte a second never
    trips it, so each receive gets only what is left until the deadline (at most ``per_read``).
    """

    def __init__(self, sock, deadline, per_read, clock):
        self._sock = sock
        self._deadline = deadline
        self._per_read = per_read
        self._clock = clock
        self._timeout = sock.gettimeout()
        self.expired = False

    def restore(self):
        """The socket's own timeout back, for the connection's next request."""
        try:
            self._sock.settimeout(self._timeout)
        except OSError:
            pass  # closed meanwhile

    def recv_into(self, buffer, nbytes=0, flags=0):
        left = self._deadline - self._clock()
        if left <= 0:
            self.expired = True
            raise socket.timeout("the attempt's deadline passed")
        self._sock.settimeout(min(self._per_read, left))
        return self._sock.recv_into(buffer, nbytes, flags)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _bound_socket_reads(response, deadline, per_read, clock):
    """Put a ``_DeadlineSocket`` under the body's reader; the stand-in, or None when there is no socket.

    ``requests`` -> urllib3 -> http.client -> buffered reader -> ``socket.SocketIO``: the same chain in
    urllib3 1.26 and 2.x.  Only this response's reader sees the stand-in; urllib3 sets the connection's
    own timeout again before its next request.
    """
    http_response = getattr(getattr(response, "raw", None), "_fp", None)  # pylint: disable=protected-access
    socket_io = getattr(getattr(http_response, "fp", None), "raw", None)
    sock = getattr(socket_io, "_sock", None)
    if sock is None or not hasattr(sock, "recv_into"):
        return None
    stand_in = _DeadlineSocket(sock, deadline, per_read, clock)
    socket_io._sock = stand_in  # pylint: disable=protected-access
    return stand_in


def read_body(response, deadline, per_read, clock=time.monotonic, limit=MAX_BODY_BYTES):
    """Read a streamed answer's body whole by ``deadline`` (a ``clock()`` time) and within ``limit`` bytes.

    The body becomes ``response.content`` (and ``.text``, ``.json()``) as if ``requests`` had read it.
    Raises ``BodyFault`` when it is still arriving at the deadline or grows past ``limit``, and any
    ``requests`` error of a connection that broke; either way the response is closed, so its
    connection is never used again half read.
    """
    stand_in = _bound_socket_reads(response, deadline, per_read, clock)
    chunks, size = [], 0
    try:
        try:
            for chunk in response.iter_content(READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BodyFault(_retry.TOO_LARGE)
                chunks.append(chunk)
                if stand_in is None and clock() > deadline:  # no socket to bound: check between reads
                    raise BodyFault(_retry.DEADLINE)
        except requests_exceptions.RequestException:
            if (stand_in is not None and stand_in.expired) or clock() >= deadline:
                raise BodyFault(_retry.DEADLINE)
            raise
    except BaseException:
        response.close()
        raise
    finally:
        if stand_in is not None:
            stand_in.restore()
    response._content = b"".join(chunks)  # pylint: disable=protected-access
    response._content_consumed = True  # pylint: disable=protected-access
    return response


def classify_transport(exc):
    """(kind, sent, cause) of a transport failure; ``sent``: the server may have received the request."""
    chain = _exception_chain_text(exc)
    if isinstance(exc, requests_exceptions.SSLError):
        return _retry.TLS, False, "the TLS handshake failed"
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return _retry.TIMEOUT, False, "the connection timed out"
    if isinstance(exc, requests_exceptions.ConnectionError):
        if any(text in chain for text in ("NameResolutionError", "Name or service not known", "nodename nor servname",
                                          "Temporary failure in name resolution", "getaddrinfo failed",
                                          "No address associated with hostname")):
            return _retry.DNS, False, "the host name does not resolve"
        if "Connection refused" in chain or "ECONNREFUSED" in chain or "Errno 111" in chain:
            return _retry.REFUSED, False, "the connection was refused"
        if "NewConnectionError" in chain or "Failed to establish" in chain:
            return _retry.CONNECTION, False, "no connection could be opened"
        return _retry.CONNECTION, True, "the connection broke"
    if isinstance(exc, requests_exceptions.Timeout):
        return _retry.TIMEOUT, True, "no answer within the timeout"
    return _retry.CONNECTION, True, type(exc).__name__


def _exception_chain_text(exc):
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        parts.append("%s: %s" % (type(exc).__name__, exc))
        exc = exc.__cause__ or exc.__context__ or (exc.args[0] if exc.args and isinstance(exc.args[0], Exception)
                                                   else None)
    return " | ".join(parts)


def _retry_after_seconds(response):
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class RetryLoop:
    """Sends one request until it succeeds, fails for good, or the budget runs out.

    Shared by API calls and token requests.  ``origin`` names the server in errors
    ("Partner Center" or the authority); ``gate`` is a ``_retry.ThrottleGate`` shared by
    every thread of the run.  Each attempt, answer included, ends ``timeout`` seconds after
    it starts and never past the budget (``_retry.Budget.attempt_seconds``); ``timeout``
    defaults to the session's.
    """

    def __init__(self, session, retry_budget, origin, scrubber=None, gate=None, sleep=time.sleep,
                 clock=time.monotonic, rng=None, max_attempts=_retry.MAX_ATTEMPTS, timeout=None,
                 url_options="api_url and authority", throttle_statuses=(429,)):
        self.session = session
        self.url_options = url_options  # the options that name this server, for messages
        # Answers whose wait (Retry-After) closes the gate for everyone: Graph throttles with 503 as well as 429.
        self.throttle_statuses = throttle_statuses
        self.timeout = float(timeout if timeout is not None else getattr(session, "timeout", 30))
        self.retry_budget = float(retry_budget)
        self.origin = origin
        self.scrubber = scrubber or Scrubber()
        self.gate = gate or _retry.ThrottleGate(sleep=sleep, clock=clock)
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    def text(self, value):
        """Server text as it may be shown: scrubbed of every secret, control characters escaped, bounded."""
        return self.scrubber.shown(value)

    def details(self, response):
        """(code, description) of an error answer, safe to show."""
        try:
            body = parse_json(response.content)
        except ValueError:
            body = None
        code, description = error_details(body, response.text if body is None else None)
        return self.text(code) if isinstance(code, str) else code, self.text(description)

    def send(self, method, url, label, idempotent=True, headers_for=None, on_answer=None, **kwargs):
        """(response, attempts, request_id) for an answer the caller handles (2xx, or a final 4xx).

        ``headers_for(request_id)`` gives each attempt's headers.  ``on_answer(response)``
        returns True to send again at once (a 401 after which a new token was fetched).
        Raises ``PartnerCenterError`` for redirects, for faults retrying cannot help, when
        the budget runs out, and (``ambiguous``) when a write may have been applied.
        """
        loopback = is_loopback_host(urlsplit(url).hostname or "")
        request_id = str(uuid.uuid4())
        kwargs.pop("timeout", None)  # the attempt's deadline decides (MSAL may pass its own)
        kwargs.pop("stream", None)
        attempt, last_failure, budget = 0, None, None
        while True:
            attempt += 1
            # A token this needs is fetched here: a request of its own, with a budget of its own.
            headers = headers_for(request_id) if headers_for else None
            if budget is None:
                budget = _retry.Budget(self.retry_budget, self._clock)
            if not self.gate.wait(budget):
                raise self._error("Gave up before sending: %s throttled this run and asked to wait "
                                  "%.0fs, more than the %.0fs left of the retry budget" % (
                                      self.origin, self.gate.pending(), max(0.0, budget.remaining())),
                                  method, label, attempt - 1, request_id, fault="throttled (HTTP 429)")
            seconds = budget.attempt_seconds(self.timeout)
            if seconds < self._least_attempt:  # the gate's wait (or a new token) used what was left
                raise self._error("Gave up on %s before attempt %d: less than %gs of the retry budget of %gs was "
                                  "left for it (last failure: %s)" % (
                                      self.origin, attempt, self._least_attempt, self.retry_budget,
                                      last_failure or "throttled (HTTP 429)"),
                                  method, label, attempt - 1, request_id, fault=last_failure or "throttled (HTTP 429)")
            deadline = self._clock() + seconds
            response = None
            try:
                # Streamed: the body is read here, by the deadline and up to MAX_BODY_BYTES (read_body).
                response = self.session.request(method, url, headers=headers, stream=True, timeout=seconds, **kwargs)
                read_body(response, deadline, seconds, self._clock)
            except (requests_exceptions.RequestException, BodyFault) as exc:
                if isinstance(exc, BodyFault):
                    exc.status = response.status_code
                    kind, sent, cause = exc.kind, True, self._body_cause(exc, seconds)
                else:
                    kind, sent, cause = classify_transport(exc)
                last_failure = kind
                decision = _retry.decide(attempt, self._left_to_wait(budget), idempotent, self._backoff(attempt),
                                         transport=kind, sent=sent, loopback=loopback,
                                         max_attempts=self.max_attempts)
                if decision.action == _retry.RETRY:
                    self._sleep(decision.wait)  # same MS-RequestId after a timeout, as the API asks
                    continue
                raise self._transport_error(decision, kind, cause, exc, method, url, label, attempt, request_id)

            if on_answer is not None and on_answer(response):
                request_id = str(uuid.uuid4())
                continue
            retry_after = _retry_after_seconds(response)
            decision = _retry.decide(attempt, self._left_to_wait(budget), idempotent, self._backoff(attempt),
                                     status=response.status_code, retry_after=retry_after,
                                     max_attempts=self.max_attempts,
                                     in_progress=response.status_code == 409 and self.refusal(response).is_in_progress)
            echoed_id = self.text(response.headers.get("MS-RequestId")) or request_id
            if decision.action == _retry.DONE:
                return response, attempt, echoed_id
            if decision.action == _retry.RETRY:
                if response.status_code == 429 or (response.status_code in self.throttle_statuses
                                                   and retry_after is not None):
                    self.gate.hold(decision.wait)  # every writer of the run waits too
                last_failure = decision.reason
                self._sleep(decision.wait)
                request_id = str(uuid.uuid4())
                continue
            code, description = self.details(response)
            if decision.action == _retry.FAIL:  # a redirect
                location = self.text(response.headers.get("Location") or "(no Location header)")
                raise self._error(
                    "%s answered HTTP %s redirecting to %s; redirects are never followed, so nothing was sent "
                    "there. Check %s: they must name the service itself"
                    % (self.origin, response.status_code, bound(location, 200), self.url_options),
                    method, label, attempt, echoed_id, status=response.status_code, fault="redirect")
            if decision.action == _retry.AMBIGUOUS:
                raise self._error("%s answered the %s with HTTP %s; the write may or may not have been applied"
                                  % (self.origin, method, response.status_code), method, label, attempt, echoed_id,
                                  status=response.status_code, code=code, description=description,
                                  fault=decision.reason, ambiguous=True)
            raise self._error("Gave up on %s after %d attempt(s): the retry budget of %gs ran out (last failure: %s)"
                              % (self.origin, attempt, self.retry_budget, decision.reason), method, label, attempt,
                              echoed_id,
                              status=response.status_code, code=code, description=description,
                              fault=decision.reason)

    @property
    def _url_options_env(self):
        if self.url_options == "api_url and authority":
            return "api_url and authority (PARTNERCENTER_API_URL, PARTNERCENTER_AUTHORITY)"
        return self.url_options

    def _backoff(self, attempt):
        return _retry.backoff_delay(attempt, self._rng)

    @property
    def _least_attempt(self):
        return min(self.timeout, _retry.MIN_ATTEMPT_SECONDS)

    def _left_to_wait(self, budget):
        """The seconds a retry may wait: what is left of the budget, less the least time its attempt needs."""
        return budget.remaining() - self._least_attempt

    @staticmethod
    def _body_cause(fault, seconds):
        if fault.kind == _retry.DEADLINE:
            return "the answer (HTTP %s) was still arriving when the attempt's %gs were up" % (
                fault.status, round(seconds, 1))
        return "the answer (HTTP %s) grew past %d MiB" % (fault.status, MAX_BODY_BYTES // 1048576)

    def refusal(self, response):
        """The answer as an error, without a message: to ask it what it means before deciding."""
        code, description = self.details(response)
        return PartnerCenterError("", status=response.status_code, code=code, description=description)

    def _error(self, message, method, label, attempts, request_id, **fields):
        return PartnerCenterError(message, method=method, route=label, attempts=attempts, request_id=request_id,
                                  origin=self.origin, **fields)

    def _transport_error(self, decision, kind, cause, exc, method, url, label, attempt, request_id):
        host = urlsplit(url).hostname
        if kind == _retry.TLS:
            message = ("TLS certificate validation failed for %s: %s. Set ca_path to the CA bundle that signed its "
                       "certificate, or (for testing only) validate_certs: false" % (host, self.text(str(exc))[:300]))
        elif kind == _retry.DNS:
            message = ("Cannot resolve %s: %s. Check %s and the machine's DNS" % (host, cause, self._url_options_env))
        elif kind == _retry.REFUSED and decision.action == _retry.FAIL:
            message = "Cannot connect to %s: %s. Check %s and any proxy settings" % (host, cause, self.url_options)
        elif kind in (_retry.DEADLINE, _retry.TOO_LARGE) and decision.action == _retry.AMBIGUOUS:
            message = ("The %s request was sent, but %s; it may or may not have been applied"
                       % (method, cause))
        elif decision.action == _retry.AMBIGUOUS:
            message = ("The %s request failed with a %s after it was sent; it may or may not have been applied"
                       % (method, kind))
        elif kind == _retry.TOO_LARGE:
            message = ("%s answered HTTP %s with a body past %d MiB, more than any of its answers holds; reading "
                       "stopped there, and it was not asked for again" % (
                           self.origin, exc.status, MAX_BODY_BYTES // 1048576))
        else:
            message = "Gave up on %s after %d attempt(s): the retry budget of %gs ran out (last failure: %s: %s)" % (
                self.origin, attempt, self.retry_budget, kind, cause)
        return self._error(message, method, label, attempt, request_id, fault=kind,
                           ambiguous=decision.action == _retry.AMBIGUOUS, hint=BODY_HINTS.get(kind))


BODY_HINTS = {
    _retry.DEADLINE: "Each attempt, its whole answer included, ends timeout seconds after it starts, and never past "
                     "retry_budget; this server (or a proxy in between) answers more slowly than that. Try again "
                     "later, and raise timeout only if the service is known to be this slow from here",
    _retry.TOO_LARGE: "No Partner Center or Entra ID answer comes near %d MiB: check that api_url and authority name "
                      "the service itself, not a proxy, a captive portal or another server"
                      % (MAX_BODY_BYTES // 1048576),
}


class AuthorityHttpClient:
    """The ``http_client`` MSAL talks to the authority through: the one retry loop, no redirects.

    Token requests are safe to repeat.  An answer the loop hands back (success, or a 4xx
    such as ``invalid_grant``) goes to MSAL, which turns it into an error result.
    """

    def __init__(self, loop):
        self.loop = loop
        self.last_status = None

    def get(self, url, **kwargs):
        return self._send("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self._send("POST", url, **kwargs)

    def close(self):
        self.loop.session.close()

    def _send(self, method, url, headers=None, **kwargs):
        label = "%s %s" % (method, urlsplit(url).path)
        response = self.loop.send(method, url, label, headers_for=lambda request_id: headers, **kwargs)[0]
        self.last_status = response.status_code
        return response


class PartnerCenterClient:
    """Calls ``{api_url}/v1`` by route name.  Thread-safe: the many-users form shares one client."""

    def __init__(self, api_url, token_provider, session, timeout=30, retry_budget=120.0,
                 correlation_id=None, sleep=time.sleep, clock=time.monotonic, max_attempts=_retry.MAX_ATTEMPTS,
                 rng=None, scrubber=None, gate=None):
        self.base_url = api_url.rstrip("/") + "/v1"
        self.token_provider = token_provider
        self.timeout = timeout
        self.correlation_id = correlation_id or str(uuid.uuid4())
        self.loop = RetryLoop(session, retry_budget, "Partner Center", scrubber=scrubber, gate=gate, sleep=sleep,
                              clock=clock, rng=rng, max_attempts=max_attempts, timeout=timeout)
        self._denied = {}  # route name -> the 403 it got in this task

    @property
    def scrubber(self):
        return self.loop.scrubber

    def _url(self, path):
        """``path`` is relative to ``/v1``; links from Partner Center may or may not carry it.

        An absolute link keeps only its path: the token is only ever sent to ``api_url``.
        """
        if path.startswith("http://") or path.startswith("https://"):
            parts = urlsplit(path)
            path = parts.path + ("?" + parts.query if parts.query else "")
        for prefix in ("/v1.0/", "/v1/"):
            if path.startswith(prefix):
                path = path[len(prefix) - 1:]
                break
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    def call(self, route_name, values=None, body=None, params=None, headers=None, link=None):
        """Send the call named ``route_name`` (``_routes.ROUTES``); return the parsed body or ``None``.

        Reads, PATCH, DELETE and idempotent POSTs are retried on throttling, 5xx and
        transport errors.  A create is retried only when the server certainly did not
        process it (429, a connection that never opened, an expired token); any other
        failure raises with ``ambiguous=True`` so the caller can look up before deciding.
        ``link`` is a path Partner Center gave (``links.next``) to use instead of the template.
        """
        route = ROUTES[route_name]
        customer_id = (values or {}).get("customer_id")
        if not route.app_only and self.token_provider.is_app_only:
            raise PartnerCenterError(
                "Not sent: %s needs an App+User token, and this task has only client_secret (an app-only token). "
                "Give refresh_token or refresh_token_file (secure application model), or access_token from a user "
                "sign-in" % route.label, method=route.method, route=route.label, fault="app-only token")
        denied = self._denied.get(route_name)
        if denied is not None:
            raise denied.derive("Not sent: Partner Center refused the same operation for customer %s already in "
                                "this task (HTTP 403)" % customer_id)
        url = self._url(link if link is not None else route.path(**(values or {})))
        data = json.dumps(body).encode("utf-8") if body is not None else None
        tokens = self.token_provider
        sent_token = {}

        def headers_for(request_id):
            token = tokens.get_token()
            sent_token["value"] = token
            send_headers = {
                "Accept": "application/json",
                "MS-RequestId": request_id,
                "MS-CorrelationId": self.correlation_id,
                "Authorization": "Bearer " + token,
            }
            if data is not None:
                send_headers["Content-Type"] = "application/json"
            send_headers.update(headers or {})
            return send_headers

        def on_answer(response):
            # The token expired mid-run (or a cached one was revoked): fetch a new one, once.  Not when it
            # lacks the MFA claim: a new token from the same refresh token lacks it too.
            if response.status_code == 401 and tokens.can_refresh and not sent_token.get("refreshed") \
                    and not self.loop.refusal(response).lacks_mfa:
                sent_token["refreshed"] = True
                tokens.invalidate(sent_token["value"])
                return True
            return False

        response, attempts, request_id = self.loop.send(
            route.method, url, route.label, idempotent=route.idempotent, headers_for=headers_for,
            on_answer=on_answer, params=params, data=data)
        if response.status_code in route.expected:
            try:
                return parse_json(response.content)
            except ValueError:
                raise PartnerCenterError("Partner Center returned a body that is not JSON", status=response.status_code,
                                         method=route.method, route=route.label, request_id=request_id,
                                         attempts=attempts)
        code, description = self.loop.details(response)
        error = refused_call(route, response.status_code, customer_id, tokens.is_app_only, code=code,
                             description=description, request_id=request_id, attempts=attempts)
        if error.is_denied and not route.denied_per_user:
            # The next user needing the same operation in this customer would meet the same answer.
            self._denied[route_name] = error
        raise error

    def iterate(self, route_name, values=None, params=None, page_size=PAGE_SIZE):
        """Yield every item of a paged collection, following ``links.next``.

        ``totalCount`` is the size of a page, not the grand total, so it is never used
        to decide when to stop; only a missing ``next`` link ends the walk.  A next link
        whose continuation token (or, without one, whose link) an earlier page already gave
        would never end, nor would a listing past ``MAX_PAGES``: both stop with an error.
        """
        query = dict(params or {})
        if page_size:
            query.setdefault("size", page_size)
        page = self.call(route_name, values, params=query)
        pages, followed = 1, set()
        while True:
            yield from (page or {}).get("items") or []
            next_link = ((page or {}).get("links") or {}).get("next")
            if not next_link or not next_link.get("uri"):
                return
            link_headers = dict((h.get("key"), h.get("value")) for h in next_link.get("headers") or []
                                if h.get("key"))
            token = [v for k, v in link_headers.items() if str(k).lower() == "ms-continuationtoken"]
            mark = ("token", token[0]) if token else ("link", next_link["uri"])
            if mark in followed:
                raise self._endless_listing(route_name, pages, "repeated continuation token" if token
                                            else "repeated next link")
            if pages >= MAX_PAGES:
                raise self._endless_listing(route_name, pages, "page cap")
            followed.add(mark)
            page = self.call(route_name, values, headers=link_headers, link=next_link["uri"])
            pages += 1

    def _endless_listing(self, route_name, pages, fault):
        route = ROUTES[route_name]
        if fault == "page cap":
            what = ("after {:,} pages (up to {:,} items at {} a page), more than any customer holds: the server "
                    "keeps sending next links".format(pages, pages * PAGE_SIZE, PAGE_SIZE))
            hint = ("Check that api_url names Partner Center itself; if it does, run the task again later, and if it "
                    "keeps happening give Microsoft support this task's MS-CorrelationId %s" % self.correlation_id)
        else:
            what = ("at page %d: its next link repeats the %s of an earlier page, so the listing would never end"
                    % (pages, "continuation token" if fault == "repeated continuation token" else "link"))
            hint = ("Partner Center answered inconsistently: run the task again later, and if it keeps happening give "
                    "Microsoft support this task's MS-CorrelationId %s" % self.correlation_id)
        return PartnerCenterError(
            "Stopped the listing %s; the task stops here rather than act on an incomplete list" % what,
            method=route.method, route=route.label, fault=fault, hint=hint)
