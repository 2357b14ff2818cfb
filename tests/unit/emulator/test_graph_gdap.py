"""Graph's 403 Authorization_RequestDenied: the token's wids (the GDAP roles held in that
customer) and scp decide, by Microsoft's least privileged roles by task; admins need
Privileged Authentication Administrator."""

import pytest

from conftest import CID
from partnercenter_emulator import gdap, routes
from test_graph_users import ALICE, DANIEL, SALES, graph_seed

DENIED = "Insufficient privileges to complete the operation."


def with_roles(pc, roles, **customer):
    seed = graph_seed(**customer)
    seed["customers"][0]["gdapRoles"] = roles
    pc.reset(seed=seed)
    pc._tokens.clear()
    return pc


def denied(r):
    return r.status_code == 403 and r.json()["error"] == dict(
        r.json()["error"], code="Authorization_RequestDenied", message=DENIED)


def attempts(pc):
    """(read users, read groups, update a non-admin, update an admin, revoke a non-admin,
    revoke an admin, add a member): allowed or not."""
    ref = {"@odata.id": "https://graph.microsoft.com/v1.0/users/" + DANIEL}
    answers = [pc.graph("GET", "/users"), pc.graph("GET", "/groups"),
               pc.graph("PATCH", "/users/" + ALICE, json={"jobTitle": "x"}),
               pc.graph("PATCH", "/users/" + DANIEL, json={"jobTitle": "x"}),
               pc.graph("POST", "/users/%s/revokeSignInSessions" % ALICE),
               pc.graph("POST", "/users/%s/revokeSignInSessions" % DANIEL),
               pc.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref)]
    for r in answers:
        assert r.status_code < 300 or denied(r), r.text
    return tuple(r.status_code < 300 for r in answers)


@pytest.mark.parametrize("roles,allowed", [
    (["Directory Readers"], (True, True, False, False, False, False, False)),
    (["Global Reader"], (True, True, False, False, False, False, False)),
    (["User Administrator"], (True, True, True, False, True, False, True)),
    (["Groups Administrator"], (True, True, False, False, False, False, True)),
    (["Privileged Authentication Administrator"], (True, True, True, True, True, True, False)),
    (["Global Administrator"], (True,) * 7),
    ([], (False,) * 7),
    (["License Administrator"], (False,) * 7),
])
def test_least_privileged_roles_by_task(pc, roles, allowed):
    with_roles(pc, roles)
    assert attempts(pc) == allowed


def test_the_scopes_consented_limit_the_token_too(pc):
    with_roles(pc, "all", consentedApplications=[{"scopes": "User.Read.All,Group.Read.All"}])
    assert attempts(pc) == (True, True, False, False, False, False, False)


def test_a_denied_write_changes_nothing(pc):
    with_roles(pc, ["Directory Readers"])
    before = pc.control("GET", "state", params={"customer": CID})["customers"][0]
    assert denied(pc.graph("PATCH", "/users/" + ALICE, json={"accountEnabled": False}))
    after = pc.control("GET", "state", params={"customer": CID})["customers"][0]
    assert after["users"] == before["users"] and after["revocations"] == []


def test_every_graph_route_names_a_known_operation():
    operations = set(gdap.GRAPH_ROLES_BY_OPERATION)
    graph_routes = [r for r in routes.ROUTES if r.side == routes.GRAPH]
    assert len(graph_routes) == 13
    assert {"read_users", "read_groups", "update_user", "update_admin_user", "revoke_sessions",
            "revoke_admin_sessions", "group_members", "role_assignable_group_members"} == \
        operations
    for role in {r for roles in gdap.GRAPH_ROLES_BY_OPERATION.values() for r in roles}:
        assert role in gdap.TEMPLATE_IDS
    assert gdap.GRAPH_SOURCE.startswith("https://learn.microsoft.com/")
