# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fake transport the HTTP clients' unit tests share (Partner Center's and Graph's): real ``requests``
responses read from memory, a session that replays them and records each request, and a token provider."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json

import requests


def FakeResponse(status, body=None, headers=None, raw=None):
    """A real ``requests.Response`` whose body is read from memory, as a streamed answer is read."""
    response = requests.Response()
    response.status_code = status
    response.headers = requests.structures.CaseInsensitiveDict(headers or {})
    if raw is None:
        raw = json.dumps(body).encode("utf-8") if body is not None else b""
    response.raw = io.BytesIO(raw) if isinstance(raw, bytes) else raw
    return response


class FakeSession:
    """Replays scripted responses (or exceptions) and records each request."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def request(self, method, url, params=None, data=None, headers=None, timeout=None, **kwargs):
        self.calls.append(dict(method=method, url=url, params=params, headers=dict(headers or {}),
                               body=json.loads(data) if isinstance(data, (bytes, str)) and data else data))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class FakeTokens:
    """Hands out ``<prefix>-1``, then ``<prefix>-2`` once that one is invalidated; ``unusable`` and
    ``app_only`` as ``_auth.TokenProvider`` says them."""

    def __init__(self, prefix="token", unusable=None, app_only=False):
        self.prefix = prefix
        self.unusable = unusable
        self.is_app_only = app_only
        self.can_refresh = True
        self.issued = 0
        self.token = None
        self.invalidated = []

    def get_token(self):
        if self.token is None:
            self.issued += 1
            self.token = "%s-%d" % (self.prefix, self.issued)
        return self.token

    def invalidate(self, stale):
        self.invalidated.append(stale)
        if stale == self.token:
            self.token = None
