# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Text a customer or a server controls is shown as text, never run as markup or terminal control (issue 25, item 2).

A customer's administrator renames a user, names a user, and a (compromised) Partner Center answers an error
description and a license warning: each holds HTML, Markdown links, images, code fences, table pipes, ESC
sequences and a CR LF followed by a forged ``ok:`` line and ``PLAY RECAP``.  The Markdown report shows each as
text (rendered by a CommonMark renderer that allows raw HTML, as mkdocs and many wikis do), the JSON report keeps
the data as it was, and neither the playbook's output nor ``ANSIBLE_LOG_PATH`` gets a raw control character or a
forged line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import markdown_it
import pytest

from catalogue import E3
from fleet import PLAYBOOK, fleet_customer, load_report, report_env, seeded_user
from plays import PASSWORD, play, task
from secret_scan import assert_no_form_in

# the report's totals columns beyond customers, changed and failed (report.py COUNTS)
TOTALS = ("created", "updated", "restored", "deleted", "purged", "renamed", "offboarded", "unchanged", "failed")


FORGED = "\x1b[2K\r\nok: [localhost] => all good\r\nPLAY RECAP *** fake: ok=1 changed=0 unreachable=0 failed=0"
MARKUP = "<img src=x onerror=alert(1)> [link](http://evil) ![i](http://evil.example/p.png) ``` | # h *em* \u202e"
HOSTILE_NAME = MARKUP + FORGED
HOSTILE_UPN = "<b>x</b>|```[y](http://evil)\x1b[31m@contoso.onmicrosoft.com"
HOSTILE_ERROR = "Invalid input: " + MARKUP + "\x1b]0;pwned\x07" + FORGED
HOSTILE_WARNING = "Teams unavailable " + MARKUP + FORGED
# Characters no terminal line or log line may carry raw: C0 (but the line feed between lines), DEL, C1 and the
# bidirectional overrides and isolates.
RAW_CONTROL = re.compile(u"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A line a forger could start: Ansible's own words at the start of a line (after the log file's prefix).
FORGED_LINE = re.compile(r"(?m)^(\S+ \S+ p=\d+ u=\S+ n=\S+ \S*\s*\| )?(ok: \[localhost\] => all good|PLAY RECAP \*+ fake)")


def _seed(emu):
    contoso = fleet_customer("contoso", subscribedSkus=[E3], users=[
        seeded_user("victim@contoso.onmicrosoft.com", "Victim", "User", displayName=HOSTILE_NAME),
        seeded_user("lic@contoso.onmicrosoft.com", "Lic", "User", displayName="Lic User"),
        seeded_user("keep@contoso.onmicrosoft.com", "Keep", "User", displayName="Keep User"),
        seeded_user(HOSTILE_UPN, "Evil", "Admin", displayName="Evil Admin")])
    ids = dict((c["domain"], c["id"]) for c in emu.seed([contoso, fleet_customer("fabrikam")]))
    emu.config(license_warning=HOSTILE_WARNING)
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "times": 1,
                 "description": HOSTILE_ERROR}])
    emu.clear_requests()
    return ids


def _declared(upn, name, **extra):
    user = {"user_principal_name": upn, "first_name": name, "last_name": "User", "display_name": name + " User",
            "usage_location": "US", "password": PASSWORD}
    user.update(extra)
    return user


def _inventory(ids):
    return {"partnercenter_customers": {"hosts": {
        "contoso": {"partnercenter_customer_id": ids["contoso.onmicrosoft.com"], "partnercenter_users_purge": True,
                    "partnercenter_users": [
                        _declared("victim@contoso.onmicrosoft.com", "Victim"),
                        _declared("lic@contoso.onmicrosoft.com", "Lic", licenses={"add": ["SPE_E3"]}),
                        _declared("keep@contoso.onmicrosoft.com", "Keep")]},
        "fabrikam": {"partnercenter_customer_id": ids["fabrikam.onmicrosoft.com"],
                     "partnercenter_users": [_declared("newbie@fabrikam.onmicrosoft.com", "Newbie")]},
    }}}


def _folded(text):
    """Text with its white space folded: ansible-core before 2.19 wraps warnings at 80 columns."""
    return " ".join(text.split())


def _assert_no_forged_line(run):
    """The run's stdout, stderr and log file hold no raw control character and no forged line; returns the log."""
    log = run.log_path.read_text(encoding="utf-8")
    for name, shown in (("stdout", run.stdout), ("stderr", run.stderr), ("log", log)):
        assert not RAW_CONTROL.search(shown), (name, RAW_CONTROL.search(shown))
        assert not FORGED_LINE.search(shown), (name, FORGED_LINE.search(shown).group(0))
        assert len(re.findall(r"(?m)^(\S+ \S+ p=\d+ u=\S+ n=\S+ \S*\s*\| )?PLAY RECAP", shown)) == \
            (0 if name == "stderr" else 1), name
    return log


def _rendered(text):
    """The Markdown report as HTML, by a CommonMark renderer with tables that lets raw HTML through."""
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def _cells(line):
    """The cells of one Markdown table row, split at the pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_customer_text_is_text_in_the_report_the_output_and_the_log(emu, playbook, tmp_path):
    ids = _seed(emu)
    reports = tmp_path / "reports"
    run = playbook(str(PLAYBOOK), inventory=_inventory(ids), diff=True, expect_rc=2,
                   env=report_env(reports, PARTNERCENTER_REPORT_DISPLAY="1"))

    # What happened: the rename, the license with its warning, the purge, and the refused create.
    victim = [u for u in emu.users(ids["contoso.onmicrosoft.com"]) if u["userPrincipalName"].startswith("victim")]
    assert victim[0]["displayName"] == "Victim User"
    (deleted,) = emu.requests(route="delete_user")
    assert deleted["status"] < 300
    report, text = load_report(reports)
    customers = dict((c["host"], c) for c in report["customers"])
    (renamed,) = [c for c in customers["contoso"]["changes"] if c["user_principal_name"].startswith("victim")]
    (purged,) = [c for c in customers["contoso"]["changes"] if c["action"] == "purged"]
    (refused,) = customers["fabrikam"]["failures"]

    # The JSON report is data: the names as Partner Center held them; JSON escapes every control character.
    assert renamed["fields"]["display_name"] == {"before": HOSTILE_NAME, "after": "Victim User"}
    assert purged["user_principal_name"].lower() == HOSTILE_UPN.lower()
    raw_json = (reports / "report.json").read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(raw_json) and "\r" not in raw_json
    # Messages are text for a person: the server's control characters are written as escapes.
    assert "\\x1b[2K\\r\\nok: [localhost] => all good" in refused["error"]["description"]
    assert "\\x1b]0;pwned\\x07" in refused["msg"] and "\\u202e" in refused["msg"]
    said = [c["failures"] + c["summary_lines"] for c in report["customers"]]
    assert not RAW_CONTROL.search(json.dumps(said, ensure_ascii=False))

    # The Markdown report shows every hostile text, and none of it is markup.
    html = _rendered(text)
    for tag in ("<img", "<a ", "<b>", "<em>", "<strong>"):
        assert tag not in html, (tag, html)
    assert re.findall(r"<h(\d)>([^<]*)<", html) == [
        ("1", "Partner Center run report"), ("2", "Totals"), ("2", "contoso"), ("2", "fabrikam")], \
        "only the report's own headings"
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "[link](http://evil)" in html
    assert "![i](http://evil.example/p.png)" in html and "*em*" in html
    assert not RAW_CONTROL.search(text) and "\r" not in text
    assert not FORGED_LINE.search(text)
    for line in text.splitlines():
        if line.startswith("|"):
            # a user's change (4 cells), a failure (7), the totals (3 + a column per count)
            assert len(_cells(line)) in (4, 7, 3 + len(TOTALS)), ("a pipe broke the table", line)
    # The role's lines sit in a fence that no backtick run inside them closes.
    fences = re.findall(r"(?m)^(`{3,})text$", text)
    assert fences and all(len(f) > 3 for f in fences), "the purged UPN holds ``` so the fence is longer"

    # The playbook's output (the report printed with display, the warning, the failures) and the log file.
    log = _assert_no_forged_line(run)
    assert "Teams unavailable " in log and "\\x1b[2K\\r\\nok: [localhost] => all good" in _folded(run.stderr)
    assert_no_form_in({"password": PASSWORD, "client secret": emu.client_secret,
                       "refresh token": emu.refresh_token}, {"report": raw_json + text, "log": log}, runs=False)


@pytest.mark.parametrize("env", [{}, {"PARTNERCENTER_IN_PROCESS": "false"}], ids=["in-process", "module"])
def test_a_single_user_task_says_server_text_on_one_line_either_way(emu, playbook, env):
    contoso = emu.seed([fleet_customer("contoso", users=[
        seeded_user("victim@contoso.onmicrosoft.com", "Victim", "User", displayName=HOSTILE_NAME)])])[0]["id"]
    emu.faults([{"route": "update_user", "kind": "status", "status": 400, "times": 1, "description": HOSTILE_ERROR}])
    run = playbook(play(task("partnercenter_user", name="rename", customer_id=contoso, display_name="Victim User",
                             user_principal_name="victim@contoso.onmicrosoft.com")), env=env, expect_rc=2)

    failed = run.result("rename")["result"]
    assert failed["error"]["status"] == 400 and len(emu.requests(route="update_user")) == 1
    for said in (failed["msg"], failed["error"]["description"]):
        assert "\\x1b]0;pwned\\x07\\x1b[2K\\r\\nok: [localhost] => all good\\r\\nPLAY RECAP" in said
        assert not RAW_CONTROL.search(said) and "\n" not in said
    _assert_no_forged_line(run)
