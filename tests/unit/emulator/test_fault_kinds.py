"""Fault kinds redirect (and the trap), echo, commit_then_empty, token_shape; the odd-body
fields of kind status; rule field validation."""

import json

import requests

from conftest import CID, DOMAIN, GOOD_PASSWORD

USERS = "/customers/%s/users" % CID
DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"
USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"


def set_rules(pc, *rules):
    return pc.control("POST", "faults", {"rules": list(rules)})


def rules_refused(pc, *rules):
    r = pc.s.post(pc.url + "/_emulator/faults", json={"rules": list(rules)})
    return r.status_code == 400 and "error" in r.json()


def state_upns(pc):
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    return [u["userPrincipalName"] for u in users]


def new_user_body(local, password=GOOD_PASSWORD):
    return {"userPrincipalName": "%s@%s" % (local, DOMAIN), "displayName": local,
            "usageLocation": "US", "passwordProfile": {"password": password}}


def raw_post(pc, path, text, **kw):
    headers = {"Authorization": "Bearer " + pc.token(), "Content-Type": "application/json"}
    return pc.s.post(pc.url + "/v1" + path, data=text.encode("utf-8"), headers=headers, **kw)


def refresh_form(pc):
    return dict(grant_type="refresh_token", client_id=pc.info["client_id"],
                client_secret=pc.info["client_secret"], refresh_token=pc.info["refresh_token"],
                scope=USER_SCOPE)


def last_entry(pc, route):
    return [e for e in pc.control("GET", "requests")["requests"] if e["route"] == route][-1]


# --------------------------------------------------------------------------- redirect + trap

def test_redirect_to_trap_on_api_route(pc, emulator):
    trap_url = pc.info["trap_url"]
    assert trap_url.startswith("http://127.0.0.1:") and emulator.info["trap_url"] == trap_url
    token = pc.token()
    set_rules(pc, {"route": "create_user", "kind": "redirect", "times": 2})
    assert pc.control("GET", "faults")["rules"][0]["status"] == 307
    assert pc.control("GET", "faults")["rules"][0]["location"] == "trap"
    r = pc.api("POST", USERS + "?x=1&y=two", json=new_user_body("moved"), allow_redirects=False)
    assert r.status_code == 307
    assert r.headers["Location"] == trap_url + "/v1" + USERS + "?x=1&y=two"
    assert len(r.content) < 300 and "MS-RequestId" in r.headers
    assert "moved@" + DOMAIN not in state_upns(pc)  # nothing committed
    entry = last_entry(pc, "create_user")
    assert (entry["fault"], entry["status"], entry["fault_status"]) == ("redirect", 307, 307)
    # a client that follows it hands the foreign host its bearer token and the body
    r = pc.api("POST", USERS, json=new_user_body("moved"))
    assert r.status_code == 200 and r.json() == {"id": "trap", "items": [],
                                                 "attributes": {"objectType": "Collection"}}
    assert "moved@" + DOMAIN not in state_upns(pc)
    seen = pc.control("GET", "trap")["requests"]
    assert len(seen) == 1
    hit = seen[0]
    assert (hit["method"], hit["path"], hit["query"]) == ("POST", "/v1" + USERS, {})
    assert hit["target"] == "/v1" + USERS
    assert "Content-Type" in hit["header_names"]
    assert hit["authorization"] in (None, "Bearer " + token)  # requests drops it off-host
    assert json.loads(hit["body"])["passwordProfile"]["password"] == GOOD_PASSWORD
    # the trap log is cleared by DELETE and by reset
    pc.control("DELETE", "trap")
    assert pc.control("GET", "trap")["requests"] == []
    requests.get(trap_url + "/anything?q=1", headers={"Authorization": "Bearer leaked"})
    hit = pc.control("GET", "trap")["requests"][0]
    assert hit["authorization"] == "Bearer leaked" and hit["query"] == {"q": ["1"]}
    pc.reset()
    assert pc.control("GET", "trap")["requests"] == []


def test_redirect_statuses_and_absolute_location(pc):
    pc.token()
    for status in (301, 302, 303, 307, 308):
        set_rules(pc, {"route": "get_user", "kind": "redirect", "status": status,
                       "location": "https://evil.example/steal"})
        r = pc.api("GET", USERS + "/" + DANIEL, allow_redirects=False)
        assert r.status_code == status and r.headers["Location"] == "https://evil.example/steal"
    assert rules_refused(pc, {"route": "get_user", "kind": "redirect", "status": 200})
    assert rules_refused(pc, {"route": "get_user", "kind": "redirect", "status": 304})
    assert rules_refused(pc, {"route": "get_user", "kind": "redirect", "location": "/relative"})
    assert rules_refused(pc, {"route": "get_user", "kind": "redirect", "location": "ftp://x/y"})
    assert rules_refused(pc, {"route": "get_user", "kind": "redirect", "location": 5})


def test_redirect_on_identity_routes(pc):
    trap_url = pc.info["trap_url"]
    set_rules(pc, {"route": "token", "kind": "redirect", "status": 308})
    r = pc.token_request(**refresh_form(pc))
    # requests re-sends the POST body to the other host on 307/308
    assert r.status_code == 200 and r.json()["access_token"] == "trap-token"
    assert r.history[0].status_code == 308
    hit = pc.control("GET", "trap")["requests"][-1]
    assert hit["path"] == "/%s/oauth2/v2.0/token" % pc.info["tenant_id"]
    assert pc.info["client_secret"] in hit["body"] and pc.info["refresh_token"] in hit["body"]
    assert last_entry(pc, "token")["fault"] == "redirect"
    set_rules(pc, {"route": "openid_config", "kind": "redirect"})
    path = "/%s/v2.0/.well-known/openid-configuration" % pc.info["tenant_id"]
    r = pc.s.get(pc.url + path, allow_redirects=False)
    assert r.status_code == 307 and r.headers["Location"] == trap_url + path


# --------------------------------------------------------------------------- echo

SECRET_TEXT = 'Pa"ss\\w+rd<&>\'`\u00e9'


def test_echo_modes_on_api_route(pc):
    text = json.dumps(new_user_body("echoed", password=SECRET_TEXT), ensure_ascii=False)
    set_rules(pc, {"route": "create_user", "kind": "echo", "times": -1})
    r = raw_post(pc, USERS, text)
    assert r.status_code == 400
    assert r.json() == {"code": 800002, "description": "Invalid request input: " + text,
                        "data": [], "source": "PartnerFD"}
    entry = last_entry(pc, "create_user")
    assert (entry["fault"], entry["fault_status"]) == ("echo", 400)
    set_rules(pc, {"route": "create_user", "kind": "echo", "echo": "json", "status": 500})
    r = raw_post(pc, USERS, text)
    assert r.status_code == 500
    assert r.json()["description"] == "Invalid request input: " + json.dumps(text)
    assert '\\"ss\\\\\\\\w' in r.json()["description"]  # quote and backslash stay escaped
    set_rules(pc, {"route": "create_user", "kind": "echo", "echo": "dotnet"})
    description = raw_post(pc, USERS, text).json()["description"]
    # the body text holds Pa\"ss\\w+rd...; System.Text.Json escapes it once more
    assert r'\"password\": \"Pa\\\"ss\\\\w\u002Brd\u003C\u0026\u003E\u0027\u0060\u00E9\"}}"' \
        in description
    assert description.startswith('Invalid request input: "{\\"userPrincipalName\\"')
    set_rules(pc, {"route": "create_user", "kind": "echo", "echo": "html"})
    r = raw_post(pc, USERS, text)
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/html")
    assert r.text == ("<html><body><h1>Bad Request</h1><pre>"
                      + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                      .replace('"', "&quot;").replace("'", "&#x27;")
                      + "</pre></body></html>")
    set_rules(pc, {"route": "create_user", "kind": "echo", "echo": "truncated", "cut": 40})
    r = raw_post(pc, USERS, text)
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text == ("Bad request: " + text)[:40] and len(r.text) == 40
    set_rules(pc, {"route": "create_user", "kind": "echo", "echo": "truncated"})
    long_text = json.dumps(new_user_body("x" * 400))
    assert raw_post(pc, USERS, long_text).text == ("Bad request: " + long_text)[:300]
    set_rules(pc, {"route": "list_users", "kind": "echo", "echo": "headers"})
    r = pc.api("GET", USERS)
    assert "Authorization: Bearer %s" % pc.token() in r.json()["description"]
    assert "echoed@" + DOMAIN not in state_upns(pc)  # never processed


def test_echo_on_token_route(pc):
    form = refresh_form(pc)
    set_rules(pc, {"route": "token", "kind": "echo"})
    r = pc.token_request(**form)
    assert r.status_code == 400
    err = r.json()
    assert err["error"] == "invalid_request" and err["error_codes"] == [900144]
    assert err["error_description"].startswith("AADSTS900144: ")
    assert "client_secret=" + pc.info["client_secret"] in err["error_description"]
    assert "refresh_token=" + pc.info["refresh_token"] in err["error_description"]
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert key in err
    set_rules(pc, {"route": "token", "kind": "echo", "echo": "json"})
    assert pc.info["refresh_token"] in pc.token_request(**form).json()["error_description"]
    set_rules(pc, {"route": "token", "kind": "echo", "echo": "html"})
    r = pc.token_request(**form)
    assert r.headers["Content-Type"].startswith("text/html") and "client_secret=" in r.text
    set_rules(pc, {"route": "token", "kind": "echo", "echo": "headers"})
    r = pc.token_request(**form)
    assert "Content-Type: application/x-www-form-urlencoded" in r.json()["error_description"]
    assert pc.info["client_secret"] not in r.text


def test_echo_rule_validation(pc):
    assert rules_refused(pc, {"route": "*", "kind": "echo", "echo": "yaml"})
    assert rules_refused(pc, {"route": "*", "kind": "echo", "status": 302})
    assert rules_refused(pc, {"route": "*", "kind": "echo", "cut": 10})  # only for truncated
    assert rules_refused(pc, {"route": "*", "kind": "echo", "echo": "truncated", "cut": 0})
    assert rules_refused(pc, {"route": "*", "kind": "echo", "retry_after": 1})


# --------------------------------------------------------------------------- commit_then_empty

def test_commit_then_empty(pc):
    pc.token()
    set_rules(pc, {"route": "create_user", "kind": "commit_then_empty"},
              {"route": "token", "kind": "commit_then_empty"})
    r = pc.create_user("emptied")
    assert r.status_code == 201 and r.content == b"" and r.headers["Content-Length"] == "0"
    assert "emptied@" + DOMAIN in state_upns(pc)
    assert last_entry(pc, "create_user")["fault"] == "commit_then_empty"
    r = pc.token_request(**refresh_form(pc))
    assert r.status_code == 200 and r.content == b""
    # an error answer is sent as is (nothing was committed)
    set_rules(pc, {"route": "create_user", "kind": "commit_then_empty"})
    r = pc.create_user("emptied")
    assert r.status_code == 409 and r.json()["code"] == 3001


# --------------------------------------------------------------------------- token_shape

def test_token_shape(pc):
    form = refresh_form(pc)
    for value in (None, "", 123, [], "line\nbreak", {"a": 1}):
        set_rules(pc, {"route": "token", "kind": "token_shape", "token_value": value})
        r = pc.token_request(**form)
        assert r.status_code == 200
        body = r.json()
        assert body["access_token"] == value and body["expires_in"] == 3600
        assert body["token_type"] == "Bearer"
    set_rules(pc, {"route": "token", "kind": "token_shape", "token_value": "emu.fake",
                   "expires_in": "soon"})
    body = pc.token_request(**form).json()
    assert body["expires_in"] == "soon" and "refresh_token" not in body
    # nothing was issued: the value is not a usable token
    r = pc.api("GET", USERS, kind=None, headers={"Authorization": "Bearer emu.fake"})
    assert r.status_code == 401
    set_rules(pc, {"route": "token", "kind": "token_shape", "expires_in": None})
    body = pc.token_request(**form).json()
    assert "access_token" not in body and body["expires_in"] is None
    assert last_entry(pc, "token")["fault"] == "token_shape"
    assert rules_refused(pc, {"route": "list_users", "kind": "token_shape", "token_value": "x"})
    assert rules_refused(pc, {"route": "*", "kind": "token_shape", "token_value": "x"})
    assert rules_refused(pc, {"route": "token", "kind": "token_shape", "status": 200})


# --------------------------------------------------------------------------- status odd bodies

def test_status_description_and_body(pc):
    pc.token()
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 503,
                   "description": "Down for \"maintenance\""})
    r = pc.api("GET", USERS)
    assert r.status_code == 503 and r.json()["description"] == 'Down for "maintenance"'
    assert r.json()["code"] == 800003
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 500,
                   "description": "x" * 1000, "description_repeat": 5000})
    r = pc.api("GET", USERS)
    assert len(r.json()["description"]) == 5000000 and len(r.content) > 5000000
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 400,
                   "description_repeat": 3})
    assert pc.api("GET", USERS).json()["description"] == "Invalid request input" * 3
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 429, "retry_after": 4,
                   "description": "slow down"})
    r = pc.api("GET", USERS)
    assert r.json() == {"statusCode": 429, "message": "slow down"}
    assert r.headers["Retry-After"] == "4"
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 502,
                   "description": "<Upstream>"})
    r = pc.api("GET", USERS)
    assert "<h1>&lt;Upstream&gt;</h1>" in r.text
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 500, "body": "oops"})
    r = pc.api("GET", USERS)
    assert r.status_code == 500 and r.text == "oops"
    assert r.headers["Content-Type"] == "text/plain"
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 429, "body": "<b>no</b>",
                   "content_type": "text/html"})
    r = pc.api("GET", USERS)
    assert r.text == "<b>no</b>" and r.headers["Content-Type"] == "text/html"
    assert r.headers["Retry-After"] == "1"
    set_rules(pc, {"route": "token", "kind": "status", "status": 400, "description": "nope"})
    r = pc.token_request(**refresh_form(pc))
    assert r.status_code == 400 and r.json()["error_description"] == "nope"
    for rule in ({"body": "x", "description": "y"}, {"content_type": "text/html"},
                 {"description_repeat": 0}, {"description": 5}, {"body": None},
                 {"body": "x", "content_type": "a\r\nX-Injected: 1"}):
        assert rules_refused(pc, dict({"route": "*", "kind": "status", "status": 500}, **rule)), \
            rule


# --------------------------------------------------------------------------- rule validation

def test_rule_fields_validated(pc):
    base = {"route": "list_users", "kind": "status", "status": 500}
    for extra in ({"nope": 1}, {"after": "x"}, {"after": -1}, {"times": -2}, {"times": 1.5},
                  {"probability": 2}, {"probability": "often"}, {"retry_after": -1},
                  {"delay": "abc"}, {"delay": -1}, {"status": True}, {"status": 600},
                  {"location": "trap"}, {"echo": "raw"}, {"token_value": "x"},
                  {"method": "TRACE"}):
        assert rules_refused(pc, dict(base, **extra)), extra
    assert rules_refused(pc, {"route": "list_users", "kind": "commit_then_empty", "status": 500})
    assert rules_refused(pc, {"route": "list_users", "kind": "redirect", "delay": 1})
    # the first kinds keep accepting status, retry_after and delay (ignored when unused)
    set_rules(pc, {"route": "list_users", "kind": "delay", "delay": 0.01, "status": 503},
              {"route": "list_users", "kind": "reset", "retry_after": 2, "times": "2",
               "after": 1.0})
    rules = pc.control("GET", "faults")["rules"]
    assert rules[1]["times"] == 2 and rules[1]["after"] == 1


# --------------------------------------------------------------------------- member_route_lag

def test_member_route_lag(pc):
    from conftest import ROLE_GA, SKU_E3
    roles = "/customers/%s/directoryroles/%s/usermembers" % (CID, ROLE_GA)
    pc.control("POST", "config", {"member_route_lag": 30})
    uid = pc.create_user("fresh").json()["id"]
    assert pc.api("GET", USERS + "/" + uid).status_code == 200
    assert uid in [u["id"] for u in pc.api("GET", USERS).json()["items"]]
    lagged = [
        pc.api("POST", roles, json={"id": uid}),
        pc.api("DELETE", roles + "/" + uid),
        pc.api("GET", USERS + "/" + uid + "/directoryroles"),
        pc.api("GET", USERS + "/" + uid + "/licenses"),
        pc.api("POST", USERS + "/" + uid + "/licenseupdates",
               json={"licensesToAssign": [{"skuId": SKU_E3}]}),
    ]
    for r in lagged:
        assert r.status_code == 404 and r.json() == {
            "code": 60002, "description": "User object Id is not found", "data": [],
            "source": "PartnerFD"}, r.text
    # seeded users are not new
    assert pc.api("GET", USERS + "/" + DANIEL + "/directoryroles").status_code == 200
    pc.control("POST", "config", {"member_route_lag_license_error": "usage_location"})
    r = pc.api("POST", USERS + "/" + uid + "/licenseupdates",
               json={"licensesToAssign": [{"skuId": SKU_E3}]})
    assert r.status_code == 400 and r.json()["code"] == 3004
    assert r.json()["description"] == ("License assignment cannot be done for user with "
                                       "invalid usage location.")
    assert pc.api("GET", USERS + "/" + uid + "/licenses").status_code == 404
    pc.control("POST", "clock", {"advance_seconds": 31})
    assert pc.api("POST", roles, json={"id": uid}).status_code == 201
    assert pc.api("GET", USERS + "/" + uid + "/directoryroles").json()["totalCount"] == 1
    assert pc.api("POST", USERS + "/" + uid + "/licenseupdates",
                  json={"licensesToAssign": [{"skuId": SKU_E3}]}).status_code == 201
    assert pc.api("DELETE", roles + "/" + uid).status_code == 204
    # independent of replication_lag; fractional seconds
    pc.control("POST", "config", {"member_route_lag": 0.5, "replication_lag": 0})
    uid = pc.create_user("fresh2").json()["id"]
    assert pc.api("GET", USERS + "/" + uid + "/licenses").status_code == 404
    pc.control("POST", "clock", {"advance_seconds": 0.6})
    assert pc.api("GET", USERS + "/" + uid + "/licenses").status_code == 200
    for bad in ({"member_route_lag": -1}, {"member_route_lag": "soon"},
                {"member_route_lag_license_error": "other"}):
        assert pc.s.post(pc.url + "/_emulator/config", json=bad).status_code == 400, bad


def test_member_route_lag_cli_options():
    from partnercenter_emulator.cli import build_parser, options_from_args
    opts = options_from_args(build_parser().parse_args(
        ["--member-route-lag", "2.5", "--member-route-lag-license-error", "usage_location"]))
    assert opts["member_route_lag"] == 2.5
    assert opts["member_route_lag_license_error"] == "usage_location"
    assert "member_route_lag" not in options_from_args(build_parser().parse_args([]))


# --------------------------------------------------------------------------- documented errors

def test_remove_missing_license_and_role_conflict(pc):
    from conftest import ROLE_HELPDESK, SKU_ONE
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates",
               json={"licensesToRemove": [SKU_ONE]})
    assert r.status_code == 400
    assert r.json() == {"code": 3005, "description": "The user does not have the license '%s' "
                                                     "to remove." % SKU_ONE,
                        "data": [], "source": "PartnerFD"}
    members = "/customers/%s/directoryroles/%s/usermembers" % (CID, ROLE_HELPDESK)
    r = pc.api("POST", members, json={"id": DANIEL})
    assert r.status_code == 409 and r.json()["code"] == 3002
    pc.control("POST", "config", {"role_member_conflict_status": 400})
    r = pc.api("POST", members, json={"id": DANIEL})
    assert r.status_code == 400 and r.json()["code"] == 3002


def test_removing_a_license_not_held_in_the_other_wording(pc):
    """``license_not_held_code`` 800002: the same refusal in an independent fake's words; nothing changes."""
    from conftest import SKU_ONE
    before = pc.control("GET", "state")
    pc.control("POST", "config", {"license_not_held_code": 800002})
    r = pc.api("POST", USERS + "/" + DANIEL + "/licenseupdates", json={"licensesToRemove": [SKU_ONE]})
    assert r.status_code == 400
    assert r.json() == {"code": 800002, "description": "Invalid request input: the user holds no license of "
                                                       "SKU '%s'." % SKU_ONE,
                        "data": [], "source": "PartnerFD"}
    assert pc.control("GET", "state")["customers"] == before["customers"]
    r = pc.s.post(pc.url + "/_emulator/config", json={"license_not_held_code": 400})
    assert r.status_code == 400
