# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report callback's pure parts: customer text shown as text in Markdown, and the options checked at start."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import markdown_it
import pytest

from ansible_collections.csp.partnercenter.plugins.callback.report import (
    ensure_directory,
    _fields, awx_runner, check_file_mode, check_file_name, local_runner, markdown, markdown_text, run_line,
    value_text,
)


@pytest.mark.parametrize("value, text", [
    ("ada@contoso.onmicrosoft.com", "ada@contoso.onmicrosoft.com"),
    ("Zoë O'Brien-Smith (IT)", "Zoë O'Brien-Smith (IT)"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("Tom & Jerry &amp;", "Tom &amp; Jerry &amp;amp;"),
    ("[link](http://evil)", "\\[link\\](http\\://evil)"),
    ("![i](https://evil/p.png)", "\\!\\[i\\](https\\://evil/p.png)"),
    ("see www.evil.example", "see www\\.evil.example"),
    ("```text", "\\`\\`\\`text"),
    ("a | b", "a \\| b"),
    ("*em* _u_ ~~s~~", "\\*em\\* \\_u\\_ \\~\\~s\\~\\~"),
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("  + item", "  \\+ item"),
    ("===", "\\==="),
    ("1. first", "1\\. first"),
    ("2) second", "2\\) second"),
    ("{: onclick=alert(1)}", "\\{: onclick=alert(1)\\}"),
    ("C:\\temp\\x", "C:\\\\temp\\\\x"),
    ("ok\x1b[2K\r\nPLAY RECAP", "ok\\\\x1b\\[2K\\\\r\\\\nPLAY RECAP"),
    (u"abc\u202eexe", "abc\\\\u202eexe"),
    (["Global Administrator", "<b>x</b>"], "\\[Global Administrator, &lt;b&gt;x&lt;/b&gt;\\]"),
    (400, "400"),
    (None, ""),
], ids=lambda value: repr(value)[:24])
def test_markdown_text_shows_every_value_as_it_is(value, text):
    assert markdown_text(value) == text


def _rendered(text):
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


HOSTILE = [
    "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "[link](http://evil)", "![i](http://evil/p.png)",
    "<http://evil>", "```", "`code`", "| x | y |", "# h", "*em*", "__strong__", "> quote", "- item", "1. item",
    "\x1b[2K\r\n## forged", "&lt;b&gt;", "\\<b>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_rendered_report_shows_customer_text_and_no_markup_from_it(hostile):
    report = {"mode": "run", "playbook": hostile, "started": "s", "finished": "f",
              "totals": dict((k, 0) for k in ("customers", "customers_changed", "customers_failed", "created",
                                              "updated", "restored", "deleted", "purged", "unchanged", "failed")),
              "customers": [
                  {"host": hostile, "customer_id": hostile, "summary_lines": [hostile, "x ```` y"],
                   "changes": [{"user_principal_name": hostile, "id": hostile, "action": "updated", "planned": False,
                                "fields": {"display_name": {"before": hostile, "after": "Jane"}}},
                               {"user_principal_name": hostile, "id": hostile, "action": "offboarded", "planned": False,
                                "fields": {"groups": {"before": [hostile], "after": []}},
                                "offboarding": {"removed": {"groups": [hostile]}, "reactivate": {
                                    "user_principal_name": hostile, "groups": {"add": [hostile, "x ```` y"]}}}}],
                   "undeclared": {"count": 30, "users": [hostile]},
                   "failures": [{"user_principal_name": hostile, "task": hostile, "msg": hostile, "role_msg": None,
                                 "error": {"status": 400, "code": hostile, "description": hostile,
                                           "request_id": hostile}}]},
                  {"host": hostile + " quiet", "customer_id": None, "summary_lines": [], "changes": [],
                   "failures": []}]}
    html = _rendered(markdown(report))
    for tag in ("<img", "<script", "<a ", "<em>", "<strong>", "<blockquote>", "<li>", "<b>", "<hr"):
        assert tag not in html, (tag, html)
    assert re.findall(r"<h(\d)>", html) == ["1", "2", "2", "2"], html
    assert html.count("<table>") == 3 and html.count("<pre>") == 2, "fences hold the summary and the reactivation"
    assert all(len(re.findall(r"<td>", row)) in (4, 7, 12) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
               if "<td>" in row), "3 + the report's 9 counts, the changes, the failures"
    assert "\x1b" not in html and "\r" not in html


@pytest.mark.parametrize("name", [
    "partnercenter-report-{playbook}-{timestamp}", "pc-{mode}", "weekly", "pc-{{literal}}-{timestamp}",
])
def test_file_names_with_known_placeholders_are_taken(name):
    assert check_file_name(name) == name


@pytest.mark.parametrize("name, words", [
    ("pc-{date}", ["file_name 'pc-{date}'", "unknown placeholder {date}", "{timestamp}, {playbook}, {mode}"]),
    ("pc-{date}-{host}", ["unknown placeholders {date}, {host}"]),
    ("pc-{}", ["unknown placeholder {}"]),
    ("pc-{0}", ["unknown placeholder {0}"]),
    ("pc-{timestamp", ["is not a name with placeholders", "{{ or }}"]),
    ("pc-{timestamp.year}", ["unknown placeholder {timestamp.year}"]),
    ("pc-{timestamp:>99999999999}", ["formats the placeholder {timestamp:>99999999999}"]),
    ("pc-{mode!r}", ["formats the placeholder {mode!r}", "{timestamp}, {playbook}, {mode}"]),
    ("../{playbook}", ["is not a file name"]),
    ("  ", ["is not a file name"]),
], ids=lambda value: str(value)[:20])
def test_unknown_placeholders_and_other_names_are_refused_naming_the_option(name, words):
    with pytest.raises(ValueError) as refused:
        check_file_name(name)
    for word in words:
        assert word in str(refused.value)


@pytest.mark.parametrize("text, mode", [
    ("0600", 0o600), ("600", 0o600), ("0640", 0o640), ("0o644", 0o644), ("0400", 0o400), ("0666", 0o666),
    (" 0600 ", 0o600),
])
def test_read_and_write_modes_are_taken(text, mode):
    assert check_file_mode(text) == mode


@pytest.mark.parametrize("text, words", [
    ("6777", ["has execute and setuid/setgid bits"]),
    ("4600", ["has setuid/setgid bits"]),
    ("1600", ["has sticky bits"]),
    ("0700", ["has execute bits"]),
    ("0755", ["has execute bits"]),
    ("0200", ["does not let the owner read"]),
    ("0000", ["does not let the owner read"]),
    ("rw-------", ["'rw-------' is not an octal mode"]),
    ("0800", ["is not an octal mode"]),
    ("", ["is not an octal mode"]),
    ("17777", ["is not an octal mode"]),
])
def test_modes_beyond_read_and_write_are_refused_saying_which_are_allowed(text, words):
    with pytest.raises(ValueError) as refused:
        check_file_mode(text)
    for word in words + ["file_mode", "0400 to 0666, for example 0600 or 0640"]:
        assert word in str(refused.value)


# -- who ran the play, and the run's MS-CorrelationId (issue 29, item 8) ----------------------------

def test_the_awx_runner_comes_from_awx_extra_variables_awx_names_first():
    assert awx_runner({"awx_job_id": 42, "awx_job_template_name": "Provision", "tower_job_template_name": "old",
                       "tower_user_name": "alice"}) == {
        "awx_job_id": "42", "awx_job_template_name": "Provision", "awx_user_name": "alice"}
    assert awx_runner({"tower_job_id": 7}) == {"awx_job_id": "7"}, "Tower's names"
    assert awx_runner({"awx_user_name": "alice"}) is None, "no job id: not an AWX job"
    assert awx_runner({"awx_job_id": {"nested": 1}}) is None and awx_runner(None) is None


def test_the_run_line_names_the_runner_and_the_correlation_id_as_text():
    line = run_line({"correlation_id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "runner": {
        "awx_job_id": "42", "awx_job_template_name": "Provision *all*", "awx_user_name": "<alice>"}})
    assert line == ("Run by AWX job 42 (job template Provision \\*all\\*), launched by &lt;alice&gt;; its requests "
                    "carried MS-CorrelationId 6f9619ff-8b86-d011-b42d-00c04fc964ff.")
    assert run_line({"correlation_id": None, "runner": {"user": "bob", "host": "ctl1"}}) == (
        "Run by bob on ctl1; its requests carried MS-CorrelationId (none: "
        "PARTNERCENTER_CORRELATION_ID is not a GUID).")


def test_the_local_runner_is_a_user_and_a_host():
    runner = local_runner()
    assert set(runner) == {"user", "host"} and all(runner.values())


def test_a_rename_shows_both_names_and_an_offboarding_what_it_removed_never_the_password():
    renamed = _fields({"user_principal_name": "old@c.example"}, {"user_principal_name": "new@c.example"}, "renamed")
    assert renamed == {"user_principal_name": {"before": "old@c.example", "after": "new@c.example"}}
    removed = {"directory_roles": ["Billing Administrator"], "licenses": [{"sku": "SPE_E3", "disabled_plans": []}]}
    offboarded = _fields(removed, {"directory_roles": [], "licenses": [], "password": "VALUE_SPECIFIED"}, "offboarded")
    assert offboarded["licenses"] == {"before": removed["licenses"], "after": []}
    assert offboarded["password"] == {"before": None, "after": "(not shown)"}


@pytest.mark.parametrize("value, text", [
    (["SPE_E3", "VISIOCLIENT"], "SPE\\_E3, VISIOCLIENT"),
    ({"SPE_E3": ["TEAMS1", "EXCHANGE_S_ENTERPRISE"], "VISIOCLIENT": []},
     "SPE\\_E3: TEAMS1, EXCHANGE\\_S\\_ENTERPRISE; VISIOCLIENT: (none)"),
    ([], "(none)"), ({}, "(none)"), (None, "(none)"),
    (["<b>x</b>"], "&lt;b&gt;x&lt;/b&gt;"),
    ("Jane", "Jane"),
])
def test_a_field_value_is_text_a_person_reads_never_a_python_value(value, text):
    assert value_text(value) == text


def test_a_report_directory_another_run_created_a_moment_ago_is_taken(tmp_path, monkeypatch):
    # Four slices start together: each saw no directory, one created it; the others must still write there.
    directory = tmp_path / "reports"
    directory.mkdir()
    import os
    import types
    from ansible_collections.csp.partnercenter.plugins.callback import report
    # the report module sees no directory, as a run did just before another created it
    blind = types.SimpleNamespace(path=types.SimpleNamespace(isdir=lambda path: False, join=os.path.join),
                                  makedirs=os.makedirs)
    monkeypatch.setattr(report, "os", blind)
    ensure_directory(str(directory))
    ensure_directory(str(tmp_path / "new"))
    assert (tmp_path / "new").is_dir() and oct((tmp_path / "new").stat().st_mode & 0o777) == oct(0o700)
