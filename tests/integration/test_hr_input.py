# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Input from HR and initial passwords per user (issue 29, items 5 and 6).

The shipped example (examples/hr) reads a customer's users from its HR department's CSV with the
hr_users filter and gives each an initial password of its own with Ansible's password lookup: a
300-row export converges to 300 users with the mapped fields, each with the password of its file
(private, random, Entra-compliant, different per user), created once: a rerun finds the same files
and writes nothing, and no password is shown. A bad row fails the host before any request, naming
the line (or YAML item), the column and the key; the same filter reads a YAML export.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import hashlib
import io
import shutil
import stat

import yaml

from ansible_collections.csp.partnercenter.plugins.module_utils._policy import password_problem
from catalogue import E3
from fleet import PLAYBOOK, REPO_ROOT, role_summaries
from harness import doc_snippet
from secret_scan import assert_no_form_in, run_texts

EXAMPLE = REPO_ROOT / "examples" / "hr" / "inventory"
ROWS = 300
COLUMNS = ["Employee ID", "Work email", "Given name", "Surname", "Display name", "Country", "Department", "Licenses"]


def hr_inventory(tmp_path, hosts):
    """The example's inventory in ``tmp_path`` with ``hosts`` {host: host variables}."""
    inventory = tmp_path / "inventory"
    shutil.copytree(str(EXAMPLE), str(inventory))
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"partnercenter_customers": {
        "hosts": hosts, "vars": {"ansible_connection": "local",
                                 "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}), encoding="utf-8")
    return inventory


def csv_text(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # as Excel writes it, with a byte order mark
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return "\ufeff" + out.getvalue()


def person(n, domain):
    return ["E%04d" % n, "person%03d@%s" % (n, domain), "Given%03d" % n, "Surname, %03d" % n,
            "Person \"%03d\"" % n, "" if n % 4 else "GB", "Sales, EMEA", "SPE_E3" if n % 2 else ""]


def password_files(directory):
    return dict((path.name, path.read_text(encoding="utf-8").rstrip("\n")) for path in directory.iterdir()
                if not path.name.endswith("ansible_lockfile"))


def test_a_300_row_export_converges_with_a_password_per_user_created_once(emu, playbook, tmp_path):
    domain = "people.onmicrosoft.com"
    (customer,) = emu.seed([{"companyName": "People Inc", "domain": domain,
                             "subscribedSkus": [dict(E3, totalUnits=ROWS)]}])
    inventory = hr_inventory(tmp_path, {"people": {"partnercenter_customer_id": customer["id"]}})
    (inventory / "hr" / "people.csv").write_text(csv_text([person(n, domain) for n in range(ROWS)]),
                                                 encoding="utf-8", newline="")
    secrets = tmp_path / "private" / "initial-passwords"
    extra = {"initial_password_dir": str(secrets),
             "hr_columns": dict(yaml.safe_load((EXAMPLE / "group_vars" / "partnercenter_customers.yml").read_text(
                 encoding="utf-8"))["hr_columns"], licenses="Licenses")}
    emu.clear_requests()

    check = playbook(str(PLAYBOOK), inventory=str(inventory), extra_vars=extra, check=True)
    assert emu.writes() == []
    assert any("would create %d" % ROWS in line for line in role_summaries(check)["people"])

    first = playbook(str(PLAYBOOK), inventory=str(inventory), extra_vars=extra)
    files = password_files(secrets / "people")
    assert stat.S_IMODE((secrets / "people").stat().st_mode) == 0o700
    assert all(stat.S_IMODE((secrets / "people" / name).stat().st_mode) == 0o600 for name in files)
    users = dict((u["userPrincipalName"], u) for u in emu.users(customer["id"], state="active"))
    assert sorted(users) == sorted(files) == sorted("person%03d@%s" % (n, domain) for n in range(ROWS))
    assert len(set(files.values())) == ROWS, "a password per user"
    assert [upn for upn, password in files.items() if password_problem(password)] == []
    for upn, user in users.items():
        assert user["passwordSha256"] == hashlib.sha256(files[upn].encode("utf-8")).hexdigest(), upn
    ada = users["person004@" + domain]  # mapped columns: quoted commas and quotes, a country, a license
    assert (ada["firstName"], ada["lastName"], ada["displayName"], ada["usageLocation"]) == (
        "Given004", "Surname, 004", 'Person "004"', "GB")
    assert users["person001@" + domain]["usageLocation"] == "US", "hr_defaults fills an empty cell"
    licensed = [u for u in users.values() if u["licenses"]]
    assert len(licensed) == ROWS // 2 and len(emu.requests(route="create_user")) == ROWS

    emu.clear_requests()
    second = playbook(str(PLAYBOOK), inventory=str(inventory), extra_vars=extra)
    assert emu.writes() == [] and password_files(secrets / "people") == files, "created once, reused"
    assert any("%d unchanged" % ROWS in line for line in role_summaries(second)["people"])
    sample = dict(("password of person%03d" % n, files["person%03d@%s" % (n, domain)]) for n in range(0, ROWS, 60))
    for run in (check, first, second):
        assert_no_form_in(sample, run_texts(run))  # every form, every run of six characters
        assert_no_form_in(dict((upn, p) for upn, p in files.items()), run_texts(run), runs=False)


def test_a_bad_row_fails_the_host_before_any_request_and_yaml_reads_the_same(emu, playbook, tmp_path):
    domain = "people.onmicrosoft.com"
    (customer,) = emu.seed([{"companyName": "People Inc", "domain": domain}])
    columns = {"user_principal_name": "Work email", "first_name": "Given name", "last_name": "Surname",
               "display_name": "Display name", "usage_location": "Country"}
    from_yaml = ("{{ lookup('ansible.builtin.file', inventory_dir ~ '/hr/' ~ inventory_hostname ~ '.yml') | from_yaml"
                 " | csp.partnercenter.hr_users(columns=hr_columns, defaults=hr_defaults) }}")
    inventory = hr_inventory(tmp_path, {
        "nomail": {"partnercenter_customer_id": customer["id"], "hr_columns": columns},
        "badflag": {"partnercenter_customer_id": customer["id"], "hr_columns": {
            "user_principal_name": "Work email", "display_name": "Display name",
            "force_change_password": "Must change"}},
        "norway": {"partnercenter_customer_id": customer["id"], "hr_columns": columns,
                   "hr_people": from_yaml},
        "yamlgood": {"partnercenter_customer_id": customer["id"], "hr_columns": columns,
                     "hr_people": from_yaml}})
    (inventory / "hr" / "nomail.csv").write_text(csv_text([person(1, domain), ["E0002", "", "No", "Mail"]]),
                                                 encoding="utf-8", newline="")
    (inventory / "hr" / "badflag.csv").write_text(
        "Work email,Display name,Must change\nok@%s,Ok,yes\nmaybe@%s,Maybe,perhaps\n" % (domain, domain),
        encoding="utf-8")
    people = [{"Work email": "yaml%d@%s" % (n, domain), "Given name": "Yaml", "Surname": str(n),
               "Display name": "Yaml %d" % n, "Country": "DE"} for n in range(3)]
    (inventory / "hr" / "yamlgood.yml").write_text(yaml.safe_dump(people), encoding="utf-8")
    (inventory / "hr" / "norway.yml").write_text(
        "- {Work email: nora@%s, Display name: Nora, Country: NO}\n" % domain, encoding="utf-8")
    emu.clear_requests()

    run = playbook(str(PLAYBOOK), inventory=str(inventory), expect_rc=2,
                   extra_vars={"initial_password_dir": str(tmp_path / "private")})
    failures = dict((r["host"], r["result"]["msg"]) for r in run.results if r["result"].get("failed"))
    assert set(failures) == {"nomail", "badflag", "norway"}, failures
    assert "line 3, column 'Work email' (user_principal_name): empty" in failures["nomail"]
    assert "line 3, column 'Must change' (force_change_password): 'perhaps' is not a boolean" in failures["badflag"]
    assert "item 0, column 'Country' (usage_location): False is a bool where text is expected" in failures["norway"]
    created = [r["body"]["userPrincipalName"] for r in emu.requests(route="create_user")]
    assert sorted(created) == sorted(p["Work email"] for p in people), "only the good host's users, from YAML"
    (yaml1,) = [u for u in emu.users(customer["id"]) if u["userPrincipalName"] == "yaml1@" + domain]
    assert (yaml1["firstName"], yaml1["lastName"], yaml1["usageLocation"]) == ("Yaml", "1", "DE")


def test_the_guide_shows_the_example_group_variables_as_they_are():
    guide = REPO_ROOT / "docs" / "docsite" / "rst" / "guide_hr_input.rst"
    shown = doc_snippet(guide, "---")
    assert shown == (EXAMPLE / "group_vars" / "partnercenter_customers.yml").read_text(encoding="utf-8")


def test_the_example_as_shipped_converges_fabrikam_from_its_csv(emu, playbook, tmp_path):
    emu.reset(seed=json.loads((REPO_ROOT / "examples" / "emulator" / "seed.json").read_text(encoding="utf-8")))
    fabrikam = "5d2f8a47-3b1e-4c9a-8f60-7e1d2c3b4a51"
    before = dict((u["userPrincipalName"], u) for u in emu.users(fabrikam, state="active"))
    emu.clear_requests()
    extra = {"initial_password_dir": str(tmp_path / "private")}

    first = playbook(str(PLAYBOOK), inventory=str(EXAMPLE), extra_vars=extra)
    created = sorted(r["body"]["userPrincipalName"] for r in emu.requests(route="create_user"))
    assert created == ["hedy.lamarr@fabrikam.onmicrosoft.com", "tim.bernerslee@fabrikam.onmicrosoft.com"]
    users = dict((u["userPrincipalName"], u) for u in emu.users(fabrikam, state="active"))
    assert users["ada.lovelace@fabrikam.onmicrosoft.com"]["displayName"] == "Ada Lovelace" != \
        before["ada.lovelace@fabrikam.onmicrosoft.com"]["displayName"]
    assert (users["hedy.lamarr@fabrikam.onmicrosoft.com"]["usageLocation"],
            users["tim.bernerslee@fabrikam.onmicrosoft.com"]["usageLocation"]) == ("AT", "US")
    assert sorted(password_files(tmp_path / "private" / "fabrikam")) == sorted(
        "%s@fabrikam.onmicrosoft.com" % name for name in ("ada.lovelace", "alan.turing", "grace.hopper", "hedy.lamarr",
                                                          "tim.bernerslee")), "a file per row, for present users too"
    summary = role_summaries(first)["fabrikam"]

    emu.clear_requests()
    playbook(str(PLAYBOOK), inventory=str(EXAMPLE), extra_vars=extra)
    assert emu.writes() == [], summary
