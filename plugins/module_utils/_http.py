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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import time
import traceback
import uuid
from urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils import _retry
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._gdap import PER_USER, denied_hint
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import partner_center_hint
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
    every thread of the run.
    """

    def __init__(self, session, retry_budget, origin, scrubber=None, gate=None, sleep=time.sleep,
                 clock=time.monotonic, rng=None, max_attempts=_retry.MAX_ATTEMPTS):
        self.session = session
        self.retry_budget = float(retry_budget)
        self.origin = origin
        self.scrubber = scrubber or Scrubber()
        self.gate = gate or _retry.ThrottleGate(sleep=sleep, clock=clock)
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()

    def text(self, value):
        """Server text as it may be shown: scrubbed of every secret, then bounded."""
        return bound(self.scrubber.scrub(value)) if isinstance(value, str) else value

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
        budget = _retry.Budget(self.retry_budget, self._clock)
        loopback = is_loopback_host(urlsplit(url).hostname or "")
        request_id = str(uuid.uuid4())
        attempt = 0
        while True:
            attempt += 1
            if not self.gate.wait(budget):
                raise self._error("Gave up before sending: Partner Center throttled this run and asked to wait "
                                  "%.0fs, more than the %.0fs left of the retry budget" % (
                                      self.gate.pending(), max(0.0, budget.remaining())),
                                  method, label, attempt - 1, request_id, fault="throttled (HTTP 429)")
            headers = headers_for(request_id) if headers_for else None
            try:
                response = self.session.request(method, url, headers=headers, **kwargs)
            except requests_exceptions.RequestException as exc:
                kind, sent, cause = classify_transport(exc)
                decision = _retry.decide(attempt, budget.remaining(), idempotent, self._backoff(attempt),
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
            decision = _retry.decide(attempt, budget.remaining(), idempotent, self._backoff(attempt),
                                     status=response.status_code, retry_after=retry_after,
                                     max_attempts=self.max_attempts,
                                     in_progress=response.status_code == 409 and self._in_progress(response))
            echoed_id = self.text(response.headers.get("MS-RequestId")) or request_id
            if decision.action == _retry.DONE:
                return response, attempt, echoed_id
            if decision.action == _retry.RETRY:
                if response.status_code == 429:
                    self.gate.hold(decision.wait)  # every writer of the run waits too
                self._sleep(decision.wait)
                request_id = str(uuid.uuid4())
                continue
            code, description = self.details(response)
            if decision.action == _retry.FAIL:  # a redirect
                location = self.text(response.headers.get("Location") or "(no Location header)")
                raise self._error(
                    "%s answered HTTP %s redirecting to %s; redirects are never followed, so nothing was sent "
                    "there. Check api_url and authority: they must name the service itself"
                    % (self.origin, response.status_code, bound(location, 200)),
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
                              fault=decision.reason, retry_after=decision.wait)

    def _backoff(self, attempt):
        return _retry.backoff_delay(attempt, self._rng)

    def _in_progress(self, response):
        code, description = self.details(response)
        return PartnerCenterError("", status=409, code=code, description=description).is_in_progress

    def _error(self, message, method, label, attempts, request_id, **fields):
        return PartnerCenterError(message, method=method, route=label, attempts=attempts, request_id=request_id,
                                  origin=self.origin, **fields)

    def _transport_error(self, decision, kind, cause, exc, method, url, label, attempt, request_id):
        host = urlsplit(url).hostname
        if kind == _retry.TLS:
            message = ("TLS certificate validation failed for %s: %s. Set ca_path to the CA bundle that signed its "
                       "certificate, or (for testing only) validate_certs: false" % (host, self.text(str(exc))[:300]))
        elif kind == _retry.DNS:
            message = ("Cannot resolve %s: %s. Check api_url and authority (PARTNERCENTER_API_URL, "
                       "PARTNERCENTER_AUTHORITY) and the machine's DNS" % (host, cause))
        elif kind == _retry.REFUSED and decision.action == _retry.FAIL:
            message = "Cannot connect to %s: %s. Check api_url and authority and any proxy settings" % (host, cause)
        elif decision.action == _retry.AMBIGUOUS:
            message = ("The %s request failed with a %s after it was sent; it may or may not have been applied"
                       % (method, kind))
        else:
            message = "Gave up on %s after %d attempt(s): the retry budget of %gs ran out (last failure: %s: %s)" % (
                self.origin, attempt, self.retry_budget, kind, cause)
        return self._error(message, method, label, attempt, request_id, fault=kind,
                           ambiguous=decision.action == _retry.AMBIGUOUS)


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
                              clock=clock, rng=rng, max_attempts=max_attempts)
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
            # lacks the MFA claim (900421): a new token from the same refresh token lacks it too.
            if response.status_code == 401 and tokens.can_refresh and not sent_token.get("refreshed") \
                    and b"900421" not in (response.content or b""):
                sent_token["refreshed"] = True
                tokens.invalidate(sent_token["value"])
                return True
            return False

        response, attempts, request_id = self.loop.send(
            route.method, url, route.label, idempotent=route.idempotent, headers_for=headers_for,
            on_answer=on_answer, params=params, data=data, timeout=self.timeout)
        if response.status_code in route.expected:
            try:
                return parse_json(response.content)
            except ValueError:
                raise PartnerCenterError("Partner Center returned a body that is not JSON", status=response.status_code,
                                         method=route.method, route=route.label, request_id=request_id,
                                         attempts=attempts)
        code, description = self.loop.details(response)
        hint = partner_center_hint(response.status_code, code, customer_id)
        if response.status_code == 403 and not tokens.is_app_only and hint is None:
            hint = denied_hint(route_name, customer_id)
        error = PartnerCenterError(
            _failure_message(response.status_code, tokens, customer_id), status=response.status_code, code=code,
            description=description, method=route.method, route=route.label, request_id=request_id,
            attempts=attempts, hint=hint)
        if response.status_code == 403 and route_name not in PER_USER:
            # The next user needing the same operation in this customer would meet the same answer.
            self._denied[route_name] = error
        raise error

    def iterate(self, route_name, values=None, params=None, page_size=PAGE_SIZE):
        """Yield every item of a paged collection, following ``links.next``.

        ``totalCount`` is the size of a page, not the grand total, so it is never used
        to decide when to stop; only a missing ``next`` link ends the walk.
        """
        query = dict(params or {})
        if page_size:
            query.setdefault("size", page_size)
        page = self.call(route_name, values, params=query)
        while True:
            yield from (page or {}).get("items") or []
            next_link = ((page or {}).get("links") or {}).get("next")
            if not next_link or not next_link.get("uri"):
                return
            link_headers = dict((h.get("key"), h.get("value")) for h in next_link.get("headers") or []
                                if h.get("key"))
            page = self.call(route_name, values, headers=link_headers, link=next_link["uri"])


def _failure_message(status, token_provider, customer_id=None):
    where = " for customer %s" % customer_id if customer_id else ""
    if status == 403 and token_provider.is_app_only:
        return ("Partner Center refused an app-only token%s: customer user operations need App+User "
                "authentication. Give refresh_token (secure application model) or access_token from a "
                "user sign-in instead of only client_secret" % where)
    if status == 401:
        return "Partner Center refused the access token%s" % where
    return "Partner Center refused the request%s" % where
