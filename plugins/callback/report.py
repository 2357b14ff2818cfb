# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: report
type: aggregate
short_description: A Markdown and a JSON report of what csp.partnercenter did to every customer's users
version_added: 0.2.0
description:
  - At the end of a playbook, writes one Markdown and one JSON file that list, for every customer (inventory host),
    each user that M(csp.partnercenter.partnercenter_user) created, updated (with the fields, old and new value),
    restored, deleted, purged, renamed or offboarded (with what was removed, as the entry that re-activates it),
    the active users no declaration names (with purge off), each failure with its Partner Center error (HTTP status, code, description) and
    C(MS-RequestId), and the totals.
  - In check mode the report is a drift report, what a real run would do ("would create ...").
  - For each customer it also holds the lines the role P(csp.partnercenter.customer_users#role) prints, so the role's
    output and the report agree.
  - It reads only the results of C(csp.partnercenter.partnercenter_user) tasks (both forms, loops too) and of
    C(csp.partnercenter.partnercenter_customer_users) (the role's converge step) and, for
    failures, of other C(csp.partnercenter) modules and the tasks of the collection's roles. Module results are
    already C(no_log)-masked; the report never copies task arguments (it reads only C(customer_id) and
    C(user_principal_name) from the module's own C(invocation) where ansible-core returns one, that is up to
    2.20 or with C(inject_invocation); otherwise the customer id is the host's C(partnercenter_customer_id) in
    the inventory), never shows a password (its value reads C(not shown)), and blanks the E(PARTNERCENTER_*)
    secrets of the controller's environment, bearer tokens and JWT-shaped strings in any text.
  - Enable it with C(callbacks_enabled = csp.partnercenter.report) in the C([defaults]) section of C(ansible.cfg) or
    E(ANSIBLE_CALLBACKS_ENABLED=csp.partnercenter.report).
author:
  - csp.partnercenter contributors (@csp-partnercenter)
options:
  output_dir:
    description:
      - Directory the reports are written to; created (mode 0700) when missing. A relative path is relative to the
        directory C(ansible-playbook) runs in.
    type: path
    default: partnercenter-reports
    env:
      - name: PARTNERCENTER_REPORT_DIR
    ini:
      - section: callback_partnercenter_report
        key: output_dir
  file_name:
    description:
      - Name of the two files without the extension (C(.md) and C(.json) are added).
      - C({timestamp}) becomes the UTC start of the playbook (C(20261201T101500Z)), C({playbook}) the playbook's
        file name without extension, and C({mode}) V(check), V(run) or V(mixed). No other placeholder is known;
        write a literal brace as C({{) or C(}}).
      - A name with another placeholder is refused when the callback starts, with a warning that names it; see
        the notes.
    type: str
    default: partnercenter-report-{playbook}-{timestamp}
    env:
      - name: PARTNERCENTER_REPORT_FILE_NAME
    ini:
      - section: callback_partnercenter_report
        key: file_name
  file_mode:
    description:
      - Permissions of the report files, in octal. The report names users and customers; keep it private.
      - Only read and write bits are allowed, and the owner must be able to read the file (V(0400) to V(0666),
        for example V(0600) or V(0640)). A mode with execute, setuid, setgid or sticky bits, or one that is not
        an octal number, is refused when the callback starts; a mode that lets every user read or write the
        files is used, with a warning.
    type: str
    default: "0600"
    env:
      - name: PARTNERCENTER_REPORT_FILE_MODE
    ini:
      - section: callback_partnercenter_report
        key: file_mode
  display:
    description:
      - Also print the Markdown report at the end of the playbook's output. Useful in AWX, which keeps the job output
        but discards files written inside the execution environment's container.
    type: bool
    default: false
    env:
      - name: PARTNERCENTER_REPORT_DISPLAY
    ini:
      - section: callback_partnercenter_report
        key: display
notes:
  - A refused O(file_name) or O(file_mode) is reported as a warning when the playbook starts, before its first play,
    and again at its end; no report is written for that run (the playbook itself runs on, as ansible-core runs on
    without a callback plugin that fails to load). The playbook's output, with the role's summary of each customer,
    still says what the run did.
  - Text a customer or Partner Center controls (display names, user principal names, role and license names,
    messages and error descriptions) is data in the JSON file, where JSON escapes every control character. In the
    Markdown file it is shown as text, never as markup - HTML, links, images, code, emphasis, headings and table
    pipes are escaped - and its control characters are written as escapes (C(\x1b), C(\n)), as in every
    message of the collection.
  - Hosts that ran neither of those tasks and had no failure the report reads are not
    listed. A task with C(no_log) hides its result from every callback; the report counts such tasks but cannot list
    their users.
  - The report names the run's C(MS-CorrelationId), the one every request of the run carried (set it with
    E(PARTNERCENTER_CORRELATION_ID), a GUID; else each run makes its own), and who ran it, so that a change in a
    customer's audit log, which shows only the partner's application, can be traced to a run. In AWX (and
    automation controller) that is the job id, the job template and the launching user from the extra variables
    AWX adds to every job (C(awx_job_id), C(awx_job_template_name), C(awx_user_name), or their C(tower_*)
    names); elsewhere the local user and host of the controller.
  - A playbook that runs neither of those tasks nor a task of the collection's roles writes no report. A playbook of
    P(csp.partnercenter.partnercenter_auth_info#module) tasks is such a playbook. The callback says so at the end of
    the output.
  - A change lists only the fields it changes. An update that only changes the disabled plans of a SKU the user
    keeps lists C(disabled_plans), not C(licenses). A create lists the roles, licenses and disabled plans it
    gives. Lists, and the disabled plans of each SKU, are written as text, never as Python values.
  - The counts are those of the role's summary. A delete by purge counts as C(purged), not as C(deleted).
  - The JSON file has C(report_version), C(mode) (V(check), V(run) or V(mixed)), C(playbook), C(started),
    C(finished), C(run) (C(correlation_id), and C(runner) with C(awx_job_id), C(awx_job_template_name) and
    C(awx_user_name) in AWX, else C(user) and C(host)), C(totals) and C(customers), a list of C(host), C(customer_id), C(summary), C(changes) (each with
    C(user_principal_name), C(id), C(action), C(planned) and C(fields)), C(failures) (each with
    C(user_principal_name), C(task), C(msg), C(role_msg) (how the role worded it, if it did), C(error) and
    C(correlation_id)), C(summary_lines), C(undeclared) (C(count) and the first C(users) - the active users no
    declaration names, with purge off) and C(hidden_tasks). An offboarded user's change also has C(offboarding) -
    C(removed) (roles, SKUs with their disabled plans) and C(reactivate), the entry to paste back to re-activate it,
    which the Markdown file shows as YAML.
  - It also has C(job), who the run was - C(job_id) (in AWX the workflow job of a sliced job, C(awx_workflow_job_id),
    else the job's C(awx_job_id); outside AWX E(PARTNERCENTER_JOB_ID)) and C(slice) (C(job_id), C(number) and
    C(count), from AWX's C(awx_job_id) and the E(PARTNERCENTER_SLICE) (V(2/4)) or E(PARTNERCENTER_JOB_SLICES)
    variables; null for an unsliced run). A slice's files are named with C(-slice-<number>) (or the slice's job id)
    after O(file_name), so slices writing to one directory keep each their own.
  - The reports of a sliced job's slices merge into the report an unsliced run would have written with the playbook
    C(csp.partnercenter.merge_reports) (the workflow's last node) or the filter P(csp.partnercenter.merged_report#filter).
seealso:
  - module: csp.partnercenter.partnercenter_user
"""

import datetime
import getpass
import json
import os
import re
import socket
import string
import tempfile

import yaml

from ansible import context
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.callback import CallbackBase

from ansible_collections.csp.partnercenter.plugins.module_utils import _correlation
from ansible_collections.csp.partnercenter.plugins.module_utils._scrub import Scrubber, bound, printable
from ansible_collections.csp.partnercenter.plugins.module_utils._summary import customer_summary
from ansible_collections.csp.partnercenter.plugins.plugin_utils._report_merge import job_identity, slice_suffix, totals

COLLECTION = "csp.partnercenter"
USER_MODULE = COLLECTION + ".partnercenter_user"
# The tasks whose results are partnercenter_user's: the module, and the role's converge step.
USER_ACTIONS = (USER_MODULE, COLLECTION + ".partnercenter_customer_users")
REPORT_VERSION = 1
# Actions that change a user, in the order the report lists them; "purged" is a delete by purge.
CHANGES = ("created", "updated", "restored", "deleted", "purged", "renamed", "offboarded")
COUNTS = CHANGES + ("unchanged", "failed")
WOULD = {"created": "would create", "updated": "would update", "restored": "would restore",
         "deleted": "would delete", "purged": "would purge", "renamed": "would rename",
         "offboarded": "would offboard"}
# The report names at most this many undeclared users of a customer (it counts them all).
UNDECLARED_NAMED = 20
# The only task arguments the report reads, from the module's invocation: identifiers, never secrets.
IDENTIFYING_ARGS = ("customer_id", "user_principal_name")
ERROR_KEYS = ("status", "code", "description", "request_id")
HIDDEN = "(not shown)"
SECRET_WORDS = ("password", "secret", "token")
SECRET_ENV = ("PARTNERCENTER_CLIENT_SECRET", "PARTNERCENTER_REFRESH_TOKEN", "PARTNERCENTER_ACCESS_TOKEN")
# The placeholders of file_name, with a value of their form (to try a name at start).
PLACEHOLDERS = {"timestamp": "20261201T101500Z", "playbook": "site", "mode": "check"}
# Bits a report file may have: read and write; the owner reads it.
FILE_MODE_BITS = 0o666
FILE_MODE_OWNER_READ = 0o400
# Who launched an AWX job: the extra variables AWX adds to every job (awx/main/tasks build_extra_vars_file),
# each under its awx_ name and, from older releases, its tower_ name.
AWX_RUNNER = ("awx_job_id", "awx_job_template_name", "awx_user_name")


def awx_runner(extra_vars):
    """{awx_job_id, awx_job_template_name, awx_user_name} from AWX's extra variables, or None outside AWX."""
    runner = {}
    for name in AWX_RUNNER:
        for key in (name, "tower_" + name[len("awx_"):]):
            value = (extra_vars or {}).get(key)
            if value is not None and not isinstance(value, (dict, list)) and to_text(value).strip():
                runner[name] = bound(to_text(value))
                break
    return runner if runner.get("awx_job_id") else None


def local_runner():
    """{user, host} of the controller: whoever ran ansible-playbook, where."""
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-except
        user = "uid %d" % os.getuid()  # no passwd entry and no LOGNAME/USER (a container)
    return {"user": user, "host": socket.gethostname()}


def _data(result):
    data = getattr(result, "result", None)  # ansible-core >= 2.19
    if data is None:
        data = getattr(result, "_result", {})
    return data if isinstance(data, dict) else {}


def _task(result):
    return getattr(result, "task", None) or getattr(result, "_task", None)


def _host(result):
    host = getattr(result, "host", None) or getattr(result, "_host", None)
    return host.get_name() if host is not None else "localhost"


def _action(task):
    return getattr(task, "resolved_action", None) or getattr(task, "action", None) or ""


def _is_loop(task):
    return bool(getattr(task, "loop", None) or getattr(task, "loop_with", None))


def _is_item(data):
    return "ansible_loop_var" in data or "_ansible_item_label" in data or "item" in data


def _in_collection_role(task):
    role = getattr(task, "_role", None)
    return role is not None and getattr(role, "_role_collection", None) == COLLECTION


def _is_planning_pass(task, action):
    """The customer_users role's planning pass (``plan_batch``): a plan for the play-wide limit, not a change."""
    return action == COLLECTION + ".partnercenter_customer_users" and bool((getattr(task, "args", None) or {}).get(
        "plan_batch"))


def _shown(field, value):
    secret = any(word in field.lower() for word in SECRET_WORDS)
    return HIDDEN if secret and value is not None else value


# What a create shows beyond its user: the memberships it is given (its attributes are the declaration's).
CREATED_FIELDS = ("directory_roles", "licenses", "disabled_plans")


def _fields(before, after, action):
    """{field: {before, after}} of the fields an update or restore changes; the memberships of a create."""
    before, after = before or {}, after or {}
    if action == "created":
        names = [k for k in CREATED_FIELDS if k in after]
    elif action in ("updated", "restored", "renamed", "offboarded"):
        names = sorted(k for k in set(before) | set(after)
                       if before.get(k) != after.get(k) or k == "password")  # a password is never compared
        if action == "restored":
            names = [k for k in names if k != "state"]
    else:
        names = []
    return dict((name, {"before": _shown(name, before.get(name)), "after": _shown(name, after.get(name))})
                for name in names if name != "user_principal_name" or action == "renamed")


def _by_upn(side):
    return dict((str(upn).lower(), value) for upn, value in (side or {}).items())


def _invoked(data, name):
    """An identifying argument from the module's ``invocation`` (absent from ansible-core 2.21 on by default)."""
    args = (data.get("invocation") or {}).get("module_args") or {}
    value = args.get(name) if name in IDENTIFYING_ARGS else None
    return value if isinstance(value, str) else None


def _inventory_customer_id(result):
    """The host's ``partnercenter_customer_id`` as the inventory holds it (the customers plugin sets it)."""
    host = getattr(result, "host", None) or getattr(result, "_host", None)
    value = (getattr(host, "vars", None) or {}).get("partnercenter_customer_id")
    return value if isinstance(value, str) and value and "{" not in value else None


class _Customer:
    """What the report says about one host."""

    def __init__(self, host):
        self.host = host
        self.customer_id = None
        self.summary = dict((name, 0) for name in COUNTS)
        self.changes = []
        self.failures = []
        self.summary_lines = []
        self.undeclared = {"count": 0, "users": []}  # active users no declaration names (purge off)
        self.hidden = set()  # the tasks whose results no_log hid
        # The task-level failure of this host's last csp.partnercenter module task: the role's rescue
        # ("Fail naming the role's variables") words the same failure again; the report keeps the
        # module's full message and adds the role's words (which may refer to another customer).
        self.reworded = None

    @property
    def changed(self):
        return bool(self.changes)

    def to_dict(self):
        return {"host": self.host, "customer_id": self.customer_id, "changed": self.changed,
                "failed": bool(self.failures), "summary": self.summary, "changes": self.changes,
                "failures": self.failures, "summary_lines": self.summary_lines, "undeclared": self.undeclared,
                "hidden_tasks": len(self.hidden)}


class CallbackModule(CallbackBase):
    """Collect csp.partnercenter.partnercenter_user results; write the report when the playbook ends."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "csp.partnercenter.report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self._customers = {}
        self._modes = set()
        self._playbook = None
        self._started = datetime.datetime.now(datetime.timezone.utc)
        self._scrubber = Scrubber(os.environ.get(name) for name in SECRET_ENV)
        self._refusal = None  # why the options were refused: then nothing is collected or written
        # The callback loads in the controller's main process, before the forks: the run's id, made here
        # when nothing made it before (see _correlation); None if PARTNERCENTER_CORRELATION_ID is no GUID.
        self._correlation_id = _correlation.start_run()
        self._runner = None
        self._job = None  # job_identity(), from the first play's extra vars
        self._user_tasks = 0  # user tasks of the collection that ran (its modules' and its roles'): none, no report

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super(CallbackModule, self).set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        # A refused option disables the report, loudly: ansible-core runs on without a callback that
        # fails to load, so say it now, before the first play, and again where the report would be named.
        self._refusal = None
        for option, check in (("file_name", check_file_name), ("file_mode", check_file_mode)):
            try:
                check(self.get_option(option))
            except ValueError as exc:
                self._refusal = "%s. Set %s with PARTNERCENTER_REPORT_%s or in the [callback_partnercenter_report] " \
                                "section of ansible.cfg" % (exc, option, option.upper())
                self._display.warning("csp.partnercenter.report: no report will be written for this run: %s"
                                      % self._refusal)
                return
        mode = check_file_mode(self.get_option("file_mode"))
        if mode & 0o007:
            self._display.warning("csp.partnercenter.report: file_mode %s lets every user of this machine %s the "
                                  "reports, which name users and customers; 0600 or 0640 keeps them private"
                                  % (self.get_option("file_mode"), "write" if mode & 0o002 else "read"))

    # -- events ----------------------------------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self._playbook = os.path.basename(to_text(getattr(playbook, "_file_name", "") or "playbook"))

    def v2_playbook_on_play_start(self, play):
        if self._runner is None:
            try:
                extra_vars = play.get_variable_manager().extra_vars
            except AttributeError:
                extra_vars = {}
            self._runner = awx_runner(extra_vars)
            self._job, problem = job_identity(extra_vars, os.environ)
            if problem:
                self._display.warning("csp.partnercenter.report: %s" % problem)

    def v2_runner_on_ok(self, result):
        self._record(result, failed=False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    # A loop's items arrive one by one (ansible-core 2.21 no longer marks failed items inside the
    # task's "results"); the task's own event then only repeats them.
    def v2_runner_item_on_ok(self, result):
        self._record(result, failed=False)

    def v2_runner_item_on_failed(self, result):
        self._record(result, failed=True)

    def v2_playbook_on_stats(self, stats):
        if self._refusal:
            self._display.warning("csp.partnercenter.report: no report was written: %s" % self._refusal)
            return
        if not self._user_tasks:
            self._display.display("csp.partnercenter.report: no user task of csp.partnercenter ran; no report "
                                  "was written")
            return
        report = self._report()
        try:
            paths = self._write(report)
        except (OSError, IOError, ValueError) as exc:
            self._display.warning("csp.partnercenter.report: could not write the report: %s" % exc)
            return
        self._display.display("csp.partnercenter.report: wrote %s" % " and ".join(paths))
        if self.get_option("display"):
            self._display.display(markdown(report))

    # -- collecting ------------------------------------------------------------------------

    def _record(self, result, failed):
        task = _task(result)
        if task is None or self._refusal:
            return
        action = _action(task)
        known = self._customers.get(_host(result))
        reworded = known.reworded if known is not None else None
        if known is not None:
            known.reworded = None
        ours = action.startswith(COLLECTION + ".") or _in_collection_role(task)
        if action in USER_ACTIONS or _in_collection_role(task):
            self._user_tasks += 1
        if action not in USER_ACTIONS and not (failed and ours):
            return
        if _is_planning_pass(task, action):
            return  # the role's plan_batch task: a plan for the play-wide limit, not a change; the converge reports
        data = _data(result)
        failed = failed or bool(data.get("converge_failed"))  # failed_when: false would hide it
        if _is_loop(task) and not _is_item(data):
            return  # the task's own event of a loop: its items were recorded as they came
        planned = self._check_mode(task)
        customer = self._customers.setdefault(_host(result), _Customer(_host(result)))
        customer.customer_id = customer.customer_id or _inventory_customer_id(result)
        if "censored" in data:
            customer.hidden.add(getattr(task, "_uuid", None) or id(task))
        elif action in USER_ACTIONS:
            self._user_result(customer, task, data, failed, planned)
        elif not failed:
            return
        elif action.startswith(COLLECTION + "."):
            customer.failures.append(self._failure(task, data))
            customer.reworded = customer.failures[-1]
        elif reworded is not None:
            reworded.update(role_msg=self._failure(task, data)["msg"])
        else:
            customer.failures.append(self._failure(task, data))

    def _check_mode(self, task):
        mode = getattr(task, "check_mode", None)
        planned = bool(context.CLIARGS.get("check", False) if mode is None else mode)
        self._modes.add("check" if planned else "run")
        return planned

    def _user_result(self, customer, task, data, failed, planned):
        customer.customer_id = data.get("customer_id") or _invoked(data, "customer_id") or customer.customer_id
        diff = data.get("diff") or {}
        if "summary" in data:  # the many-users form
            before, after = _by_upn(diff.get("before")), _by_upn(diff.get("after"))
            entries = [(u, u.get("action")) for u in data.get("users") or []]
            entries += [(u, "purged") for u in data.get("purged") or []]
            for user, action in entries:
                upn = str(user.get("user_principal_name") or "").lower()
                if action in CHANGES:
                    customer.changes.append(self._change(user, action, before.get(upn), after.get(upn), planned))
            for name in COUNTS:
                customer.summary[name] += int((data.get("summary") or {}).get(name) or 0)
            if (data.get("summary") or {}).get("undeclared"):
                customer.undeclared = {"count": int(data["summary"]["undeclared"]),
                                       "users": list(data.get("undeclared_users") or [])}
            customer.failures.extend(self._failure(task, f, f.get("user_principal_name"))
                                     for f in data.get("failed_users") or [])
            if failed and not data.get("failed_users"):
                customer.failures.append(self._failure(task, data))
                customer.reworded = customer.failures[-1]
            elif failed:
                customer.reworded = {}  # the rescue's "N of M users failed" repeats failed_users: drop it
            customer.summary_lines.extend(customer_summary(customer.host, data, planned))
        elif "action" in data and not failed:  # the single-user form
            action = data["action"]
            user = data.get("user") or {"user_principal_name": _invoked(data, "user_principal_name")}
            if data.get("offboarding"):
                user = dict(user, offboarding=data["offboarding"])
            if action in CHANGES:
                customer.changes.append(self._change(user, action, diff.get("before"), diff.get("after"), planned))
            customer.summary[action if action in COUNTS else "unchanged"] += 1
        elif failed:
            # the form, not the argument's value (the role's converge step is always the many-users form)
            single = _action(task) == USER_MODULE and "users" not in (getattr(task, "args", None) or {})
            if single:
                customer.summary["failed"] += 1
            customer.failures.append(self._failure(task, data, _invoked(data, "user_principal_name")))
            customer.reworded = customer.failures[-1]

    def _change(self, user, action, before, after, planned):
        change = {"user_principal_name": user.get("user_principal_name"), "id": user.get("id"), "action": action,
                  "planned": planned, "fields": _fields(before, after, action)}
        if action == "offboarded" and isinstance(user.get("offboarding"), dict):
            change["offboarding"] = user["offboarding"]  # what was removed, and the entry that gives it back
        return change

    def _failure(self, task, data, upn=None):
        error = data.get("error") if isinstance(data.get("error"), dict) else {}
        # The role's converge says its failure in the role's words itself (msg), keeping its own (converge_msg).
        said = data.get("converge_msg") if upn is None else None
        return {"user_principal_name": upn, "task": to_text(task.get_name()),
                "msg": bound(to_text(said or data.get("msg") or "failed")),
                "role_msg": bound(to_text(data.get("msg"))) if said else None,
                "error": dict((key, error.get(key)) for key in ERROR_KEYS) if error else None,
                "correlation_id": data.get("correlation_id")}

    # -- the report ------------------------------------------------------------------------

    def _report(self):
        customers = [self._customers[host].to_dict() for host in sorted(self._customers)]
        modes = self._modes or set(["check" if context.CLIARGS.get("check", False) else "run"])
        report = {"report_version": REPORT_VERSION, "collection": COLLECTION,
                  "mode": modes.pop() if len(modes) == 1 else "mixed", "playbook": self._playbook,
                  "started": _iso(self._started), "finished": _iso(datetime.datetime.now(datetime.timezone.utc)),
                  "run": {"correlation_id": self._correlation_id, "runner": self._runner or local_runner()},
                  "job": self._job or job_identity({}, os.environ)[0],
                  "totals": totals(customers, COUNTS), "customers": customers}
        return self._scrubber.scrub_value(report)

    def _write(self, report):
        directory = self.get_option("output_dir")
        mode = check_file_mode(self.get_option("file_mode"))
        playbook = os.path.splitext(report["playbook"] or "playbook")[0]
        name = self.get_option("file_name").format(
            timestamp=self._started.strftime("%Y%m%dT%H%M%SZ"), playbook=playbook, mode=report["mode"])
        name += slice_suffix(report["job"])
        ensure_directory(directory)
        paths = []
        for extension, text in ((".json", json.dumps(report, indent=2, sort_keys=True, default=to_text) + "\n"),
                                (".md", markdown(report))):
            paths.append(_write_private(os.path.join(directory, name + extension), text, mode))
        return paths


def ensure_directory(directory):
    """Create ``directory`` (0700) unless it exists.  The slices of a sliced job and parallel runs share one report
    directory: whichever creates it first, the others find it there (no check-then-create race)."""
    os.makedirs(directory, 0o700, exist_ok=True)


def check_file_name(name):
    """``name`` if it is a ``file_name`` this callback can fill in, else ValueError naming the trouble."""
    valid = ", ".join("{%s}" % p for p in PLACEHOLDERS)
    try:
        fields = [(field, spec, conversion) for dummy, field, spec, conversion in string.Formatter().parse(name)
                  if field is not None]
    except ValueError as exc:
        raise ValueError("file_name %r is not a name with placeholders (%s); its placeholders may be %s, and a "
                         "literal brace is written {{ or }}" % (name, exc, valid))
    unknown = sorted(set(field for field, dummy, dummy_conversion in fields if field not in PLACEHOLDERS))
    if unknown:
        named = ", ".join("{%s}" % field for field in unknown)
        raise ValueError("file_name %r has the unknown placeholder%s %s; the placeholders are %s (a literal brace "
                         "is written {{ or }})" % (name, "s" if len(unknown) > 1 else "", named, valid))
    formatted = ["{%s%s%s}" % (field, "!" + conversion if conversion else "", ":" + spec if spec else "")
                 for field, spec, conversion in fields if spec or conversion]
    if formatted:
        raise ValueError("file_name %r formats the placeholder %s; write the placeholders as they are: %s"
                         % (name, formatted[0], valid))
    filled = name.format(**PLACEHOLDERS)
    if not filled.strip() or "/" in filled or filled in (".", ".."):
        raise ValueError("file_name %r is not a file name; give a name such as "
                         "partnercenter-report-{playbook}-{timestamp} (output_dir says where)" % name)
    return name


def check_file_mode(text):
    """The ``file_mode`` as a number if it is a mode a report may have, else ValueError saying which are."""
    allowed = "read and write bits only, readable by the owner: 0400 to 0666, for example 0600 or 0640"
    value = str(text).strip()
    digits = value[2:] if value[:2].lower() == "0o" else value
    if not re.match(r"^[0-7]{1,4}$", digits):
        raise ValueError("file_mode %r is not an octal mode; give %s" % (value, allowed))
    mode = int(digits, 8)
    if mode & ~FILE_MODE_BITS:
        raise ValueError("file_mode %s has %s bits; give %s" % (value, " and ".join(
            name for bits, name in ((0o111, "execute"), (0o6000, "setuid/setgid"), (0o1000, "sticky"))
            if mode & bits), allowed))
    if not mode & FILE_MODE_OWNER_READ:
        raise ValueError("file_mode %s does not let the owner read the reports; give %s" % (value, allowed))
    return mode


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_private(path, text, mode):
    """Write ``text`` to ``path`` atomically; the file has ``mode`` from its first byte on."""
    fd, tmp = tempfile.mkstemp(prefix=".report-", dir=os.path.dirname(path) or ".")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


# -- Markdown --------------------------------------------------------------------------------

# Markup characters and how they are shown as themselves: CommonMark lets any ASCII punctuation be
# backslash-escaped; what starts an HTML tag or entity becomes an entity (as every renderer reads it).
_MARKUP = dict((ord(char), shown) for char, shown in (
    ("\\", "\\\\"), ("`", "\\`"), ("*", "\\*"), ("_", "\\_"), ("{", "\\{"), ("}", "\\}"), ("[", "\\["),
    ("]", "\\]"), ("!", "\\!"), ("|", "\\|"), ("~", "\\~"), ("#", "\\#"), ("&", "&amp;"), ("<", "&lt;"),
    (">", "&gt;")))
# Bare URLs that GitHub-flavoured Markdown links by itself, and a list, heading or rule at a line's start.
_AUTOLINK_RE = re.compile(r"(?i)(?=://)|(?<=\bwww)(?=\.)")
_BLOCK_START_RE = re.compile(r"^(\s*(?:\d+(?=[.)])|(?=[-+=])))")


def markdown_text(value):
    """``value`` as Markdown text that shows it as it is: no markup, one line, no control character.

    Everything a customer or Partner Center controls goes through here (host, UPN, id, names, fields,
    messages, error details): escaped, it renders as the same text in a table cell, a heading or a
    paragraph, whatever HTML, link, image, code, emphasis or pipe it holds.
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "[%s]" % ", ".join(to_text(v) for v in value)
    text = printable(to_text(value)).translate(_MARKUP)
    return _BLOCK_START_RE.sub(r"\1\\", _AUTOLINK_RE.sub(r"\\", text))


def _fence(lines):
    """A code fence longer than any run of backticks in ``lines``, so none of them closes it."""
    longest = max([len(run) for line in lines for run in re.findall("`+", line)] or [0])
    return "`" * max(3, longest + 1)


def _one_line(message):
    """A message on one line.  The role's rescue words a failure over several lines; server text
    reaches a message with its line breaks already escaped, so these breaks are the role's own."""
    return " ".join(to_text(message).split("\n"))


def _column(count, check):
    if count == "failed":
        return "failed users"
    return WOULD[count] if check and count in WOULD else count


def _verb(change):
    return WOULD[change["action"]] if change["planned"] else change["action"]


def value_text(value):
    """A field's value as Markdown text a person reads, never a Python repr: a list as its items, comma-separated;
    a mapping (disabled plans by SKU) as "key: items" pairs; nothing as "(none)"."""
    if value is None or value == [] or value == {}:
        return "(none)"
    if isinstance(value, dict):
        return "; ".join("%s: %s" % (markdown_text(key), value_text(item)) for key, item in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ", ".join(markdown_text(item) for item in value)
    return markdown_text(value)


def _details(change):
    parts = []
    for field, values in sorted(change["fields"].items()):
        if values["after"] == HIDDEN:
            parts.append("%s: set (not shown)" % field)
        elif change["action"] == "created":
            parts.append("%s: %s" % (field, value_text(values["after"])))
        else:
            parts.append("%s: %s -> %s" % (field, value_text(values["before"]), value_text(values["after"])))
    return "; ".join(parts)


def _undeclared_lines(customer):
    undeclared = customer.get("undeclared") or {"count": 0, "users": []}
    if not undeclared["count"]:
        return []
    named = ", ".join(markdown_text(upn) for upn in undeclared["users"][:UNDECLARED_NAMED])
    more = undeclared["count"] - min(len(undeclared["users"]), UNDECLARED_NAMED)
    return ["Active users no declaration names (purge is off, so they stay): %d: %s%s." % (
        undeclared["count"], named, " and %d more" % more if more > 0 else ""), ""]


def _reactivations(customer):
    """Each offboarded user's record: what was removed, as the entry to paste back to re-activate it."""
    lines = []
    for change in customer["changes"]:
        record = change.get("offboarding")
        if not record:
            continue
        text = [printable(line) for line in yaml.safe_dump(
            [record.get("reactivate")], default_flow_style=False, sort_keys=False).splitlines()]
        fence = _fence(text)
        lines.extend(["%s %s: what was removed, as the entry that re-activates it (paste it in place of its "
                      "offboarded entry):" % ("Would offboard" if change["planned"] else "Offboarded",
                                              markdown_text(change["user_principal_name"])), "",
                      fence + "yaml"] + text + [fence, ""])
    return lines


def _error_cells(failure):
    error = failure["error"] or {}
    return [markdown_text(error.get(key)) for key in ERROR_KEYS]


def run_line(run):
    """Who ran the playbook, and the MS-CorrelationId its requests carried."""
    runner = run.get("runner") or {}
    if runner.get("awx_job_id"):
        who = "AWX job %s" % markdown_text(runner["awx_job_id"])
        if runner.get("awx_job_template_name"):
            who += " (job template %s)" % markdown_text(runner["awx_job_template_name"])
        if runner.get("awx_user_name"):
            who += ", launched by %s" % markdown_text(runner["awx_user_name"])
    else:
        who = "%s on %s" % (markdown_text(runner.get("user") or "an unknown user"),
                            markdown_text(runner.get("host") or "an unknown host"))
    if run.get("correlation_ids"):  # a merged job: one id per slice's run
        return "Run by %s; its slices' requests carried the MS-CorrelationIds %s." % (
            who, ", ".join(markdown_text(c) for c in run["correlation_ids"]))
    correlation = run.get("correlation_id")
    return "Run by %s; its requests carried MS-CorrelationId %s." % (
        who, markdown_text(correlation) if correlation else "(none: %s is not a GUID)" % _correlation.VARIABLE)


def _job_lines(job):
    """Who the run was, when it is one slice of a job or the merge of the slices."""
    piece, pieces = job.get("slice"), job.get("slices")
    if piece:
        return ["Slice %s of %s of job %s: the job's other customers are in the other slices' reports (merge them "
                "with the playbook csp.partnercenter.merge\\_reports)." % (
                    markdown_text(piece.get("number") or piece.get("job_id") or "?"),
                    markdown_text(piece.get("count") or "?"), markdown_text(job.get("job_id") or "?")), ""]
    if pieces:
        return ["Job %s, merged from %d slice reports." % (markdown_text(job.get("job_id") or "?"), len(pieces)), ""]
    return []


def markdown(report):
    """The report as Markdown: totals, then every customer that changed or failed, then the others by name."""
    check = report["mode"] == "check"
    totals = report["totals"]
    lines = ["# Partner Center %s" % ("drift report (check mode: what a run would change)" if check else "run report"),
             "",
             "Playbook %s, started %s, finished %s; mode: %s." % (
                 markdown_text(report["playbook"]), report["started"], report["finished"], report["mode"]),
             "",
             run_line(report.get("run") or {}),
             ""]
    lines += _job_lines(report.get("job") or {})
    lines += ["## Totals",
              "",
              "| customers | customers changed | customers failed | %s |" % " | ".join(
                  _column(name, check) for name in COUNTS),
              "|%s|" % "|".join(["---"] * (3 + len(COUNTS))),
              "| %s |" % " | ".join(str(totals.get(name, 0)) for name in (
                  "customers", "customers_changed", "customers_failed") + COUNTS),
              ""]
    quiet = []
    for customer in report["customers"]:
        if not customer["changes"] and not customer["failures"] and not _undeclared_lines(customer):
            quiet.append(customer["host"])
            continue
        lines.extend(["## %s" % markdown_text(customer["host"]), ""])
        if customer["customer_id"]:
            lines.extend(["Customer %s." % markdown_text(customer["customer_id"]), ""])
        lines.extend(_undeclared_lines(customer))
        if customer["summary_lines"]:
            summary = [printable(line) for line in customer["summary_lines"]]
            fence = _fence(summary)
            lines.extend([fence + "text"] + summary + [fence, ""])
        if customer["changes"]:
            lines.extend(["| user | action | id | fields |", "|---|---|---|---|"])
            lines.extend("| %s | %s | %s | %s |" % (markdown_text(c["user_principal_name"]), _verb(c),
                                                    markdown_text(c["id"]), _details(c)) for c in customer["changes"])
            lines.append("")
        lines.extend(_reactivations(customer))
        if customer["failures"]:
            lines.extend(["| failed | task | status | code | description | request id | message |",
                          "|---|---|---|---|---|---|---|"])
            lines.extend("| %s | %s | %s | %s |" % (
                markdown_text(f["user_principal_name"] or "(task)"), markdown_text(f["task"]),
                " | ".join(_error_cells(f)), markdown_text(_one_line(f["role_msg"] or f["msg"])))
                for f in customer["failures"])
            lines.append("")
    if quiet:
        lines.extend(["## Customers without changes or failures (%d)" % len(quiet), "",
                      ", ".join(markdown_text(host) for host in quiet), ""])
    if not report["customers"]:
        lines.extend(["No csp.partnercenter.partnercenter_user task ran.", ""])
    return "\n".join(lines)
