# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Access tokens for Partner Center (and, per customer tenant, Microsoft Graph): a given token, the token cache,
or MSAL.

``TokenProvider`` holds the partner's token for Partner Center; ``TokenProvider.for_customer`` makes a
``CustomerTokenProvider``: the same app and refresh token (or ``refresh_token_file``, rotated the same way)
redeemed at ``{authority}/{customer tenant}`` for ``{graph_url}/.default``, cached per customer and credential.

MSAL is imported only when a token must really be fetched, so a task that finds a fresh
token in the cache pays nothing for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import (
    CONSENT_MISSING, TOKEN_ROUTE, PartnerCenterError,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_errors import ORIGIN as GRAPH, is_consent_missing
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import AUTHORITY_HINTS, authority_hint
from ansible_collections.csp.partnercenter.plugins.module_utils._http import AuthorityHttpClient, RetryLoop
from ansible_collections.csp.partnercenter.plugins.module_utils._refresh_token_file import (
    RefreshTokenFile, TokenFileError,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import (
    cache_key, is_sane_expiry, is_token_text,
)

USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
CONSENT_MODULE = "csp.partnercenter.partnercenter_application_consent"


def graph_scope(graph_url):
    """The scope of a customer-tenant token for Microsoft Graph: every delegated permission consented there."""
    return graph_url.rstrip("/") + "/.default"


def _import_msal():
    try:
        import msal  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise PartnerCenterError(
            "The Python library msal is required to fetch a token (pip install 'msal>=1.24'); "
            "alternatively pass access_token", fault="missing library")
    return msal


class TokenProvider:
    """Hands out one access token per credential; thread-safe.

    ``access_token`` given: used as is (it cannot be refreshed).  Otherwise a
    ``refresh_token`` is redeemed for an App+User token, or ``client_secret`` alone buys an
    app-only token, through MSAL over the shared ``session``.
    """

    def __init__(self, authority, tenant_id, client_id, client_secret=None, refresh_token=None,
                 access_token=None, session=None, cache=None, clock=time.time, retry_budget=120.0, warn=None,
                 scrubber=None, gate=None, refresh_token_file=None, scope=None, token_file=None):
        self.authority = authority.rstrip("/")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._given_refresh_token = refresh_token  # as given, before any rotation (customer tenants redeem it too)
        self._static_token = access_token
        self.session = session
        self.retry_budget = retry_budget
        self._warn = warn
        self.cache = cache
        self._clock = clock
        self.scrubber = scrubber or Scrubber()
        for secret in (client_secret, refresh_token, access_token):
            self.scrubber.add(secret)
        self._gate = gate
        # With a file, the refresh token is read under the file's lock just before each grant.
        # A customer-tenant provider shares the partner's ``token_file`` object (one lock, one rotation).
        self.token_file = token_file or (RefreshTokenFile(refresh_token_file, warn=warn) if refresh_token_file else None)
        self.rotation = None  # after a grant with the file: {"stored": bool, "path": ..., "problem": ...}
        self._said_not_rotated = False
        self._lock = threading.Lock()
        self._token = None
        self._expires_in = None
        self.tokens_fetched = 0
        user_grant = bool(refresh_token or self.token_file)
        self.scope = scope or (USER_SCOPE if (user_grant or not client_secret) else APP_SCOPE)
        # A rotating file is one credential whatever token it holds now: forks share its access token.
        credential = refresh_token if not self.token_file else "file:" + self.token_file.path
        self._key = cache_key(self.authority, tenant_id, client_id, self.scope, client_secret, credential)

    @property
    def is_app_only(self):
        return not self._static_token and not self._refresh_token and not self.token_file and \
            bool(self._client_secret)

    @property
    def can_refresh(self):
        return not self._static_token

    def get_token(self):
        if self._static_token:
            return self._static_token
        with self._lock:
            if self._token:
                return self._token
            if self.cache is None:
                self._token = self._fetch()
                return self._token
            if self._from_cache():
                return self._token
            try:
                with self.cache.locked(self._key):
                    # Another process (a fork of the same play) may have fetched it meanwhile.
                    if self._from_cache():
                        return self._token
                    self._token = self._fetch()
                    if self._expires_in is not None:
                        self.cache.store(self._key, self._token, self._expires_in, now=self._clock())
            except (OSError, IOError) as exc:
                # A cache we cannot (or must not) use only costs speed.
                if self._warn:
                    self._warn("The token cache was not used: %s" % exc)
                if not self._token:
                    self._token = self._fetch()
            return self._token

    def _from_cache(self):
        cached = self.cache.load(self._key, now=self._clock())
        if cached:
            self._token = cached
        return bool(cached)

    def _fetch(self):
        if self.token_file is None:
            token, self._expires_in = self._acquire()
        else:
            with self.token_file.locked():
                token, self._expires_in = self._acquire_rotating()
        self.scrubber.add(token)
        self.tokens_fetched += 1
        return token

    def _acquire_rotating(self):
        """Redeem the file's refresh token and write back the one the authority rotated it into."""
        try:
            self._refresh_token = self.token_file.read()
        except TokenFileError as exc:
            raise PartnerCenterError(str(exc), fault="authentication", route=TOKEN_ROUTE, origin="authority")
        self.scrubber.add(self._refresh_token)
        result = self._redeem()
        if "access_token" not in result:
            return self._checked(result)  # refused: nothing was rotated
        rotated = result.get("refresh_token")
        self.rotation = {"stored": False, "path": self.token_file.path, "problem": None}
        if is_token_text(rotated) and rotated != self._refresh_token:
            self.scrubber.add(rotated)
            problem = self.token_file.store(rotated)
            self.rotation.update(stored=problem is None, problem=problem)
            if problem and self._warn:
                self._warn("The rotated refresh token could not be stored in refresh_token_file: %s. This run "
                           "goes on; the file still holds the previous token, which dies 90 days after it was "
                           "issued. Make the file and its directory writable" % problem)
            self._refresh_token = rotated
        else:
            if isinstance(rotated, str):
                self.scrubber.add(rotated)
            self.rotation["problem"] = (
                "the authority returned no new refresh token" if not rotated else
                "the authority returned the same refresh token" if rotated == self._refresh_token else
                "the authority returned a malformed refresh token")
            if self._warn and not self._said_not_rotated:
                self._said_not_rotated = True
                self._warn("refresh_token_file %s was not rotated: %s. The file keeps the previous token, which "
                           "dies 90 days after it was issued: if this goes on, repeat the consent sign-in before then"
                           % (self.token_file.describe(), self.rotation["problem"]))
        return self._checked(result)

    def invalidate(self, stale_token):
        """Forget ``stale_token`` (refused by the API), unless another thread already did."""
        with self._lock:
            if self._token == stale_token:
                self._token = None
                if self.cache is not None:
                    self.cache.discard(self._key)

    def forget(self):
        """Drop this credential's token, in memory and in the cache: the next ``get_token`` redeems anew."""
        with self._lock:
            self._token = None
            if self.cache is not None:
                self.cache.discard(self._key)

    @property
    def grant(self):
        return "refresh_token" if (self._refresh_token or self.token_file) else "client_credentials"

    def _acquire(self):
        return self._checked(self._redeem())

    def _refusal(self, error, description, error_codes, status):
        """A refusal this provider words itself (a customer tenant's missing consent), or None."""
        return None

    def for_customer(self, customer_id, graph_url, gate=None):
        """The partner user's token provider in ``customer_id``'s tenant, for ``graph_url`` (Microsoft Graph).

        Same app, same refresh token (or the same ``refresh_token_file``, its rotation written back), same cache
        and session; the cache key differs by tenant and scope, so each customer's token is its own.
        """
        return CustomerTokenProvider(self, customer_id, graph_url, gate=gate)

    def _redeem(self):
        """The authority's answer to one grant (a dict with access_token, or an error); raises on transport."""
        msal = _import_msal()
        authority_url = "%s/%s" % (self.authority, self.tenant_id)
        loop = RetryLoop(self.session, self.retry_budget, "the authority %s" % self.authority,
                         scrubber=self.scrubber, gate=self._gate)
        http_client = AuthorityHttpClient(loop)
        try:
            if self._client_secret:
                app = msal.ConfidentialClientApplication(
                    self.client_id, client_credential=self._client_secret, authority=authority_url,
                    http_client=http_client, instance_discovery=False)
            else:
                app = msal.PublicClientApplication(
                    self.client_id, authority=authority_url, http_client=http_client,
                    instance_discovery=False)
            if self._refresh_token or self.token_file:
                result = app.acquire_token_by_refresh_token(self._refresh_token, scopes=[self.scope])
            else:
                result = app.acquire_token_for_client(scopes=[self.scope])
        except PartnerCenterError:
            raise
        except Exception as exc:  # MSAL raises many types; say what and where, never the secret
            text = self.scrubber.shown(str(exc), 300)
            hint = None
            if "authority configuration" in text:  # the openid configuration of authority/tenant_id was refused
                hint = AUTHORITY_HINTS["90002"]
            raise PartnerCenterError(
                "Could not get a token from the authority %s with the %s grant: %s: %s"
                % (self.authority, self.grant, type(exc).__name__, text),
                status=http_client.last_status if (http_client.last_status or 0) >= 400 else None,
                fault="authentication", route=TOKEN_ROUTE, origin="authority", hint=hint)
        if isinstance(result, dict):
            result["_status"] = http_client.last_status
        return result if isinstance(result, dict) else {}

    def _checked(self, result):
        """(access token, expires_in) from the authority's answer, or the failure with what to do next."""
        last_status = result.pop("_status", None)
        if "access_token" not in result:
            error = self.scrubber.shown(str(result.get("error") or "unknown_error"))
            description = self.scrubber.shown(str(result.get("error_description") or "").split("\r\n", 1)[0])
            refusal = self._refusal(error, description, result.get("error_codes"), last_status)
            if refusal is not None:
                raise refusal
            raise PartnerCenterError(
                "The authority %s refused to issue a token for client %s (%s grant): %s"
                % (self.authority, self.client_id, self.grant, error),
                status=last_status if (last_status or 0) >= 400 else None,
                code=error, description=description, fault="authentication", route=TOKEN_ROUTE, origin="authority",
                hint=authority_hint(error, description, result.get("error_codes")))
        token = result["access_token"]
        if not is_token_text(token):
            raise PartnerCenterError(
                "The authority %s answered the %s grant with a malformed access token (%s); it was not used or "
                "cached" % (self.authority, self.grant, "empty" if not token else type(token).__name__
                            if not isinstance(token, str) else "it holds whitespace or control characters"),
                fault="authentication", route=TOKEN_ROUTE, origin="authority")
        expires_in = result.get("expires_in")
        if not is_sane_expiry(expires_in):
            expires_in = None  # usable now, but never cached
        return token, expires_in


class CustomerTokenProvider(TokenProvider):
    """A Microsoft Graph token in one customer tenant, redeemed with the partner's credentials.

    ``unusable``: why these credentials cannot get one (an app-only credential, a given access_token, which
    is Partner Center's), or None; the Graph client refuses to send before asking for a token.
    """

    def __init__(self, partner, customer_id, graph_url, gate=None):
        super(CustomerTokenProvider, self).__init__(
            partner.authority, customer_id, partner.client_id, client_secret=partner._client_secret,
            refresh_token=None if partner.token_file else partner._given_refresh_token,
            session=partner.session, cache=partner.cache, clock=partner._clock, retry_budget=partner.retry_budget,
            warn=partner._warn, scrubber=partner.scrubber, gate=gate or partner._gate, scope=graph_scope(graph_url),
            token_file=partner.token_file)
        self.customer_id = customer_id
        self.partner = partner
        if partner._static_token:
            self.unusable = ("access_token is a token for Partner Center only, and cannot be redeemed for Microsoft "
                             "Graph in customer %s: give refresh_token or refresh_token_file (with client_id and "
                             "client_secret) instead" % customer_id)
        elif partner.is_app_only:
            self.unusable = ("customer %s: Microsoft Graph in a customer tenant needs an App+User token (the "
                             "partner user's GDAP roles there), and this task has only client_secret (app-only). "
                             "Give refresh_token or refresh_token_file (secure application model)" % customer_id)
        else:
            self.unusable = None

    def _fetch(self):
        token = super(CustomerTokenProvider, self)._fetch()
        if self.token_file is not None and self.partner.rotation is None:
            self.partner.rotation = self.rotation  # auth_info reports the run's rotation, whichever grant did it
        return token

    def _refusal(self, error, description, error_codes, status):
        if not is_consent_missing(error_codes, description):
            return None
        return PartnerCenterError(
            "The partner's app (client %s) is not consented in customer %s, so no %s token could be had there; "
            "nothing was sent to %s" % (self.client_id, self.tenant_id, GRAPH, GRAPH),
            status=status if (status or 0) >= 400 else None, code=error, description=description,
            fault=CONSENT_MISSING, route=TOKEN_ROUTE, origin="authority",
            hint="Run %s for customer %s first (customer_id: %s; the role customer_users does it with "
                 "partnercenter_application_consent: true), then run this task again"
                 % (CONSENT_MODULE, self.tenant_id, self.tenant_id))
