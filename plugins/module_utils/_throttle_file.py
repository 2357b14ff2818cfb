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

``SharedRequestPacer`` shares a request budget the same way: a second file, ``pace-<hash>.json``,
holds the next free slot (``{"next_slot": ...}``), and every request of every fork takes one
under the lock before it is sent, so the forks of a machine together stay within the rate
(``request_rate`` divided by ``job_slices``: a sliced job's other slices run elsewhere and take
their own shares).  It paces before Partner Center answers 429; the hold above still honours
what comes back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import math
import os
import stat
import time

from ansible_collections.csp.partnercenter.plugins.module_utils._retry import (
    RequestPacer, ThrottleGate, pace_at, wait_at_gate,
)
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
PACE_PREFIX = "pace-"


def gate_name(api_url, tenant_id, prefix=PREFIX):
    """The file name for one partner tenant at one API endpoint (no secret goes in)."""
    material = "\0".join([prefix.rstrip("-"), (api_url or "").rstrip("/").lower(), (tenant_id or "").lower()])
    return prefix + hashlib.sha256(material.encode("utf-8")).hexdigest()[:40] + ".json"


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
        return read_time(self.path, "not_before", self._wall() + self.max_hold + 1.0)

    def _write_later(self, not_before):
        """Under the lock: keep the later of ``not_before`` and the file's time, replacing the file."""
        with _locked(self.directory, self.path, "throttle directory"):
            current = self.read()
            if current is not None and current >= not_before:
                return
            write_private_json(self.path, {"not_before": round(not_before, 6)}, prefix=".tmp-" + PREFIX)


class SharedRequestPacer:
    """``_retry.RequestPacer`` (``reserve``, ``wait``) shared by every process using ``directory``.

    Each request takes the next slot of the file ``pace-<hash>.json`` under its lock (which holds back
    this process's threads as well as other processes): the later of now and the file's ``next_slot``,
    and moves the file on by ``1 / rate``.  A file
    that cannot be used leaves this process pacing its own threads (``local``), as the gate does.
    """

    def __init__(self, directory, api_url, tenant_id, rate, sleep=time.sleep, clock=time.monotonic,
                 wall=time.time, max_ahead=MAX_HOLD):
        self.directory = os.path.abspath(directory)
        self.path = os.path.join(self.directory, gate_name(api_url, tenant_id, PACE_PREFIX))
        self.local = RequestPacer(rate, sleep=sleep, clock=clock)
        self.rate, self.interval = self.local.rate, self.local.interval
        self.max_ahead = float(max_ahead)
        self._sleep = sleep
        self._wall = wall

    def reserve(self, remaining):
        """Take the next slot of every process: the seconds until it comes, or None (none taken) if past ``remaining``."""
        try:
            with _locked(self.directory, self.path, "throttle directory"):
                now = self._wall()
                shared = read_time(self.path, "next_slot", now + self.max_ahead + 1.0)
                slot = max(now, shared or 0.0)
                if slot - now > remaining:
                    return None
                write_private_json(self.path, {"next_slot": round(slot + self.interval, 6)},
                                   prefix=".tmp-" + PACE_PREFIX)
                return slot - now
        except (OSError, IOError, ValueError):
            return self.local.reserve(remaining)  # the other processes are not paced with this one

    def wait(self, budget):
        """Sleep until this request's slot; False (without sleeping) if that is past ``budget``."""
        return pace_at(self, budget)


def read_time(path, key, latest):
    """The time ``{key: time}`` in the file at ``path``, or None if there is no file this module could have
    written: not a regular file of ours closed to others, a link, too long, malformed, or later than ``latest``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, IOError):
        return None  # absent, a symbolic link (ELOOP), unreadable
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _own_private(st) or st.st_size > MAX_SIZE:
            return None
        entry = json.loads(os.read(fd, MAX_SIZE + 1).decode("utf-8"))
    except (OSError, IOError, ValueError):
        return None
    finally:
        os.close(fd)
    if not isinstance(entry, dict) or set(entry) != set([key]):
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if value > latest:
        return None  # further ahead than anything this module writes: not believed
    return float(value)


class _locked:
    """The exclusive lock ``<name>.lock`` next to ``path`` (the directory made the user's own, 0700, first).

    Without the lock (a stuck holder, after ``LOCK_WAIT``) the body runs all the same: a lost race can at
    worst replace another process's time by this one, never leave none.
    """

    def __init__(self, directory, path, what):
        self.directory, self.what = directory, what
        self.lock_path = path[:-len(".json")] + ".lock"
        self.fd = None

    def __enter__(self):
        ensure_private_dir(self.directory, self.what)
        self.fd = os.open(self.lock_path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                          0o600)
        wait_for_lock(self.fd, LOCK_WAIT)
        return self

    def __exit__(self, *exc_info):
        os.close(self.fd)  # closing releases the lock
        return False
