# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who did it (issue 29, item 8): one MS-CorrelationId for every request of a run, named in the report
with who ran the play.

A run reads its inventory through the customers plugin and runs several tasks (in-process, and one as
a module process through async) on several customers in parallel forks, then the role: every request
the emulator logs carries the same correlation id, which the report names, with the local user and
host, or AWX's job, template and user. PARTNERCENTER_CORRELATION_ID sets the id from outside; one that
is not a GUID fails each task, naming the variable, before any request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pwd
import os
import socket

from fleet import fleet_inventory, load_report, report_env, seed_fleet
from plays import play, task

CUSTOMERS = 4
GIVEN_ID = "6F9619FF-8B86-D011-B42D-00C04FC964FF"


def multi_task_play():
    customer_id = "{{ partnercenter_customer_id }}"
    return [
        {"hosts": "partnercenter_customers", "gather_facts": False, "tasks": [
            task("partnercenter_user_info", name="users", customer_id=customer_id),
            dict(task("partnercenter_subscribed_sku_info", name="skus", customer_id=customer_id),
                 **{"async": 60, "poll": 1})]},  # async: a module process, not the worker
        {"hosts": "localhost", "gather_facts": False, "tasks": [task("partnercenter_customer_info", name="customers")]},
        {"name": "converge", "hosts": "partnercenter_customers", "gather_facts": False,
         "roles": ["csp.partnercenter.customer_users"]},
    ]


# The identity provider's routes: MSAL sends its own client-request-id there, not an MS-CorrelationId.
IDENTITY_ROUTES = ("token", "openid_config")


def api_requests(emu):
    return [r for r in emu.requests() if r["route"] not in IDENTITY_ROUTES]


def test_every_request_of_a_run_carries_one_correlation_id_which_the_report_names(emu, playbook, tmp_path):
    seed_fleet(emu, CUSTOMERS)
    inventory = fleet_inventory(tmp_path)

    playbook(multi_task_play(), inventory=str(inventory), forks=CUSTOMERS, env=report_env(tmp_path / "local"))
    logged = api_requests(emu)
    routes = set(r["route"] for r in logged)
    assert {"list_customers", "list_users", "list_subscribed_skus", "create_user"} <= routes, routes
    ids = set(r["correlation_id"] for r in logged)
    assert len(ids) == 1 and None not in ids, ids
    (correlation_id,) = ids
    report, text = load_report(tmp_path / "local")
    assert report["run"] == {"correlation_id": correlation_id, "runner": {
        "user": pwd.getpwuid(os.getuid()).pw_name, "host": socket.gethostname()}}
    assert "Run by %s on %s; its requests carried MS-CorrelationId %s." % (
        report["run"]["runner"]["user"], socket.gethostname(), correlation_id) in text

    # Another run has another id; in AWX the report names the job, its template and who launched it.
    emu.clear_requests()
    awx = {"awx_job_id": 4242, "awx_job_template_name": "Provision customers", "awx_user_name": "alice",
           "tower_user_name": "ignored: the awx_ name wins"}
    playbook(multi_task_play(), inventory=str(inventory), forks=CUSTOMERS, extra_vars=awx,
             env=report_env(tmp_path / "awx"))
    ids = set(r["correlation_id"] for r in api_requests(emu))
    assert len(ids) == 1 and ids != {correlation_id}, ids
    report, text = load_report(tmp_path / "awx")
    assert report["run"] == {"correlation_id": ids.pop(), "runner": {
        "awx_job_id": "4242", "awx_job_template_name": "Provision customers", "awx_user_name": "alice"}}
    assert "Run by AWX job 4242 (job template Provision customers), launched by alice;" in text


def test_the_correlation_id_given_from_outside_and_one_that_is_no_guid(emu, playbook, tmp_path):
    seed_fleet(emu, 2)
    inventory = fleet_inventory(tmp_path)

    playbook(multi_task_play(), inventory=str(inventory), forks=2,
             env=report_env(tmp_path / "given", PARTNERCENTER_CORRELATION_ID=GIVEN_ID))
    assert set(r["correlation_id"] for r in api_requests(emu)) == {GIVEN_ID.lower()}
    report, _text = load_report(tmp_path / "given")
    assert report["run"]["correlation_id"] == GIVEN_ID.lower()

    emu.clear_requests()
    # a user task (a play of info tasks alone writes no report)
    run = playbook(play(task("partnercenter_user", name="customers", customer_id=GIVEN_ID.lower(),
                             user_principal_name="jane@contoso.onmicrosoft.com")), expect_rc=2,
                   env=report_env(tmp_path / "bad", PARTNERCENTER_CORRELATION_ID="run-42"))
    assert emu.requests() == []
    message = run.result("customers")["result"]["msg"]
    assert message.startswith("PARTNERCENTER_CORRELATION_ID: must be a GUID") and "'run-42'" in message
    report, text = load_report(tmp_path / "bad")
    assert report["run"]["correlation_id"] is None
    assert "(none: PARTNERCENTER_CORRELATION_ID is not a GUID)" in text
