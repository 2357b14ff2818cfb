# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulate another ansible-core no_log marker in every Python process started with this directory first on PYTHONPATH.

Up to 2.21 ansible-core shows a value that is a no_log value as the literal
``VALUE_SPECIFIED_IN_NO_LOG_PARAMETER``; 2.22 shows something else (ansible/ansible#87457).  With
``PC_TEST_NO_LOG_MARKER`` set, ``ansible.module_utils.common.parameters`` shows such a value as that text
instead, wherever it is imported: by ansible-playbook and its workers (the in-process module object), by
pytest, and by a module process, whose copy comes from the AnsiballZ payload (so the patch is an import
hook, not an import).  With ``PC_TEST_NO_LOG_LEAK=1`` it shows the value itself: a deliberate leak that
the test suite must catch.  Without either variable this file does nothing.

Used by tests/integration/masking.py (``simulation_env``) and test_masking_simulated.py.
"""

import importlib.abc
import os
import sys

TARGET = "ansible.module_utils.common.parameters"
MARKER_VARIABLE = "PC_TEST_NO_LOG_MARKER"
LEAK_VARIABLE = "PC_TEST_NO_LOG_LEAK"
PROBE = "csp-partnercenter-simulation-probe"


def patch(parameters, shown):
    """Make ``parameters`` show a whole no_log value as ``shown(value)`` where it showed its own marker."""
    original = parameters._remove_values_conditions  # pylint: disable=protected-access
    own_marker = original(PROBE, {PROBE}, [])  # what this ansible-core shows; never spelled out here

    def conditions(value, no_log_strings, deferred_removals):
        result = original(value, no_log_strings, deferred_removals)
        if isinstance(result, str) and result == own_marker and value != own_marker:
            return shown(value)
        return result

    parameters._remove_values_conditions = conditions  # pylint: disable=protected-access


class PatchingLoader(importlib.abc.Loader):
    """The loader that found ``TARGET`` (a file, or AnsiballZ's zip), then ``patch``."""

    def __init__(self, inner, shown):
        self.inner = inner
        self.shown = shown

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        self.inner.exec_module(module)
        patch(module, self.shown)


class PatchingFinder(importlib.abc.MetaPathFinder):
    """Finds ``TARGET`` with the finders after it and hands it to ``PatchingLoader``."""

    def __init__(self, shown):
        self.shown = shown

    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = PatchingLoader(spec.loader, self.shown)
                return spec
        return None


def shown_by_environment():
    """What a whole no_log value is shown as, from the environment; None: no simulation."""
    if os.environ.get(LEAK_VARIABLE) == "1":
        return lambda value: value
    marker = os.environ.get(MARKER_VARIABLE)
    if marker:
        return lambda value: marker
    return None


def install():
    shown = shown_by_environment()
    if shown is None:
        return
    if TARGET in sys.modules:
        patch(sys.modules[TARGET], shown)
    sys.meta_path.insert(0, PatchingFinder(shown))


install()
