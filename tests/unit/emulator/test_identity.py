import json

import pytest

from conftest import CID, VerifySession

USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"


def test_health_and_openid_config(pc):
    assert pc.control("GET", "health") == {"ok": True}
    r = pc.s.get("%s/%s/v2.0/.well-known/openid-configuration" % (pc.url, pc.info["tenant_id"]))
    assert r.status_code == 200
    cfg = r.json()
    assert cfg["token_endpoint"] == "%s/%s/oauth2/v2.0/token" % (pc.url, pc.info["tenant_id"])
    for key in ("issuer", "authorization_endpoint", "device_authorization_endpoint", "jwks_uri"):
        assert key in cfg
    r = pc.s.get("%s/%s/v2.0/.well-known/openid-configuration" % (
        pc.url, "99999999-9999-9999-9999-999999999999"))
    assert r.status_code == 400 and r.json()["error"] == "invalid_tenant"


def test_client_credentials_and_errors(pc):
    r = pc.token_request(grant_type="client_credentials", client_id=pc.info["client_id"],
                         client_secret=pc.info["client_secret"], scope=APP_SCOPE)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["access_token"].count(".") == 2  # JWT-shaped (test_jwt_claims)
    # bad secret: 401 invalid_client, secret never echoed
    r = pc.token_request(grant_type="client_credentials", client_id=pc.info["client_id"],
                         client_secret="wrong-secret-value", scope=APP_SCOPE)
    assert r.status_code == 401
    err = r.json()
    assert err["error"] == "invalid_client" and err["error_codes"] == [7000215]
    assert err["error_description"].startswith("AADSTS7000215:")
    assert "wrong-secret-value" not in r.text and pc.info["client_secret"] not in r.text
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert key in err
    # scope must be /.default
    r = pc.token_request(grant_type="client_credentials", client_id=pc.info["client_id"],
                         client_secret=pc.info["client_secret"], scope=USER_SCOPE)
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    # wrong tenant
    r = pc.token_request(tenant="99999999-9999-9999-9999-999999999999",
                         grant_type="client_credentials", client_id=pc.info["client_id"],
                         client_secret=pc.info["client_secret"], scope=APP_SCOPE)
    assert r.status_code == 400
    # unknown client
    r = pc.token_request(grant_type="client_credentials", client_id="nope",
                         client_secret=pc.info["client_secret"], scope=APP_SCOPE)
    assert r.status_code == 400 and r.json()["error"] == "unauthorized_client"


def test_refresh_token_grant(pc):
    form = dict(grant_type="refresh_token", client_id=pc.info["client_id"],
                refresh_token=pc.info["refresh_token"],
                scope=USER_SCOPE + " offline_access openid profile", client_info="1")
    r = pc.token_request(**form)  # public-client redemption (no secret)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] != pc.info["refresh_token"]  # rotated (test_rotation)
    assert "client_info" in body and "id_token" in body
    r = pc.token_request(**dict(form, client_secret="bad"))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = pc.token_request(**dict(form, refresh_token="stolen-rt-value"))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert "stolen-rt-value" not in r.text
    r = pc.token_request(**dict(form, scope="openid profile"))
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    # v1 endpoint with resource=
    r = pc.s.post("%s/%s/oauth2/token" % (pc.url, pc.info["tenant_id"]), data=dict(
        grant_type="client_credentials", client_id=pc.info["client_id"],
        client_secret=pc.info["client_secret"],
        resource="https://api.partnercenter.microsoft.com"))
    assert r.status_code == 200 and r.json()["resource"] == "https://api.partnercenter.microsoft.com"


def test_api_auth_shapes(pc):
    r = pc.api("GET", "/customers/%s/users" % CID, kind=None)
    assert r.status_code == 401
    assert r.json() == {"code": 800001, "description": "Partner Token missing in request context",
                        "data": [], "source": "PartnerFD"}
    r = pc.api("GET", "/customers/%s/users" % CID, kind=None,
               headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.json()["code"] == 800001
    r = pc.api("GET", "/customers/%s/users" % CID, kind="app")
    assert r.status_code == 403
    assert r.json()["code"] == 900329
    for path in ("/customers/%s/directoryroles" % CID, "/customers/%s/subscribedskus" % CID):
        assert pc.api("GET", path, kind="app").status_code == 403
    assert pc.api("GET", "/customers", kind="app").status_code == 200
    assert pc.api("GET", "/customers/%s" % CID, kind="app").status_code == 200
    # expire all tokens
    pc.token("user")
    pc.control("POST", "expire_tokens")
    r = pc.api("GET", "/customers/%s/users" % CID)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert "WWW-Authenticate" in r.headers
    pc._tokens.clear()
    assert pc.api("GET", "/customers/%s/users" % CID).status_code == 200


def test_mfa_knob(pc):
    pc.control("POST", "config", {"mfa_required": True, "token_mfa": False})
    pc._tokens.clear()
    r = pc.api("GET", "/customers/%s/users" % CID)
    assert r.status_code == 401 and r.json()["code"] == 900421
    pc.control("POST", "config", {"token_mfa": True})
    pc._tokens.clear()
    assert pc.api("GET", "/customers/%s/users" % CID).status_code == 200


def test_token_log_has_no_secrets(pc):
    pc.token("user")
    pc.token("app")
    pc.api("GET", "/customers")
    log = pc.control("GET", "requests")["requests"]
    text = json.dumps(log)
    assert pc.info["client_secret"] not in text
    assert pc.info["refresh_token"] not in text
    assert pc._tokens["user"] not in text
    tokens = [e for e in log if e["route"] == "token"]
    assert len(tokens) == 2
    assert set(tokens[0]["body"]) <= {"grant_type", "scope", "client_id"}
    assert log[-1]["token_kind"] == "user"


def test_real_msal(pc):
    msal = pytest.importorskip("msal")
    ca = pc.info["ca_path"]

    class Session(VerifySession):
        pass

    app = msal.ConfidentialClientApplication(
        pc.info["client_id"], client_credential=pc.info["client_secret"],
        authority="%s/%s" % (pc.info["authority"], pc.info["tenant_id"]),
        instance_discovery=False, http_client=Session(ca))
    result = app.acquire_token_by_refresh_token(pc.info["refresh_token"], scopes=[USER_SCOPE])
    assert "access_token" in result, result
    assert result.get("refresh_token") not in (None, pc.info["refresh_token"])  # rotated
    user_token = result["access_token"]
    result = app.acquire_token_for_client(scopes=[APP_SCOPE])
    assert "access_token" in result, result
    app_token = result["access_token"]
    s = Session(ca)
    r = s.get(pc.url + "/v1/customers/%s/users" % CID,
              headers={"Authorization": "Bearer " + user_token})
    assert r.status_code == 200
    r = s.get(pc.url + "/v1/customers/%s/users" % CID,
              headers={"Authorization": "Bearer " + app_token})
    assert r.status_code == 403
    # bad refresh token comes back as an error dict, with no secret in it
    bad = app.acquire_token_by_refresh_token("not-the-right-rt", scopes=[USER_SCOPE])
    assert bad.get("error") == "invalid_grant"
    assert "not-the-right-rt" not in json.dumps(bad)
    # the openid config was fetched once per application object
    routes = [e["route"] for e in pc.control("GET", "requests")["requests"]]
    assert routes.count("openid_config") == 1


def test_refresh_token_grant_takes_the_api_default_scope_alone(pc):
    """As Entra (".default can be used in any OAuth 2.0 flow"): the Partner Center API's .default, by its URI
    or its app id, redeems a refresh token for a user_impersonation token; beside another resource's scope
    it is refused (AADSTS70011), as Entra refuses it."""
    form = dict(grant_type="refresh_token", client_id=pc.info["client_id"],
                client_secret=pc.info["client_secret"], refresh_token=pc.info["refresh_token"])
    for scope in (APP_SCOPE, APP_SCOPE + " offline_access openid profile",
                  "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd/.default"):
        r = pc.token_request(**dict(form, scope=scope))
        assert r.status_code == 200, (scope, r.text)
        body = r.json()
        assert body["scope"].split()[0] == USER_SCOPE
        form["refresh_token"] = body["refresh_token"]  # rotated
        assert pc.s.get(pc.url + "/v1/customers", headers={
            "Authorization": "Bearer " + body["access_token"]}).status_code == 200
    for scope in (APP_SCOPE + " https://graph.microsoft.com/User.Read", APP_SCOPE + " " + USER_SCOPE):
        r = pc.token_request(**dict(form, scope=scope))
        assert r.status_code == 400 and r.json()["error"] == "invalid_scope", scope
        assert r.json()["error_codes"] == [70011]
