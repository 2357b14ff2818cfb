# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The csp.partnercenter.report callback (issue: a run report).

A drifted fleet's check-mode report lists exactly what the real run then does, and the real run's
report exactly the writes the emulator logged; failures carry their Partner Center error and
request id; both forms of partnercenter_user and loops are read; files are private; no secret and
no task argument reaches the report.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import stat

import pytest
import yaml

from fleet import (
    CONVERGE, PLAYBOOK, breakglass, changes, domain_of, fleet_customer, fleet_inventory, load_report, logged_writes,
    report_env, reported_writes, role_summaries, seed_fleet, seeded_user,
)
from catalogue import E3, VISIO
from plays import OTHER_PASSWORD, PASSWORD, play, task
from secret_scan import assert_no_form_in


def test_check_report_of_a_drifted_fleet_lists_what_the_real_run_then_does(emu, playbook, tmp_path):
    ids = seed_fleet(emu, 12)
    hosts = fleet_inventory(tmp_path)
    playbook(str(PLAYBOOK), inventory=str(hosts), forks=10)

    # Drift in Partner Center: a declared user soft-deleted, a break-glass admin renamed, one that
    # lost its role, a user nobody declared in a purged customer, and a new customer; and in the
    # inventory, a customer that now has a user of its own.
    contoso, fleet02, fleet03 = "contoso.onmicrosoft.com", domain_of("fleet02"), domain_of("fleet03")
    alan = "alan.turing@" + contoso
    playbook(play(
        task("partnercenter_user", name="soft-delete", customer_id=ids[contoso], user_principal_name=alan,
             state="absent"),
        task("partnercenter_user", name="rename", customer_id=ids[fleet02], user_principal_name=breakglass(fleet02),
             display_name="Someone Else"),
        task("partnercenter_user", name="demote", customer_id=ids[fleet03], user_principal_name=breakglass(fleet03),
             directory_roles={"remove": ["Global Administrator"]})))
    emu.seed([{"id": ids[contoso],
               "users": [seeded_user("intruder@contoso.onmicrosoft.com", "In", "Truder")]}])
    ids.update((c["domain"], c["id"]) for c in emu.seed([fleet_customer("newcomer")]))
    fleet04 = domain_of("fleet04")
    (hosts.parent / "host_vars" / (fleet04 + ".yml")).write_text(yaml.safe_dump({"partnercenter_users": [
        {"user_principal_name": "jane@" + fleet04, "first_name": "Jane", "last_name": "Doe",
         "display_name": "Jane Doe", "usage_location": "US", "password": PASSWORD}]}), encoding="utf-8")
    emu.clear_requests()

    run = playbook(str(PLAYBOOK), inventory=str(hosts), forks=10, check=True, env=report_env(tmp_path / "check"))
    assert emu.writes() == []
    predicted, text = load_report(tmp_path / "check")
    assert predicted["mode"] == "check" and text.startswith("# Partner Center drift report")
    for verb in ("would restore", "would update", "would purge", "would create"):
        assert "| %s |" % verb in text, verb
    assert changes(predicted) == {
        # Restored with its initial password again (never shown).
        (contoso, alan): {"action": "restored", "fields": {"password": {"before": None, "after": "(not shown)"}}},
        (fleet02, breakglass(fleet02)): {"action": "updated", "fields": {
            "display_name": {"before": "Someone Else", "after": "Break-Glass Administrator"}}},
        (fleet03, breakglass(fleet03)): {"action": "updated", "fields": {
            "directory_roles": {"before": [], "after": ["Global Administrator (Company Administrator)"]}}},
        (contoso, "intruder@contoso.onmicrosoft.com"): {"action": "purged", "fields": {}},
        ("newcomer.onmicrosoft.com", breakglass("newcomer.onmicrosoft.com")): {"action": "created", "fields": {
            "directory_roles": {"before": None, "after": ["Global Administrator (Company Administrator)"]}}},
        (fleet04, "jane@" + fleet04): {"action": "created", "fields": {}},
    }
    assert predicted["totals"]["customers"] == 13 and predicted["totals"]["customers_changed"] == 5

    run = playbook(str(PLAYBOOK), inventory=str(hosts), forks=10, env=report_env(tmp_path / "real"))
    done, _text = load_report(tmp_path / "real")
    assert done["mode"] == "run"
    assert changes(done) == changes(predicted)
    assert reported_writes(done, ids, emu) == logged_writes(emu)
    assert dict((k, v) for k, v in done["totals"].items()) == dict((k, v) for k, v in predicted["totals"].items())
    assert not any(r["failed"] for r in run.results)


def test_failures_carry_the_partner_center_error_and_request_id(emu, playbook, tmp_path):
    contoso = emu.seed([fleet_customer("contoso")])[0]["id"]
    emu.clear_requests()
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "times": 1,
                 "description": "The password does not comply with the password complexity requirements"}])
    users = [{"user_principal_name": "%s@contoso.onmicrosoft.com" % name, "display_name": name.capitalize(),
              "usage_location": "US", "password": PASSWORD} for name in ("ada", "bob")]
    inventory = {"partnercenter_customers": {"hosts": {
        "contoso": {"partnercenter_customer_id": contoso, "partnercenter_users": users},
        "typo": {"partnercenter_customer_domain": "contoso.onmicrosoft.co"},
        "misspelt": {"partnercenter_customer_id": contoso, "partnercenter_users": [
            dict(users[0], usage_locaton="US")]},
        "uk": {"partnercenter_customer_id": contoso, "partnercenter_users": [dict(users[0], usage_location="UK")]},
    }}}
    reports = tmp_path / "reports"
    run = playbook(str(PLAYBOOK), inventory=inventory, env=report_env(reports), expect_rc=2)
    report, text = load_report(reports)

    (refused,) = [r for r in emu.requests(route="create_user") if r["status"] >= 400]
    customers = dict((c["host"], c) for c in report["customers"])
    (failure,) = customers["contoso"]["failures"]
    assert failure["user_principal_name"] == refused["body"]["userPrincipalName"]
    assert failure["error"]["status"] == 400 and failure["error"]["code"] is not None
    assert failure["error"]["request_id"] == refused["request_id"]
    assert "password complexity" in failure["error"]["description"]
    assert [(c["action"]) for c in customers["contoso"]["changes"]] == ["created"]
    (misspelt,) = customers["misspelt"]["failures"]
    assert "usage_locaton" in misspelt["msg"] and misspelt["role_msg"] is None, "refused by the argument spec"
    (uk,) = customers["uk"]["failures"]
    assert uk["msg"].startswith("partnercenter_users[0] (ada@contoso.onmicrosoft.com).usage_location")
    assert uk["role_msg"].startswith("uk: partnercenter_users[0] (ada@contoso.onmicrosoft.com).usage_location"), \
        "the converge says it in the role's words too (role_msg), keeping its own (msg)"
    assert customers["contoso"]["customer_id"] == contoso
    (lookup,) = customers["typo"]["failures"]
    assert lookup["task"].endswith(CONVERGE)
    assert "contoso.onmicrosoft.co" in lookup["msg"]
    assert lookup["role_msg"].startswith("typo: partnercenter_customer_domain: contoso.onmicrosoft.co ")
    assert report["totals"]["failed"] == 1 and report["totals"]["customers_failed"] == 4
    assert "| %s |" % failure["user_principal_name"] in text and refused["request_id"] in text

    for path in (reports / "report.json", reports / "report.md"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(reports.stat().st_mode) == 0o700
    assert_no_form_in({"password": PASSWORD, "client secret": emu.client_secret,
                       "refresh token": emu.refresh_token}, {"report": json.dumps(report) + text}, runs=False)
    assert "invocation" not in json.dumps(report)
    assert run.rc == 2


def test_single_user_form_loops_and_no_log_tasks(emu, playbook, tmp_path):
    contoso = emu.seed([fleet_customer("contoso", users=[
        seeded_user("old@contoso.onmicrosoft.com", "Old", "Name")])])[0]["id"]
    emu.clear_requests()

    def person(name, password=PASSWORD, **extra):
        args = dict(customer_id=contoso, user_principal_name="%s@contoso.onmicrosoft.com" % name,
                    display_name=name.capitalize(), usage_location="US", password=password)
        args.update(extra)
        return args

    looped = dict(task("partnercenter_user", name="loop", ignore_errors=True,
                       **person("{{ item.name }}", password="{{ item.password }}")),
                  loop=[{"name": "kim", "password": OTHER_PASSWORD}, {"name": "lee", "password": OTHER_PASSWORD}])
    hidden = dict(task("partnercenter_user", name="hidden", **person("max")), no_log=True)
    reports = tmp_path / "reports"
    # jan's and kim's creates pass, lee's is refused.
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "after": 2, "times": 1}])
    run = playbook(play(
        task("partnercenter_user", name="one", **person("jan")),
        task("partnercenter_user", name="rename", **person("old", display_name="New Name")),
        looped, hidden,
        {"name": "not ours", "ansible.builtin.fail": {"msg": "nothing to report"}, "ignore_errors": True},
    ), diff=True, env=report_env(reports, PARTNERCENTER_REPORT_FILE_MODE="0640", PARTNERCENTER_REPORT_DISPLAY="1"))

    report, text = load_report(reports)
    (localhost,) = report["customers"]
    assert [(c["user_principal_name"], c["action"]) for c in localhost["changes"]] == [
        ("jan@contoso.onmicrosoft.com", "created"), ("old@contoso.onmicrosoft.com", "updated"),
        ("kim@contoso.onmicrosoft.com", "created")]
    assert localhost["changes"][1]["fields"] == {"display_name": {"before": "Old Name", "after": "New Name"}}
    (failure,) = localhost["failures"]
    (refused,) = [r for r in emu.requests(route="create_user") if r["status"] >= 400]
    assert failure["error"]["status"] == 400 and failure["error"]["request_id"] == refused["request_id"]
    assert failure["correlation_id"] == refused["correlation_id"]
    # The UPN of a single-user task comes from the module's invocation, which ansible-core 2.21 omits.
    (item,) = [r["result"] for r in run.items if r["event"] == "item_failed"]
    assert failure["user_principal_name"] == ("lee@contoso.onmicrosoft.com" if "invocation" in item else None)
    assert localhost["hidden_tasks"] == 1
    assert localhost["customer_id"] == contoso, "from the result (the module returns customer_id)"
    assert (localhost["summary"]["created"], localhost["summary"]["updated"], localhost["summary"]["failed"]) == (2, 1, 1)
    assert "display_name: Old Name -> New Name" in text
    assert stat.S_IMODE((reports / "report.md").stat().st_mode) == 0o640
    assert "# Partner Center run report" in run.stdout, "display prints the report"
    assert_no_form_in({"password": PASSWORD, "other password": OTHER_PASSWORD},
                      {"report": json.dumps(report) + text}, runs=False)


@pytest.mark.parametrize("option, value, words", [
    ("FILE_NAME", "pc-{date}", ["file_name 'pc-{date}' has the unknown placeholder {date}",
                                "the placeholders are {timestamp}, {playbook}, {mode}"]),
    ("FILE_MODE", "6777", ["file_mode 6777 has execute and setuid/setgid bits",
                           "read and write bits only, readable by the owner: 0400 to 0666"]),
    ("FILE_MODE", "rw-r-----", ["file_mode 'rw-r-----' is not an octal mode"]),
], ids=["unknown-placeholder", "setuid-mode", "not-octal"])
def test_a_refused_option_is_said_before_the_play_and_at_its_end(emu, playbook, tmp_path, option, value, words):
    contoso = emu.seed([fleet_customer("contoso")])[0]["id"]
    reports = tmp_path / "reports"
    run = playbook(play(task("partnercenter_user", name="one", customer_id=contoso, display_name="Jan",
                             user_principal_name="jan@contoso.onmicrosoft.com", usage_location="US",
                             password=PASSWORD)),
                   env=report_env(reports, **{"PARTNERCENTER_REPORT_" + option: value}))

    assert run.rc == 0 and len(emu.requests(route="create_user")) == 1, "the playbook runs on"
    assert not reports.exists(), "no report, and nothing half written"
    log = " ".join(run.log_path.read_text(encoding="utf-8").split())
    start, end = log.index("csp.partnercenter.report: "), log.rindex("csp.partnercenter.report: no report was written")
    assert start < log.index("PLAY [") and end > log.index("PLAY RECAP"), "said before the play and at its end"
    for word in words:
        assert word in log[start:log.index("PLAY [")] and word in log[end:]
    assert "no report will be written for this run" in log[start:log.index("PLAY [")]
    assert "Callback dispatch" not in log and "Failed to load callback" not in log


def test_a_world_readable_mode_writes_the_report_with_a_warning(emu, playbook, tmp_path):
    contoso = emu.seed([fleet_customer("contoso")])[0]["id"]
    reports = tmp_path / "reports"
    run = playbook(play(task("partnercenter_user", name="one", customer_id=contoso, display_name="Jan",
                             user_principal_name="jan@contoso.onmicrosoft.com", usage_location="US",
                             password=PASSWORD)), check=True,
                   env=report_env(reports, PARTNERCENTER_REPORT_FILE_MODE="0644"))
    assert stat.S_IMODE((reports / "report.md").stat().st_mode) == 0o644
    assert "file_mode 0644 lets every user of this machine read the reports" in " ".join(run.stderr.split())


def test_a_report_lists_only_changed_fields_as_text_and_counts_as_the_role(emu, playbook, tmp_path):
    """Only the fields a change changes, in words rather than Python values (a plain license swap has no disabled
    plans, a change of disabled plans alone no licenses line), the disabled plans of a create, the role's counts
    (a purge is no delete); and no report for a playbook that ran no user task."""
    visio_and_e3 = dict(VISIO, totalUnits=5)
    cid = emu.seed([fleet_customer("contoso", users=[
        seeded_user("swap@contoso.onmicrosoft.com", "Swap", "Per"),
        seeded_user("plans@contoso.onmicrosoft.com", "Plans", "Per"),
        seeded_user("stale@contoso.onmicrosoft.com", "Stale", "Per")], subscribedSkus=[E3, visio_and_e3])])[0]["id"]
    named = (("swap@contoso.onmicrosoft.com", "Swap Per"), ("plans@contoso.onmicrosoft.com", "Plans Per"))
    base = [{"user_principal_name": upn, "display_name": name, "usage_location": "US"} for upn, name in named]
    hosts = {"partnercenter_customers": {"hosts": {"contoso": {
        "partnercenter_customer_id": cid, "partnercenter_users": [
            dict(base[0], licenses={"add": ["SPE_E3"]}), dict(base[1], licenses={"add": ["SPE_E3"]})]}}}}
    playbook(str(PLAYBOOK), inventory=hosts, env=report_env(tmp_path / "first"))
    # a swap of E3 for Visio, Teams disabled in a kept E3, a new user with Teams disabled, the stale user purged
    hosts["partnercenter_customers"]["hosts"]["contoso"].update(
        partnercenter_users_purge=True, partnercenter_users_purge_max_percent=100)
    hosts["partnercenter_customers"]["hosts"]["contoso"]["partnercenter_users"] = [
        dict(base[0], licenses={"set": ["VISIOCLIENT"]}),
        dict(base[1], licenses={"add": [{"sku": "Microsoft 365 E3", "disabled_plans": ["TEAMS1"]}]}),
        dict(user_principal_name="new@contoso.onmicrosoft.com", display_name="New Per", usage_location="US",
             password=PASSWORD, directory_roles={"add": ["Global Administrator"]},
             licenses={"add": [{"sku": "SPE_E3", "disabled_plans": ["TEAMS1"]}]})]
    emu.clear_requests()
    run = playbook(str(PLAYBOOK), inventory=hosts, check=True, diff=True, env=report_env(tmp_path / "check"))
    assert emu.writes() == []
    report, text = load_report(tmp_path / "check")

    assert changes(report) == {
        ("contoso", "swap@contoso.onmicrosoft.com"): {"action": "updated", "fields": {
            "licenses": {"before": ["SPE_E3"], "after": ["VISIOCLIENT"]}}},
        ("contoso", "plans@contoso.onmicrosoft.com"): {"action": "updated", "fields": {
            "disabled_plans": {"before": {"SPE_E3": []}, "after": {"SPE_E3": ["TEAMS1"]}}}},
        ("contoso", "new@contoso.onmicrosoft.com"): {"action": "created", "fields": {
            "directory_roles": {"before": None, "after": ["Global Administrator (Company Administrator)"]},
            "licenses": {"before": None, "after": ["SPE_E3"]},
            "disabled_plans": {"before": None, "after": {"SPE_E3": ["TEAMS1"]}}}},
        ("contoso", "stale@contoso.onmicrosoft.com"): {"action": "purged", "fields": {}},
    }
    assert "licenses: SPE\\_E3 -> VISIOCLIENT |" in text
    assert "disabled_plans: SPE\\_E3: (none) -> SPE\\_E3: TEAMS1 |" in text
    assert "directory_roles: Global Administrator (Company Administrator); disabled_plans: SPE\\_E3: TEAMS1; " \
        "licenses: SPE\\_E3 |" in text
    assert "{" not in text.split("## Totals")[1] and "['" not in text, "no Python values"
    # the role's counts are the report's
    totals = report["totals"]
    assert (totals["created"], totals["updated"], totals["deleted"], totals["purged"]) == (1, 2, 0, 1)
    line = role_summaries(run)["contoso"][0]
    assert line == ("contoso (check mode, nothing was changed): would create 1, would update 2, would restore 0, "
                    "would delete 0, would purge 1, 0 unchanged")
    assert report["customers"][0]["summary_lines"][0] == line

    # a playbook without a user task of the collection: no report, and it says so
    auth = playbook(play(task("partnercenter_auth_info", name="auth", customer_ids=[cid])),
                    env=report_env(tmp_path / "auth"))
    assert not (tmp_path / "auth").exists()
    assert "csp.partnercenter.report: no user task of csp.partnercenter ran; no report was written" in auth.stdout
