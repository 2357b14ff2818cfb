# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the running ansible-core shows a no_log value, and a run that simulates another way of showing it.

ansible-core up to 2.21 prints a value that is a no_log value as the literal
``VALUE_SPECIFIED_IN_NO_LOG_PARAMETER``; 2.22 prints something else (ansible/ansible#87457).  Tests
never spell that marker: they ask ``ansible_no_log_marker()``.  (The collection's own marker, the
password line of a diff, is ``_planner.PASSWORD_MARKER`` and stays the collection's.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

SIMULATION_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "no_log_simulation")
# What the simulation shows instead of the running ansible-core's marker: not its text, and not a form
# any secret of the suite could take.
SIMULATED_MARKER = "<no_log value masked: simulated ansible-core 2.22>"
PROBE = "csp-partnercenter-no-log-probe"


def ansible_masked(value, no_log_values):
    """``value`` as the running ansible-core shows it where ``no_log_values`` are no_log values.

    Asked of ansible-core itself: ``remove_values``, with which ``AnsibleModule`` (a module process)
    and the in-process module object mask results and invocations.
    """
    from ansible.module_utils.common.parameters import remove_values  # pylint: disable=import-outside-toplevel

    return remove_values(value, set(no_log_values))


def ansible_no_log_marker():
    """What the running ansible-core shows in place of a value that is a no_log value (the whole value)."""
    shown = ansible_masked(PROBE, {PROBE})
    assert isinstance(shown, str) and PROBE not in shown, "ansible-core shows a no_log value as %r" % (shown,)
    return shown


def simulation_env(environ=None, marker=SIMULATED_MARKER, leak=False):
    """An environment whose Python processes show no_log values as ``marker`` (or, with ``leak``, unmasked).

    Every ansible-playbook run, worker and module process started with it (and a pytest started with
    it, for ``ansible_no_log_marker``) loads ``no_log_simulation/sitecustomize.py`` first.
    """
    env = dict(os.environ if environ is None else environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SIMULATION_DIR, env.get("PYTHONPATH")]))
    env.pop("PC_TEST_NO_LOG_MARKER", None)
    env.pop("PC_TEST_NO_LOG_LEAK", None)
    if leak:
        env["PC_TEST_NO_LOG_LEAK"] = "1"
    else:
        env["PC_TEST_NO_LOG_MARKER"] = marker
    return env
