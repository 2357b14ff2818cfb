# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""The one retry policy, for API calls and token requests alike.

``decide`` is pure: given what one attempt got (a status or a transport failure), how
many attempts were made and how much of the budget is left, it says what to do next.
``ThrottleGate`` makes one 429 hold back every thread that shares it, never longer than
a waiting request's own budget; ``RequestPacer`` spaces the requests of every thread that shares
it to a rate, so that a run stays under a request budget before Partner Center says 429.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
MAX_ATTEMPTS = 8

# What to do after an attempt.
DONE = "done"            # an answer to hand to the caller (success or a final error status)
RETRY = "retry"          # wait ``wait`` seconds, then send again
GIVE_UP = "give_up"      # retrying could help, but the budget or the attempts ran out
AMBIGUOUS = "ambiguous"  # a write may or may not have been applied: the caller must look before resending
FAIL = "fail"            # retrying cannot help (a redirect, a name that does not resolve, TLS ...)

# Transport failures, as ``_http.classify_transport`` names them.
TIMEOUT, CONNECTION, REFUSED, DNS, TLS = "timeout", "connection error", "connection refused", "name resolution", "TLS error"
# Failures of reading an answer's body (``_http.read_body``): still arriving at the attempt's deadline, or past the
# size cap.  Both come after the request was sent.
DEADLINE, TOO_LARGE = "deadline", "body too large"

# A retry is made only when its wait leaves its attempt this long (or its ``timeout``, if smaller), and no attempt is
# sent with less: a create sent a moment before the budget runs out could only end ambiguous.
MIN_ATTEMPT_SECONDS = 1.0

# Statuses that are worth sending again: the server may answer differently next time.
TRANSIENT_STATUSES = frozenset([408, 500, 502, 503, 504])


def backoff_delay(attempt, rng):
    """Jittered exponential backoff: 0.5 s doubling per attempt, capped at 30 s."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt)) * rng.uniform(0.5, 1.0)


class Decision:
    __slots__ = ("action", "wait", "reason")

    def __init__(self, action, wait=0.0, reason=None):
        self.action = action
        self.wait = wait
        self.reason = reason

    def __repr__(self):
        return "Decision(%s, %.3g, %r)" % (self.action, self.wait, self.reason)


def decide(attempt, remaining, idempotent, backoff, status=None, retry_after=None, transport=None,
           sent=True, loopback=False, max_attempts=MAX_ATTEMPTS, in_progress=False):
    """What to do after attempt number ``attempt`` (1-based); pure.

    ``status``: the HTTP status that came back, or ``None`` when ``transport`` names a
    transport failure and ``sent`` says whether the request may have reached the server.
    ``backoff`` is the jittered delay for this attempt, ``remaining`` the seconds left.
    A 401 is the caller's business (one token refresh) and comes back as DONE.  ``in_progress``:
    a 409 that says another request is processing the object, refused before any work.

    An answer whose body was still arriving at the attempt's deadline (``DEADLINE``) is a timeout
    after sending, whatever its status said: a read or an idempotent write is sent again within the
    budget, and a create is AMBIGUOUS (it may have been applied; the caller looks before resending).
    A body past the size cap (``TOO_LARGE``) is not asked for again (the same server would send the
    same), and leaves a create AMBIGUOUS as well.
    """
    if status is None:
        if transport in (DNS, TLS):
            return Decision(FAIL, reason=transport)
        if transport == REFUSED and not loopback:
            return Decision(FAIL, reason=transport)
        if sent and not idempotent:
            return Decision(AMBIGUOUS, reason=transport)
        if transport == TOO_LARGE:
            return Decision(FAIL, reason=transport)
        return _retry(attempt, remaining, backoff, transport, max_attempts)
    if 300 <= status < 400:
        return Decision(FAIL, reason="redirect (HTTP %s)" % status)
    if status == 429:
        # Refused before any work, whatever the method: safe to resend after the wait.
        return _retry(attempt, remaining, backoff if retry_after is None else retry_after,
                      "throttled (HTTP 429)", max_attempts)
    if status == 409 and in_progress:
        return _retry(attempt, remaining, backoff if retry_after is None else retry_after,
                      "in progress (HTTP 409)", max_attempts)
    if status in TRANSIENT_STATUSES:
        if not idempotent:
            return Decision(AMBIGUOUS, reason="HTTP %s" % status)
        return _retry(attempt, remaining, backoff if retry_after is None else retry_after,
                      "HTTP %s" % status, max_attempts)
    return Decision(DONE)


def _retry(attempt, remaining, wait, reason, max_attempts):
    if attempt >= max_attempts or wait > remaining:
        return Decision(GIVE_UP, wait, reason)
    return Decision(RETRY, wait, reason)


class Budget:
    """The seconds one request may spend waiting, from its first attempt."""

    def __init__(self, seconds, clock=time.monotonic):
        self.seconds = float(seconds)
        self._clock = clock
        self.started = clock()
        self.deadline = self.started + self.seconds

    def remaining(self):
        return self.deadline - self._clock()

    def attempt_seconds(self, timeout):
        """The seconds an attempt starting now may take in all (connecting, sending, the whole answer).

        ``timeout``, but never past the budget, so that every attempt, and so the whole request, ends
        within ``retry_budget``.  A budget below ``timeout`` (0: no retries) bounds the request by
        ``timeout`` instead: its first attempt always gets that much.
        """
        ends = self.started + max(self.seconds, timeout)
        return max(0.0, min(float(timeout), ends - self._clock()))


def wait_at_gate(gate, budget):
    """Sleep until ``gate.pending()`` is over; False (without sleeping) if that is past ``budget``.

    Shared by this file's ``ThrottleGate`` and ``_throttle_file.SharedThrottleGate`` (``gate._sleep``).
    """
    while True:
        wait = gate.pending()
        if wait <= 0:
            return True
        if wait > budget.remaining():
            return False
        gate._sleep(wait)  # pylint: disable=protected-access


class ThrottleGate:
    """After a 429, every request that shares the gate waits until ``Retry-After`` has passed.

    Only a request that will really retry closes the gate, and a waiting request never waits
    past its own budget: ``wait`` returns False instead, and the request gives up.
    """

    def __init__(self, sleep=time.sleep, clock=time.monotonic):
        self._lock = threading.Lock()
        self._not_before = 0.0
        self._sleep = sleep
        self._clock = clock

    def hold(self, seconds):
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def pending(self):
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def wait(self, budget):
        """Sleep until the gate opens; False (without sleeping) if that is past ``budget``."""
        return wait_at_gate(self, budget)


class RequestPacer:
    """At most ``rate`` requests a second among the threads that share it: each request takes the next slot.

    The slots are ``1 / rate`` apart (a token bucket holding one token, so no burst: a budget of
    N a second is never N at once).  ``wait`` returns False without taking a slot when the slot
    is past the request's own budget, as ``ThrottleGate.wait`` does.
    """

    def __init__(self, rate, sleep=time.sleep, clock=time.monotonic):
        if not rate > 0:
            raise ValueError("a request rate must be positive")
        self.rate = float(rate)
        self.interval = 1.0 / self.rate
        self._lock = threading.Lock()
        self._next = 0.0
        self._sleep = sleep
        self._clock = clock

    def reserve(self, remaining):
        """Take the next slot: the seconds until it comes, or None (no slot taken) if that is past ``remaining``."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            if slot - now > remaining:
                return None
            self._next = slot + self.interval
            return slot - now

    def wait(self, budget):
        """Sleep until this request's slot; False (without sleeping) if that is past ``budget``."""
        return pace_at(self, budget)


def pace_at(pacer, budget):
    """Take ``pacer``'s next slot and sleep until it comes; False (without sleeping) if that is past ``budget``.

    Shared by this file's ``RequestPacer`` and ``_throttle_file.SharedRequestPacer``.
    """
    delay = pacer.reserve(budget.remaining())
    if delay is None:
        return False
    if delay > 0:
        pacer._sleep(delay)  # pylint: disable=protected-access
    return True
