# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one retry decision: what to do after an attempt, given its answer and the budget left."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils import _retry
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import (
    AMBIGUOUS, DONE, FAIL, GIVE_UP, RETRY, Budget, ThrottleGate, decide,
)


def after(status=None, transport=None, sent=True, idempotent=True, attempt=1, remaining=100.0, retry_after=None,
          loopback=False, backoff=0.7, in_progress=False):
    return decide(attempt, remaining, idempotent, backoff, status=status, retry_after=retry_after,
                  transport=transport, sent=sent, loopback=loopback, in_progress=in_progress)


@pytest.mark.parametrize("status", [200, 201, 204, 400, 401, 403, 404, 409])
def test_answers_retrying_cannot_change_go_back_to_the_caller(status):
    assert after(status=status).action == DONE


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_nor_retried(status):
    decision = after(status=status)
    assert decision.action == FAIL and "redirect" in decision.reason


def test_429_waits_exactly_retry_after_for_any_method():
    for idempotent in (True, False):
        decision = after(status=429, retry_after=7, idempotent=idempotent)
        assert (decision.action, decision.wait) == (RETRY, 7)


def test_429_without_retry_after_backs_off():
    assert (after(status=429).action, after(status=429).wait) == (RETRY, 0.7)


def test_a_retry_after_longer_than_the_budget_gives_up_at_once():
    decision = after(status=429, retry_after=90, remaining=10)
    assert decision.action == GIVE_UP and decision.wait == 90


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_transient_statuses_are_retried_for_reads_and_ambiguous_for_creates(status):
    assert after(status=status).action == RETRY
    assert after(status=status, idempotent=False).action == AMBIGUOUS


def test_attempts_run_out():
    assert after(status=503, attempt=_retry.MAX_ATTEMPTS).action == GIVE_UP


@pytest.mark.parametrize("transport", [_retry.DNS, _retry.TLS])
def test_name_resolution_and_tls_failures_fail_fast(transport):
    assert after(transport=transport, sent=False).action == FAIL


def test_connection_refused_fails_fast_except_on_loopback():
    assert after(transport=_retry.REFUSED, sent=False).action == FAIL
    assert after(transport=_retry.REFUSED, sent=False, loopback=True).action == RETRY


def test_a_create_whose_request_may_have_arrived_is_ambiguous_but_one_never_sent_is_retried():
    assert after(transport=_retry.TIMEOUT, sent=True, idempotent=False).action == AMBIGUOUS
    assert after(transport=_retry.CONNECTION, sent=False, idempotent=False).action == RETRY
    assert after(transport=_retry.TIMEOUT, sent=True).action == RETRY


def test_backoff_doubles_with_jitter_and_is_capped():
    class Half:
        @staticmethod
        def uniform(low, high):
            return high

    assert [_retry.backoff_delay(n, Half()) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 30.0]


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


def test_the_gate_holds_every_sharer_until_retry_after_has_passed():
    time = FakeTime()
    gate = ThrottleGate(sleep=time.sleep, clock=time.clock)
    gate.hold(5)
    assert gate.wait(Budget(60, clock=time.clock)) is True
    assert time.slept == [5] and gate.pending() == 0


def test_the_gate_never_holds_a_request_past_its_own_budget():
    time = FakeTime()
    gate = ThrottleGate(sleep=time.sleep, clock=time.clock)
    gate.hold(90)
    assert gate.wait(Budget(10, clock=time.clock)) is False
    assert time.slept == []


def test_a_409_in_progress_is_retried_but_a_conflict_is_not():
    assert after(status=409, in_progress=True, idempotent=False).action == RETRY
    assert after(status=409).action == DONE


def test_an_answer_still_arriving_at_the_attempts_deadline_counts_as_a_timeout_after_sending():
    # a read (or an idempotent write) is sent again; a create may have been applied
    assert after(transport=_retry.DEADLINE).action == RETRY
    assert after(transport=_retry.DEADLINE, idempotent=False).action == AMBIGUOUS
    assert after(transport=_retry.DEADLINE, remaining=0.2).action == GIVE_UP


def test_an_answer_past_the_size_cap_is_not_asked_for_again_and_leaves_a_create_ambiguous():
    assert after(transport=_retry.TOO_LARGE).action == FAIL
    assert after(transport=_retry.TOO_LARGE, idempotent=False).action == AMBIGUOUS


def test_each_attempt_gets_timeout_but_never_runs_past_the_budget():
    time = FakeTime()
    budget = Budget(120, clock=time.clock)
    assert budget.attempt_seconds(30) == 30
    time.now = 100.0
    assert budget.attempt_seconds(30) == 20
    time.now = 125.0
    assert budget.attempt_seconds(30) == 0  # nothing left: the caller gives up without sending


def test_a_budget_below_timeout_bounds_the_call_by_timeout_instead():
    time = FakeTime()
    budget = Budget(0, clock=time.clock)  # retry_budget 0: no retries, yet the one attempt gets its timeout
    assert budget.attempt_seconds(30) == 30
    time.now = 25.0
    assert budget.attempt_seconds(30) == 5
