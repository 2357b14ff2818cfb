"""Microsoft Graph access to a customer tenant: the Graph listener (``graph_url``), the
Control Panel Vendor consent routes, and the token endpoint's customer-tenant grant (refused
without consent with Entra's wording; after consent: tid, aud, scp, amr and wids)."""

import uuid

import pytest

from conftest import CID, VerifySession, base_seed
from partnercenter_emulator import gdap
from partnercenter_emulator.identity import read_claims

GRAPH_APP = "00000003-0000-0000-c000-000000000000"
CONSENTS = "/customers/%s/applicationconsents" % CID
OTHER_APP = "5a1e6c1b-7d37-4a4b-9a55-0e2cd2d7ad11"


def consent_body(app_id, scope="User.ReadWrite.All,GroupMember.ReadWrite.All"):
    return {"applicationId": app_id, "displayName": "CSP automation",
            "applicationGrants": [{"enterpriseApplicationId": GRAPH_APP, "scope": scope}]}


def entries(pc, route):
    return [e for e in pc.control("GET", "requests")["requests"] if e["route"] == route]


def test_graph_has_a_listener_of_its_own_on_the_same_certificate(pc, emulator):
    graph_url = pc.info["graph_url"]
    assert graph_url.startswith("https://127.0.0.1:") and graph_url != pc.url
    assert emulator.graph_url == graph_url
    s = VerifySession(pc.info["ca_path"])    # the same CA verifies both listeners
    # Each request carries this test's correlation id: on a loaded machine a request of an earlier test
    # (one its client gave up on) can be logged after the reset, and is not this test's.
    s.headers["MS-CorrelationId"] = str(uuid.uuid4())
    # the Graph listener serves Graph only: no Partner Center path, no control API
    r = s.get(graph_url + "/v1/customers/%s/users" % CID)
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
    assert r.headers["request-id"] == r.json()["error"]["innerError"]["request-id"]
    assert s.get(graph_url + "/_emulator/health").status_code == 400
    # and the Partner Center listener serves no Graph path
    r = s.get(pc.url + "/v1.0/users")
    assert r.status_code == 404 and r.json()["code"] == 1000
    logged = [e for e in pc.control("GET", "requests")["requests"]
              if e["correlation_id"] == s.headers["MS-CorrelationId"]]
    assert [(e["api"], e["path"], e["status"]) for e in logged] == [
        ("graph", "/v1/customers/%s/users" % CID, 400), ("graph", "/_emulator/health", 400),
        ("partner_center", "/v1.0/users", 404)]


def test_no_consent_no_token_with_entras_wording(pc):
    r = pc.graph_token_request()
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_grant" and body["suberror"] == "consent_required"
    assert body["error_codes"] == [65001]
    assert body["error_description"].startswith(
        "AADSTS65001: The user or administrator has not consented to use the application with "
        "ID '%s' named 'Partner Center Emulator App'. Send an interactive authorization request "
        "for this user and resource." % pc.info["client_id"])
    assert pc.info["refresh_token"] not in r.text and pc.info["client_secret"] not in r.text
    for code in (650051, 650052):
        pc.control("POST", "config", {"consent_required_code": code})
        body = pc.graph_token_request().json()
        assert body["error_codes"] == [code] and body["suberror"] == "consent_required"
        assert CID in body["error_description"]
    # the Partner Center token of the partner's tenant is not affected
    assert pc.token_request(
        grant_type="refresh_token", client_id=pc.info["client_id"],
        refresh_token=pc.info["refresh_token"],
        scope="https://api.partnercenter.microsoft.com/user_impersonation").status_code == 200
    logged = entries(pc, "token")
    assert [(e["api"], e["tenant"], e["status"]) for e in logged][:3] == [
        ("identity", CID, 400)] * 3
    assert logged[0]["body"] == {"grant_type": "refresh_token",
                                 "scope": pc.info["graph_url"] + "/.default",
                                 "client_id": pc.info["client_id"]}


def test_consent_through_partner_center_then_a_graph_token(pc):
    r = pc.api("POST", CONSENTS, json=consent_body(pc.info["client_id"]))
    assert r.status_code == 201
    assert r.json() == consent_body(pc.info["client_id"])
    state = pc.control("GET", "state", params={"customer": CID})["customers"][0]
    (consent,) = state["consentedApplications"]
    assert consent["applicationId"] == pc.info["client_id"] and consent["consentedAt"]
    assert consent["applicationGrants"] == consent_body(pc.info["client_id"])["applicationGrants"]
    r = pc.graph_token_request()
    assert r.status_code == 200, r.text
    answer = r.json()
    claims = read_claims(answer["access_token"])
    assert claims["tid"] == CID and claims["aud"] == pc.info["graph_url"]
    assert claims["scp"] == "User.ReadWrite.All GroupMember.ReadWrite.All"
    assert answer["scope"] == " ".join(pc.info["graph_url"] + "/" + s for s in
                                       ("User.ReadWrite.All", "GroupMember.ReadWrite.All"))
    assert claims["amr"] == ["pwd", "mfa"] and claims["idtyp"] == "user"
    assert claims["idp"] == "https://sts.windows.net/%s/" % pc.info["tenant_id"]
    # no gdapRoles seed: every role, so every template id
    assert claims["wids"] == sorted(gdap.TEMPLATE_IDS.values())
    # Microsoft's own Graph audience is accepted as well
    r = pc.graph_token_request(scope="https://graph.microsoft.com/.default openid offline_access")
    assert r.status_code == 200
    assert read_claims(r.json()["access_token"])["aud"] == "https://graph.microsoft.com"
    # a named scope that was consented, and one that was not
    assert pc.graph_token_request(scope="https://graph.microsoft.com/User.ReadWrite.All") \
        .status_code == 200
    r = pc.graph_token_request(scope="https://graph.microsoft.com/Mail.Read")
    assert r.status_code == 400 and r.json()["error_codes"] == [65001]
    (post,) = entries(pc, "create_application_consent")
    assert (post["api"], post["tenant"], post["method"], post["status"]) == \
        ("partner_center", CID, "POST", 201)


def test_wids_are_the_gdap_roles_held_in_that_customer(pc):
    seed = base_seed()
    seed["customers"][0]["gdapRoles"] = ["User Administrator", "Groups Administrator"]
    seed["customers"][0]["consentedApplications"] = True
    pc.reset(seed=seed)
    claims = read_claims(pc.graph_token_request().json()["access_token"])
    assert sorted(claims["wids"]) == sorted(["fe930be7-5e62-47db-91af-98c3a49a38b1",
                                             "fdd7a751-b60b-444a-984c-02652fe8fa1c"])
    assert claims["scp"] == "User.ReadWrite.All GroupMember.ReadWrite.All Directory.Read.All"
    pc.control("POST", "gdap", {"customer": CID, "roles": ["Directory Readers", "Global Reader"]})
    claims = read_claims(pc.graph_token_request().json()["access_token"])
    assert sorted(claims["wids"]) == ["88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
                                      "f2ef992c-3afb-46b9-b7cf-a126ee74c451"]
    pc.control("POST", "gdap", {"customer": CID, "roles": []})
    assert read_claims(pc.graph_token_request().json()["access_token"])["wids"] == []


def test_the_template_ids_are_entras():
    assert gdap.TEMPLATE_IDS["Privileged Authentication Administrator"] == \
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
    assert gdap.TEMPLATE_IDS["Privileged Role Administrator"] == \
        "e8611ab8-c189-46e8-94e1-60213ab1f814"
    assert gdap.TEMPLATE_IDS["Global Administrator"] == "62e90394-69f5-4237-9190-012177145e10"
    assert len(set(gdap.TEMPLATE_IDS.values())) == len(gdap.TEMPLATE_IDS)


def test_the_mfa_claim_and_rotation_follow_the_refresh_token(pc):
    pc.consent()
    signed_in = pc.control("POST", "refresh_tokens", {"mfa": False, "upn": "tech@partner.example"})
    r = pc.graph_token_request(refresh_token=signed_in["refresh_token"])
    assert r.status_code == 200
    claims = read_claims(r.json()["access_token"])
    assert claims["amr"] == ["pwd"] and claims["upn"] == "tech@partner.example"
    rotated = r.json()["refresh_token"]
    assert rotated != signed_in["refresh_token"]
    records = pc.control("GET", "refresh_tokens")["refresh_tokens"]
    assert records[-1]["source"] == "rotated" and records[-1]["rotated_from"] == signed_in["sha256"]
    assert records[-1]["mfa"] is False
    # the rotated token serves Partner Center in the partner's tenant as well
    assert pc.token_request(
        grant_type="refresh_token", client_id=pc.info["client_id"], refresh_token=rotated,
        scope="https://api.partnercenter.microsoft.com/user_impersonation").status_code == 200
    # no rotation when the knob says so; a revoked token is refused here too
    pc.control("POST", "config", {"rotate_refresh_tokens": False})
    assert "refresh_token" not in pc.graph_token_request(refresh_token=rotated).json()
    pc.control("POST", "refresh_tokens/revoke", {"refresh_token": rotated})
    assert pc.graph_token_request(refresh_token=rotated).json()["error_codes"] == [50173]


@pytest.mark.parametrize("tenant,form,status,code", [
    ("0c2b0e4e-96a5-4c3d-9d4c-2d8b7b0f3c11", {}, 400, 90002),           # no such tenant
    (CID, {"scope": "https://api.partnercenter.microsoft.com/user_impersonation"}, 400, 500011),
    (CID, {"scope": "openid offline_access"}, 400, 70011),
    (CID, {"scope": "https://graph.microsoft.com/.default https://example.org/.default"},
     400, 500011),
    (CID, {"grant_type": "client_credentials"}, 400, 700016),           # no app-only here
])
def test_customer_tenant_refusals(pc, tenant, form, status, code):
    pc.consent()
    r = pc.graph_token_request(tenant, **form)
    assert r.status_code == status and r.json()["error_codes"] == [code], r.text


def test_a_customer_without_delegated_access_does_not_know_the_partner_user(pc):
    seed = base_seed()
    seed["customers"][0].update(allowDelegatedAccess=False, consentedApplications=True)
    pc.reset(seed=seed)
    body = pc.graph_token_request().json()
    assert body["error_codes"] == [50020] and "does not exist in tenant 'Contoso'" in \
        body["error_description"]


def test_msal_gets_a_graph_token_from_the_customers_authority(pc):
    msal = pytest.importorskip("msal")
    pc.consent(scopes=["User.ReadWrite.All"])
    app = msal.ConfidentialClientApplication(
        pc.info["client_id"], client_credential=pc.info["client_secret"],
        authority="%s/%s" % (pc.info["authority"], CID), instance_discovery=False,
        http_client=VerifySession(pc.info["ca_path"]))
    result = app.acquire_token_by_refresh_token(pc.info["refresh_token"],
                                                scopes=[pc.info["graph_url"] + "/.default"])
    assert "access_token" in result, result
    assert read_claims(result["access_token"])["tid"] == CID
    assert [e["tenant"] for e in entries(pc, "openid_config")] == [CID]


def test_an_existing_consent_answers_409_by_default(pc):
    body = consent_body(pc.info["client_id"])
    assert pc.api("POST", CONSENTS, json=body).status_code == 201
    r = pc.api("POST", CONSENTS, json=consent_body(pc.info["client_id"], "User.Read.All"))
    assert r.status_code == 409 and r.json()["code"] == 3001
    pc.control("POST", "config", {"application_consent_exists_status": 400})
    assert pc.api("POST", CONSENTS, json=body).status_code == 400
    pc.control("POST", "config", {"application_consent_exists_status": 201})
    assert pc.api("POST", CONSENTS, json=consent_body(pc.info["client_id"], "User.Read.All")) \
        .status_code == 201
    (consent,) = pc.control("GET", "consents")["customers"][0]["consentedApplications"]
    assert consent["applicationGrants"][0]["scope"] == "User.Read.All"   # replaced


def test_delete_a_consent_and_no_get_route(pc):
    pc.consent()
    path = CONSENTS + "/" + pc.info["client_id"]
    assert pc.api("GET", path).status_code == 405           # no GET is documented
    assert pc.api("GET", CONSENTS).status_code == 405
    r = pc.api("DELETE", path)
    assert r.status_code == 204 and r.content == b""
    assert pc.api("DELETE", path).status_code == 404
    assert pc.control("GET", "state", params={"customer": CID})["customers"][0][
        "consentedApplications"] == []
    assert pc.graph_token_request().json()["error_codes"] == [65001]


@pytest.mark.parametrize("body", [
    {},
    {"applicationId": "not-a-guid", "applicationGrants": [{"enterpriseApplicationId": GRAPH_APP,
                                                           "scope": "User.Read.All"}]},
    {"applicationId": OTHER_APP, "applicationGrants": []},
    {"applicationId": OTHER_APP, "applicationGrants": [{"scope": "User.Read.All"}]},
    {"applicationId": OTHER_APP, "applicationGrants": [{"enterpriseApplicationId": GRAPH_APP,
                                                        "scope": " "}]},
])
def test_bad_consent_bodies_are_refused_before_any_change(pc, body):
    r = pc.api("POST", CONSENTS, json=body)
    assert r.status_code == 400 and r.json()["code"] == 800002
    assert pc.control("GET", "consents")["customers"][0]["consentedApplications"] == []


def test_consent_routes_need_an_application_admin_role(pc):
    pc.control("POST", "gdap", {"customer": CID, "roles": ["User Administrator"]})
    assert pc.api("POST", CONSENTS, json=consent_body(OTHER_APP)).status_code == 403
    pc.control("POST", "gdap", {"customer": CID, "roles": ["Cloud Application Administrator"]})
    assert pc.api("POST", CONSENTS, json=consent_body(OTHER_APP)).status_code == 201
    assert pc.api("DELETE", CONSENTS + "/" + OTHER_APP, kind="app").status_code == 403


def test_seed_and_control_consents(pc):
    seed = base_seed()
    seed["customers"][0]["consentedApplications"] = [
        OTHER_APP, {"scopes": ["User.Read.All", "Group.Read.All"]}]
    pc.reset(seed=seed)
    shown = {c["applicationId"]: c["applicationGrants"][0]["scope"]
             for c in pc.control("GET", "consents")["customers"][0]["consentedApplications"]}
    assert shown == {OTHER_APP: "User.ReadWrite.All,GroupMember.ReadWrite.All,Directory.Read.All",
                     pc.info["client_id"]: "User.Read.All,Group.Read.All"}
    pc.control("POST", "consents", {"customer": CID, "consented": False})
    assert pc.graph_token_request().json()["error_codes"] == [65001]
    r = pc.s.post(pc.url + "/_emulator/consents", json={"customer": "nope"})
    assert r.status_code == 400
    bad = base_seed()
    bad["customers"][0]["consentedApplications"] = "yes"
    r = pc.s.post(pc.url + "/_emulator/reset", json={"seed": bad})
    assert r.status_code == 400 and "consentedApplications" in r.json()["error"]


def test_a_graph_token_is_refused_by_partner_center(pc):
    pc.consent()
    r = pc.api("GET", "/customers/%s/users" % CID,
               headers={"Authorization": "Bearer " + pc.graph_token()})
    assert r.status_code == 401 and r.json()["code"] == 900420


def test_the_graph_example_seed_loads(pc):
    import json
    import os

    from conftest import EMULATOR_DIR
    with open(os.path.join(EMULATOR_DIR, "seeds", "graph.json")) as handle:
        seed = json.load(handle)
    summary = pc.reset(seed=seed)
    assert [c["companyName"] for c in summary["customers"]] == ["Contoso", "Fabrikam"]
    contoso = pc.control("GET", "state", params={"customer": CID})["customers"][0]
    assert [g["kind"] for g in contoso["groups"]] == ["assigned", "dynamic", "synced",
                                                      "distribution", "role_assignable"]
    megan, alex, lee = contoso["users"]
    assert alex["manager"] == megan["id"] and lee["onPremisesSyncEnabled"] is True
    assert pc.graph("GET", "/users/alex@contoso.onmicrosoft.com/manager").json()["id"] == \
        megan["id"]


def test_the_v1_endpoint_names_graph_as_the_resource(pc):
    pc.consent()
    r = pc.s.post("%s/%s/oauth2/token" % (pc.url, CID), data={
        "grant_type": "refresh_token", "client_id": pc.info["client_id"],
        "client_secret": pc.info["client_secret"], "refresh_token": pc.info["refresh_token"],
        "resource": "https://graph.microsoft.com"})
    assert r.status_code == 200, r.text
    assert r.json()["resource"] == "https://graph.microsoft.com"
    assert read_claims(r.json()["access_token"])["aud"] == "https://graph.microsoft.com"
