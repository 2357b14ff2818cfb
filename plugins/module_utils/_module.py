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
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.csp.partnercenter.plugins.module_utils import _connection, _http
from ansible_collections.csp.partnercenter.plugins.module_utils._auth import PUBLIC_AUTHORITY
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._hints import NO_CREDENTIALS_HINT
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import unknown_keys
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import (
    DOMAIN_RE, check_endpoint, check_guid, check_secret_text, check_string, is_guid,
)

# Options that carry a URL, with their environment variables: a URL with user:password@ in it
# is refused, and its credential is masked wherever Ansible shows the option.
URL_OPTIONS = (("api_url", "PARTNERCENTER_API_URL"), ("authority", "PARTNERCENTER_AUTHORITY"))
SECRET_OPTIONS = ("client_secret", "refresh_token", "access_token")

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
        refresh_token_file=dict(type="path", fallback=_env("PARTNERCENTER_REFRESH_TOKEN_FILE")),
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
    for option in SECRET_OPTIONS:
        check_secret_text(option, params.get(option))
    access_token = params.get("access_token")
    token_file = params.get("refresh_token_file")
    if token_file:
        if params.get("refresh_token") or access_token:
            raise InputError("refresh_token_file", "cannot be combined with refresh_token or access_token: the file "
                                                   "holds the refresh token (and receives the rotated one)")
        if not os.path.isfile(token_file):
            raise InputError("refresh_token_file", "%s is not a file; put the refresh token of the consent sign-in "
                                                   "in it (mode 0600)" % token_file)
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


def url_credentials(value):
    """The ``user:password`` part of a URL, or None."""
    if not isinstance(value, str) or "@" not in value:
        return None
    try:
        netloc = urlsplit(value).netloc
    except ValueError:
        return None
    return netloc.rsplit("@", 1)[0] if "@" in netloc else None


def non_strings(spec, values, prefix=""):
    """InputError for the first ``type: str`` option given a value of another type (nested options too).

    Ansible would turn ``display_name: [A, B]`` into the text "['A', 'B']"; nothing here wants that.
    """
    for name, option in spec.items():
        given = [n for n in [name] + list(option.get("aliases") or []) if isinstance(values, dict) and n in values]
        for key in given:
            value = values[key]
            if option.get("type", "str") == "str" and value is not None:
                check_string(prefix + key, value, secret=bool(option.get("no_log")))
            suboptions = option.get("options")
            if suboptions and isinstance(value, dict):
                non_strings(suboptions, value, "%s%s." % (prefix, key))
            if suboptions and isinstance(value, list):
                for position, item in enumerate(value):
                    non_strings(suboptions, item, "%s%s[%d]." % (prefix, key, position))


class PartnerCenterTask(object):
    """What every partnercenter module run does, however it runs: as a module process
    (``PartnerCenterModule``) or inside the controller's worker (``plugin_utils._in_process``).

    The connection options merged in, a lazily built client, and one way out; every text that
    leaves (``msg``, errors, warnings) passes the run's ``Scrubber``.  A mixin: the base after it
    supplies ``params``, ``_load_params``, ``warn``, ``exit_json`` and ``fail_json``.
    """

    def __init__(self, argument_spec=None, normalize=None, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        self.scrubber = Scrubber()
        self._raw_params = {}
        self._normalize = normalize  # rewrites documented shorthands in the raw parameters
        self._spec = spec
        self._suggestions = []
        super(PartnerCenterTask, self).__init__(argument_spec=spec, **kwargs)
        for option in SECRET_OPTIONS:
            self.scrubber.add(self.params.get(option))
        if not _http.HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"), exception=_http.REQUESTS_IMPORT_ERROR)
        self._client = None
        self.correlation_id = str(uuid.uuid4())
        self._gate = None  # _connection.default_gate: with the token cache, shared by every fork
        self.run(self._check_inputs)

    def _load_params(self):
        """Mask credentials in URL options before Ansible logs or returns the options."""
        super(PartnerCenterTask, self)._load_params()
        if self._normalize is not None:
            self._normalize(self.params)
        self._raw_params = dict(self.params)
        self._suggestions = [(path, meant) for path, meant in unknown_keys(self._spec, self.params) if meant
                             and not path.startswith("_ansible")]
        for option, variable in URL_OPTIONS:
            for value in (self.params.get(option), os.environ.get(variable)):
                credentials = url_credentials(value)
                if credentials:
                    self.no_log_values.add(credentials)
                    self.scrubber.add(credentials)

    def _check_inputs(self):
        non_strings(self.argument_spec, self._raw_params)
        if self.params.get("customer_id") is not None:
            self.params["customer_id"] = check_guid("customer_id", self.params["customer_id"])

    def client(self, pool_size=10):
        if self._client is None:
            api_url, authority = check_connection_options(self.params)
            self._client = _connection.build_client(self.params, api_url, authority, warn=self.warn,
                                                    scrubber=self.scrubber, gate=self._gate,
                                                    correlation_id=self.correlation_id, pool_size=pool_size)
        return self._client

    def warn(self, warning):
        super(PartnerCenterTask, self).warn(self.scrubber.scrub(warning))

    def finish(self, result):
        """Exit with a ``_results.TaskResult`` (or a plain dict of result fields)."""
        if isinstance(result, dict):
            self.exit_json(**result)
        for warning in result.warnings:
            self.warn(warning)
        if result.failure is not None:
            fields = dict(result.fields)
            if result.error is not None:
                fields.update(error=result.error.to_dict(), correlation_id=self.correlation_id)
            self.fail_json(msg=result.failure, **fields)
        self.exit_json(**result.fields)

    def fail_json(self, msg=None, **kwargs):  # pylint: disable=arguments-differ
        if self._suggestions and isinstance(msg, str) and msg.startswith("Unsupported parameters"):
            msg = "%s. Did you mean %s?" % (msg.rstrip("."), ", ".join(
                "%s instead of %s" % (path.rsplit(".", 1)[0] + "." + meant if "." in path else meant, path)
                for path, meant in self._suggestions))
        scrub = self.scrubber.scrub_value
        for key in ("error", "failed_users", "exception"):
            if key in kwargs:
                kwargs[key] = scrub(kwargs[key])
        super(PartnerCenterTask, self).fail_json(msg=scrub(msg), **kwargs)

    def run(self, func):
        """Call ``func()``; turn our two exception types into one clear ``fail_json``."""
        try:
            return func()
        except InputError as exc:
            self.fail_json(msg=str(exc), option=exc.option)
        except PartnerCenterError as exc:
            self.fail_json(msg=exc.full_message(), error=exc.to_dict(), correlation_id=self.correlation_id)


class PartnerCenterModule(PartnerCenterTask, AnsibleModule):
    """A partnercenter module run as its own process (``AnsibleModule``)."""
