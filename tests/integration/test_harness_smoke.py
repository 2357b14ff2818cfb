# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Smoke test for the playbook harness: needs neither the collection nor the emulator."""

from __future__ import annotations

import pytest

PLAYBOOK = """
- name: Harness smoke test
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Say hello
      ansible.builtin.debug:
        msg: "hello {{ who }}"

    - name: Report a change
      ansible.builtin.set_fact:
        answer: 42
      changed_when: true

    - name: Skip me
      ansible.builtin.debug:
        msg: never
      when: false

    - name: Loop
      ansible.builtin.debug:
        msg: "{{ item }}"
      loop: [a, b]
"""


@pytest.mark.no_emulator
def test_playbook_results_are_recorded(playbook):
    run = playbook(PLAYBOOK, extra_vars={"who": "world"})
    assert run.rc == 0
    assert "TASK [Say hello]" in run.stdout  # the default stdout callback is still in place
    hello = run.result("Say hello")
    assert hello["host"] == "localhost"
    assert hello["result"]["msg"] == "hello world"
    assert not hello["changed"] and not hello["failed"]
    assert run.result("Report a change")["changed"] is True
    assert run.result("Skip me")["skipped"] is True
    assert [item["result"]["msg"] for item in run.items] == ["a", "b"]
    assert run.stats["localhost"]["failures"] == 0
    assert run.log_path.exists()
    with pytest.raises(KeyError):
        run.result("No such task")


@pytest.mark.no_emulator
def test_failure_is_reported(playbook):
    run = playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Fail on purpose
      ansible.builtin.fail:
        msg: boom
""", expect_rc=2)
    assert run.result("Fail on purpose")["failed"] is True
    with pytest.raises(AssertionError, match="expected 0"):
        playbook("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.fail:\n")


@pytest.mark.no_emulator
def test_inventory_uses_test_interpreter(playbook):
    run = playbook("""
- hosts: all
  gather_facts: false
  tasks:
    - name: Interpreter
      ansible.builtin.command: "{{ ansible_python_interpreter }} -c 'import sys; print(sys.prefix)'"
      changed_when: false
""", inventory="host1\nhost2\n", forks=2)
    assert {r["host"] for r in run.results} == {"host1", "host2"}
    assert run.result("Interpreter", host="host1")["result"]["rc"] == 0
