import json
from urllib.parse import quote

from conftest import CID, PLAN_TEAMS, ROLE_GA, ROLE_HELPDESK, SKU_E3, SKU_MC, SKU_ONE

DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"
ROLES = "/customers/%s/directoryroles" % CID


def noloc_id(pc):
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    return [u["id"] for u in users if u["userPrincipalName"].startswith("noloc")][0]


def test_directory_roles(pc):
    page = pc.api("GET", ROLES).json()
    ids = [r["id"] for r in page["items"]]
    assert ROLE_GA in ids and ROLE_HELPDESK in ids and len(ids) == 7
    assert page["items"][0]["attributes"] == {"objectType": "DirectoryRole"}
    names = {r["id"]: r["name"] for r in page["items"]}
    assert names["fe930be7-5e62-47db-91af-98c3a49a38b1"] == "User Account Administrator"
    pc.control("POST", "config", {"role_names": "current"})
    names = {r["id"]: r["name"] for r in pc.api("GET", ROLES).json()["items"]}
    assert names["fe930be7-5e62-47db-91af-98c3a49a38b1"] == "User Administrator"
    mine = pc.api("GET", "/customers/%s/users/%s/directoryroles" % (CID, DANIEL)).json()
    assert [r["id"] for r in mine["items"]] == [ROLE_HELPDESK]
    # add (PascalCase body as the SDK sends), conflict, list, remove
    body = {"Id": DANIEL, "DisplayName": "Daniel Tsai",
            "UserPrincipalName": "Daniel@contoso.onmicrosoft.com",
            "Attributes": {"ObjectType": "UserMember"}}
    r = pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers", json=body)
    assert r.status_code == 201
    assert r.json() == {"displayName": "Daniel Tsai",
                        "userPrincipalName": "Daniel@contoso.onmicrosoft.com",
                        "roleId": ROLE_GA, "id": DANIEL,
                        "attributes": {"objectType": "UserMember"}}
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers", json=body).status_code == 409
    members = pc.api("GET", ROLES + "/" + ROLE_GA + "/usermembers", params={"size": 1}).json()
    assert [m["id"] for m in members["items"]] == [DANIEL]
    assert "next" not in members["links"]
    r = pc.api("DELETE", ROLES + "/" + ROLE_GA + "/usermembers/" + DANIEL)
    assert r.status_code == 204 and r.content == b""
    r = pc.api("DELETE", ROLES + "/" + ROLE_GA + "/usermembers/" + DANIEL)
    assert r.status_code == 404
    assert pc.api("GET", ROLES + "/99999999-9999-9999-9999-999999999999/usermembers"
                  ).status_code == 404
    # re-add after removal, paging over members
    for dummy in range(1):
        assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                      json={"id": DANIEL}).status_code == 201
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                  json={"id": noloc_id(pc)}).status_code == 201
    page = pc.api("GET", ROLES + "/" + ROLE_GA + "/usermembers", params={"size": 1}).json()
    assert page["totalCount"] == 1 and "next" in page["links"]
    hdr = page["links"]["next"]["headers"][0]
    page2 = pc.api("GET", ROLES + "/" + ROLE_GA + "/usermembers",
                   params={"size": 1, "seekOperation": "Next"},
                   headers={hdr["key"]: hdr["value"]}).json()
    assert page2["totalCount"] == 1 and "next" not in page2["links"]
    assert {page["items"][0]["id"], page2["items"][0]["id"]} == {DANIEL, noloc_id(pc)}
    pc.control("POST", "config", {"role_member_conflict_status": 400})
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                  json={"id": DANIEL}).status_code == 400


def sku(pc, sku_id, groups=("group1",)):
    items = pc.api("GET", "/customers/%s/subscribedskus" % CID,
                   params={"licenseGroupIds": list(groups)}).json()["items"]
    return [s for s in items if s["productSku"]["id"] == sku_id][0]


def test_licenses(pc):
    r = pc.api("GET", "/customers/%s/subscribedskus" % CID)
    items = r.json()["items"]
    assert {s["productSku"]["id"] for s in items} == {SKU_E3, SKU_ONE}  # group1 by default
    e3 = sku(pc, SKU_E3)
    assert (e3["totalUnits"], e3["consumedUnits"], e3["availableUnits"]) == (3, 1, 2)
    assert e3["attributes"] == {"objectType": "SubscribedSku"}
    both = pc.api("GET", "/customers/%s/subscribedskus?licenseGroupIds=Group1"
                         "&licenseGroupIds=Group2" % CID).json()
    assert both["totalCount"] == 3
    lic_url = "/customers/%s/users/%s/licenses" % (CID, DANIEL)
    lic = pc.api("GET", lic_url).json()
    assert lic["items"][0]["productSku"]["id"] == SKU_E3
    assert lic["items"][0]["attributes"] == {"objectType": "License"}
    assert pc.api("GET", lic_url, params={"licenseGroupIds": "Group2"}).json()["totalCount"] == 0
    upd = "/customers/%s/users/%s/licenseupdates" % (CID, DANIEL)
    # re-assign with an excluded plan: no extra unit
    r = pc.api("POST", upd, json={"LicensesToAssign": [{"SkuId": SKU_E3,
                                                        "ExcludedPlans": [PLAN_TEAMS]}],
                                  "LicensesToRemove": None, "LicenseWarnings": None,
                                  "Attributes": {"ObjectType": "LicenseUpdate"}})
    assert r.status_code == 201, r.text
    assert r.json()["attributes"] == {"objectType": "LicenseUpdate"}
    assert r.json()["licenseWarnings"] == []
    assert sku(pc, SKU_E3)["consumedUnits"] == 1
    plans = [p["id"] for p in pc.api("GET", lic_url).json()["items"][0]["servicePlans"]]
    assert PLAN_TEAMS not in plans and len(plans) == 1
    # one-unit SKU: first ok, then quota error for another user
    assert pc.api("POST", upd, json={"licensesToAssign": [{"skuId": SKU_ONE}]}
                  ).status_code == 201
    r = pc.create_user("quota")
    other = r.json()["id"]
    r = pc.api("POST", "/customers/%s/users/%s/licenseupdates" % (CID, other),
               json={"licensesToAssign": [{"skuId": SKU_ONE}]})
    assert r.status_code == 400 and r.json()["code"] == 60012
    assert "available units: 0" in r.json()["data"][0]
    # mixed groups
    r = pc.api("POST", upd, json={"licensesToAssign": [{"skuId": SKU_MC}],
                                  "licensesToRemove": [SKU_ONE]})
    assert r.status_code == 400 and r.json()["code"] == 3003
    # unknown sku
    unknown_sku = "99999999-9999-9999-9999-999999999999"
    r = pc.api("POST", upd, json={"licensesToAssign": [{"skuId": unknown_sku}]})
    assert r.status_code == 400
    # usage location missing
    r = pc.api("POST", "/customers/%s/users/%s/licenseupdates" % (CID, noloc_id(pc)),
               json={"licensesToAssign": [{"skuId": SKU_E3}]})
    assert r.status_code == 400
    assert r.json()["description"] == ("License assignment cannot be done for user with invalid "
                                       "usage location.")
    # remove
    r = pc.api("POST", upd, json={"licensesToAssign": None, "licensesToRemove": [SKU_ONE]})
    assert r.status_code == 201 and r.json()["licensesToRemove"] == [SKU_ONE]
    assert sku(pc, SKU_ONE)["consumedUnits"] == 0
    state = pc.control("GET", "state", params={"customer": CID})["customers"][0]
    daniel = [u for u in state["users"] if u["id"] == DANIEL][0]
    assert daniel["licenses"] == [{"skuId": SKU_E3, "excludedPlans": [PLAN_TEAMS]}]


def test_customers(pc):
    page = pc.api("GET", "/customers", params={"size": 2}).json()
    assert page["totalCount"] == 2 and "next" in page["links"]
    flt = quote(json.dumps({"Field": "CompanyName", "Value": "CONTOSO",
                            "Operator": "starts_with"}))
    page = pc.api("GET", "/customers?size=0&filter=" + flt).json()
    assert sorted(c["companyProfile"]["companyName"] for c in page["items"]) == [
        "Contoso", "Contoso190"]
    item = page["items"][0]
    assert item["attributes"] == {"objectType": "Customer"}
    assert item["companyProfile"]["attributes"] == {"objectType": "CustomerCompanyProfile"}
    assert item["relationshipToPartner"] == "reseller" and "allowDelegatedAccess" not in item
    flt = quote(json.dumps({"Field": "Domain", "Value": "fabrikam", "Operator": "starts_with"}))
    page = pc.api("GET", "/customers?filter=" + flt).json()
    assert [c["companyProfile"]["domain"] for c in page["items"]] == ["fabrikam.onmicrosoft.com"]
    flt = quote(json.dumps({"Field": "Email", "Value": "x", "Operator": "starts_with"}))
    assert pc.api("GET", "/customers?filter=" + flt).status_code == 400
    one = pc.api("GET", "/customers/" + CID).json()
    assert one["allowDelegatedAccess"] is True and one["customDomains"] == ["contoso.example"]
    assert one["links"]["self"]["uri"] == "/customers/" + CID


def test_pascal_case_and_bom_knobs(pc):
    pc.control("POST", "config", {"pascal_case": True, "bom": True})
    r = pc.api("GET", "/customers/" + CID)
    assert r.content.startswith(b"\xef\xbb\xbf")
    body = json.loads(r.content.decode("utf-8-sig"))
    assert "CompanyProfile" in body and body["Attributes"] == {"ObjectType": "Customer"}


def test_an_unchecked_domain_is_listed_as_seeded(pc):
    """``uncheckedDomain``: a misbehaving Partner Center, whose listing a client must not trust."""
    hostile = "{{ lookup('pipe', 'id') }}.example"
    r = pc.s.post(pc.url + "/_emulator/seed", json={"customers": [{"companyName": "X", "domain": hostile}]})
    assert r.status_code == 400 and "bad domain" in r.text
    taken = pc.s.post(pc.url + "/_emulator/seed", json={"customers": [
        {"companyName": "Fabrikam again", "domain": "FABRIKAM.onmicrosoft.com"}]})
    assert taken.status_code == 400 and "already belongs" in taken.text
    seeded = pc.control("POST", "seed", {"customers": [
        {"companyName": "Hostile", "domain": hostile, "uncheckedDomain": True},
        {"companyName": "Loopback", "domain": "localhost", "uncheckedDomain": True},
        {"companyName": "Fabrikam again", "domain": "FABRIKAM.onmicrosoft.com", "uncheckedDomain": True}]})
    assert [c["domain"] for c in seeded["customers"]] == [hostile, "localhost", "FABRIKAM.onmicrosoft.com"]
    listed = [c["companyProfile"]["domain"] for c in pc.api("GET", "/customers").json()["items"]]
    assert listed.count("FABRIKAM.onmicrosoft.com") == 1 and "fabrikam.onmicrosoft.com" in listed
    assert hostile in listed and "localhost" in listed
