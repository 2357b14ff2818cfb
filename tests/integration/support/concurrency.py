# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Waiting and coordinating while a playbook runs: polling, a watcher thread, one result per session."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import json
import os
import threading
import time


def wait_until(predicate, timeout=15.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Watcher(threading.Thread):
    """Runs ``action`` once ``condition(emu)`` holds, while a playbook runs in the main thread."""

    def __init__(self, condition, action, timeout=60.0):
        super(Watcher, self).__init__(daemon=True)
        self.condition = condition
        self.action = action
        self.timeout = timeout
        self.fired_at = None
        self.error = None
        self._halt = threading.Event()

    def run(self):
        deadline = time.monotonic() + self.timeout
        try:
            while not self._halt.is_set() and time.monotonic() < deadline:
                if self.condition():
                    self.fired_at = time.time()
                    self.action()
                    return
                time.sleep(0.05)
        except Exception as exc:  # pylint: disable=broad-except
            self.error = exc

    def stop(self):
        self._halt.set()
        self.join(10)
        if self.error is not None:
            raise self.error


def computed_once(tmp_path_factory, name, produce):
    """``produce()`` once per pytest session, even across pytest-xdist workers; JSON result.

    A table-driven test runs one playbook for all its cases; under ``-n 2`` its cases are
    spread over both workers, and each would otherwise run the (slow) playbook again.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = shared / ("%s.json" % name)
    with open(str(shared / ("%s.lock" % name)), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():
                return json.loads(path.read_text(encoding="utf-8"))
            value = produce()
            path.write_text(json.dumps(value), encoding="utf-8")
            return value
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
