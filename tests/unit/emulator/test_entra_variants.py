"""The Entra-semantics knobs (reference §10) one by one; each test also checks that the
knob's default is the behaviour it replaced.  The ``entra`` profile: test_profiles.py."""

import json
from urllib.parse import quote

from conftest import CID, DOMAIN, GOOD_PASSWORD, PLAN_TEAMS, ROLE_GA, ROLE_HELPDESK, SKU_E3

USERS = "/customers/%s/users" % CID
ROLES = "/customers/%s/directoryroles" % CID
DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"
ROLE_UA = "fe930be7-5e62-47db-91af-98c3a49a38b1"
ROLE_SSA = "f023fd81-a637-4b56-95fd-791ac0226033"
ROLE_BILLING = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
INACTIVE = quote(json.dumps({"Field": "UserState", "Value": "Inactive", "Operator": "equals"}))
PROXY = "Another object with the same value for property proxyAddresses already exists."
CONFLICT = ("A conflicting object with one or more of the specified property values is "
            "present in the directory.")


def error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code, body
    return body["description"]


def inactive_upns(pc):
    return [u["userPrincipalName"] for u in
            pc.api("GET", USERS + "?size=500&filter=" + INACTIVE).json()["items"]]


def restore(pc, uid, **fields):
    return pc.api("PATCH", USERS + "/" + uid, json=dict(state="active", **fields))


# ---- 1 and 10: Graph's 400s for an existing member and a duplicate UPN -----------------

def test_conflicts_as_graph_400s(pc):
    member = {"id": DANIEL}
    assert pc.api("POST", ROLES + "/" + ROLE_HELPDESK + "/usermembers",
                  json=member).status_code == 409                     # default
    assert pc.create_user("Daniel").status_code == 409                # default
    pc.control("POST", "config", {"role_member_conflict_status": 400,
                                  "duplicate_upn_status": 400})
    r = pc.api("POST", ROLES + "/" + ROLE_HELPDESK + "/usermembers", json=member)
    assert error(r, 400, 3002) == ("One or more added object references already exist for "
                                   "the following modified properties: 'members'.")
    assert error(pc.create_user("Daniel"), 400, 3001) == (
        "Another object with the same value for property userPrincipalName already exists.")


# ---- 2: proxyAddresses ------------------------------------------------------------------

def test_proxy_address_conflicts(pc):
    other_domain = {"userPrincipalName": "daniel@contoso.example"}
    pc.control("POST", "config", {"proxy_address_conflicts": True})
    assert error(pc.create_user("x", **other_domain), 400, 3007) == PROXY
    # a soft-deleted user's local part counts too; the duplicate UPN check comes first
    assert error(pc.create_user("x", userPrincipalName="OLD@contoso.example"),
                 400, 3007) == PROXY
    assert error(pc.create_user("daniel"), 409, 3001)
    assert pc.create_user("fresh").status_code == 201
    assert pc.create_user("x", userPrincipalName="fresh2@contoso.example").status_code == 201
    pc.control("POST", "config", {"proxy_address_conflicts": False})   # the default
    assert pc.create_user("x", **other_domain).status_code == 201


# ---- 3: 409 "being processed by another request" -------------------------------------------

def test_in_progress_conflict_rate(pc):
    pc.control("POST", "config", {"in_progress_conflict_rate": 1.0})
    r = pc.create_user("busy")
    assert r.status_code == 409
    assert r.json() == {"code": 800060, "description": "The request is being processed by "
                        "another request. Please retry.", "data": [], "source": "PartnerFD"}
    assert pc.api("GET", USERS + "/" + DANIEL).status_code == 200     # reads are not hit
    pc.control("POST", "config", {"in_progress_conflict_rate": 0.0})
    assert pc.create_user("busy").status_code == 201                  # nothing was committed
    entry = [e for e in pc.control("GET", "requests")["requests"]
             if e["route"] == "create_user"][0]
    assert (entry["status"], entry["fault"], entry["fault_source"], entry["fault_status"]) == \
        (409, "in_progress", "in_progress_conflict_rate", 409)


def test_in_progress_fault_kind(pc):
    rules = pc.control("POST", "faults", {"rules": [
        {"route": "add_role_member", "kind": "in_progress"}]})["rules"]
    assert rules[0]["status"] == 409
    r = pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers", json={"id": DANIEL})
    assert error(r, 409, 800060)
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                  json={"id": DANIEL}).status_code == 201
    for bad in ({"route": "token", "kind": "in_progress"},
                {"kind": "in_progress", "status": 409}):
        r = pc.s.post(pc.url + "/_emulator/faults", json={"rules": [bad]})
        assert r.status_code == 400, bad


# ---- 4: soft-deleted users' UPNs -------------------------------------------------------------

def test_deleted_upn_kept_is_the_default(pc):
    uid = pc.create_user("gone").json()["id"]
    assert pc.api("DELETE", USERS + "/" + uid).status_code == 204
    assert "gone@" + DOMAIN in inactive_upns(pc)
    assert pc.create_user("gone").status_code == 409


def test_deleted_upn_prefixed(pc):
    pc.control("POST", "config", {"deleted_upn_style": "prefixed"})
    upn = "gone@" + DOMAIN
    old_id = pc.create_user("gone").json()["id"]
    assert pc.api("DELETE", USERS + "/" + old_id).status_code == 204
    prefixed = old_id.replace("-", "") + upn
    assert prefixed in inactive_upns(pc) and upn not in inactive_upns(pc)
    # the UPN is free: a new user takes it; the old one cannot come back under it
    new_id = pc.create_user("gone").json()["id"]
    assert error(restore(pc, old_id), 400, 3006) == CONFLICT
    assert prefixed in inactive_upns(pc)
    # restoring under another UPN works, and leaves the new user alone
    r = restore(pc, old_id, userPrincipalName="gone2@" + DOMAIN)
    assert r.status_code == 200 and r.json()["userPrincipalName"] == "gone2@" + DOMAIN
    assert pc.api("GET", USERS + "/" + new_id).json()["userPrincipalName"] == upn
    assert pc.create_user("gone").status_code == 409
    # without a conflict, a restore gives the original UPN back
    assert pc.api("DELETE", USERS + "/" + new_id).status_code == 204
    r = restore(pc, new_id)
    assert r.status_code == 200 and r.json()["userPrincipalName"] == upn
    # purge frees the prefixed UPN
    assert pc.api("DELETE", USERS + "/" + new_id).status_code == 204
    pc.control("POST", "clock", {"advance_seconds": 31 * 86400})
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    assert not [u for u in users if u["userPrincipalName"].endswith(upn)]


def test_deleted_upn_prefixed_seeded(pc):
    pc.reset(config={"deleted_upn_style": "prefixed"})
    upns = inactive_upns(pc)
    assert len(upns) == 1 and upns[0].endswith("old@" + DOMAIN) and len(upns[0]) == 32 + len(
        "old@" + DOMAIN)
    state = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    assert [u["originalUserPrincipalName"] for u in state if u["state"] == "inactive"] == \
        ["old@" + DOMAIN]
    assert pc.create_user("old").status_code == 201


# ---- 5: only activated roles ---------------------------------------------------------------

def test_activated_roles_only(pc):
    assert len(pc.api("GET", ROLES).json()["items"]) == 7             # default: every role
    pc.control("POST", "config", {"activated_roles_only": True})
    names = [(r["id"], r["name"]) for r in pc.api("GET", ROLES).json()["items"]]
    assert names == [(ROLE_GA, "Company Administrator"), (ROLE_UA, "User Account Administrator"),
                     (ROLE_HELPDESK, "Helpdesk Administrator"),
                     (ROLE_SSA, "Service Support Administrator")]
    member = ROLES + "/" + ROLE_BILLING + "/usermembers"
    assert error(pc.api("POST", member, json={"id": DANIEL}), 404, 1000) == (
        "Directory role '%s' was not found." % ROLE_BILLING)
    assert pc.api("GET", member).status_code == 404
    assert pc.api("DELETE", member + "/" + DANIEL).status_code == 404
    # activated through the seed (a customer's activatedRoles, by id or name)
    pc.control("POST", "seed", {"customers": [{"id": CID,
                                               "activatedRoles": ["Billing Administrator"]}]})
    assert ROLE_BILLING in [r["id"] for r in pc.api("GET", ROLES).json()["items"]]
    assert pc.api("POST", member, json={"id": DANIEL}).status_code == 201
    roles = pc.control("GET", "state", params={"customer": CID})["customers"][0]["directoryRoles"]
    assert [r["id"] for r in roles if r["activated"]] == [ROLE_GA, ROLE_UA, ROLE_HELPDESK,
                                                          ROLE_SSA, ROLE_BILLING]


def test_seeded_roles_activation(pc):
    seed = {"customers": [{
        "id": CID, "companyName": "Contoso", "domain": DOMAIN,
        "directoryRoles": [{"id": ROLE_GA, "name": "Global Administrator"},
                           {"id": ROLE_BILLING, "name": "Billing Administrator"},
                           {"id": ROLE_UA, "name": "User Administrator", "activated": False}],
        "users": [{"userPrincipalName": "r@" + DOMAIN,
                   "directoryRoles": ["Billing Administrator"]}],
    }]}
    pc.reset(config={"activated_roles_only": True}, seed=seed)
    assert [r["id"] for r in pc.api("GET", ROLES).json()["items"]] == [ROLE_GA, ROLE_BILLING]


# ---- 6: passwords only through /resetpassword --------------------------------------------------

def test_password_only_through_resetpassword(pc):
    pc.control("POST", "config", {"password_reset_route": "resetpassword"})
    uid = pc.create_user("pw").json()["id"]
    profile = {"password": GOOD_PASSWORD, "forceChangePassword": False}
    assert error(pc.api("PATCH", USERS + "/" + uid, json={"passwordProfile": profile}),
                 400, 3000)
    assert pc.api("DELETE", USERS + "/" + uid).status_code == 204
    assert error(restore(pc, uid, passwordProfile=profile), 400, 3000)
    assert "pw@" + DOMAIN in inactive_upns(pc)                        # still deleted
    assert restore(pc, uid).status_code == 200
    assert pc.api("PATCH", USERS + "/" + uid + "/resetpassword",
                  json={"passwordProfile": profile}).status_code == 200


# ---- 7: which plans a user's license lists ---------------------------------------------------

TENANT_PLAN = "113feb6c-3fe4-4440-bddc-54d774bf0318"
EXCHANGE = "efb87545-963c-4e0d-99df-69c6916d9eb0"


def licensed_plans(pc, listing, excluded):
    seed = json.loads(json.dumps(__import__("conftest").base_seed()))
    seed["customers"][0]["subscribedSkus"][0]["servicePlans"].append(
        {"serviceName": "EXCHANGE_S_FOUNDATION", "id": TENANT_PLAN, "targetType": "Tenant"})
    pc.reset(config={"license_plan_listing": listing}, seed=seed)
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates",
               json={"licensesToAssign": [{"skuId": SKU_E3, "excludedPlans": excluded}]})
    assert r.status_code == 201, r.text
    items = pc.api("GET", USERS + "/" + DANIEL + "/licenses").json()["items"]
    return [(p["id"], p["capabilityStatus"]) for p in items[0]["servicePlans"]]


def test_license_plan_listing(pc):
    excluded = [PLAN_TEAMS, TENANT_PLAN]
    assert licensed_plans(pc, "enabled", excluded) == [(EXCHANGE, "Enabled")]
    assert licensed_plans(pc, "enabled", []) == [(EXCHANGE, "Enabled"), (PLAN_TEAMS, "Enabled"),
                                                 (TENANT_PLAN, "Enabled")]
    assert licensed_plans(pc, "with_tenant_plans", excluded) == [(EXCHANGE, "Enabled"),
                                                                 (TENANT_PLAN, "Enabled")]
    assert licensed_plans(pc, "all_with_status", excluded) == [
        (EXCHANGE, "Assigned"), (PLAN_TEAMS, "Disabled"), (TENANT_PLAN, "Disabled")]
    skus = pc.api("GET", "/customers/%s/subscribedskus" % CID).json()["items"]
    assert skus[0]["servicePlans"][2]["targetType"] == "Tenant"


# ---- 8: lean bodies and license warnings -----------------------------------------------------

def test_lean_bodies(pc):
    noloc = pc.api("GET", USERS).json()["items"][1]
    assert noloc["usageLocation"] is None and noloc["softDeletionTime"] is None  # default
    assert "links" in pc.api("GET", ROLES).json()
    pc.control("POST", "config", {"lean_bodies": True})
    page = pc.api("GET", USERS).json()
    assert "links" in page                                     # paged lists keep their links
    noloc = page["items"][1]
    assert "usageLocation" not in noloc and "softDeletionTime" not in noloc \
        and "lastDirectorySyncTime" not in noloc and noloc["userDomainType"] == "none"
    assert None not in pc.api("GET", USERS + "/" + noloc["id"]).json().values()
    for path in (ROLES, USERS + "/" + DANIEL + "/directoryroles",
                 "/customers/%s/subscribedskus" % CID, USERS + "/" + DANIEL + "/licenses"):
        body = pc.api("GET", path).json()
        assert "links" not in body and body["attributes"] == {"objectType": "Collection"}, path
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates",
               json={"licensesToAssign": [{"skuId": SKU_E3, "excludedPlans": [PLAN_TEAMS]}]})
    assert r.status_code == 201
    # as the docs' example: the assigned SKU by id, without its null excludedPlans or an empty licensesToRemove
    assert r.json() == {"licensesToAssign": [{"skuId": SKU_E3}], "licenseWarnings": [],
                        "attributes": {"objectType": "LicenseUpdate"}}
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates", json={"licensesToRemove": [SKU_E3]})
    assert r.status_code == 201
    assert r.json() == {"licenseWarnings": [], "attributes": {"objectType": "LicenseUpdate"}}
    # the create answer is not a GET: it keeps its nulls
    assert pc.create_user("lean").json()["softDeletionTime"] is None


def test_license_warning(pc):
    body = {"licensesToAssign": [{"skuId": SKU_E3, "excludedPlans": [PLAN_TEAMS]}]}
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates", json=body)
    assert r.json()["licenseWarnings"] == [] and "licensesToAssign" in r.json()
    pc.control("POST", "config", {"license_warning": "Plan TEAMS1 depends on a disabled plan."})
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates", json=body)
    assert r.status_code == 201
    assert r.json()["licenseWarnings"] == [{"code": "LicenseWarning",
                                            "message": "Plan TEAMS1 depends on a disabled plan.",
                                            "servicePlans": ["TEAMS1"]}]
