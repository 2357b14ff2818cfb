# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A partnercenter module run inside the controller's worker process, without a module process.

A module task on the controller costs a new Python interpreter, an unpacked AnsiballZ payload
and the imports of ``ansible.module_utils.basic`` and ``requests``, per host.  The action
plugins run the module's own code (``module_utils``) here instead, on a ``ControllerModule``:
the part of ``AnsibleModule`` that code uses, doing what ``AnsibleModule`` does for it:

* the options checked by ansible-core's ``ArgumentSpecValidator`` (the validator
  ``AnsibleModule`` uses), with its messages, the alias warnings and "Unsupported parameters
  for (name) module" worded the same;
* environment fallbacks read from the controller's environment plus the task's
  ``environment`` keyword, as the module process would see them;
* every ``no_log`` value (and what the module adds to ``no_log_values``) masked in the whole
  result by ``remove_values``, ``invocation.module_args`` included;
* ``exit_json`` and ``fail_json`` return the result (as ``ModuleExit``) instead of exiting.

What differs between ansible-core releases for this is decided in one function each:
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
from ansible_collections.csp.partnercenter.plugins.module_utils._module import PartnerCenterTask
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import bound


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


class ModuleExit(Exception):
    """``exit_json`` or ``fail_json`` was called: ``result`` is the module's result, masked."""

    def __init__(self, result):
        super(ModuleExit, self).__init__("module exit")
        self.result = result


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


def validator_for(argument_spec, **rules):
    """The ``ArgumentSpecValidator`` of ``argument_spec`` (the same dict object) and ``rules``, made once per
    process: its constructor deep-copies the spec, milliseconds per task for the user module's."""
    cached = _VALIDATORS.get(id(argument_spec))
    if cached is None or cached[0] is not argument_spec or cached[1] != rules:
        cached = _VALIDATORS[id(argument_spec)] = (argument_spec, rules, ArgumentSpecValidator(argument_spec, **rules))
    return cached[2]


class ControllerModule(object):
    """The ``AnsibleModule`` interface the collection's module code uses, for a run in the worker."""

    def __init__(self, argument_spec, supports_check_mode=False, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None, args=None, check_mode=False, diff=False,
                 name="module", invocation=True):
        self._name = name
        self._invocation = invocation
        self.argument_spec = argument_spec
        self.check_mode = bool(check_mode)
        self._diff = bool(diff)
        self.no_log_values = set()
        self._warnings = []
        self._args = args or {}
        self.params = {}
        self._load_params()
        validator = validator_for(argument_spec, mutually_exclusive=mutually_exclusive,
                                  required_together=required_together, required_one_of=required_one_of,
                                  required_if=required_if, required_by=required_by)
        validation = validator.validate(self.params)
        self.params.update(validation.validated_parameters)
        no_log_values, alias_warnings = _validation_extras(validation)
        self.no_log_values.update(no_log_values)
        for warning in alias_warnings:
            self.warn("Both option %s and its alias %s are set." % (warning["option"], warning["alias"]))
        errors = list(validation.errors.errors)  # an AnsibleValidationErrorMultiple is always true
        if errors:
            message = validation.errors.msg
            if isinstance(errors[0], UnsupportedError):
                message = "Unsupported parameters for (%s) module: %s" % (self._name, message)
            self.fail_json(msg=message)
        if self.check_mode and not supports_check_mode:
            self.exit_json(skipped=True, msg="remote module (%s) does not support check mode" % self._name)

    def _load_params(self):
        self.params = plain(self._args)

    def warn(self, warning):
        self._warnings.append(warning)

    def exit_json(self, **kwargs):
        raise ModuleExit(self._formatted(kwargs))

    def fail_json(self, msg=None, exception=None, **kwargs):  # pylint: disable=unused-argument
        # A traceback is never returned: in-process it would be the worker's, and could hold values.
        kwargs.update(failed=True, msg=str(msg))
        raise ModuleExit(self._formatted(kwargs))

    def _formatted(self, result):
        if self._invocation:
            result.setdefault("invocation", {"module_args": self.params})
        if self._warnings:
            result["warnings"] = list(self._warnings)
        return plain(remove_values(result, self.no_log_values))


class InProcessModule(PartnerCenterTask, ControllerModule):
    """``PartnerCenterModule`` for a run in the worker: same options, checks, scrubbing and results."""


def run_in_process(body, module_arguments, args, check_mode, diff, name, environment=None, invocation=True):
    """The result of ``body(module)`` on an ``InProcessModule``, as the module process would return it."""
    kwargs = dict(module_arguments)
    kwargs.update(args=args, check_mode=check_mode, diff=diff, name=name, invocation=invocation)
    module = None
    with task_environment(environment), quiet_libraries():
        try:
            module = InProcessModule(**kwargs)
            body(module)
        except ModuleExit as done:
            return done.result
        except Exception as exc:  # pylint: disable=broad-except
            # A defect.  The module process would die with a traceback; here the task fails with the
            # error's text, scrubbed and masked (unknown before the options were read: the type only).
            text = type(exc).__name__
            if module is not None:
                text = remove_values(module.scrubber.scrub("%s: %s" % (text, exc)), module.no_log_values)
            return {"failed": True, "msg": "Unexpected error in %s, please report it: %s" % (name, bound(text))}
    return {"failed": True, "msg": "%s returned without a result" % name}
