"""GDAP: the roles the partner holds in a customer decide which operations an App+User
token may perform there (Microsoft's DAP-to-GDAP table, reference §9.3)."""

from conftest import CID, GOOD_PASSWORD, ROLE_GA, base_seed
from partnercenter_emulator import gdap, routes

DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"   # holds Helpdesk Administrator
CUSTOMER = "/customers/%s" % CID
USERS = CUSTOMER + "/users"
ROLES = CUSTOMER + "/directoryroles"
DENIED = {"code": 900150, "description": "The supplied role does not have the rights to "
                                         "perform the requested operation",
          "data": [], "source": "PartnerFD"}


def seed_with(roles):
    seed = base_seed()
    seed["customers"][0]["gdapRoles"] = roles
    return seed


def set_roles(pc, roles):
    return pc.control("POST", "gdap", {"customer": CID, "roles": roles})


def user_id(pc, prefix):
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    return [u["id"] for u in users if u["userPrincipalName"].startswith(prefix)][0]


def denied(r):
    return r.status_code == 403 and r.json() == DENIED


def password(pc, uid, route="/resetpassword"):
    return pc.api("PATCH", USERS + "/" + uid + route,
                  json={"passwordProfile": {"password": GOOD_PASSWORD}})


def test_the_table_covers_every_app_user_route_and_lives_in_one_place():
    for route in routes.ROUTES:
        if route.side == routes.API and route.name != "list_customers":
            assert route.name in gdap.ROLES_BY_OPERATION or route.name == "reset_password"
    assert gdap.SOURCE.startswith("https://learn.microsoft.com/")
    assert "User Administrator" in gdap.ALL_ROLES and "Global Administrator" in gdap.ALL_ROLES


def test_every_role_by_default(pc):
    shown = pc.control("GET", "gdap")
    assert shown["known_roles"] == list(gdap.ALL_ROLES)
    assert {c["id"]: c["roles"] for c in shown["customers"]}[CID] == list(gdap.ALL_ROLES)
    assert pc.control("GET", "state", params={"customer": CID})["customers"][0]["gdapRoles"] == \
        list(gdap.ALL_ROLES)
    assert pc.create_user("free").status_code == 201
    assert password(pc, DANIEL).status_code == 200


def test_directory_readers_read_but_do_not_write(pc):
    pc.reset(seed=seed_with(["directory readers"]))   # names are case-insensitive
    assert pc.control("GET", "gdap")["customers"][0]["roles"] == ["Directory Readers"]
    for path in (USERS, USERS + "/" + DANIEL, CUSTOMER, ROLES, ROLES + "/" + ROLE_GA +
                 "/usermembers", CUSTOMER + "/subscribedskus", USERS + "/" + DANIEL +
                 "/licenses", USERS + "/" + DANIEL + "/directoryroles"):
        assert pc.api("GET", path).status_code == 200, path
    assert denied(pc.create_user("nope"))
    assert denied(pc.api("PATCH", USERS + "/" + DANIEL, json={"displayName": "D"}))
    assert denied(pc.api("DELETE", USERS + "/" + DANIEL))
    assert denied(pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates",
                         json={"licensesToAssign": []}))
    assert denied(pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers", json={"id": DANIEL}))
    assert pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"][0][
        "displayName"] == "Daniel Tsai"   # nothing was done


def test_user_administrator_and_the_password_rules(pc):
    set_roles(pc, ["User Administrator"])
    noloc = user_id(pc, "noloc")
    assert pc.create_user("made").status_code == 201
    assert pc.api("GET", USERS).status_code == 200
    assert pc.api("GET", ROLES).status_code == 200            # §6.1: reading roles
    assert denied(pc.api("GET", ROLES + "/" + ROLE_GA + "/usermembers"))   # §9.3: members
    assert denied(pc.api("GET", CUSTOMER))                    # get customer: Directory Readers
    # a user without directory roles: User Administrator may set the password
    assert password(pc, noloc).status_code == 200
    assert password(pc, noloc, route="").status_code == 200
    # a user with a directory role (Daniel): Privileged Authentication Administrator only
    assert denied(password(pc, DANIEL))
    assert denied(password(pc, DANIEL, route=""))
    set_roles(pc, ["Privileged Authentication Administrator"])
    assert password(pc, DANIEL).status_code == 200
    assert denied(pc.api("PATCH", USERS + "/" + DANIEL, json={"displayName": "D"}))


def test_restore_needs_user_administrator(pc):
    old = user_id(pc, "old")
    set_roles(pc, ["Directory Writers"])
    assert pc.api("PATCH", USERS + "/" + DANIEL, json={"displayName": "Dan"}).status_code == 200
    assert denied(pc.api("PATCH", USERS + "/" + old, json={"state": "active"}))
    assert denied(pc.api("DELETE", USERS + "/" + DANIEL))
    assert pc.create_user("writer").status_code == 201
    set_roles(pc, ["User Administrator"])
    assert pc.api("PATCH", USERS + "/" + old, json={"state": "active",
                                                    "displayName": "Back"}).status_code == 200


def test_license_and_privileged_role_administrators(pc):
    set_roles(pc, ["License Administrator"])
    assert pc.api("GET", CUSTOMER + "/subscribedskus").status_code == 200
    assert pc.api("GET", USERS + "/" + DANIEL + "/licenses").status_code == 200
    assert pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates", json={
        "licensesToRemove": ["f8a1db68-be16-40ed-86d5-cb42ce701560"]}).status_code == 201
    assert denied(pc.api("GET", USERS))
    set_roles(pc, ["Privileged Role Administrator"])
    members = ROLES + "/" + ROLE_GA + "/usermembers"
    assert pc.api("POST", members, json={"id": DANIEL}).status_code == 201
    assert pc.api("GET", members).status_code == 200
    assert pc.api("DELETE", members + "/" + DANIEL).status_code == 204
    assert denied(pc.api("GET", USERS + "/" + DANIEL + "/licenses"))
    set_roles(pc, ["Global Administrator"])   # holds every permission
    assert pc.create_user("ga").status_code == 201 and password(pc, DANIEL).status_code == 200


def test_no_roles_code_2032_app_only_and_other_customers(pc):
    set_roles(pc, [])
    assert denied(pc.api("GET", USERS))
    assert pc.api("GET", "/customers").status_code == 200      # not a customer's directory
    assert pc.api("GET", CUSTOMER, kind="app").status_code == 200   # app-only: as before
    assert pc.api("GET", USERS, kind="app").json()["code"] == 900329
    assert pc.api("GET", "/customers/c5757d70-06f3-4f23-8367-5a9e55019f94/users").status_code == 200
    pc.control("POST", "config", {"gdap_denied_code": 2032})
    r = pc.api("GET", USERS)
    assert r.status_code == 403 and r.json()["code"] == 2032 and r.json()["description"] == \
        "Access denied"
    set_roles(pc, "all")
    assert pc.api("GET", USERS).status_code == 200
    # logged like any other answer; an unknown customer still gets 404
    statuses = [e["status"] for e in pc.control("GET", "requests")["requests"]
                if e["route"] == "list_users"]
    assert statuses[0] == 403 and statuses[-1] == 200
    assert pc.api("GET", "/customers/%s/users" % ("0" * 8 + "-0000-0000-0000-" + "0" * 12)
                  ).status_code == 404


def test_bad_roles_are_refused(pc):
    for body in ({"customer": CID, "roles": ["Janitor"]}, {"customer": CID},
                 {"customer": "nope", "roles": []},
                 {"customer": CID, "roles": "User Administrator"}):
        assert pc.s.post(pc.url + "/_emulator/gdap", json=body).status_code == 400, body
    r = pc.s.post(pc.url + "/_emulator/seed", json={"customers": [
        {"companyName": "X", "domain": "x.onmicrosoft.com", "gdapRoles": ["Janitor"]}]})
    assert r.status_code == 400 and "Janitor" in r.json()["error"]
    assert "x.onmicrosoft.com" not in str(pc.control("GET", "state"))   # checked first
