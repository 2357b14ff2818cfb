# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The many-users result: one refusal met by many users is explained once in ``msg``, each user kept in failed_users."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._executor import Outcome
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._planner import CREATE, DesiredUser, Plan
from ansible_collections.csp.partnercenter.plugins.module_utils._results import many_result
from ansible_collections.csp.partnercenter.plugins.module_utils._summary import UPNS_NAMED, customer_summary

HINT = "The partner's GDAP relationship gives no admin role that may create users; one of these is needed: X, Y."


def denied(request_id="rid-1"):
    return PartnerCenterError("Partner Center refused the request for customer c", status=403, code=900150,
                              description="The supplied role does not have the rights", method="POST",
                              route="POST /customers/{customer_id}/users", request_id=request_id, hint=HINT)


def not_sent_again(first):
    """What the client raises for the next user after a 403 of the same operation."""
    return first.derive("Not sent: Partner Center refused the same operation for customer c already in this task "
                        "(HTTP 403)")


def failed(name, error):
    return Outcome(Plan(CREATE, DesiredUser("%s@contoso.com" % name)), error=error)


def test_one_refusal_for_many_users_is_explained_once_and_every_user_keeps_its_entry():
    first = denied()
    outcomes = [failed("ann", first), failed("bob", denied("rid-2"))] + [
        failed(name, not_sent_again(first)) for name in ("cat", "dan", "eve")]
    result = many_result(outcomes, len(outcomes))
    assert result.failure.count(HINT) == 1 and result.failure.count("HTTP 403") == 1
    assert result.failure.startswith("5 of 5 users failed: 5 users (ann@contoso.com, bob@contoso.com, cat@contoso.com, "
                                     "dan@contoso.com, eve@contoso.com): Partner Center refused the request")
    entries = result.fields["failed_users"]
    names = ("ann", "bob", "cat", "dan", "eve")
    assert [e["user_principal_name"] for e in entries] == ["%s@contoso.com" % n for n in names]
    assert all(HINT in e["msg"] and e["error"]["status"] == 403 for e in entries)
    lines = customer_summary("contoso", dict(result.fields, failed=True))
    assert sum(line.count(HINT) for line in lines) == 1
    assert lines[-1].startswith("  failed: 5 users (ann@contoso.com, ")


def test_a_long_list_of_users_is_bounded_with_a_count():
    first = denied()
    names = ["u%03d" % n for n in range(300)]
    result = many_result([failed(names[0], first)] + [failed(n, not_sent_again(first)) for n in names[1:]], 300)
    assert result.failure.count(HINT) == 1 and "300 users (" in result.failure
    assert "u%03d@contoso.com" % (UPNS_NAMED - 1) in result.failure and "u%03d@" % UPNS_NAMED not in result.failure
    assert "and %d more (failed_users lists each)" % (300 - UPNS_NAMED) in result.failure
    assert len(result.failure) < 2000 and len(result.fields["failed_users"]) == 300


def test_failures_without_an_explanation_or_with_another_one_are_each_said():
    plain = [PartnerCenterError("Partner Center refused the request for customer c", status=400, code=3004,
                                description="invalid usage location", route="POST x", request_id="r%d" % n)
             for n in range(2)]
    other = PartnerCenterError("Partner Center refused the request for customer c", status=403, code=900150,
                               description="The supplied role does not have the rights", method="POST",
                               route="POST /customers/{customer_id}/users/{user_id}/licenseupdates",
                               request_id="r9", hint="Another explanation.")
    outcomes = [failed("ann", plain[0]), failed("bob", plain[1]), failed("cat", denied()), failed("dan", other)]
    failure = many_result(outcomes, 4).failure
    assert failure.count("invalid usage location") == 2 and failure.count(HINT) == 1
    assert failure.count("Another explanation.") == 1 and " users (" not in failure
