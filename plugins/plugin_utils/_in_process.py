# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The in-process adapter: a module's task (``_task.ModuleTask``) run in the controller's worker.

A module task on the controller costs a new Python interpreter, an unpacked AnsiballZ payload
and the imports of ``ansible.module_utils.basic`` and ``requests``, per host.  The action
plugins (``_task_action``) run the module's task here instead: ``run_in_process`` validates the
task's arguments with ansible-core's public ``ArgumentSpecValidator``, runs the task core
(``_task.run_task``) and shapes the result as a module process would (``module_result``).  No
object stands in for ``AnsibleModule``: the task's body sees a ``_task.TaskContext`` either way.

The ansible-core touch points of both adapters, all of them:

* module process (``module_utils._module``): ``AnsibleModule`` (subclassed: ``_load_params`` to
  mask before Ansible reads the options, ``fail_json`` for its own argument errors, ``params``,
  ``no_log_values``, ``check_mode``, ``warn``, ``exit_json``), ``missing_required_lib``;
* in-process (here): ``ArgumentSpecValidator(spec, **rules).validate(params)`` and its result's
  ``errors`` (an ``UnsupportedError`` first is worded "Unsupported parameters for (name) module",
  as ``AnsibleModule`` words it), ``validated_parameters``, and the private ``_no_log_values`` and
  ``_warnings`` (``_validation_extras``); ``remove_values``; the ``INJECT_INVOCATION`` setting
  (``injects_invocation``); ``env_fallback`` reading ``os.environ`` (``task_environment``);
* the action plugins (``_task_action``): ``ActionBase._execute_module`` and
  ``_compute_environment_string``, ``_connection.transport``, ``_play_context.become``,
  ``_task.async_val``, ``check_mode`` and ``action`` (``in_process_refusal``);
* both: the connection options' ``env_fallback`` (``module_utils._connection_options``).

What differs between ansible-core releases is decided in one function each:
``_validation_extras`` (private attributes of the validation result) and ``injects_invocation``
(from 2.21 a module adds ``invocation`` only when ``INJECT_INVOCATION`` says so).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import logging
import os
from urllib.parse import quote

from ansible.module_utils.basic import remove_values
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.csp.partnercenter.plugins.module_utils import _http
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import bound
from ansible_collections.csp.partnercenter.plugins.module_utils._task import TaskContext, given_inputs, run_task


def warm_up():
    """First uses that cost every worker again unless the strategy's process made them before forking.

    Under OpenSSL 3 the first TLS context of a process costs milliseconds (providers, cipher
    lists, the CA store), as do the first SHA-256 and the first flag combinations of ``ssl``;
    so does the first filter or test in a template (ansible-core then loads every builtin
    filter and test plugin).  Done once here, every fork inherits them.  Nothing here may hold
    a connection or a secret.
    """
    try:
        from urllib3.util.ssl_ import create_urllib3_context  # pylint: disable=import-outside-toplevel
        create_urllib3_context().load_default_certs()
    except Exception:  # pylint: disable=broad-except
        pass  # only a speed-up
    hashlib.sha256(b"warm-up").hexdigest()
    quote("warm-up/", safe="")
    try:
        from ansible.plugins.loader import filter_loader, test_loader  # pylint: disable=import-outside-toplevel
        for loader in (filter_loader, test_loader):
            list(loader.all())
    except Exception:  # pylint: disable=broad-except
        pass  # only a speed-up


def plain(value):
    """The task arguments as a module process receives them: JSON types only, no tagged or unsafe str."""
    return json.loads(json.dumps(value, default=str))


def _validation_extras(result):
    """(no_log values, alias warnings) of a ``ValidationResult``; the same private names from 2.11 to 2.21."""
    return set(getattr(result, "_no_log_values", ())), list(getattr(result, "_warnings", ()))


def injects_invocation(task_vars):
    """Whether a module of this ansible-core adds ``invocation`` to its result.

    Always before 2.21; from 2.21 as the ``INJECT_INVOCATION`` setting says (default false), for the
    task's variables.  The setting is unknown to older releases, whose lookup raises.
    """
    try:
        from ansible import constants as C  # pylint: disable=import-outside-toplevel
        return bool(C.config.get_config_value("INJECT_INVOCATION", variables=task_vars))
    except Exception:  # pylint: disable=broad-except
        return True


@contextlib.contextmanager
def task_environment(environment):
    """``os.environ`` as the module process would have it while the body runs (a worker runs one task)."""
    changes = dict((str(k), str(v)) for k, v in (environment or {}).items())
    saved = dict((k, os.environ.get(k)) for k in changes)
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


IN_PROCESS_VARIABLE = "PARTNERCENTER_IN_PROCESS"
FALSE_WORDS = ("0", "false", "no", "off", "n", "f")


def in_process_refusal(action):
    """Why ``action`` (an ``ActionBase``) must run the module as a process, or None to run it here.

    The module process would run elsewhere (another connection), as another user (``become``),
    in the background (``async``), or where the controller's Python cannot import ``requests``;
    or the controller's environment says ``PARTNERCENTER_IN_PROCESS=false``.
    """
    if os.environ.get(IN_PROCESS_VARIABLE, "").strip().lower() in FALSE_WORDS:
        return "%s is false" % IN_PROCESS_VARIABLE
    if getattr(action._connection, "transport", None) != "local":  # pylint: disable=protected-access
        return "the connection is not local"
    if action._play_context.become:  # pylint: disable=protected-access
        return "become is set"
    if action._task.async_val:  # pylint: disable=protected-access
        return "the task is async"
    if not _http.HAS_REQUESTS:
        return "the controller's Python cannot import requests"
    return None


# Libraries whose log records would reach Ansible's log file in-process (the controller configures
# the root logger for ANSIBLE_LOG_PATH); a module process never shows them.  MSAL logs a token
# endpoint's whole answer, which may echo the request and its credentials.
QUIET_LOGGERS = ("msal", "urllib3", "requests")


@contextlib.contextmanager
def quiet_libraries():
    """The libraries' log records stop at their own loggers while the body runs."""
    saved = []
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate, list(logger.handlers)))
        logger.propagate = False
        logger.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        for logger, propagate, handlers in saved:
            logger.propagate = propagate
            logger.handlers = handlers


_VALIDATORS = {}


def validator_for(task):
    """The ``ArgumentSpecValidator`` of ``task``, made once per process: its constructor deep-copies the
    spec, milliseconds per task for the user module's."""
    validator = _VALIDATORS.get(task)
    if validator is None:
        validator = _VALIDATORS[task] = ArgumentSpecValidator(task.argument_spec, **task.rules)
    return validator


def run_in_process(task, args, check_mode, name, environment=None, invocation=True):
    """The result of ``task`` with ``args``, as a module process of ``name`` would return it."""
    params, no_log_values, warnings, given = {}, set(), [], None
    with task_environment(environment), quiet_libraries():
        try:
            params = plain(args)
            given = given_inputs(task, params)
            no_log_values.update(given.masked)
            refusal = validate(task, params, name, no_log_values, warnings)
            fields = given.validation_failure(refusal) if refusal else run_task(
                task, TaskContext(task, params, check_mode, given.scrubber), given)
        except Exception as exc:  # pylint: disable=broad-except
            # A defect.  The module process would die with a traceback; here the task fails with the
            # error's text, scrubbed and masked (unknown before the options were read: the type only).
            text = type(exc).__name__
            if given is not None:
                text = remove_values(given.scrubber.clean("%s: %s" % (text, exc)), no_log_values)
            return {"failed": True, "msg": "Unexpected error in %s, please report it: %s" % (name, bound(text))}
    return module_result(fields, params, warnings, no_log_values, invocation)


def validate(task, params, name, no_log_values, warnings):
    """Ansible's checks of ``params`` (updated in place), as ``AnsibleModule`` makes them: the ``no_log``
    values and alias warnings added; the message of the first error, worded as ansible-core words it, or None."""
    validation = validator_for(task).validate(params)
    params.update(validation.validated_parameters)
    values, alias_warnings = _validation_extras(validation)
    no_log_values.update(values)
    warnings.extend("Both option %s and its alias %s are set." % (w["option"], w["alias"]) for w in alias_warnings)
    errors = list(validation.errors.errors)  # an AnsibleValidationErrorMultiple is always true
    if not errors:
        return None
    if isinstance(errors[0], UnsupportedError):
        return "Unsupported parameters for (%s) module: %s" % (name, validation.errors.msg)
    return validation.errors.msg


def module_result(fields, params, warnings, no_log_values, invocation):
    """``fields`` as a module process returns them: ``invocation`` (when this release adds it), the warnings
    (Ansible's, then the task's), every ``no_log`` value masked in the whole result.  A traceback is never
    returned: in-process it would be the worker's, and could hold values."""
    result = dict(fields)
    warnings = warnings + result.pop("warnings", [])
    if invocation:
        result.setdefault("invocation", {"module_args": params})
    if warnings:
        result["warnings"] = warnings
    return plain(remove_values(result, no_log_values))
