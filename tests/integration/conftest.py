# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration suite.

- ``emulator`` (session): the Partner Center emulator subprocess plus its control client; one per
  profile (``emulator_profile``: ``default``, or ``entra`` for tests marked ``both_profiles``).
- ``emu`` (function): the same object, reset before the test (empty seed, default
  config, no faults, empty request log).  After the test, its request log must hold no Microsoft
  Graph request unless the test (or its module) is marked ``uses_graph``: a task that declares no
  Graph option sends none, which every suite checks this way.
- ``playbook`` (function): a ``harness.PlaybookRunner``; call it with playbook YAML
  (or a path, or a list of plays) to run ``ansible-playbook`` against the emulator.
  It uses ``emu``, so the emulator is clean when the test starts; mark a test
  ``@pytest.mark.no_emulator`` to run playbooks without starting the emulator.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# The helpers in support/ (harness.py, plays.py, contoso.py, ...) are imported by their names.
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))

import harness  # noqa: E402  pylint: disable=wrong-import-position


# The emulator's profiles (tests/emulator/partnercenter_emulator/README.md): "default" answers as
# Partner Center documents; "entra" answers the way Entra ID most likely does where the docs are
# silent.  Tests marked both_profiles run under each, and their ids name the profile.
PROFILES = ("default", "entra")


def pytest_configure(config):
    config.addinivalue_line("markers", "no_emulator: the test runs playbooks without the Partner Center emulator")
    config.addinivalue_line("markers", "both_profiles: run the test against the emulator's default and entra "
                                       "profiles")
    config.addinivalue_line("markers", "uses_graph: the test's tasks may call Microsoft Graph (others must not)")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("both_profiles") and "emulator_profile" in metafunc.fixturenames:
        metafunc.parametrize("emulator_profile", PROFILES, indirect=True, scope="session")


@pytest.fixture(scope="session")
def emulator_profile(request):
    # PCEMU_PROFILE=entra runs the whole suite under the entra profile.
    return getattr(request, "param", os.environ.get("PCEMU_PROFILE") or "default")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory, emulator_profile):
    instance = harness.start_emulator(tmp_path_factory.mktemp("emulator-%s" % emulator_profile),
                                      profile=emulator_profile)
    try:
        yield instance
    finally:
        harness.stop_process(instance.process)


@pytest.fixture
def emu(request, emulator):
    yield emulator.clean()
    if request.node.get_closest_marker("uses_graph") is None and emulator.process.poll() is None:
        graph = [(r.get("method"), r.get("path")) for r in emulator.requests() if r.get("api") == "graph"]
        assert graph == [], "a test whose tasks declare no Graph option sent Microsoft Graph requests: %s" % graph


@pytest.fixture
def playbook(request, tmp_path):
    if request.node.get_closest_marker("no_emulator"):
        emulator_instance = None
    else:
        emulator_instance = request.getfixturevalue("emu")
    return harness.PlaybookRunner(tmp_path / "ansible", emulator=emulator_instance,
                                  token_cache_dir=tmp_path / "token-cache")
