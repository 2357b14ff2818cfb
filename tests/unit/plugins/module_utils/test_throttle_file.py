# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The 429 gate shared by every fork: a hold in one process holds back the others, and a file it
did not write never holds anything back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import multiprocessing
import os
import stat
import threading
import time

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils import _connection
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import Budget, ThrottleGate
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber
from ansible_collections.csp.partnercenter.plugins.module_utils._throttle_file import (
    MAX_HOLD, SharedThrottleGate, gate_name,
)

API = "https://api.partnercenter.microsoft.com"
TENANT = "11111111-1111-1111-1111-111111111111"
FORK = multiprocessing.get_context("fork")


class FakeTime:
    """One clock for monotonic and wall time; ``sleep`` advances it."""

    def __init__(self, now=1767225600.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def gate(directory, fake=None, api_url=API, tenant=TENANT):
    if fake is None:
        return SharedThrottleGate(str(directory), api_url, tenant)
    return SharedThrottleGate(str(directory), api_url, tenant, sleep=fake.sleep, clock=fake, wall=fake)


def write(path, content, mode=0o600):
    path.write_text(content)
    os.chmod(str(path), mode)


# --------------------------------------------------------------------------- sharing


def _hold_in_child(directory, seconds):
    gate(directory).hold(seconds)


def _wait_in_child(directory, queue):
    ok = gate(directory).wait(Budget(60))
    queue.put((ok, time.time()))


def test_a_hold_in_one_process_holds_back_another(tmp_path):
    directory = tmp_path / "tokens"
    child = FORK.Process(target=_hold_in_child, args=(str(directory), 30))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    # a fresh gate in this process, as a new fork's module run builds it
    assert 25 < gate(directory).pending() <= 30
    assert gate(directory, tenant="22222222-2222-2222-2222-222222222222").pending() == 0
    assert gate(directory, api_url="https://api.partnercenter.microsoftonline.de").pending() == 0


def test_another_process_waits_until_the_hold_has_passed(tmp_path):
    directory = tmp_path / "tokens"
    holder = gate(directory)
    holder.hold(0.6)
    not_before = holder.read()
    queue = FORK.Queue()
    child = FORK.Process(target=_wait_in_child, args=(str(directory), queue))
    child.start()
    ok, returned = queue.get(timeout=30)
    child.join(30)
    assert ok is True
    assert returned >= not_before


def _hold_many(directory, seconds, start):
    start.wait(30)
    for dummy in range(20):
        gate(directory).hold(seconds)


def test_concurrent_holds_keep_the_latest(tmp_path):
    directory = tmp_path / "tokens"
    start = FORK.Barrier(4)
    children = [FORK.Process(target=_hold_many, args=(str(directory), seconds, start)) for seconds in (5, 40, 20, 10)]
    started = time.time()
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0, 0, 0, 0]
    assert gate(directory).read() >= started + 40


def test_threads_of_one_process_share_the_hold(tmp_path):
    shared = gate(tmp_path / "tokens")
    shared.hold(0.3)
    returned = []
    threads = [threading.Thread(target=lambda: returned.append((shared.wait(Budget(30)), time.time())))
               for dummy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [ok for ok, dummy in returned] == [True] * 3
    assert min(at for dummy, at in returned) >= shared.read()


# --------------------------------------------------------------------------- the hold


def test_a_hold_never_shortens(tmp_path):
    fake = FakeTime()
    first, second = gate(tmp_path, fake), gate(tmp_path, fake)
    first.hold(10)
    second.hold(2)
    assert second.read() == pytest.approx(fake.now + 10)
    assert second.pending() == pytest.approx(10)
    fake.now += 3
    second.hold(20)
    assert first.read() == pytest.approx(fake.now + 20)


def test_wait_never_goes_past_the_budget(tmp_path):
    fake = FakeTime()
    shared = gate(tmp_path, fake)
    gate(tmp_path, fake).hold(10)  # another process's hold
    assert shared.wait(Budget(5, clock=fake)) is False
    assert fake.slept == []
    assert shared.wait(Budget(20, clock=fake)) is True
    assert sum(fake.slept) == pytest.approx(10)
    assert shared.pending() == 0


def test_no_file_no_hold_and_nothing_written_until_a_429(tmp_path):
    directory = tmp_path / "tokens"
    shared = gate(directory)
    assert shared.pending() == 0
    assert shared.wait(Budget(0)) is True
    assert not directory.exists()


def test_the_file_is_private_and_holds_only_the_time(tmp_path):
    directory = tmp_path / "cache" / "tokens"
    fake = FakeTime()
    gate(directory, fake).hold(2.5)
    assert stat.S_IMODE(os.stat(str(directory)).st_mode) == 0o700
    path = directory / gate_name(API, TENANT)
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert json.loads(path.read_text()) == {"not_before": pytest.approx(fake.now + 2.5)}
    assert sorted(p.name for p in directory.iterdir()) == sorted([path.name, path.name[:-5] + ".lock"])
    assert TENANT not in path.name


def test_a_hold_longer_than_the_cap_is_shared_for_the_cap_only(tmp_path):
    fake = FakeTime()
    shared = gate(tmp_path, fake)
    shared.hold(1000)
    assert gate(tmp_path, fake).pending() == pytest.approx(MAX_HOLD)
    assert shared.pending() == pytest.approx(1000)  # this process keeps the whole Retry-After


# --------------------------------------------------------------------------- files it did not write


@pytest.mark.parametrize("content", [
    "", "garbage", "{", "[]", "null", '{"not_before": "1767225610"}', '{"not_before": true}',
    '{"not_before": NaN}', '{"not_before": Infinity}', '{"not_before": 1767225610, "extra": 1}',
    '{"not_before": 1767225610}' + " " * 300,
    '{"not_before": 99999999999}',  # far ahead: a bogus time must not stall runs
])
def test_a_malformed_file_is_no_hold_and_the_next_hold_replaces_it(tmp_path, content):
    fake = FakeTime(1767225600.0)
    path = tmp_path / gate_name(API, TENANT)
    write(path, content)
    shared = gate(tmp_path, fake)
    assert shared.pending() == 0
    assert shared.wait(Budget(1, clock=fake)) is True and fake.slept == []
    shared.hold(3)
    assert gate(tmp_path, fake).pending() == pytest.approx(3)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o606, 0o660])
def test_a_file_others_may_read_or_write_is_no_hold(tmp_path, mode):
    fake = FakeTime()
    path = tmp_path / gate_name(API, TENANT)
    write(path, json.dumps({"not_before": fake.now + 30}), mode)
    assert gate(tmp_path, fake).pending() == 0
    gate(tmp_path, fake).hold(2)
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert gate(tmp_path, fake).pending() == pytest.approx(2)


@pytest.mark.skipif(os.getuid() != 0, reason="only root can give a file to another user")
def test_a_file_of_another_user_is_no_hold(tmp_path):
    fake = FakeTime()
    path = tmp_path / gate_name(API, TENANT)
    write(path, json.dumps({"not_before": fake.now + 30}))
    os.chown(str(path), 12345, 12345)
    assert gate(tmp_path, fake).pending() == 0


def test_a_symbolic_link_is_never_followed(tmp_path):
    fake = FakeTime()
    directory = tmp_path / "tokens"
    directory.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.json"
    original = json.dumps({"not_before": fake.now + 30})
    write(target, original)
    link = directory / gate_name(API, TENANT)
    link.symlink_to(target)
    assert gate(directory, fake).pending() == 0
    gate(directory, fake).hold(2)
    assert target.read_text() == original  # the link itself was replaced, never written through
    assert not link.is_symlink()
    assert gate(directory, fake).pending() == pytest.approx(2)


def test_a_fifo_in_its_place_does_not_block(tmp_path):
    os.mkfifo(str(tmp_path / gate_name(API, TENANT)), 0o600)
    assert gate(tmp_path).pending() == 0


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o707])
def test_a_directory_open_to_others_is_not_written_but_the_process_still_holds(tmp_path, mode):
    fake = FakeTime()
    directory = tmp_path / "tokens"
    directory.mkdir()
    os.chmod(str(directory), mode)
    shared = gate(directory, fake)
    shared.hold(5)
    assert list(directory.iterdir()) == []
    assert shared.pending() == pytest.approx(5)  # this process's threads still hold
    assert gate(directory, fake).pending() == 0


def test_a_directory_that_cannot_be_made_costs_only_the_sharing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    shared = gate(blocker / "tokens", FakeTime())
    shared.hold(4)
    assert shared.pending() == pytest.approx(4)


def test_a_directory_link_counts_as_the_directory_it_names(tmp_path):
    # as for the token cache: the directory the link names must itself be private
    for mode, written in ((0o700, True), (0o755, False)):
        real = tmp_path / ("real%o" % mode)
        real.mkdir()
        os.chmod(str(real), mode)
        link = tmp_path / ("tokens%o" % mode)
        link.symlink_to(real, target_is_directory=True)
        gate(link, FakeTime()).hold(4)
        assert bool(list(real.iterdir())) is written


# --------------------------------------------------------------------------- wiring


def params(tmp_path, **extra):
    values = dict(validate_certs=True, ca_path=None, timeout=30, token_cache=True,
                  token_cache_dir=str(tmp_path / "tokens"), access_token=None, tenant_id=TENANT, client_id="c",
                  client_secret="s", refresh_token="r", refresh_token_file=None, retry_budget=120.0)
    values.update(extra)
    return values


def test_modules_share_the_gate_through_the_token_cache_directory(tmp_path):
    client = _connection.build_client(params(tmp_path), API, "https://login.microsoftonline.com",
                                      warn=lambda text: None, scrubber=Scrubber())
    shared = client.loop.gate
    assert isinstance(shared, SharedThrottleGate)
    assert shared.path == str(tmp_path / "tokens" / gate_name(API, TENANT))
    assert client.token_provider._gate is shared  # token requests wait at the same gate


def test_without_the_token_cache_the_gate_is_this_process_only(tmp_path):
    client = _connection.build_client(params(tmp_path, token_cache=False), API, "https://login.microsoftonline.com",
                                      warn=lambda text: None, scrubber=Scrubber())
    assert type(client.loop.gate) is ThrottleGate  # pylint: disable=unidiomatic-typecheck
    given = ThrottleGate()
    client = _connection.build_client(params(tmp_path), API, "https://login.microsoftonline.com",
                                      warn=lambda text: None, scrubber=Scrubber(), gate=given)
    assert client.loop.gate is given
