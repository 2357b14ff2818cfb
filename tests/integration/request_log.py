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
