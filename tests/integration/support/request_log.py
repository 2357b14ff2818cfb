# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading the emulator's request log: arrival times and request bodies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime


def arrival(record):
    """When the emulator received a request (the log is ordered by completion, not arrival)."""
    return datetime.datetime.strptime(record["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def by_arrival(records):
    return sorted(records, key=lambda r: (arrival(r), r.get("seq") or 0))


def body_upn(record):
    body = record.get("body") or {}
    return (body.get("userPrincipalName") or "").lower()


def routes_after(records, route, status):
    """The routes of the requests that arrived after the first ``route`` request answered ``status``, in order."""
    ordered = by_arrival(records)
    for position, record in enumerate(ordered):
        if record["route"] == route and record["status"] == status:
            return [r["route"] for r in ordered[position + 1:]]
    seen = [(r["route"], r["status"]) for r in ordered]
    raise AssertionError("no %s request answered %s in %s" % (route, status, seen))


def waits_between(walks):
    """Seconds from each listing's last answer to the next listing's first request (``listings`` in order)."""
    return [later[0]["started_at"] - earlier[-1]["answered_at"] for earlier, later in zip(walks, walks[1:])]


def is_continuation(record):
    """A page after the first of a listing (``seekOperation=Next``)."""
    return any(str(key).lower() == "seekoperation" for key in record.get("query") or {})


def listings(records):
    """The requests of ``records`` (in arrival order) grouped into listings: each first page with the pages after it."""
    walks = []
    for record in records:
        if is_continuation(record) and walks:
            walks[-1].append(record)
        else:
            walks.append([record])
    return walks


def look_ups(records):
    """The user listings (each as its pages) that arrived after the last create, in arrival order."""
    log = by_arrival(records)
    creates = [n for n, r in enumerate(log) if r["route"] == "create_user"]
    return listings([r for r in log[creates[-1] + 1:] if r["route"] == "list_users"]) if creates else []
