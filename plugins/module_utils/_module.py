# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The module base: common options, the client, and the one place errors become fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import uuid

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.csp.partnercenter.plugins.module_utils import _http
from ansible_collections.csp.partnercenter.plugins.module_utils._auth import PUBLIC_AUTHORITY, TokenProvider
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache, default_cache_dir
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    DOMAIN_RE, check_endpoint, is_guid,
)

DEFAULT_API_URL = "https://api.partnercenter.microsoft.com"


def _env(name):
    return (env_fallback, [name])


def connection_argument_spec():
    """The connection and authentication options every module takes (doc fragment ``connection``)."""
    return dict(
        tenant_id=dict(type="str", fallback=_env("PARTNERCENTER_TENANT_ID")),
        client_id=dict(type="str", fallback=_env("PARTNERCENTER_CLIENT_ID")),
        client_secret=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_CLIENT_SECRET")),
        refresh_token=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_REFRESH_TOKEN")),
        access_token=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_ACCESS_TOKEN")),
        authority=dict(type="str", default=PUBLIC_AUTHORITY, fallback=_env("PARTNERCENTER_AUTHORITY")),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=_env("PARTNERCENTER_API_URL")),
        validate_certs=dict(type="bool", default=True, fallback=_env("PARTNERCENTER_VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=_env("PARTNERCENTER_CA_PATH")),
        timeout=dict(type="int", default=30, fallback=_env("PARTNERCENTER_TIMEOUT")),
        retry_budget=dict(type="float", default=120.0, fallback=_env("PARTNERCENTER_RETRY_BUDGET")),
        token_cache=dict(type="bool", default=True, fallback=_env("PARTNERCENTER_TOKEN_CACHE")),
        token_cache_dir=dict(type="path", no_log=False, fallback=_env("PARTNERCENTER_TOKEN_CACHE_DIR")),
    )


def check_connection_options(params):
    """Validate the connection options; return (api_url, authority).  Raises InputError."""
    api_url = check_endpoint("api_url", params["api_url"])
    authority = check_endpoint("authority", params["authority"])
    access_token = params.get("access_token")
    if access_token:
        if params.get("refresh_token") or params.get("client_secret"):
            raise InputError("access_token", "cannot be combined with refresh_token or client_secret: "
                                             "give a ready token, or the credentials to get one, not both")
    else:
        if not params.get("refresh_token") and not params.get("client_secret"):
            raise InputError("refresh_token", "no credentials: give refresh_token (with client_id and "
                                              "client_secret, App+User), client_secret alone (app-only), "
                                              "or access_token")
        for option in ("tenant_id", "client_id"):
            if not params.get(option):
                raise InputError(option, "is required to get a token (or pass access_token)")
        tenant = params["tenant_id"]
        if not (is_guid(tenant) or DOMAIN_RE.match(tenant)):
            raise InputError("tenant_id", "must be the partner tenant's GUID or its domain name")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise InputError("timeout", "must be a positive number of seconds")
    if params.get("retry_budget") is not None and params["retry_budget"] < 0:
        raise InputError("retry_budget", "must not be negative")
    ca_path = params.get("ca_path")
    if ca_path and not os.path.exists(ca_path):
        raise InputError("ca_path", "%s does not exist" % ca_path)
    return api_url, authority


class PartnerCenterModule(AnsibleModule):
    """AnsibleModule with the connection options merged in and a lazily built client."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        super(PartnerCenterModule, self).__init__(argument_spec=spec, **kwargs)
        if not _http.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=_http.REQUESTS_IMPORT_ERROR)
        self._client = None
        self.correlation_id = str(uuid.uuid4())

    def client(self, pool_size=10):
        if self._client is not None:
            return self._client
        params = self.params
        api_url, authority = check_connection_options(params)
        if params["validate_certs"]:
            verify = params["ca_path"] or True
        else:
            verify = False
            self.warn("validate_certs is false: TLS certificates of %s and %s are not checked. "
                      "Use this only against a test server; prefer ca_path." % (authority, api_url))
            _silence_insecure_request_warnings()
        session = _http.VerifyingSession(verify=verify, timeout=params["timeout"], pool_size=pool_size)
        cache = None
        if params["token_cache"] and not params.get("access_token"):
            cache = TokenCache(params.get("token_cache_dir") or default_cache_dir())
        tokens = TokenProvider(authority, params.get("tenant_id"), params.get("client_id"),
                               client_secret=params.get("client_secret"),
                               refresh_token=params.get("refresh_token"),
                               access_token=params.get("access_token"), session=session, cache=cache,
                               retry_budget=params["retry_budget"], warn=self.warn)
        self._client = _http.PartnerCenterClient(api_url, tokens, session, timeout=params["timeout"],
                                                 retry_budget=params["retry_budget"],
                                                 correlation_id=self.correlation_id)
        return self._client

    def run(self, func):
        """Call ``func()``; turn our two exception types into one clear ``fail_json``."""
        try:
            func()
        except InputError as exc:
            self.fail_json(msg=str(exc), option=exc.option)
        except PartnerCenterError as exc:
            self.fail_json(msg=exc.full_message(), error=exc.to_dict(),
                           correlation_id=self.correlation_id)


def _silence_insecure_request_warnings():
    # The module already warned once, in a way Ansible shows; urllib3 would repeat it on stderr per call.
    try:
        import urllib3  # pylint: disable=import-outside-toplevel
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:
        pass
