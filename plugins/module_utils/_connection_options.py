# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The connection options every module takes: their argument spec, PARTNERCENTER_* fallbacks and checks.

Documented once in the ``connection`` doc fragment (``connection_env`` wires the same variables for the
inventory plugin); read by the modules, the role's action plugin and the customers inventory plugin.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import env_fallback
from urllib.parse import urlsplit

from ansible_collections.csp.partnercenter.plugins.module_utils._auth import PUBLIC_AUTHORITY
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import NO_CREDENTIALS_HINT
from ansible_collections.csp.partnercenter.plugins.module_utils._refresh_token_file import unusable_reason
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    DOMAIN_RE, check_endpoint, check_secret_text, is_guid,
)

# Options that carry a URL, with their environment variables: a URL with user:password@ in it
# is refused, and its credential is masked wherever Ansible shows the option.
URL_OPTIONS = (("api_url", "PARTNERCENTER_API_URL"), ("authority", "PARTNERCENTER_AUTHORITY"),
               ("graph_url", "PARTNERCENTER_GRAPH_URL"))
SECRET_OPTIONS = ("client_secret", "refresh_token", "access_token")

DEFAULT_API_URL = "https://api.partnercenter.microsoft.com"
DEFAULT_GRAPH_URL = "https://graph.microsoft.com"


def _env(name):
    return (env_fallback, [name])


def connection_argument_spec():
    """The connection and authentication options every module takes (doc fragment ``connection``)."""
    return dict(
        tenant_id=dict(type="str", fallback=_env("PARTNERCENTER_TENANT_ID")),
        client_id=dict(type="str", fallback=_env("PARTNERCENTER_CLIENT_ID")),
        client_secret=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_CLIENT_SECRET")),
        refresh_token=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_REFRESH_TOKEN")),
        refresh_token_file=dict(type="path", fallback=_env("PARTNERCENTER_REFRESH_TOKEN_FILE")),
        access_token=dict(type="str", no_log=True, fallback=_env("PARTNERCENTER_ACCESS_TOKEN")),
        authority=dict(type="str", default=PUBLIC_AUTHORITY, fallback=_env("PARTNERCENTER_AUTHORITY")),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=_env("PARTNERCENTER_API_URL")),
        graph_url=dict(type="str", default=DEFAULT_GRAPH_URL, fallback=_env("PARTNERCENTER_GRAPH_URL")),
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
    check_graph_url(params)
    for option in SECRET_OPTIONS:
        check_secret_text(option, params.get(option))
    access_token = params.get("access_token")
    token_file = params.get("refresh_token_file")
    if token_file:
        if params.get("refresh_token") or access_token:
            raise InputError("refresh_token_file", "cannot be combined with refresh_token or access_token: the file "
                                                   "holds the refresh token (and receives the rotated one)")
        reason = unusable_reason(token_file)
        if reason:
            raise InputError("refresh_token_file", reason)
    if access_token:
        if params.get("refresh_token") or params.get("client_secret"):
            raise InputError("access_token", "cannot be combined with refresh_token or client_secret: "
                                             "give a ready token, or the credentials to get one, not both")
    else:
        if not params.get("refresh_token") and not token_file and not params.get("client_secret"):
            raise InputError("refresh_token", "no credentials: give refresh_token (with client_id and "
                                              "client_secret, App+User), client_secret alone (app-only), "
                                              "or access_token. " + NO_CREDENTIALS_HINT)
        for option in ("tenant_id", "client_id"):
            if not params.get(option):
                raise InputError(option, "is required to get a token (or pass access_token)")
        tenant = params["tenant_id"]
        if not (is_guid(tenant) or DOMAIN_RE.match(tenant)):
            raise InputError("tenant_id", "must be the partner tenant's GUID or its domain name")
        if not is_guid(params["client_id"]):
            raise InputError("client_id", "must be the application (client) id of the partner's app "
                                          "registration, a GUID")
    if params.get("timeout") is not None and params["timeout"] <= 0:
        raise InputError("timeout", "must be a positive number of seconds")
    if params.get("retry_budget") is not None and params["retry_budget"] < 0:
        raise InputError("retry_budget", "must not be negative")
    ca_path = params.get("ca_path")
    if ca_path and not os.path.exists(ca_path):
        raise InputError("ca_path", "%s does not exist" % ca_path)
    return api_url, authority


def check_graph_url(params):
    """``graph_url`` checked like ``api_url`` (https, plain http on loopback only, no credentials, no query); returned
    without a trailing slash.  Only the tasks that reach Microsoft Graph use it, but a wrong one fails every task,
    before any request, as a wrong ``api_url`` does."""
    return check_endpoint("graph_url", params.get("graph_url") or DEFAULT_GRAPH_URL)


def url_credentials(value):
    """The ``user:password`` part of a URL, or None."""
    if not isinstance(value, str) or "@" not in value:
        return None
    try:
        netloc = urlsplit(value).netloc
    except ValueError:
        return None
    return netloc.rsplit("@", 1)[0] if "@" in netloc else None
