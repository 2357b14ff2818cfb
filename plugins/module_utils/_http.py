# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The Partner Center HTTP client: one session, headers, retries, paging, error mapping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import random
import threading
import time
import traceback
import uuid

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError

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
RETRYABLE_STATUSES = frozenset([408, 429, 500, 502, 503, 504])
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
MAX_ATTEMPTS = 8
USER_AGENT = "csp.partnercenter-ansible/0.1.0"


class VerifyingSession(_SessionBase):
    """A ``requests`` session that passes ``verify`` and a timeout on every request.

    ``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a session-level
    ``verify`` (and MSAL only sets that), so a CA path or ``validate_certs: false`` would be
    silently ignored on machines that set those variables.  Passing ``verify`` per request
    is what requests honours.  MSAL gets this same session as its ``http_client``.
    """

    def __init__(self, verify=True, timeout=30, pool_size=10):
        super(VerifyingSession, self).__init__()
        self._verify = verify
        self._timeout = timeout
        adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, *args, **kwargs):  # pylint: disable=arguments-differ
        kwargs["verify"] = self._verify
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super(VerifyingSession, self).request(method, url, *args, **kwargs)


def backoff_delay(attempt, rng):
    """Jittered exponential backoff: 0.5 s doubling per attempt, capped at 30 s."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)) * rng.uniform(0.5, 1.0)


class RetryingHttpClient:
    """The ``http_client`` MSAL talks to the authority through.

    Token requests are safe to repeat, so throttling (429, honouring Retry-After), 5xx and
    transport errors are retried within the same wait budget as API calls.  ``last_status``
    and ``last_fault`` tell the caller what the authority last did when MSAL gives up.
    """

    def __init__(self, session, retry_budget, sleep=time.sleep, clock=time.monotonic, rng=None,
                 max_attempts=MAX_ATTEMPTS):
        self.session = session
        self.retry_budget = float(retry_budget)
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.last_status = None
        self.last_fault = None

    def get(self, url, **kwargs):
        return self._send("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self._send("POST", url, **kwargs)

    def close(self):
        self.session.close()

    def _send(self, method, url, **kwargs):
        deadline = self._clock() + self.retry_budget
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method, url, **kwargs)
            except requests_exceptions.SSLError:
                raise
            except requests_exceptions.RequestException as exc:
                self.last_status, self.last_fault = None, _describe_transport_error(exc)
                wait = backoff_delay(attempt, self._rng)
                if attempt >= self.max_attempts or wait > deadline - self._clock():
                    raise
                self._sleep(wait)
                continue
            self.last_status = response.status_code
            if response.status_code != 429 and response.status_code < 500:
                self.last_fault = None
                return response
            self.last_fault = "HTTP %s" % response.status_code
            wait = _retry_after_seconds(response)
            wait = backoff_delay(attempt, self._rng) if wait is None else wait
            if attempt >= self.max_attempts or wait > deadline - self._clock():
                return response  # MSAL turns it into an error result; the caller names the status
            self._sleep(wait)


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
    return None, snippet[:300] or None


def _sent_before_failure(exc):
    """True when a transport error happened after the request may have reached the server."""
    if isinstance(exc, requests_exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests_exceptions.ConnectionError):
        reason = repr(exc)
        return not ("NewConnectionError" in reason or "Failed to establish" in reason
                    or "Name or service not known" in reason)
    return True


def _describe_transport_error(exc):
    if isinstance(exc, requests_exceptions.SSLError):
        return "TLS error"
    if isinstance(exc, requests_exceptions.Timeout):
        return "timeout"
    return "connection error"


class PartnerCenterClient:
    """Calls ``{api_url}/v1``.  Thread-safe: the many-users form shares one client."""

    def __init__(self, api_url, token_provider, session, timeout=30, retry_budget=120.0,
                 correlation_id=None, sleep=time.sleep, clock=time.monotonic, max_attempts=MAX_ATTEMPTS,
                 rng=None):
        self.base_url = api_url.rstrip("/") + "/v1"
        self.token_provider = token_provider
        self.session = session
        self.timeout = timeout
        self.retry_budget = float(retry_budget)
        self.correlation_id = correlation_id or str(uuid.uuid4())
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        # A 429 seen by one thread holds every thread back until Retry-After has passed.
        self._gate_lock = threading.Lock()
        self._not_before = 0.0

    # -- helpers -------------------------------------------------------------------

    def _url(self, path):
        """``path`` is relative to ``/v1``; links from Partner Center may or may not carry it."""
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

    def _hold_back(self, seconds):
        with self._gate_lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def _wait_at_gate(self):
        while True:
            with self._gate_lock:
                wait = self._not_before - self._clock()
            if wait <= 0:
                return
            self._sleep(wait)

    def _backoff(self, attempt):
        return backoff_delay(attempt, self._rng)

    # -- the one request path --------------------------------------------------------

    def request(self, method, path, route=None, body=None, params=None, headers=None,
                idempotent=None, expected=(200,)):
        """Send one API call with retries; return the parsed body (or ``None``).

        Reads, PATCH and DELETE are retried on throttling, 5xx and transport errors.
        A POST is retried only when the server certainly did not process it (429, a
        connection that never opened, an expired token); any other failure of a POST
        raises with ``ambiguous=True`` so the caller can look up before deciding.
        """
        progress = {"attempts": 0}
        try:
            return self._request(method, path, route or path, body, params, headers,
                                 method != "POST" if idempotent is None else idempotent, expected, progress)
        except PartnerCenterError as exc:
            exc.attempts = progress["attempts"]
            raise

    def _request(self, method, path, route, body, params, headers, idempotent, expected, progress):
        url = self._url(path)
        deadline = self._clock() + self.retry_budget
        request_id = str(uuid.uuid4())
        token_refreshed = False
        attempt = 0
        data = json.dumps(body).encode("utf-8") if body is not None else None
        while True:
            attempt += 1
            progress["attempts"] = attempt
            self._wait_at_gate()
            token = self.token_provider.get_token()
            send_headers = {
                "Accept": "application/json",
                "MS-RequestId": request_id,
                "MS-CorrelationId": self.correlation_id,
                "Authorization": "Bearer " + token,
            }
            if data is not None:
                send_headers["Content-Type"] = "application/json"
            if headers:
                send_headers.update(headers)
            try:
                response = self.session.request(method, url, params=params, data=data,
                                                headers=send_headers, timeout=self.timeout)
            except requests_exceptions.RequestException as exc:
                fault = _describe_transport_error(exc)
                if isinstance(exc, requests_exceptions.SSLError):
                    raise PartnerCenterError(
                        "TLS certificate validation failed for %s: the server's certificate is not trusted. "
                        "Set ca_path to the CA bundle that signed it, or (for testing only) validate_certs: false"
                        % self.base_url, method=method, route=route, fault=fault, request_id=request_id)
                sent = _sent_before_failure(exc)
                if sent and not idempotent:
                    raise PartnerCenterError(
                        "The %s request failed with a %s after it was sent; it may or may not have been applied"
                        % (method, fault), method=method, route=route, fault=fault,
                        request_id=request_id, ambiguous=True)
                # Same MS-RequestId on a retry after a timeout, as the API's docs ask.
                self._retry_or_raise(attempt, deadline, None, method, route, fault, request_id)
                continue

            echoed_id = response.headers.get("MS-RequestId") or request_id
            if response.status_code in expected:
                try:
                    return parse_json(response.content)
                except ValueError:
                    raise PartnerCenterError("Partner Center returned a body that is not JSON",
                                             status=response.status_code, method=method, route=route,
                                             request_id=echoed_id)

            try:
                error_body = parse_json(response.content)
            except ValueError:
                error_body = None
            code, description = error_details(error_body, response.text if error_body is None else None)

            if response.status_code == 401 and not token_refreshed and self.token_provider.can_refresh:
                # The token expired mid-run (or a cached one was revoked): fetch a new one once.
                token_refreshed = True
                self.token_provider.invalidate(token)
                request_id = str(uuid.uuid4())
                continue

            retry_after = _retry_after_seconds(response)
            if response.status_code == 429:
                # Refused before any work, whatever the method: safe to resend after the wait.
                wait = retry_after if retry_after is not None else self._backoff(attempt)
                self._hold_back(wait)
                self._retry_or_raise(attempt, deadline, wait, method, route, "throttled (HTTP 429)",
                                     echoed_id, status=429, code=code, description=description)
                request_id = str(uuid.uuid4())
                continue

            if response.status_code in RETRYABLE_STATUSES:
                fault = "HTTP %s" % response.status_code
                if not idempotent:
                    raise PartnerCenterError(
                        "Partner Center answered the %s with HTTP %s; the write may or may not have been applied"
                        % (method, response.status_code), status=response.status_code, code=code,
                        description=description, method=method, route=route, fault=fault,
                        request_id=echoed_id, ambiguous=True)
                self._retry_or_raise(attempt, deadline, retry_after, method, route, fault, echoed_id,
                                     status=response.status_code, code=code, description=description)
                request_id = str(uuid.uuid4())
                continue

            raise PartnerCenterError(
                _failure_message(response.status_code, description, self.token_provider),
                status=response.status_code, code=code, description=description, method=method,
                route=route, request_id=echoed_id)

    def _retry_or_raise(self, attempt, deadline, wait, method, route, fault, request_id,
                        status=None, code=None, description=None):
        wait = self._backoff(attempt) if wait is None else wait
        remaining = deadline - self._clock()
        if attempt >= self.max_attempts or wait > remaining:
            raise PartnerCenterError(
                "Gave up after %d attempt(s): the retry budget of %gs ran out (last failure: %s)"
                % (attempt, self.retry_budget, fault), status=status, code=code, description=description,
                method=method, route=route, fault=fault, request_id=request_id,
                retry_after=wait)
        self._sleep(wait)

    # -- conveniences ----------------------------------------------------------------

    def get(self, path, route=None, params=None):
        return self.request("GET", path, route=route, params=params)

    def iterate(self, path, route=None, params=None, page_size=PAGE_SIZE):
        """Yield every item of a paged collection, following ``links.next``.

        ``totalCount`` is the size of a page, not the grand total, so it is never used
        to decide when to stop; only a missing ``next`` link ends the walk.
        """
        query = dict(params or {})
        if page_size:
            query.setdefault("size", page_size)
        page = self.request("GET", path, route=route, params=query)
        while True:
            yield from (page or {}).get("items") or []
            next_link = ((page or {}).get("links") or {}).get("next")
            if not next_link or not next_link.get("uri"):
                return
            link_headers = dict((h.get("key"), h.get("value")) for h in next_link.get("headers") or []
                                if h.get("key"))
            page = self.request("GET", next_link["uri"], route=route, headers=link_headers)


def _retry_after_seconds(response):
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _failure_message(status, description, token_provider):
    if status == 403 and token_provider.is_app_only:
        return ("Partner Center refused an app-only token: customer user operations need App+User "
                "authentication. Give refresh_token (secure application model) or access_token from a "
                "user sign-in instead of only client_secret")
    if status == 401:
        return "Partner Center refused the access token"
    return "Partner Center answered HTTP %s%s" % (status, ": %s" % description if description else "")
