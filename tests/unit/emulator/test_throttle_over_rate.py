"""``throttle_over_rate``: 429 with Retry-After once more than N API requests came within a
second; the log's epoch times; ``requestlog.throttle_windows`` over a log."""

import time

from partnercenter_emulator.faults import FaultEngine
from partnercenter_emulator.requestlog import throttle_windows

from conftest import CID

USERS = "/customers/%s/users" % CID


class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_engine_refuses_what_exceeds_the_rate_within_one_second():
    clock = Clock()
    engine = FaultEngine(clock=clock)

    def decide():
        return engine.decide("list_users", "GET", retry_after=2, over_rate=3)

    answers = [decide() for dummy in range(5)]
    assert [a is None for a in answers] == [True, True, True, False, False]
    assert (answers[3].status, answers[3].retry_after, answers[3].source) == \
        (429, 2, "throttle_over_rate")
    clock.now += 0.5
    assert decide() is not None  # the 429s counted too: 6 within the second
    clock.now += 1.0
    assert decide() is None      # only this one within the last second
    assert engine.decide("token", "POST") is None  # identity requests: no rate, not counted


def test_zero_is_off_and_reset_clears_the_window():
    clock = Clock()
    engine = FaultEngine(clock=clock)
    assert all(engine.decide("list_users", "GET", over_rate=0) is None for dummy in range(50))
    for dummy in range(3):
        engine.decide("list_users", "GET", over_rate=3)
    engine.reseed(0)
    assert engine.decide("list_users", "GET", over_rate=3) is None


def test_over_rate_answers_429_with_the_retry_after_knob_and_logs_epoch_times(pc):
    pc.reset(config={"throttle_over_rate": 2, "retry_after": 3})
    pc.token()
    before = time.time()
    statuses = [pc.api("GET", USERS) for dummy in range(4)]
    after = time.time()
    assert [r.status_code for r in statuses][:2] == [200, 200]
    assert 429 in [r.status_code for r in statuses][2:]
    throttled = next(r for r in statuses if r.status_code == 429)
    assert throttled.headers["Retry-After"] == "3"
    entries = [e for e in pc.control("GET", "requests")["requests"] if e["route"] == "list_users"]
    for entry in entries:
        assert before - 0.01 <= entry["started_at"] <= entry["answered_at"] <= after + 0.01
    faulted = [e for e in entries if e["status"] == 429]
    assert faulted and all(e["retry_after"] == 3.0 and e["fault_source"] == "throttle_over_rate"
                           for e in faulted)
    assert all("retry_after" not in e for e in entries if e["status"] == 200)
    assert pc.control("GET", "config")["throttle_over_rate"] == 2


def entry(seq, started, answered, status=200, retry_after=None):
    out = {"seq": seq, "route": "list_users", "started_at": started, "answered_at": answered,
           "status": status}
    if retry_after is not None:
        out["retry_after"] = retry_after
    return out


def test_throttle_windows_names_requests_that_started_during_the_wait():
    log = [
        entry(1, 10.00, 10.05, 429, 2),   # the window 10.05 .. 12.05
        entry(2, 10.01, 10.06, 429, 2),   # in flight: started before the first answer
        entry(3, 10.10, 10.15),           # within the grace: still in flight
        entry(4, 11.00, 11.05),           # early
        entry(5, 12.06, 12.10),           # after the wait
        entry(6, 20.00, 20.05, 429, 1),   # a second window
        entry(7, 21.10, 21.20),
    ]
    report = throttle_windows(log, grace=0.2)
    assert report["throttled"] == 3 and report["windows"] == 2 and report["max_429_per_window"] == 2
    assert [(e["throttled_seq"], e["seq"]) for e in report["early_starts"]] == [(1, 4), (2, 4)]
    assert throttle_windows([entry(1, 1.0, 1.1)], grace=0.0) == {
        "throttled": 0, "windows": 0, "max_429_per_window": 0, "early_starts": []}
