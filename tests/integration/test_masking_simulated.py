# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-core 2.22 shows no_log values differently (ansible/ansible#87457): the masking tests still pass, and still
catch a leak.

``masking.simulation_env`` starts every Python process of a run (ansible-playbook, its workers, the module
processes, a pytest) with ``no_log_simulation/sitecustomize.py``, which makes ansible-core show a no_log value
as ``SIMULATED_MARKER`` instead of its own marker, or, for the deliberate leak, unmasked.  The tests that check
masking (``MASKING_TESTS``) then run again in a pytest of their own: with the simulated marker they pass; with
the leak each of them fails on the leak.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess
import sys
import xml.etree.ElementTree as ET

import harness
from contoso import CONTOSO, upn
from masking import SIMULATED_MARKER, ansible_no_log_marker, simulation_env
from plays import PASSWORD, play, task

# One pytest per line: the unit and the integration test_in_process.py share a basename.
MASKING_TESTS = (
    ("tests/unit/plugins/plugin_utils/test_in_process.py::"
     "test_no_log_values_are_masked_in_the_whole_result_invocation_included",),
    ("tests/integration/test_in_process.py::test_results_say_what_a_module_run_says",
     "tests/integration/test_secrets.py"),
)
# The assertions that report a secret seen: secret_scan.assert_no_form_in's, and a plain "SECRET not in ...".
LEAK_REPORTS = (" shows the raw ", " not in ")
WAYS = {"in-process": {}, "module": {"PARTNERCENTER_IN_PROCESS": "false"}}


def invocation_password(playbook, emu, env):
    """The ``password`` of ``invocation.module_args`` of one create, in-process and as a module process."""
    customer_id = emu.seed([dict(CONTOSO, id="11111111-2222-3333-4444-555555555555")])[0]["id"]
    shown = {}
    for way, way_env in WAYS.items():
        run = playbook(play(task("partnercenter_user", name="create", customer_id=customer_id,
                                 user_principal_name=upn("jane-" + way.replace("-", "")), display_name="Jane",
                                 usage_location="US", password=PASSWORD)),
                       env=dict(env, ANSIBLE_INJECT_INVOCATION="true", **way_env))
        shown[way] = run.result("create")["result"]["invocation"]["module_args"]["password"]
    return shown


def simulation_only(env):
    """The variables ``simulation_env`` sets, for a PlaybookRunner run (which starts from os.environ)."""
    return dict((key, env.get(key)) for key in ("PYTHONPATH", "PC_TEST_NO_LOG_MARKER", "PC_TEST_NO_LOG_LEAK"))


def run_masking_tests(tmp_path, env):
    """The masking tests in pytests of their own with ``env``: ({test id: failure text or None}, exit codes, output)."""
    outcomes, codes, output = {}, [], ""
    for number, tests in enumerate(MASKING_TESTS):
        report = tmp_path / ("report%d.xml" % number)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0",
             "--basetemp", str(tmp_path / ("tmp%d" % number)), "--junitxml", str(report)] + list(tests),
            cwd=str(harness.REPO_ROOT), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=1200, check=False)
        output += done.stdout[-3000:]
        assert report.exists(), "pytest wrote no report (rc %s):\n%s" % (done.returncode, done.stdout[-3000:])
        cases = list(ET.parse(str(report)).getroot().iter("testcase"))
        assert cases, "pytest ran no test (rc %s):\n%s" % (done.returncode, done.stdout[-3000:])
        for case in cases:
            problems = case.findall("failure") + case.findall("error")
            outcomes["%s::%s" % (case.get("classname"), case.get("name"))] = (
                "\n".join((p.get("message") or "") + "\n" + (p.text or "") for p in problems) if problems else None)
        codes.append(done.returncode)
    return outcomes, codes, output


def test_the_simulation_reaches_every_process_that_masks(playbook, emu):
    # Without it, the running ansible-core's own marker, both ways; with it, the simulated one; with the
    # leak, the password itself.  So the runs below really do see another marker, and a real leak.
    marker = ansible_no_log_marker()
    assert marker != SIMULATED_MARKER
    assert invocation_password(playbook, emu, {}) == {"in-process": marker, "module": marker}
    assert invocation_password(playbook, emu.clean(), simulation_only(simulation_env())) == {
        "in-process": SIMULATED_MARKER, "module": SIMULATED_MARKER}
    assert invocation_password(playbook, emu.clean(), simulation_only(simulation_env(leak=True))) == {
        "in-process": PASSWORD, "module": PASSWORD}


def test_the_masking_tests_pass_with_another_marker(tmp_path):
    outcomes, codes, output = run_masking_tests(tmp_path, simulation_env())
    failed = dict((test, message) for test, message in outcomes.items() if message)
    assert not failed and codes == [0] * len(MASKING_TESTS), "%s\n%s" % (failed, output)


def test_the_masking_tests_catch_a_leak(tmp_path):
    outcomes, codes, _output = run_masking_tests(tmp_path, simulation_env(leak=True))
    assert all(codes)
    for test, message in outcomes.items():
        assert message, "%s passed although ansible-core showed the secret unmasked" % test
        assert any(report in message for report in LEAK_REPORTS), "%s failed, but not on the leak:\n%s" % (
            test, message[-2000:])
