# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role's two batch filters: customer_summary over a batch, role_failure with the customer's summary."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.csp.partnercenter.plugins.filter.customer_summary import customer_summary
from ansible_collections.csp.partnercenter.plugins.filter.role_failure import role_failure

COUNTS = dict(created=1, updated=0, restored=0, deleted=0, unchanged=2, purged=0, failed=0)


def converged(**counts):
    summary = dict(COUNTS, **counts)
    users = [dict(user_principal_name="ann@contoso.com", action="created")]
    return dict(changed=True, summary=summary, users=users, purged=[], purge_excluded=[])


def test_a_batch_of_results_gives_each_host_its_lines():
    lines = customer_summary({"contoso": converged(), "fabrikam": converged(created=0, unchanged=3)})
    assert sorted(lines) == ["contoso", "fabrikam"]
    assert lines["contoso"][0] == "contoso: 1 created, 0 updated, 0 restored, 0 deleted, 0 purged, 2 unchanged"
    assert lines["fabrikam"][0].startswith("fabrikam: 0 created")
    assert customer_summary(converged(), "contoso") == lines["contoso"]


def test_check_mode_words_the_batch_as_predictions():
    (line,) = customer_summary({"contoso": converged()}, check_mode=True)["contoso"][:1]
    assert line.startswith("contoso (check mode, nothing was changed): would create 1")


def test_a_result_that_is_not_a_dictionary_is_refused():
    with pytest.raises(AnsibleFilterError):
        customer_summary(["not", "a", "result"], "contoso")


def test_a_failure_brings_what_was_done_before_it_when_asked():
    result = dict(converged(failed=1), failed=True, msg="1 of 2 users failed: users[1] (bea@contoso.com): HTTP 400")
    plain = role_failure(result, "contoso")
    assert plain == "contoso: 1 of 2 users failed: partnercenter_users[1] (bea@contoso.com): HTTP 400"
    told = role_failure(result, "contoso", {}, False).split("\n")
    assert told[0] == plain and told[1].startswith("contoso: 1 created")


def test_a_failure_before_any_user_has_no_summary():
    result = dict(failed=True, msg="customer_domain: x.example is the primary domain of none of this partner's customers")
    assert role_failure(result, "contoso", {}, True) == (
        "contoso: partnercenter_customer_domain: x.example is the primary domain of none of this partner's customers")


def test_every_line_is_printable_whatever_the_server_named():
    result = converged(purged=1, failed=1)
    result["purged"] = [dict(user_principal_name="evil\x1b[31m\r\nPLAY RECAP *** fake@contoso.com")]
    result["failed_users"] = [dict(user_principal_name="bob@contoso.com", msg="refused: \u202eexe.txt\nok: done")]
    lines = customer_summary(result, "contoso")
    assert "  purged: evil\\x1b[31m\\r\\nPLAY RECAP *** fake@contoso.com" in lines
    assert "  failed: bob@contoso.com: refused: \\u202eexe.txt\\nok: done" in lines
    assert not any(c in "".join(lines) for c in "\x1b\r\n\u202e")
    assert "\n".join(lines).count("\n") == len(lines) - 1, "one line each"


def identity_failure(code, description, status, route="POST token"):
    return dict(failed=True, msg="The refusal (%s; HTTP %s) What to do next, in full." % (route, status),
                error=dict(route=route, status=status, code=code, description=description))


@pytest.mark.parametrize("code, description, status, route, cause", [
    (900421, "Token is missing MFA claim", 401, "GET /customers/{customer_id}/users", "the token has no MFA claim"),
    ("invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity.", 400, "POST token",
     "the refresh token has expired"),
    ("invalid_client", "AADSTS7000215: Invalid client secret provided.", 401, "POST token",
     "the client secret is wrong"),
    ("invalid_grant", "AADSTS50173: The provided grant has expired due to it being revoked.", 400, "POST token",
     "the refresh token was revoked"),
    ("invalid_grant", "AADSTS999999: Something new.", 400, "POST token", "the authority refused the refresh token"),
])
def test_a_repeated_identity_failure_names_its_cause_on_every_host_and_the_next_step_once(
        code, description, status, route, cause):
    results = dict((host, identity_failure(code, description, status, route)) for host in ("mfa1", "mfa2", "mfa3"))
    first = role_failure(results["mfa1"], "mfa1", results)
    assert first == "mfa1: " + results["mfa1"]["msg"]
    for host in ("mfa2", "mfa3"):
        said = role_failure(results[host], host, results)
        assert said.startswith("%s: %s: the same identity failure as mfa1" % (host, cause)), said
        assert "What to do next" not in said and "The refusal" in said


def test_different_identity_failures_are_each_said_in_full():
    results = {"a": identity_failure(900421, "no MFA", 401, "GET /customers/{customer_id}/users"),
               "b": identity_failure("invalid_client", "AADSTS7000215: Invalid client secret provided.", 401)}
    assert role_failure(results["b"], "b", results) == "b: " + results["b"]["msg"]
