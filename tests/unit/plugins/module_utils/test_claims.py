# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an access token says about itself: a JWT's claims read, an opaque token or a broken one read as None."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._claims import describe_identity, token_claims


def jwt(claims, strip_padding=True):
    """A JWT-shaped token (header.payload.signature) whose payload is ``claims``; never signed."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode("utf-8")).decode("ascii")
    return "eyJhbGciOiJub25lIn0.%s.sig" % (payload.rstrip("=") if strip_padding else payload)


@pytest.mark.parametrize("token, expected", [
    (jwt({"tid": "t1", "upn": "a@b"}), {"tid": "t1", "upn": "a@b"}),
    (jwt({"tid": "t1", "x": "yy"}, strip_padding=False), {"tid": "t1", "x": "yy"}),  # padded payload too
    (jwt({"n": "é"}), {"n": "é"}),
    ("opaque-access-token", None),  # no dots: an opaque token
    ("a.b", None),  # two parts
    ("a.b.c.d", None),  # four parts
    ("h.!!!.s", None),  # not base64url
    ("h.%s.s" % base64.urlsafe_b64encode(b"not json").decode("ascii"), None),
    ("h.%s.s" % base64.urlsafe_b64encode(b"\xff\xfe").decode("ascii"), None),  # not UTF-8
    (jwt(["a list"]), None),  # JSON, but not an object
    (jwt("a string"), None),
    (None, None),
    (123, None),
])
def test_token_claims(token, expected):
    assert token_claims(token) == expected


@pytest.mark.parametrize("claims, expected", [
    (None, dict(token_format="opaque", kind=None, tenant_id=None, user=None, mfa=None, scope=None, expires=None,
                application_id=None)),
    # delegated (app+user): the user's UPN, MFA from amr, the scope, expiry as UTC ISO-8601
    ({"tid": "t1", "upn": "admin@partner", "amr": ["pwd", "mfa"], "scp": "user_impersonation", "exp": 0,
      "appid": "app1"},
     dict(token_format="jwt", kind="app+user", tenant_id="t1", user="admin@partner", mfa=True,
          scope="user_impersonation", expires="1970-01-01T00:00:00Z", application_id="app1")),
    # no upn: unique_name, then preferred_username; no amr: no MFA; azp when appid is missing
    ({"scp": "s", "unique_name": "u@x", "preferred_username": "p@x", "azp": "app2", "exp": 1767225600.5},
     dict(token_format="jwt", kind="app+user", tenant_id=None, user="u@x", mfa=False, scope="s",
          expires="2026-01-01T00:00:00Z", application_id="app2")),
    ({"scp": "s", "preferred_username": "p@x"},
     dict(token_format="jwt", kind="app+user", tenant_id=None, user="p@x", mfa=False, scope="s", expires=None,
          application_id=None)),
    # app-only: said by idtyp, or by neither scp nor upn; no user and no MFA whatever the claims say
    ({"idtyp": "app", "scp": "s", "upn": "ignored@x", "amr": ["mfa"], "tid": "t2"},
     dict(token_format="jwt", kind="app-only", tenant_id="t2", user=None, mfa=None, scope="s", expires=None,
          application_id=None)),
    ({"tid": "t3", "roles": ["x"], "appid": "app3"},
     dict(token_format="jwt", kind="app-only", tenant_id="t3", user=None, mfa=None, scope=None, expires=None,
          application_id="app3")),
    # an expiry that is not a number is not shown as a date (True is not a timestamp)
    ({"upn": "u@x", "exp": "soon"}, dict(token_format="jwt", kind="app+user", tenant_id=None, user="u@x", mfa=False,
                                         scope=None, expires=None, application_id=None)),
    ({"upn": "u@x", "exp": True}, dict(token_format="jwt", kind="app+user", tenant_id=None, user="u@x", mfa=False,
                                       scope=None, expires=None, application_id=None)),
])
def test_describe_identity(claims, expected):
    assert describe_identity(claims) == expected
