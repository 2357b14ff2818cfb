# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The task core: what a partnercenter module does, with no module object.

A module is a ``ModuleTask``: its options (the connection options merged in), the rules between
them, and its body, a function of a ``TaskContext`` (validated params, the run's ``Scrubber``, a
correlation id, warnings, the client factory, check mode) that returns the result fields or a
``_results.TaskResult``, or raises ``InputError`` / ``PartnerCenterError``.  Two thin adapters run
it: ``_module.run_module`` in a module process (``AnsibleModule``) and
``plugin_utils._in_process.run_in_process`` in the controller's worker (``ArgumentSpecValidator``).
Both call the same three steps:

1. ``given_inputs(task, params)`` before Ansible validates: the documented shorthands rewritten,
   the values to mask besides ``no_log`` options (misspelt secret keys, credentials in URL options),
   "did you mean" for unknown keys;
2. Ansible's validation, by the adapter;
3. ``run_task(task, context, given)``: the checks every module shares, then the body; the ONE place
   ``InputError`` / ``PartnerCenterError`` become a failed result.  Every message, error and warning
   leaves scrubbed, then printable (one line each).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import threading
import uuid

from ansible_collections.csp.partnercenter.plugins.module_utils import _connection
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import (
    SECRET_OPTIONS, URL_OPTIONS, check_connection_options, check_graph_url, connection_argument_spec, url_credentials,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._results import TaskResult
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import misspelt_secret_values, unknown_keys
from ansible_collections.csp.partnercenter.plugins.module_utils._validation import check_guid, check_string


class ModuleTask(object):
    """One module: ``name`` (in ``plugins/modules``), its options and rules, and ``body(context)``.

    ``rules``: AnsibleModule's keyword arguments between options (``mutually_exclusive``,
    ``required_if``, ...).  ``normalize(params)`` rewrites documented shorthands in the raw
    parameters; ``secrets(params)`` are the values the scrubber blanks besides the connection's.
    Every task supports check mode.
    """

    def __init__(self, name, argument_spec, body, rules=None, normalize=None, secrets=None):
        self.name = name
        self.argument_spec = connection_argument_spec()
        self.argument_spec.update(argument_spec)
        self.body = body
        self.rules = dict(rules or {})
        self.normalize = normalize
        self.secrets = secrets


class GivenInputs(object):
    """The parameters as given (after the shorthands), what to mask in them, and "did you mean" suggestions."""

    def __init__(self, raw, masked, suggestions):
        self.raw = raw
        self.masked = masked
        self.suggestions = suggestions
        self.scrubber = Scrubber(masked)

    def validation_failure(self, msg):
        """The failed result of Ansible's own argument checks, ``msg`` worded by ansible-core."""
        if self.suggestions and isinstance(msg, str) and msg.startswith("Unsupported parameters"):
            msg = "%s. Did you mean %s?" % (msg.rstrip("."), ", ".join(
                "%s instead of %s" % (path.rsplit(".", 1)[0] + "." + meant if "." in path else meant, path)
                for path, meant in self.suggestions))
        return failed(self.scrubber, msg)


def given_inputs(task, params):
    """Before Ansible validates (or logs) ``params``: shorthands rewritten in place; the values of misspelt
    secret keys (``users[0].pasword``, which Ansible refuses but returns in ``invocation``) and credentials
    in URL options or their variables, to mask like ``no_log`` values."""
    if task.normalize is not None:
        task.normalize(params)
    given = dict((k, v) for k, v in params.items() if not str(k).startswith("_ansible"))
    suggestions = [(path, meant) for path, meant in unknown_keys(task.argument_spec, given) if meant]
    masked = list(misspelt_secret_values(task.argument_spec, given))
    for option, variable in URL_OPTIONS:
        for value in (params.get(option), os.environ.get(variable)):
            masked.append(url_credentials(value))
    return GivenInputs(dict(params), [value for value in masked if value], suggestions)


class TaskContext(object):
    """What a module's body sees: validated ``params``, the ``scrubber``, ``correlation_id``, ``warnings``,
    ``check_mode``, ``client(pool_size)``, which checks the connection options and builds the client once, and
    ``graph(customer_id)``, the Microsoft Graph client of one customer tenant (``_graph`` says how to use it)."""

    def __init__(self, task, params, check_mode, scrubber):
        self.params = params
        self.check_mode = bool(check_mode)
        self.scrubber = scrubber
        self.correlation_id = str(uuid.uuid4())
        self.warnings = []
        self._client = None
        self._graphs = {}
        self._graph_lock = threading.Lock()
        secrets = [params.get(option) for option in SECRET_OPTIONS]
        if task.secrets is not None:
            secrets.extend(task.secrets(params))
        for value in secrets:
            scrubber.add(value)

    def warn(self, warning):
        self.warnings.append(warning)

    def client(self, pool_size=10):
        if self._client is None:
            api_url, authority = check_connection_options(self.params)
            self._client = _connection.build_client(self.params, api_url, authority, warn=self.warn,
                                                    scrubber=self.scrubber, correlation_id=self.correlation_id,
                                                    pool_size=pool_size)
        return self._client

    def graph(self, customer_id):
        """The ``_graph.GraphClient`` of ``customer_id``, one per customer for the task (threads share it); nothing
        is sent until its first call."""
        customer_id = check_guid("customer_id", customer_id)
        with self._graph_lock:
            if customer_id not in self._graphs:
                client = self.client()
                self._graphs[customer_id] = _connection.build_graph_client(
                    self.params, check_graph_url(self.params), client, customer_id, correlation_id=self.correlation_id)
            return self._graphs[customer_id]


def failed(scrubber, msg, **fields):
    """A failed result: messages and errors quote server text, so they leave scrubbed and printable."""
    for key in ("error", "failed_users"):
        if key in fields:
            fields[key] = scrubber.clean(fields[key])
    fields.update(failed=True, msg=scrubber.clean(msg))
    return fields


def run_task(task, context, given):
    """The module's result fields (``failed`` and ``msg`` when it fails), ``warnings`` among them if any."""
    try:
        check_inputs(task.argument_spec, given.raw, context.params)
        result = task.body(context)
    except InputError as exc:
        fields = failed(context.scrubber, str(exc), option=exc.option)
    except PartnerCenterError as exc:
        fields = failed(context.scrubber, exc.full_message(), error=exc.to_dict(),
                        correlation_id=context.correlation_id)
    else:
        if not isinstance(result, TaskResult):
            result = TaskResult(result)
        context.warnings.extend(result.warnings)
        fields = dict(result.fields)
        if result.failure is not None:
            if result.error is not None:
                fields.update(error=result.error, correlation_id=context.correlation_id)
            fields = failed(context.scrubber, result.failure, **fields)
    if context.warnings:
        fields["warnings"] = [context.scrubber.clean(warning) for warning in context.warnings]
    return fields


def check_inputs(spec, raw, params):
    """The checks every module shares after Ansible's: no non-string value for a string option, and a
    ``customer_id`` that is a GUID (lower-cased in ``params``)."""
    non_strings(spec, raw)
    if params.get("customer_id") is not None:
        params["customer_id"] = check_guid("customer_id", params["customer_id"])


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
