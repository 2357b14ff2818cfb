"""Microsoft Graph's users in a customer tenant: the same records as Partner Center's, seen
after graph_lag; $select, $filter, $expand=manager, $top and absolute nextLinks; PATCH of the
work details, accountEnabled and renames (validated like Graph); the manager; revocations
recorded with their emulator time; memberOf; Graph's error bodies."""

import pytest

from conftest import CID, DOMAIN, GOOD_PASSWORD, base_seed

DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"        # holds Helpdesk Administrator
ALICE = "0d6f3f7e-5a55-4b4a-8a4e-4f5a0d1e7c01"
BOB = "0d6f3f7e-5a55-4b4a-8a4e-4f5a0d1e7c02"
SALES = "6a1b7a38-1c1f-4d8e-9a57-6b1e0d4b9f10"


def graph_seed(**customer):
    seed = base_seed()
    contoso = seed["customers"][0]
    contoso["consentedApplications"] = True
    contoso["users"] += [
        {"id": ALICE, "userPrincipalName": "alice@" + DOMAIN, "displayName": "Alice",
         "jobTitle": "Engineer", "department": "R&D", "businessPhones": ["+1 555 0100"],
         "manager": "bob@" + DOMAIN},
        {"id": BOB, "userPrincipalName": "bob@" + DOMAIN, "displayName": "Bob",
         "accountEnabled": False},
    ]
    contoso["groups"] = [{"id": SALES, "displayName": "Sales", "members": ["alice@" + DOMAIN]}]
    contoso.update(customer)
    return seed


@pytest.fixture
def g(pc):
    pc.reset(seed=graph_seed())
    return pc


def graph_log(pc):
    return [e for e in pc.control("GET", "requests")["requests"] if e["api"] == "graph"]


def user_state(pc, uid):
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    return [u for u in users if u["id"] == uid][0]


def test_list_users_with_select_expand_and_paging(g):
    r = g.graph("GET", "/users", params={
        "$select": "id,userPrincipalName,jobTitle,accountEnabled",
        "$expand": "manager($select=id,userPrincipalName)", "$top": "2"})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["@odata.context"].endswith(
        "/v1.0/$metadata#users(id,userPrincipalName,jobTitle,accountEnabled)")
    # the soft-deleted user is not there; each item carries exactly what was selected
    assert [u["userPrincipalName"] for u in page["value"]] == [
        "Daniel@" + DOMAIN, "noloc@" + DOMAIN]
    assert set(page["value"][0]) == {"id", "userPrincipalName", "jobTitle", "accountEnabled"}
    link = page["@odata.nextLink"]
    assert link.startswith(g.info["graph_url"] + "/v1.0/users?") and "$skiptoken=" in link
    rest = g.graph("GET", link).json()
    assert [u["userPrincipalName"] for u in rest["value"]] == ["alice@" + DOMAIN, "bob@" + DOMAIN]
    assert "@odata.nextLink" not in rest
    alice, bob = rest["value"]
    assert alice["manager"] == {"@odata.type": "#microsoft.graph.user", "id": BOB,
                                "userPrincipalName": "bob@" + DOMAIN}
    assert "manager" not in bob and bob["accountEnabled"] is False
    entries = graph_log(g)
    assert [(e["route"], e["tenant"], e["status"]) for e in entries] == [
        ("graph_list_users", CID, 200)] * 2


def test_default_properties_filter_and_top_bounds(g):
    r = g.graph("GET", "/users", params={"$filter": "userPrincipalName eq 'ALICE@%s'" % DOMAIN})
    (alice,) = r.json()["value"]
    assert set(alice) == {"businessPhones", "displayName", "givenName", "jobTitle", "mail",
                          "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                          "userPrincipalName", "id"}
    assert alice["businessPhones"] == ["+1 555 0100"] and alice["jobTitle"] == "Engineer"
    r = g.graph("GET", "/users", params={
        "$filter": "userPrincipalName in ('alice@%s', 'bob@%s')" % (DOMAIN, DOMAIN)})
    assert len(r.json()["value"]) == 2
    r = g.graph("GET", "/users", params={"$filter": "displayName eq 'O''Brien' or id eq '%s'"
                                         % BOB})
    assert [u["id"] for u in r.json()["value"]] == [BOB]
    assert g.graph("GET", "/users", params={"$top": "999"}).status_code == 200
    r = g.graph("GET", "/users", params={"$top": "1000"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_BadRequest"
    r = g.graph("GET", "/users", params={"$filter": "startswith(displayName,'A')"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"
    r = g.graph("GET", "/users", params={"$select": "id,favouriteColour"})
    assert r.status_code == 400 and "favouriteColour" in r.json()["error"]["message"]
    r = g.graph("GET", "/users", params={"$expand": "memberOf"})
    assert r.status_code == 400


def test_get_by_id_or_upn_and_graphs_error_body(g):
    r = g.graph("GET", "/users/alice@" + DOMAIN, params={"$select": "id,department"},
                headers={"client-request-id": "c0ffee00-0000-4000-8000-000000000001"})
    assert r.status_code == 200
    assert r.json()["department"] == "R&D" and r.json()["id"] == ALICE
    r = g.graph("GET", "/users/" + "0d6f3f7e-5a55-4b4a-8a4e-000000000000",
                headers={"client-request-id": "c0ffee00-0000-4000-8000-000000000002"})
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert error["message"].startswith("Resource '0d6f3f7e-5a55-4b4a-8a4e-000000000000' does "
                                       "not exist")
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert error["innerError"]["client-request-id"] == "c0ffee00-0000-4000-8000-000000000002"
    assert r.headers["request-id"] == error["innerError"]["request-id"]
    assert g.graph("GET", "/users/old@" + DOMAIN).status_code == 404       # soft-deleted


def test_a_user_created_through_partner_center_appears_after_graph_lag(g):
    g.control("POST", "config", {"graph_lag": 30})
    created = g.create_user("newbie").json()
    assert g.graph("GET", "/users/" + created["id"]).status_code == 404
    listed = g.graph("GET", "/users", params={"$filter": "userPrincipalName eq 'newbie@%s'"
                                              % DOMAIN}).json()["value"]
    assert listed == []
    assert user_state(g, created["id"])["graphVisible"] is False
    g.control("POST", "clock", {"advance_seconds": 31})
    assert g.graph("GET", "/users/newbie@" + DOMAIN).json()["id"] == created["id"]
    assert g.control("GET", "config")["graph_lag"] == 30.0


def test_the_default_lag_is_small_but_not_zero_and_larger_under_entra(g):
    assert g.control("GET", "config")["graph_lag"] == 1.0
    assert g.control("POST", "config", {"profile": "entra"})["graph_lag"] == 5.0


def test_renames_and_deletes_show_in_both_apis(g):
    r = g.api("PATCH", "/customers/%s/users/%s" % (CID, ALICE),
              json={"userPrincipalName": "alicia@" + DOMAIN})
    assert r.status_code == 200
    assert g.graph("GET", "/users/" + ALICE).json()["userPrincipalName"] == "alicia@" + DOMAIN
    assert g.graph("PATCH", "/users/" + ALICE,
                   json={"userPrincipalName": "alice@" + DOMAIN}).status_code == 204
    r = g.api("GET", "/customers/%s/users/%s" % (CID, ALICE))
    assert r.json()["userPrincipalName"] == "alice@" + DOMAIN
    assert g.api("DELETE", "/customers/%s/users/%s" % (CID, ALICE)).status_code == 204
    assert g.graph("GET", "/users/" + ALICE).status_code == 404
    members = g.graph("GET", "/groups/%s/members" % SALES).json()["value"]
    assert members == []      # hidden while soft-deleted
    listed = g.graph("GET", "/users", params={"$select": "id"}).json()["value"]
    assert ALICE not in [u["id"] for u in listed]
    assert g.api("PATCH", "/customers/%s/users/%s" % (CID, ALICE),
                 json={"state": "active"}).status_code == 200
    assert g.graph("GET", "/users/" + ALICE).status_code == 200


def test_patch_work_details_and_account_enabled(g):
    body = {"jobTitle": "Lead", "department": "Sales", "officeLocation": "Oslo 3",
            "companyName": "Contoso", "employeeId": "E-1", "mobilePhone": "+47 555",
            "businessPhones": [], "accountEnabled": False}
    r = g.graph("PATCH", "/users/alice@" + DOMAIN, json=body)
    assert r.status_code == 204 and r.content == b""
    shown = user_state(g, ALICE)
    assert {k: shown[k] for k in body} == body
    assert g.graph("PATCH", "/users/" + ALICE, json={"jobTitle": None}).status_code == 204
    assert user_state(g, ALICE)["jobTitle"] is None
    (patch, _second) = [e for e in graph_log(g) if e["route"] == "graph_update_user"]
    assert patch["body"] == body and patch["method"] == "PATCH" and patch["tenant"] == CID


@pytest.mark.parametrize("body,code,fragment", [
    ({"jobTitle": 5}, "BadRequest", "Edm.String"),
    ({"accountEnabled": "false"}, "BadRequest", "Edm.Boolean"),
    ({"businessPhones": "+1 555"}, "BadRequest", "Collection(Edm.String)"),
    ({"businessPhones": ["+1", "+2"]}, "Request_BadRequest", "'businessPhones'"),
    ({"employeeId": "X" * 17}, "Request_BadRequest", "'employeeId'"),
    ({"department": "D" * 65}, "Request_BadRequest", "'department'"),
    ({"jobTitle": "ok", "shoeSize": 43}, "BadRequest", "'shoeSize' does not exist"),
    ({"userPrincipalName": "alice@elsewhere.example"}, "Request_BadRequest", "verified domain"),
    ({"userPrincipalName": "bob@" + DOMAIN}, "Request_BadRequest", "already exists"),
    ({"displayName": ""}, "Request_BadRequest", "'displayName'"),
])
def test_patch_is_validated_like_graph_before_any_change(g, body, code, fragment):
    before = user_state(g, ALICE)
    r = g.graph("PATCH", "/users/" + ALICE, json=body)
    assert r.status_code == 400 and r.json()["error"]["code"] == code
    assert fragment in r.json()["error"]["message"]
    assert user_state(g, ALICE) == before


def test_manager_get_set_remove(g):
    r = g.graph("GET", "/users/%s/manager" % ALICE)
    assert r.status_code == 200 and r.json()["id"] == BOB
    assert r.json()["@odata.type"] == "#microsoft.graph.user"
    r = g.graph("GET", "/users/%s/manager" % BOB)
    assert r.status_code == 404 and r.json()["error"]["code"] == "Request_ResourceNotFound"
    ref = {"@odata.id": "https://graph.microsoft.com/v1.0/users/" + ALICE}
    assert g.graph("PUT", "/users/%s/manager/$ref" % BOB, json=ref).status_code == 204
    assert user_state(g, BOB)["manager"] == ALICE
    assert g.graph("PUT", "/users/%s/manager/$ref" % BOB,
                   json={"@odata.id": g.info["graph_url"] + "/v1.0/directoryObjects/" + DANIEL}
                   ).status_code == 204
    assert user_state(g, BOB)["manager"] == DANIEL
    missing = {"@odata.id": "https://graph.microsoft.com/v1.0/users/"
                            "0d6f3f7e-5a55-4b4a-8a4e-000000000000"}
    assert g.graph("PUT", "/users/%s/manager/$ref" % BOB, json=missing).status_code == 404
    assert g.graph("PUT", "/users/%s/manager/$ref" % BOB, json={"id": ALICE}).status_code == 400
    assert g.graph("DELETE", "/users/%s/manager/$ref" % BOB).status_code == 204
    assert user_state(g, BOB)["manager"] is None
    assert g.graph("DELETE", "/users/%s/manager/$ref" % BOB).status_code == 404


def test_revocations_are_recorded_with_their_emulator_time(g):
    r = g.graph("POST", "/users/%s/revokeSignInSessions" % ALICE)
    assert r.status_code == 200 and r.json()["value"] is True
    g.control("POST", "clock", {"advance_seconds": 600})      # the token lives 3600 s
    r = g.graph("POST", "/users/alice@%s/revokeSignInSessions" % DOMAIN, json={})
    assert r.status_code == 200
    first, second = pc_state(g)["revocations"]
    assert first["userId"] == second["userId"] == ALICE
    assert first["userPrincipalName"] == "alice@" + DOMAIN
    assert 599 < second["timestamp"] - first["timestamp"] < 700
    assert first["time"].endswith("Z")


def pc_state(pc):
    return pc.control("GET", "state", params={"customer": CID})["customers"][0]


def test_member_of_lists_groups_and_directory_roles(g):
    r = g.graph("GET", "/users/%s/memberOf" % ALICE)
    (sales,) = r.json()["value"]
    assert sales["@odata.type"] == "#microsoft.graph.group" and sales["id"] == SALES
    roles = g.graph("GET", "/users/%s/memberOf" % DANIEL).json()["value"]
    assert [(o["@odata.type"], o["displayName"]) for o in roles] == [
        ("#microsoft.graph.directoryRole", "Helpdesk Administrator")]
    g.graph("POST", "/groups/%s/members/$ref" % SALES,
            json={"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + BOB})
    first = g.graph("GET", "/users/%s/memberOf" % DANIEL, params={"$top": "1"}).json()
    assert "@odata.nextLink" not in first


def test_partner_center_tokens_are_refused_by_graph(g):
    r = g.graph("GET", "/users", token=g.token("user"))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert "Invalid audience" in r.json()["error"]["message"]
    assert r.headers["WWW-Authenticate"].startswith("Bearer ")
    r = g.graph("GET", "/users", token="not-a-token")
    assert r.status_code == 401
    g.graph_token()
    g.control("POST", "expire_tokens", {})
    r = g.graph("GET", "/users")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_the_tenant_of_a_graph_call_is_the_tokens(g):
    other = "c5757d70-06f3-4f23-8367-5a9e55019f94"      # Contoso190: no users of Contoso
    g.consent(customer=other)
    listed = g.graph("GET", "/users", tenant=other).json()["value"]
    assert listed == []
    assert g.graph("GET", "/users/" + ALICE, tenant=other).status_code == 404
    assert [e["tenant"] for e in graph_log(g)] == [other, other]


def test_password_is_not_a_graph_field_here_and_graph_writes_count(g):
    g.control("DELETE", "counters")
    g.graph("PATCH", "/users/" + ALICE, json={"jobTitle": "x"})
    g.graph("GET", "/users/" + ALICE)
    counters = g.control("GET", "counters")
    assert counters["writes"] == 1 and counters["by_route"]["graph_update_user"] == 1
    assert g.create_user("pw", passwordProfile={"password": GOOD_PASSWORD}).status_code == 201
