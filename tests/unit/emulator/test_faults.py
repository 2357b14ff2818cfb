import json
import time

import pytest
import requests

from conftest import CID, DOMAIN

USERS = "/customers/%s/users" % CID


def set_rules(pc, *rules):
    return pc.control("POST", "faults", {"rules": list(rules)})


def last_api_entry(pc, route):
    return [e for e in pc.control("GET", "requests")["requests"] if e["route"] == route][-1]


def state_upns(pc):
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    return [u["userPrincipalName"] for u in users]


def test_status_faults_after_and_times(pc):
    pc.token()
    set_rules(pc, {"route": "list_users", "kind": "status", "status": 429, "retry_after": 7,
                   "after": 1, "times": 2})
    assert pc.api("GET", USERS).status_code == 200
    for dummy in range(2):
        r = pc.api("GET", USERS)
        assert r.status_code == 429 and r.headers["Retry-After"] == "7"
        assert r.json() == {"statusCode": 429,
                            "message": "Rate limit is exceeded. Try again in 7 seconds."}
    assert pc.api("GET", USERS).status_code == 200
    entry = last_api_entry(pc, "list_users")
    assert entry["fault"] is None
    faults = pc.control("GET", "faults")["rules"]
    assert faults[0]["remaining_times"] == 0 and faults[0]["fired"] == 2
    # 503 JSON, 502 HTML, nothing committed
    set_rules(pc, {"route": "create_user", "method": "POST", "kind": "status", "status": 503},
              {"route": "create_user", "kind": "status", "status": 502})
    r = pc.create_user("faulty")
    assert r.status_code == 503 and r.json()["code"] == 800003
    r = pc.create_user("faulty")
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    assert "faulty@" + DOMAIN not in state_upns(pc)
    assert pc.create_user("faulty").status_code == 201
    assert last_api_entry(pc, "create_user")["fault"] is None


def test_reset_and_commit_faults(pc):
    pc.token()
    set_rules(pc, {"route": "create_user", "kind": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        pc.create_user("rst")
    assert "rst@" + DOMAIN not in state_upns(pc)
    entry = last_api_entry(pc, "create_user")
    assert entry["fault"] == "reset" and entry["status"] is None
    set_rules(pc, {"route": "create_user", "kind": "commit_then_reset"})
    with pytest.raises(requests.exceptions.ConnectionError):
        pc.create_user("committed")
    assert "committed@" + DOMAIN in state_upns(pc)
    set_rules(pc, {"route": "create_user", "kind": "commit_then_delay", "delay": 1.0})
    with pytest.raises(requests.exceptions.Timeout):
        pc.api("POST", USERS, timeout=0.3, json={
            "userPrincipalName": "slow@" + DOMAIN, "displayName": "slow",
            "usageLocation": "US", "passwordProfile": {"password": "abCD123*x"}})
    assert "slow@" + DOMAIN in state_upns(pc)
    # a retry of the committed write now sees the duplicate
    assert pc.create_user("slow").status_code == 409
    set_rules(pc, {"route": "get_customer", "kind": "delay", "delay": 0.2})
    t0 = time.monotonic()
    assert pc.api("GET", "/customers/" + CID).status_code == 200
    assert time.monotonic() - t0 >= 0.2


def test_response_shape_faults(pc):
    pc.token()
    set_rules(pc, {"route": "get_customer", "kind": "bom"},
              {"route": "get_customer", "kind": "pascal_case"},
              {"route": "list_users", "kind": "expire_token"})
    r = pc.api("GET", "/customers/" + CID)
    assert r.content.startswith(b"\xef\xbb\xbf")
    r = pc.api("GET", "/customers/" + CID)
    assert "CompanyProfile" in json.loads(r.content)
    r = pc.api("GET", "/customers/" + CID)
    assert "companyProfile" in r.json()
    r = pc.api("GET", USERS)
    assert r.status_code == 401 and r.json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert pc.api("GET", USERS).status_code == 200


def test_token_faults(pc):
    set_rules(pc, {"route": "token", "kind": "status", "status": 503})
    r = pc.token_request(grant_type="client_credentials", client_id=pc.info["client_id"],
                         client_secret=pc.info["client_secret"],
                         scope="https://api.partnercenter.microsoft.com/.default")
    assert r.status_code == 503 and r.json()["error"] == "temporarily_unavailable"
    assert pc.token("app")


def _draws(pc, config):
    pc.reset(config=config)
    pc.token()
    return [pc.api("GET", USERS).status_code for dummy in range(30)]


def test_seeded_randomness_is_reproducible(pc):
    first = _draws(pc, {"throttle_rate": 0.3, "random_seed": 42})
    second = _draws(pc, {"throttle_rate": 0.3, "random_seed": 42})
    assert first == second and 429 in first and 200 in first
    third = _draws(pc, {"error_rate": 0.5, "random_seed": 7})
    assert set(third) == {200, 503}
    entries = [e for e in pc.control("GET", "requests")["requests"] if e["route"] == "list_users"]
    assert {e["fault"] for e in entries if e["status"] == 503} == {"status"}
    set_rules(pc, {"route": "*", "kind": "status", "status": 500, "probability": 0.5,
                   "times": -1})
    pc.control("POST", "config", {"error_rate": 0.0, "random_seed": 3})
    a = [pc.api("GET", USERS).status_code for dummy in range(20)]
    pc.control("POST", "config", {"random_seed": 3})
    b = [pc.api("GET", USERS).status_code for dummy in range(20)]
    assert a == b and set(a) == {200, 500}


def test_bad_fault_rules_rejected(pc):
    for rule in ({"route": "nope", "kind": "status", "status": 500},
                 {"route": "*", "kind": "explode"},
                 {"route": "*", "kind": "status"},
                 {"route": "*", "kind": "delay"}):
        r = pc.s.post(pc.url + "/_emulator/faults", json={"rules": [rule]})
        assert r.status_code == 400, rule
    r = pc.s.post(pc.url + "/_emulator/config", json={"no_such_knob": 1})
    assert r.status_code == 400


def test_latency(pc):
    pc.token()
    pc.control("POST", "config", {"latency_ms": 150})
    t0 = time.monotonic()
    pc.api("GET", USERS)
    assert time.monotonic() - t0 >= 0.15
    t0 = time.monotonic()
    pc.control("GET", "health")
    assert time.monotonic() - t0 < 0.15
