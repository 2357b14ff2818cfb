# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: records every task result as one JSON line.

ansible-core ships no JSON callback, and the integration tests want both a
human-readable stdout (the default callback, scanned for leaked secrets) and
machine-readable results.  This aggregate callback leaves the stdout callback
alone and appends one JSON object per runner event to the file named by
``PARTNERCENTER_TEST_RESULTS_FILE``.  Enable it with
``ANSIBLE_CALLBACK_PLUGINS=<this dir>`` and ``ANSIBLE_CALLBACKS_ENABLED=result_recorder``.

Each record: ``event`` (ok, failed, skipped, unreachable, item_ok, item_failed,
item_skipped, stats), ``task`` (name), ``action``, ``host``, ``changed``,
``failed``, ``skipped``, ``ignore_errors`` and ``result`` (the result dict as
callbacks see it, already censored for ``no_log`` tasks, with ``changed`` and
``failed`` (and ``skipped``) filled in like a registered variable's).
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: result_recorder
type: aggregate
short_description: record task results as JSON lines for the integration tests
description:
  - Appends one JSON object per task result to the file named by E(PARTNERCENTER_TEST_RESULTS_FILE).
"""


class _Encoder(json.JSONEncoder):
    """Serialise anything a result may hold; unknown objects become their repr."""

    def default(self, o):  # pylint: disable=method-hidden
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        if isinstance(o, bytes):
            return o.decode("utf-8", "replace")
        try:
            return super().default(o)
        except TypeError:
            return repr(o)


def _result_dict(result):
    data = getattr(result, "result", None)  # ansible-core >= 2.19
    if data is None:
        data = getattr(result, "_result", {})
    return dict(data)


def _task(result):
    return getattr(result, "task", None) or getattr(result, "_task", None)


def _host(result):
    return getattr(result, "host", None) or getattr(result, "_host", None)


class CallbackModule(CallbackBase):
    """Append task results to a JSON-lines file."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "result_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("PARTNERCENTER_TEST_RESULTS_FILE")

    def _write(self, record):
        if not self._path:
            return
        line = json.dumps(record, cls=_Encoder, sort_keys=True)
        with open(self._path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def _record(self, event, result, ignore_errors=False):
        data = _result_dict(result)
        task = _task(result)
        host = _host(result)
        failed = event in ("failed", "item_failed", "unreachable") or bool(data.get("failed", False))
        skipped = event in ("skipped", "item_skipped") or bool(data.get("skipped", False))
        # ansible-core 2.19 hands callbacks failed results without the "failed"
        # key; put the flags back so "result" looks like a registered variable.
        data.setdefault("changed", False)
        data.setdefault("failed", failed)
        if skipped:
            data.setdefault("skipped", True)
        self._write({
            "event": event,
            "task": task.get_name() if task is not None else None,
            "action": getattr(task, "action", None),
            "host": host.get_name() if host is not None else None,
            "changed": bool(data.get("changed", False)),
            "failed": failed,
            "skipped": skipped,
            "unreachable": event == "unreachable",
            "ignore_errors": bool(ignore_errors),
            "result": data,
        })

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result, ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._record("item_ok", result)

    def v2_runner_item_on_failed(self, result):
        self._record("item_failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._record("item_skipped", result)

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._write({"event": "stats", "stats": summary})
