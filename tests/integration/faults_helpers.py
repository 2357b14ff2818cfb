# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Small helpers shared by the reliability and security tests (faults, bad input, secrets, TLS, concurrency)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import datetime
import fcntl
import json
import os
import threading
import time

from plays import PASSWORD, task

CONTOSO = {"companyName": "Contoso", "domain": "contoso.onmicrosoft.com"}
DOMAIN = CONTOSO["domain"]


def upn(name):
    return "%s@%s" % (name, DOMAIN)


def person(name, password=PASSWORD, **overrides):
    """One item of the many-users form (``users:``) for a user that can be created."""
    item = dict(upn=upn(name), first_name=name.capitalize(), last_name="Tester",
                display_name="%s Tester" % name.capitalize(), usage_location="US", password=password)
    item.update(overrides)
    return item


def users_task(customer_id, users, name="users", **args):
    return task("partnercenter_user", name=name, customer_id=customer_id, users=list(users), **args)


def seed_contoso(emu, **extra):
    """Seed one customer; return its id with an empty request log."""
    customer_id = emu.seed([dict(CONTOSO, **extra)])[0]["id"]
    emu.clear_requests()
    return customer_id


def upn_counts(emu, customer_id):
    """Lower-case UPN -> how many user objects (active or not, visible or not) carry it."""
    return collections.Counter(u["userPrincipalName"].lower() for u in emu.users(customer_id))


def assert_each_exists_once(emu, customer_id, upns):
    """Every declared UPN is one active user object, and there is no other user object for it."""
    users = emu.users(customer_id)
    counts = collections.Counter(u["userPrincipalName"].lower() for u in users)
    wanted = [u.lower() for u in upns]
    assert {u: counts[u] for u in wanted} == {u: 1 for u in wanted}, counts
    states = {u["userPrincipalName"].lower(): u["state"] for u in users}
    assert {u: states[u] for u in wanted} == {u: "active" for u in wanted}


def arrival(record):
    """When the emulator received a request (the log is ordered by completion, not arrival)."""
    return datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def by_arrival(records):
    return sorted(records, key=lambda r: (arrival(r), r.get("seq") or 0))


def body_upn(record):
    body = record.get("body") or {}
    return (body.get("userPrincipalName") or "").lower()


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
