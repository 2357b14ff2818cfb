# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Access tokens for Partner Center: a given token, the token cache, or MSAL.

MSAL is imported only when a token must really be fetched, so a task that finds a fresh
token in the cache pays nothing for it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._http import AuthorityHttpClient, RetryLoop
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber, bound
from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import (
    cache_key, is_sane_expiry, is_token_text,
)

USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"
PUBLIC_AUTHORITY = "https://login.microsoftonline.com"


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
                 scrubber=None, gate=None):
        self.authority = authority.rstrip("/")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
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
        self._lock = threading.Lock()
        self._token = None
        self._expires_in = None
        self.tokens_fetched = 0
        self.tokens_from_cache = 0
        self.scope = USER_SCOPE if (refresh_token or not client_secret) else APP_SCOPE
        self._key = cache_key(self.authority, tenant_id, client_id, self.scope, client_secret, refresh_token)

    @property
    def is_app_only(self):
        return not self._static_token and not self._refresh_token and bool(self._client_secret)

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
            self.tokens_from_cache += 1
            self._token = cached
        return bool(cached)

    def _fetch(self):
        token, self._expires_in = self._acquire()
        self.scrubber.add(token)
        self.tokens_fetched += 1
        return token

    def invalidate(self, stale_token):
        """Forget ``stale_token`` (refused by the API), unless another thread already did."""
        with self._lock:
            if self._token == stale_token:
                self._token = None
                if self.cache is not None:
                    self.cache.discard(self._key)

    @property
    def grant(self):
        return "refresh_token" if self._refresh_token else "client_credentials"

    def _acquire(self):
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
            if self._refresh_token:
                result = app.acquire_token_by_refresh_token(self._refresh_token, scopes=[USER_SCOPE])
            else:
                result = app.acquire_token_for_client(scopes=[APP_SCOPE])
        except PartnerCenterError:
            raise
        except Exception as exc:  # MSAL raises many types; say what and where, never the secret
            raise PartnerCenterError(
                "Could not get a token from the authority %s with the %s grant: %s: %s"
                % (self.authority, self.grant, type(exc).__name__, bound(self.scrubber.scrub(str(exc)), 300)),
                status=http_client.last_status if (http_client.last_status or 0) >= 400 else None,
                fault="authentication", route="POST token", origin="authority")
        if not isinstance(result, dict) or "access_token" not in result:
            result = result if isinstance(result, dict) else {}
            error = self.scrubber.scrub(str(result.get("error") or "unknown_error"))
            description = bound(self.scrubber.scrub(str(result.get("error_description") or "").split("\r\n", 1)[0]))
            raise PartnerCenterError(
                "The authority %s refused to issue a token for client %s (%s grant): %s"
                % (self.authority, self.client_id, self.grant, error),
                status=http_client.last_status if (http_client.last_status or 0) >= 400 else None,
                code=error, description=description, fault="authentication", route="POST token", origin="authority")
        token = result["access_token"]
        if not is_token_text(token):
            raise PartnerCenterError(
                "The authority %s answered the %s grant with a malformed access token (%s); it was not used or "
                "cached" % (self.authority, self.grant, "empty" if not token else type(token).__name__
                            if not isinstance(token, str) else "it holds whitespace or control characters"),
                fault="authentication", route="POST token", origin="authority")
        expires_in = result.get("expires_in")
        if not is_sane_expiry(expires_in):
            expires_in = None  # usable now, but never cached
        return token, expires_in
