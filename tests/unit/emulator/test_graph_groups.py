"""Microsoft Graph's groups: the kinds a seed gives rendered as Graph does, the display-name
filter (ambiguous names included), paged members, and member writes through $ref, refused
for the groups Graph cannot change."""

import pytest

from conftest import CID, DOMAIN
from test_graph_users import ALICE, BOB, DANIEL, SALES, graph_seed, pc_state

DYNAMIC = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f11"
SYNCED = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f12"
MESG = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f13"
DL = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f14"
ADMINS = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f15"
TEAM = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f16"
TWIN = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f17"

GROUPS = [
    {"id": SALES, "displayName": "Sales", "members": ["alice@" + DOMAIN]},
    {"id": DYNAMIC, "displayName": "All staff", "kind": "dynamic",
     "membershipRule": 'user.accountEnabled -eq true', "members": ["bob@" + DOMAIN]},
    {"id": SYNCED, "displayName": "Synced staff", "kind": "synced"},
    {"id": MESG, "displayName": "Secure mail", "kind": "mail_enabled_security"},
    {"id": DL, "displayName": "Newsletter", "kind": "distribution"},
    {"id": ADMINS, "displayName": "Helpdesk admins", "kind": "role_assignable"},
    {"id": TEAM, "displayName": "Team", "kind": "m365"},
    {"id": TWIN, "displayName": "sales", "description": "another group with the same name"},
]


@pytest.fixture
def g(pc):
    pc.reset(seed=graph_seed(groups=GROUPS))
    return pc


def ref(uid):
    return {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + uid}


def members(pc, gid):
    return [m["members"] for m in pc_state(pc)["groups"] if m["id"] == gid][0]


def test_kinds_are_rendered_with_graphs_properties(g):
    shown = {x["id"]: x for x in g.graph("GET", "/groups", params={"$top": "999"}).json()["value"]}
    assert len(shown) == len(GROUPS)
    assert shown[SALES]["groupTypes"] == [] and shown[SALES]["securityEnabled"] is True
    assert shown[SALES]["mailEnabled"] is False and shown[SALES]["isAssignableToRole"] is None
    assert shown[DYNAMIC]["groupTypes"] == ["DynamicMembership"]
    assert shown[DYNAMIC]["membershipRule"] == "user.accountEnabled -eq true"
    assert shown[DYNAMIC]["membershipRuleProcessingState"] == "On"
    assert shown[SYNCED]["onPremisesSyncEnabled"] is True
    assert (shown[MESG]["mailEnabled"], shown[MESG]["securityEnabled"]) == (True, True)
    assert (shown[DL]["mailEnabled"], shown[DL]["securityEnabled"]) == (True, False)
    assert shown[ADMINS]["isAssignableToRole"] is True
    assert shown[TEAM]["groupTypes"] == ["Unified"] and shown[TEAM]["mailEnabled"] is True
    assert shown[TEAM]["mail"] == "Team@" + DOMAIN


def test_display_name_filter_finds_every_group_of_that_name(g):
    r = g.graph("GET", "/groups", params={"$filter": "displayName eq 'Sales'",
                                          "$select": "id,displayName"})
    assert r.status_code == 200
    assert r.json()["value"] == [{"id": SALES, "displayName": "Sales"},
                                 {"id": TWIN, "displayName": "sales"}]
    assert r.json()["@odata.context"].endswith("#groups(id,displayName)")
    assert g.graph("GET", "/groups", params={"$filter": "displayName eq 'Nobody'"}).json()[
        "value"] == []
    r = g.graph("GET", "/groups", params={"$filter": "startswith(displayName,'S')"})
    assert r.status_code == 400
    assert g.graph("GET", "/groups/" + SALES).json()["displayName"] == "Sales"
    assert g.graph("GET", "/groups/6a1b7a38-1c1f-4d8e-9a57-000000000000").status_code == 404


def test_members_are_paged_with_select(g):
    for uid in (BOB, DANIEL):
        assert g.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref(uid)).status_code == 204
    r = g.graph("GET", "/groups/%s/members" % SALES,
                params={"$select": "id,userPrincipalName", "$top": "2"})
    page = r.json()
    assert page["value"] == [
        {"@odata.type": "#microsoft.graph.user", "id": ALICE, "userPrincipalName": "alice@" + DOMAIN},
        {"@odata.type": "#microsoft.graph.user", "id": BOB, "userPrincipalName": "bob@" + DOMAIN}]
    rest = g.graph("GET", page["@odata.nextLink"]).json()
    assert [m["id"] for m in rest["value"]] == [DANIEL] and "@odata.nextLink" not in rest
    assert "$select=id,userPrincipalName" in page["@odata.nextLink"]


def test_add_and_remove_members_answer_as_graph(g):
    r = g.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref(BOB))
    assert r.status_code == 204 and members(g, SALES) == [ALICE, BOB]
    r = g.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref(BOB))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "Request_BadRequest"
    assert r.json()["error"]["message"] == (
        "One or more added object references already exist for the following modified "
        "properties: 'members'.")
    r = g.graph("DELETE", "/groups/%s/members/%s/$ref" % (SALES, BOB))
    assert r.status_code == 204 and members(g, SALES) == [ALICE]
    r = g.graph("DELETE", "/groups/%s/members/%s/$ref" % (SALES, BOB))
    assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"
    nobody = "0d6f3f7e-5a55-4b4a-8a4e-000000000000"
    assert g.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref(nobody)).status_code == 404
    assert g.graph("POST", "/groups/%s/members/$ref" % SALES,
                   json={"@odata.id": "bob"}).status_code == 400
    assert g.graph("POST", "/groups/%s/members/$ref" % TEAM, json=ref(BOB)).status_code == 204
    writes = [(e["route"], e["status"]) for e in g.control("GET", "requests")["requests"]
              if e["method"] != "GET" and e["api"] == "graph"]
    assert writes[:4] == [("graph_add_group_member", 204), ("graph_add_group_member", 400),
                          ("graph_remove_group_member", 204), ("graph_remove_group_member", 404)]


@pytest.mark.parametrize("gid,fragment", [
    (DYNAMIC, "dynamic membership"),
    (SYNCED, "on-premises mastered Directory Sync objects"),
    (MESG, "Cannot Update a mail-enabled security groups and or distribution list."),
    (DL, "Cannot Update a mail-enabled security groups and or distribution list."),
])
def test_groups_graph_cannot_change_are_refused(g, gid, fragment):
    before = members(g, gid)
    for method, path, body in (("POST", "/groups/%s/members/$ref" % gid, ref(ALICE)),
                               ("DELETE", "/groups/%s/members/%s/$ref" % (gid, BOB), None)):
        r = g.graph(method, path, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "Request_BadRequest"
        assert fragment in r.json()["error"]["message"]
    g.control("POST", "config", {"group_write_refusal": "forbidden"})
    r = g.graph("POST", "/groups/%s/members/$ref" % gid, json=ref(ALICE))
    assert r.status_code == 403 and r.json()["error"]["code"] == "Authorization_RequestDenied"
    assert members(g, gid) == before


def test_role_assignable_groups_need_privileged_role_administrator(g):
    g.control("POST", "gdap", {"customer": CID, "roles": ["User Administrator",
                                                          "Groups Administrator"]})
    r = g.graph("POST", "/groups/%s/members/$ref" % ADMINS, json=ref(ALICE))
    assert r.status_code == 403 and r.json()["error"]["message"] == \
        "Insufficient privileges to complete the operation."
    assert g.graph("POST", "/groups/%s/members/$ref" % SALES, json=ref(BOB)).status_code == 204
    g.control("POST", "gdap", {"customer": CID, "roles": ["Privileged Role Administrator"]})
    g._tokens.clear()      # the roles are those of the token (wids)
    assert g.graph("POST", "/groups/%s/members/$ref" % ADMINS, json=ref(ALICE)).status_code == 204
    assert members(g, ADMINS) == [ALICE]


def test_a_purged_user_leaves_its_groups_and_its_reports(g):
    g.control("POST", "config", {"soft_delete_retention_days": 1})
    assert g.api("DELETE", "/customers/%s/users/%s" % (CID, BOB)).status_code == 204
    g.control("POST", "clock", {"advance_seconds": 2 * 86400})
    state = pc_state(g)
    assert BOB not in [m for grp in state["groups"] for m in grp["members"]]
    assert [u["manager"] for u in state["users"] if u["id"] == ALICE] == [None]


def test_bad_group_seeds_are_refused(pc):
    for groups, fragment in (([{"displayName": "X", "kind": "weird"}], "kind"),
                             ([{"displayName": "X", "members": ["ghost@" + DOMAIN]}], "ghost"),
                             ([{"kind": "assigned"}], "displayName"),
                             ([{"id": SALES, "displayName": "A"}, {"id": SALES, "displayName": "B"}],
                              "duplicate")):
        r = pc.s.post(pc.url + "/_emulator/reset", json={"seed": graph_seed(groups=groups)})
        assert r.status_code == 400 and fragment in r.json()["error"], r.text
