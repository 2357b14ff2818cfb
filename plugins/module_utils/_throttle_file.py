# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The 429 gate shared by every process of a partner: a small file next to the token cache.

Partner Center throttles per partner tenant, and every fork of a play is its own process, so
the hold one fork learns from a 429's ``Retry-After`` is written to a file the other forks read
before each attempt.  The file holds one time, the moment before which no request may start,
as wall-clock epoch seconds (monotonic clocks are not shared between processes):
``{"not_before": 1767225600.25}``.  It holds no secret: its name is a hash of the API URL and
the partner tenant, so two partners (or two API endpoints) never hold each other back.

Only what this file writes is trusted: a file that is not a regular file owned by the user with
mode 0600, a symbolic link, unreadable or malformed content, or a time further ahead than
``MAX_HOLD`` reads as "no hold", so a stray or hostile file can never stop a run or make it
wait for ever.  Writing (``hold``) happens under an exclusive lock on ``<name>.lock``, reads the
time there, keeps the later one and replaces the file atomically; the directory must be the
user's own and closed to others (0700), as the token cache's is.  A file that cannot be used
only costs the sharing: the threads of one process still share the in-process gate.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import math
import os
import stat
import time

from ansible_collections.csp.partnercenter.plugins.module_utils._retry import ThrottleGate, wait_at_gate
from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import (
    ensure_private_dir, wait_for_lock, write_private_json,
)

# The longest hold the file carries (a longer Retry-After still holds this process's threads
# for its full length); a time further ahead is not believed.
MAX_HOLD = 300.0
# Longest wait for another process that is writing the file.
LOCK_WAIT = 2.0
# The file is a few dozen bytes; anything longer is not one this module wrote.
MAX_SIZE = 256
PREFIX = "throttle-"


def gate_name(api_url, tenant_id):
    """The file name for one partner tenant at one API endpoint (no secret goes in)."""
    material = "\0".join(["throttle", (api_url or "").rstrip("/").lower(), (tenant_id or "").lower()])
    return PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()[:40] + ".json"


def _own_private(st):
    return st.st_uid == os.getuid() and not stat.S_IMODE(st.st_mode) & 0o077


class SharedThrottleGate:
    """``ThrottleGate`` (``hold``, ``pending``, ``wait``) shared by every process using ``directory``.

    ``pending`` is the longer of this process's hold and the file's; ``wait`` sleeps until both
    have passed, and returns False at once when that is past the request's own budget.
    """

    def __init__(self, directory, api_url, tenant_id, sleep=time.sleep, clock=time.monotonic, wall=time.time,
                 max_hold=MAX_HOLD):
        self.directory = os.path.abspath(directory)
        self.path = os.path.join(self.directory, gate_name(api_url, tenant_id))
        self.max_hold = float(max_hold)
        self.local = ThrottleGate(sleep=sleep, clock=clock)
        self._sleep = sleep
        self._wall = wall

    # -- the interface of ThrottleGate ------------------------------------------------------

    def hold(self, seconds):
        self.local.hold(seconds)
        seconds = min(float(seconds), self.max_hold)
        if not seconds > 0:
            return
        try:
            self._write_later(self._wall() + seconds)
        except (OSError, IOError, ValueError):
            pass  # the other processes do not learn of this hold; this one still keeps it

    def pending(self):
        return max(self.local.pending(), self.file_pending())

    def wait(self, budget):
        """Sleep until the gate opens; False (without sleeping) if that is past ``budget``."""
        return wait_at_gate(self, budget)

    # -- the file ---------------------------------------------------------------------------

    def file_pending(self):
        """Seconds until the file's time passes; 0 without a trustworthy file."""
        now = self._wall()
        not_before = self.read()
        if not_before is None:
            return 0.0
        return max(0.0, not_before - now)

    def read(self):
        """The file's ``not_before``, or None if there is no file this module could have written."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except (OSError, IOError):
            return None  # absent, a symbolic link (ELOOP), unreadable
        try:
            return self._parse(fd)
        finally:
            os.close(fd)

    def _parse(self, fd):
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _own_private(st) or st.st_size > MAX_SIZE:
                return None
            data = os.read(fd, MAX_SIZE + 1)
            entry = json.loads(data.decode("utf-8"))
        except (OSError, IOError, ValueError):
            return None
        if not isinstance(entry, dict) or set(entry) != set(["not_before"]):
            return None
        value = entry["not_before"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None
        if value > self._wall() + self.max_hold + 1.0:
            return None  # further ahead than any hold this module writes: not believed
        return float(value)

    def _ensure_dir(self):
        """The directory, created 0700, under the token cache's rules (``_token_cache.ensure_private_dir``)."""
        ensure_private_dir(self.directory, "throttle directory")

    def _write_later(self, not_before):
        """Under the lock: keep the later of ``not_before`` and the file's time, replacing the file."""
        self._ensure_dir()
        lock_path = self.path[:-len(".json")] + ".lock"
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            # Without the lock (a stuck writer) the hold is written all the same: a lost race can
            # at worst replace another fork's later time by this one, never leave none.
            wait_for_lock(fd, LOCK_WAIT)
            current = self.read()
            if current is not None and current >= not_before:
                return
            write_private_json(self.path, {"not_before": round(not_before, 6)}, prefix=".tmp-" + PREFIX)
        finally:
            os.close(fd)  # closing releases the lock
