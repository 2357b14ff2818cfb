import hashlib
import json
from urllib.parse import quote

from conftest import CID, DOMAIN, GOOD_PASSWORD

USERS = "/customers/%s/users" % CID
DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"
INACTIVE = quote(json.dumps({"Field": "UserState", "Value": "Inactive", "Operator": "equals"}))


def state_user(pc, upn):
    for user in pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]:
        if user["userPrincipalName"].lower() == upn.lower():
            return user
    return None


def test_headers_and_shapes(pc):
    r = pc.api("GET", USERS + "/" + DANIEL, headers={"MS-RequestId": "rid-1",
                                                     "MS-CorrelationId": "cid-1"})
    assert r.status_code == 200
    assert r.headers["MS-RequestId"] == "rid-1" and r.headers["MS-CorrelationId"] == "cid-1"
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "MS-CV" in r.headers and "MS-ServerId" in r.headers
    user = r.json()
    assert user["attributes"] == {"objectType": "CustomerUser"}
    assert user["links"]["self"]["uri"] == "/customers/%s/users/%s" % (CID, DANIEL)
    assert user["state"] == "active" and user["userDomainType"] == "none"
    assert "passwordProfile" not in user
    r = pc.api("GET", USERS + "/" + DANIEL)
    assert len(r.headers["MS-RequestId"]) == 36
    # /v1.0 prefix works too
    r = pc.s.get(pc.url + "/v1.0" + USERS + "/" + DANIEL,
                 headers={"Authorization": "Bearer " + pc.token()})
    assert r.status_code == 200


def test_create_user(pc):
    r = pc.create_user("jdoe", firstName="Jane", lastName="Doe", immutableId="imm-1")
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["passwordProfile"] == {"forceChangePassword": True, "password": GOOD_PASSWORD}
    assert user["state"] == "active" and user["softDeletionTime"] is None
    assert user["lastDirectorySyncTime"] is None and user["userDomainType"] == "none"
    assert len(user["id"]) == 36 and user["immutableId"] == "imm-1"
    st = state_user(pc, "jdoe@" + DOMAIN)
    assert st["passwordSha256"] == hashlib.sha256(GOOD_PASSWORD.encode()).hexdigest()
    assert "password" not in json.dumps(st).replace("passwordSha256", "").replace(
        "passwordChanges", "").replace("forceChangePassword", "")
    # duplicate (case-insensitive)
    r = pc.create_user("JDOE")
    assert r.status_code == 409
    assert r.json()["description"] == ("Another object with the same value for property "
                                       "userPrincipalName already exists.")
    # duplicate of a soft-deleted user
    assert pc.create_user("old").status_code == 409
    # PascalCase body, BOM, custom domain
    body = {"UserPrincipalName": "pascal@contoso.example", "DisplayName": "P", "FirstName": None,
            "UsageLocation": "gb", "PasswordProfile": {"Password": GOOD_PASSWORD,
                                                       "ForceChangePassword": False}}
    r = pc.api("POST", USERS, data=b"\xef\xbb\xbf" + json.dumps(body).encode(),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    assert r.json()["usageLocation"] == "GB"
    pc.control("POST", "config", {"create_status": 200})
    assert pc.create_user("two").status_code == 200


def test_create_validation(pc):
    cases = [
        ({"userPrincipalName": "x@other.onmicrosoft.com"}, "domain"),
        ({"userPrincipalName": "a b@" + DOMAIN}, "userPrincipalName"),
        ({"userPrincipalName": "a@b@" + DOMAIN}, "userPrincipalName"),
        ({"userPrincipalName": ("x" * 65) + "@" + DOMAIN}, "userPrincipalName"),
        ({"displayName": None}, "displayName"),
        ({"usageLocation": "XX"}, "usageLocation"),
        ({"usageLocation": None}, "usageLocation"),
        ({"passwordProfile": {"password": "short1A"}}, "password"),
        ({"passwordProfile": {"password": "alllowercase1"}}, "password"),
        ({"passwordProfile": None}, "password"),
    ]
    for fields, word in cases:
        r = pc.create_user("val", **fields)
        assert r.status_code == 400, (fields, r.text)
        body = r.json()
        assert body["code"] == 3000 and word in body["description"], body
        assert "short1A" not in r.text and "alllowercase1" not in r.text
    r = pc.api("POST", USERS, data=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 800002
    # redaction in the request log
    log = json.dumps(pc.control("GET", "requests")["requests"])
    assert "short1A" not in log and GOOD_PASSWORD not in log and "***REDACTED***" in log


def test_customer_errors(pc):
    r = pc.api("GET", "/customers/not-a-guid/users")
    assert r.status_code == 400 and r.json()["code"] == 900118
    r = pc.api("GET", "/customers/99999999-9999-9999-9999-999999999999/users")
    assert r.status_code == 404 and r.json()["code"] == 60003
    r = pc.api("GET", USERS + "/99999999-9999-9999-9999-999999999999")
    assert r.status_code == 404 and r.json() == {"code": 60002,
                                                 "description": "User object Id is not found",
                                                 "data": [], "source": "PartnerFD"}


def test_list_paging(pc):
    pc.control("POST", "seed", {"customers": [{"id": CID, "generate_users": {"count": 25}}]})
    seen = []
    r = pc.api("GET", USERS, params={"size": 10})
    page = r.json()
    assert page["totalCount"] == 10 and page["attributes"] == {"objectType": "Collection"}
    pages = 1
    while True:
        seen += [u["userPrincipalName"] for u in page["items"]]
        nxt = page["links"].get("next")
        if not nxt:
            assert "continuationToken" not in page
            break
        assert nxt["uri"] == "/customers/%s/users?size=10&seekOperation=Next" % CID
        header = nxt["headers"][0]
        assert header["key"] == "MS-ContinuationToken"
        assert header["value"] == page["continuationToken"]
        r = pc.s.get(pc.url + "/v1" + nxt["uri"], headers={
            "Authorization": "Bearer " + pc.token(), header["key"]: header["value"]})
        assert r.status_code == 200
        page = r.json()
        pages += 1
    assert len(seen) == 27 and len(set(seen)) == 27 and pages == 3  # 2 seeded active + 25
    assert "old@" + DOMAIN not in seen
    # size errors and default page size
    assert pc.api("GET", USERS, params={"size": 501}).status_code == 400
    assert pc.api("GET", USERS, params={"size": "abc"}).status_code == 400
    pc.control("POST", "config", {"default_page_size": 5})
    assert pc.api("GET", USERS, params={"size": 0}).json()["totalCount"] == 5
    # bad token
    r = pc.api("GET", USERS, params={"size": 10, "seekOperation": "Next"},
               headers={"MS-ContinuationToken": "bogus"})
    assert r.status_code == 400 and r.json()["code"] == 2000
    # v1 link style
    pc.control("POST", "config", {"next_link_style": "v1"})
    page = pc.api("GET", USERS, params={"size": 2}).json()
    assert page["links"]["next"]["uri"].startswith("/v1/customers/")


def test_filter_inactive_and_delete_restore(pc):
    page = pc.api("GET", USERS + "?size=500&filter=" + INACTIVE).json()
    assert [u["userPrincipalName"] for u in page["items"]] == ["old@" + DOMAIN]
    assert page["items"][0]["state"] == "inactive" and page["items"][0]["softDeletionTime"]
    other = quote(json.dumps({"field": "userstatus", "value": "inactive", "operator": "EQUALS"}))
    assert pc.api("GET", USERS + "?filter=" + other).json()["totalCount"] == 1
    bad = quote(json.dumps({"Field": "DisplayName", "Value": "x", "Operator": "starts_with"}))
    assert pc.api("GET", USERS + "?filter=" + bad).status_code == 400
    # delete
    r = pc.api("DELETE", USERS + "/" + DANIEL)
    assert r.status_code == 204 and r.content == b"" and r.headers["Content-Length"] == "0"
    assert pc.api("DELETE", USERS + "/" + DANIEL).status_code == 404
    assert pc.api("GET", USERS + "/" + DANIEL).status_code == 404
    assert pc.api("PATCH", USERS + "/" + DANIEL, json={"displayName": "x"}).status_code == 404
    pc.control("POST", "config", {"get_deleted_user": "return"})
    deleted = pc.api("GET", USERS + "/" + DANIEL).json()
    assert deleted["state"] == "inactive"
    assert deleted["softDeletionTime"].endswith("Z") and len(deleted["softDeletionTime"]) == 20
    # license released on delete
    skus = pc.api("GET", "/customers/%s/subscribedskus" % CID).json()["items"]
    assert [s["consumedUnits"] for s in skus if s["productSku"]["skuPartNumber"] == "SPE_E3"] == [0]
    # restore with other fields (SDK sample style, PascalCase)
    r = pc.api("PATCH", USERS + "/" + DANIEL, json={
        "State": "active", "DisplayName": "Daniel Restored",
        "Attributes": {"ObjectType": "CustomerUser"}})
    assert r.status_code == 200
    assert r.json()["state"] == "active" and r.json()["displayName"] == "Daniel Restored"
    assert r.json()["softDeletionTime"] is None
    skus = pc.api("GET", "/customers/%s/subscribedskus" % CID).json()["items"]
    assert [s["consumedUnits"] for s in skus if s["productSku"]["skuPartNumber"] == "SPE_E3"] == [1]


def test_patch_and_password_routes(pc):
    body = {"usageLocation": "CA", "firstName": None, "attributes": {"objectType": "CustomerUser"}}
    r = pc.api("PATCH", USERS + "/" + DANIEL, json=body)
    assert r.status_code == 200
    user = r.json()
    assert user["usageLocation"] == "CA" and user["firstName"] == "Daniel"
    assert "passwordProfile" not in user
    assert pc.api("PATCH", USERS + "/" + DANIEL, json={"usageLocation": "ZZ"}).status_code == 400
    # rename, duplicate rename
    r = pc.api("PATCH", USERS + "/" + DANIEL, json={"userPrincipalName": "dan@" + DOMAIN})
    assert r.json()["userPrincipalName"] == "dan@" + DOMAIN
    r = pc.api("PATCH", USERS + "/" + DANIEL, json={"userPrincipalName": "OLD@" + DOMAIN})
    assert r.status_code == 409
    # password via PATCH
    profile = {"passwordProfile": {"password": "Renew456*", "forceChangePassword": True}}
    r = pc.api("PATCH", USERS + "/" + DANIEL, json=profile)
    assert r.status_code == 200 and r.json()["passwordProfile"]["password"] == "Renew456*"
    r = pc.api("PATCH", USERS + "/" + DANIEL + "/resetpassword",
               json={"passwordProfile": {"password": "Other789!", "forceChangePassword": False}})
    assert r.status_code == 200
    st = state_user(pc, "dan@" + DOMAIN)
    assert st["passwordChanges"] == 2 and st["forceChangePassword"] is False
    assert st["passwordSha256"] == hashlib.sha256(b"Other789!").hexdigest()
    r = pc.api("PATCH", USERS + "/" + DANIEL + "/resetpassword",
               json={"passwordProfile": {"password": "weak"}})
    assert r.status_code == 400
    pc.control("POST", "config", {"password_reset_route": "user"})
    assert pc.api("PATCH", USERS + "/" + DANIEL + "/resetpassword",
                  json=profile).status_code == 404
    pc.control("POST", "config", {"password_reset_route": "resetpassword"})
    assert pc.api("PATCH", USERS + "/" + DANIEL, json=profile).status_code == 400
    assert pc.api("PATCH", USERS + "/" + DANIEL + "/resetpassword",
                  json=profile).status_code == 200


def test_replication_lag_and_purge(pc):
    pc.control("POST", "config", {"replication_lag": 60})
    r = pc.create_user("lagging")
    assert r.status_code == 201
    uid = r.json()["id"]
    assert pc.api("GET", USERS + "/" + uid).status_code == 404
    names = [u["userPrincipalName"] for u in pc.api("GET", USERS).json()["items"]]
    assert "lagging@" + DOMAIN not in names
    assert pc.create_user("lagging").status_code == 409
    pc.control("POST", "clock", {"advance_seconds": 61})
    assert pc.api("GET", USERS + "/" + uid).status_code == 200
    # purge after 30 days
    assert pc.api("DELETE", USERS + "/" + uid).status_code == 204
    pc.control("POST", "clock", {"advance_seconds": 29 * 86400})
    assert state_user(pc, "lagging@" + DOMAIN) is not None
    pc.control("POST", "clock", {"advance_seconds": 2 * 86400})
    assert state_user(pc, "lagging@" + DOMAIN) is None
    pc._tokens.clear()  # 31 days on the emulator clock expired the access token
    assert pc.create_user("lagging").status_code == 201


def test_request_log_and_counters(pc):
    pc.api("GET", USERS, headers={"MS-RequestId": "r-1", "MS-CorrelationId": "c-1"},
           params={"size": 5})
    pc.create_user("logged")
    pc.api("DELETE", USERS + "/" + DANIEL)
    log = pc.control("GET", "requests")["requests"]
    api = [e for e in log if e["route"] != "token"]
    assert [e["route"] for e in api] == ["list_users", "create_user", "delete_user"]
    first = api[0]
    assert first["path"] == "/v1" + USERS and first["query"] == {"size": ["5"]}
    assert first["request_id"] == "r-1" and first["correlation_id"] == "c-1"
    assert first["status"] == 200 and first["token_kind"] == "user" and first["body"] is None
    assert api[1]["body"]["passwordProfile"]["password"] == "***REDACTED***"
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
    counters = pc.control("GET", "counters")
    assert counters["writes"] == 2 and counters["by_route"]["create_user"] == 1
    pc.control("DELETE", "requests")
    assert pc.control("GET", "requests")["requests"] == []
