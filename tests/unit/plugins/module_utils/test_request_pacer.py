# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request budget: every fork of a machine takes its slot from one file, a slice takes its share of the
job's rate, requests are spaced evenly before they are sent, and a file this module did not write paces nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import multiprocessing
import os
import threading
import time

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils import _connection
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import check_connection_options
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._http import RetryLoop
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import Budget, RequestPacer
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._throttle_file import (
    PACE_PREFIX, SharedRequestPacer, gate_name,
)
from ansible_collections.csp.partnercenter.tests.unit.plugins.module_utils.test_throttle_file import FakeTime

API = "https://api.partnercenter.microsoft.com"
GRAPH = "https://graph.microsoft.com"
TENANT = "11111111-1111-1111-1111-111111111111"
CUSTOMER = "22222222-2222-2222-2222-222222222222"
FORK = multiprocessing.get_context("fork")


def shared(directory, rate, fake=None, url=API, tenant=TENANT):
    if fake is None:
        return SharedRequestPacer(str(directory), url, tenant, rate)
    return SharedRequestPacer(str(directory), url, tenant, rate, sleep=fake.sleep, clock=fake, wall=fake)


def test_requests_are_spaced_evenly_never_in_a_burst():
    fake = FakeTime()
    pacer = RequestPacer(4, sleep=fake.sleep, clock=fake)
    started = fake.now
    sent = []
    for dummy in range(9):
        assert pacer.wait(Budget(60, clock=fake)) is True
        sent.append(fake.now - started)
    assert sent == pytest.approx([0.25 * n for n in range(9)])


def test_a_slot_past_the_budget_is_not_taken_and_the_request_is_not_delayed():
    fake = FakeTime()
    pacer = RequestPacer(1, sleep=fake.sleep, clock=fake)
    for dummy in range(3):
        pacer.reserve(60)  # three requests queued: the next slot is 3 s away
    assert pacer.wait(Budget(2, clock=fake)) is False
    assert fake.slept == []
    assert pacer.reserve(60) == pytest.approx(3)  # the refused request took no slot


def test_forks_of_one_machine_share_the_slots_through_the_file(tmp_path):
    fake = FakeTime()
    first, second = shared(tmp_path, 2, fake), shared(tmp_path, 2, fake)
    delays = [pacer.reserve(60) for pacer in (first, second, first, second)]
    assert delays == pytest.approx([0, 0.5, 1.0, 1.5])
    entry = json.loads((tmp_path / gate_name(API, TENANT, PACE_PREFIX)).read_text())
    assert entry == {"next_slot": pytest.approx(fake.now + 2.0)}
    assert oct(os.stat(str(tmp_path / gate_name(API, TENANT, PACE_PREFIX))).st_mode & 0o777) == "0o600"
    # another tenant (a customer's Graph) or another endpoint has a budget of its own
    assert shared(tmp_path, 2, fake, url=GRAPH, tenant=CUSTOMER).reserve(60) == 0
    assert shared(tmp_path, 2, fake, tenant=CUSTOMER).reserve(60) == 0


def _take_slots(directory, rate, count, start, queue):
    start.wait(30)
    pacer = shared(directory, rate)
    for dummy in range(count):
        assert pacer.wait(Budget(60))
        queue.put(time.time())


def test_processes_together_stay_within_the_rate(tmp_path):
    rate, forks, each = 20.0, 4, 5
    start, queue = FORK.Barrier(forks), FORK.Queue()
    children = [FORK.Process(target=_take_slots, args=(str(tmp_path), rate, each, start, queue))
                for dummy in range(forks)]
    for child in children:
        child.start()
    sent = sorted(queue.get(timeout=60) for dummy in range(forks * each))
    for child in children:
        child.join(30)
    assert [child.exitcode for child in children] == [0] * forks
    # 20 requests at 20 a second: the last no sooner than 19 intervals after the first (a sleep may end
    # late on a busy machine, never early). Gaps between two sends are not asserted: a process woken late
    # sends right before the next one's slot, which is the scheduler's doing, not the pacer's.
    assert sent[-1] - sent[0] >= 19 / rate - 0.01
    # every request took its own slot from the one file: the next free slot is 20 intervals past the first
    entry = json.loads((tmp_path / gate_name(API, TENANT, PACE_PREFIX)).read_text())
    assert entry["next_slot"] >= sent[0] + 19 / rate - 0.01


def test_threads_of_one_process_share_the_slots(tmp_path):
    pacer = shared(tmp_path, 10)
    sent, lock = [], threading.Lock()

    def take():
        for dummy in range(3):
            assert pacer.wait(Budget(30))
            with lock:
                sent.append(time.time())

    threads = [threading.Thread(target=take) for dummy in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    sent.sort()
    assert len(sent) == 12
    assert sent[-1] - sent[0] >= 11 / 10 - 0.01


@pytest.mark.parametrize("content", ['{"next_slot": 1e300}', '{"next_slot": "soon"}', "{", '{"not_before": 1}',
                                     '{"next_slot": true}', '{"next_slot": 1, "x": 2}'])
def test_a_file_it_did_not_write_paces_nothing_and_is_replaced(tmp_path, content):
    fake = FakeTime()
    path = tmp_path / gate_name(API, TENANT, PACE_PREFIX)
    path.write_text(content)
    os.chmod(str(path), 0o600)
    assert shared(tmp_path, 1, fake).reserve(60) == 0
    assert json.loads(path.read_text()) == {"next_slot": pytest.approx(fake.now + 1)}


def test_a_file_others_may_write_paces_nothing(tmp_path):
    fake = FakeTime()
    path = tmp_path / gate_name(API, TENANT, PACE_PREFIX)
    path.write_text(json.dumps({"next_slot": fake.now + 100}))
    os.chmod(str(path), 0o666)
    assert shared(tmp_path, 1, fake).reserve(600) == 0


def test_a_directory_that_cannot_be_made_paces_this_process_alone(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    fake = FakeTime()
    pacer = shared(blocker / "tokens", 2, fake)
    assert [pacer.reserve(60) for dummy in range(3)] == pytest.approx([0, 0.5, 1.0])


# --------------------------------------------------------------------------- the connection options


def params(tmp_path, **extra):
    values = dict(validate_certs=True, ca_path=None, timeout=30, token_cache=True,
                  token_cache_dir=str(tmp_path / "tokens"), access_token=None, tenant_id=TENANT,
                  client_id="33333333-3333-3333-3333-333333333333", client_secret="s", refresh_token="r",
                  refresh_token_file=None, retry_budget=120.0, request_rate=None, graph_request_rate=None,
                  job_slices=1, api_url=API, authority="https://login.microsoftonline.com")
    values.update(extra)
    return values


def build(tmp_path, **extra):
    return _connection.build_client(params(tmp_path, **extra), API, "https://login.microsoftonline.com",
                                    warn=lambda text: None, scrubber=Scrubber())


def test_no_budget_no_pacing(tmp_path):
    assert build(tmp_path).loop.pacer is None
    assert build(tmp_path, request_rate=0).loop.pacer is None


def test_each_slice_takes_its_share_of_the_job_budget(tmp_path):
    pacer = build(tmp_path, request_rate=8, job_slices=4).loop.pacer
    assert isinstance(pacer, SharedRequestPacer)
    assert pacer.rate == 2.0
    assert pacer.path == str(tmp_path / "tokens" / gate_name(API, TENANT, PACE_PREFIX))
    assert not isinstance(build(tmp_path, request_rate=8, token_cache=False).loop.pacer, SharedRequestPacer)
    assert build(tmp_path, request_rate=8, token_cache=False).loop.pacer.rate == 8.0


def test_graph_paces_each_customer_tenant_with_its_own_share(tmp_path):
    values = params(tmp_path, graph_request_rate=6, job_slices=3)
    pacer = _connection.request_pacer(values, GRAPH, CUSTOMER, values["graph_request_rate"])
    assert pacer.rate == 2.0
    assert pacer.path == str(tmp_path / "tokens" / gate_name(GRAPH, CUSTOMER, PACE_PREFIX))
    assert _connection.request_pacer(values, GRAPH, CUSTOMER, None) is None


@pytest.mark.parametrize("option, value", [("request_rate", -1.0), ("request_rate", float("nan")),
                                           ("graph_request_rate", float("inf")), ("job_slices", 0)])
def test_a_budget_that_means_nothing_is_refused_before_any_request(tmp_path, option, value):
    with pytest.raises(InputError) as caught:
        check_connection_options(params(tmp_path, **{option: value}))
    assert caught.value.option == option if hasattr(caught.value, "option") else option in str(caught.value)


class _NoSession:
    timeout = 30

    def request(self, *args, **kwargs):
        raise AssertionError("nothing may be sent")


def test_a_request_whose_turn_is_past_its_budget_fails_naming_the_budget():
    fake = FakeTime()
    pacer = RequestPacer(0.1, sleep=fake.sleep, clock=fake)
    pacer.reserve(600)  # another request holds the next 10 s
    loop = RetryLoop(_NoSession(), 5, "Partner Center", sleep=fake.sleep, clock=fake, pacer=pacer)
    with pytest.raises(PartnerCenterError) as caught:
        loop.send("GET", API + "/v1/customers", "GET /v1/customers")
    text = str(caught.value)
    assert "request budget" in text and "request_rate" in text and "0.1 requests a second" in text
    assert fake.slept == []
