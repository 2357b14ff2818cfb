"""Fixtures for the emulator's own tests: one in-process emulator per session,
reset before every test through the control API."""

import os
import sys

import pytest

EMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "emulator"))
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

requests = pytest.importorskip("requests")

CID = "4d3cf487-70f4-4e1e-9ff1-b2bfce8d9f04"
DOMAIN = "contoso.onmicrosoft.com"
SKU_E3 = "f8a1db68-be16-40ed-86d5-cb42ce701560"
SKU_ONE = "c42b9cae-ea4f-4ab7-9717-81576235ccac"
SKU_MC = "e6d3a7a6-3f4e-4d56-9c5d-3b1b8c2d7a11"
PLAN_TEAMS = "57ff2da0-773e-42df-b2af-ffb7a2317929"
ROLE_HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
ROLE_GA = "62e90394-69f5-4237-9190-012177145e10"
GOOD_PASSWORD = "abCD123*x"


def base_seed():
    return {"customers": [{
        "id": CID, "companyName": "Contoso", "domain": DOMAIN,
        "customDomains": ["contoso.example"],
        "subscribedSkus": [
            {"id": SKU_E3, "skuPartNumber": "SPE_E3", "name": "Microsoft 365 E3", "totalUnits": 3,
             "servicePlans": [
                 {"serviceName": "EXCHANGE_S_ENTERPRISE", "displayName": "Exchange Online (Plan 2)",
                  "id": "efb87545-963c-4e0d-99df-69c6916d9eb0"},
                 {"serviceName": "TEAMS1", "displayName": "Microsoft Teams", "id": PLAN_TEAMS}]},
            {"id": SKU_ONE, "skuPartNumber": "ONE_UNIT", "totalUnits": 1},
            {"id": SKU_MC, "skuPartNumber": "MINECRAFT", "licenseGroupId": "group2",
             "totalUnits": 5},
        ],
        "users": [
            {"id": "a9ef48bb-8758-4590-a312-d4a47bfaded4",
             "userPrincipalName": "Daniel@contoso.onmicrosoft.com", "displayName": "Daniel Tsai",
             "firstName": "Daniel", "lastName": "Tsai", "usageLocation": "US",
             "directoryRoles": ["Helpdesk Administrator"], "licenses": ["SPE_E3"]},
            {"userPrincipalName": "noloc@contoso.onmicrosoft.com", "displayName": "No Location"},
            {"userPrincipalName": "old@contoso.onmicrosoft.com", "displayName": "Old",
             "usageLocation": "US", "state": "inactive"},
        ],
    }, {
        "id": "c5757d70-06f3-4f23-8367-5a9e55019f94", "companyName": "Contoso190",
        "domain": "contoso190.onmicrosoft.com",
    }, {
        "companyName": "Fabrikam", "domain": "fabrikam.onmicrosoft.com",
    }]}


class VerifySession(requests.Session):
    """Passes ``verify`` on every request (REQUESTS_CA_BUNDLE cannot override it)."""

    def __init__(self, ca_path):
        requests.Session.__init__(self)
        self.ca_path = ca_path

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("verify", self.ca_path)
        kwargs.setdefault("timeout", 10)
        return requests.Session.request(self, method, url, *args, **kwargs)


class Client(object):
    """Small test client for the emulator."""

    def __init__(self, info):
        self.info = info
        self.url = info["api_url"]
        self.s = VerifySession(info["ca_path"])
        self._tokens = {}

    # control
    def control(self, method, name, body=None, **kw):
        r = self.s.request(method, "%s/_emulator/%s" % (self.url, name), json=body, **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def reset(self, config=None, seed=None):
        body = {"config": config or {}}
        body["seed"] = base_seed() if seed is None else seed
        return self.control("POST", "reset", body)

    # identity
    def token_request(self, **form):
        tenant = form.pop("tenant", self.info["tenant_id"])
        return self.s.post("%s/%s/oauth2/v2.0/token" % (self.url, tenant), data=form)

    def token(self, kind="user"):
        if kind not in self._tokens:
            if kind == "user":
                r = self.token_request(
                    grant_type="refresh_token", client_id=self.info["client_id"],
                    client_secret=self.info["client_secret"],
                    refresh_token=self.info["refresh_token"],
                    scope="https://api.partnercenter.microsoft.com/user_impersonation")
            else:
                r = self.token_request(
                    grant_type="client_credentials", client_id=self.info["client_id"],
                    client_secret=self.info["client_secret"],
                    scope="https://api.partnercenter.microsoft.com/.default")
            assert r.status_code == 200, r.text
            self._tokens[kind] = r.json()["access_token"]
        return self._tokens[kind]

    # Microsoft Graph in a customer tenant (the Graph listener, graph_url)
    def graph_token_request(self, tenant=CID, scope=None, refresh_token=None, **form):
        body = dict(grant_type="refresh_token", client_id=self.info["client_id"],
                    client_secret=self.info["client_secret"],
                    refresh_token=refresh_token or self.info["refresh_token"],
                    scope=scope or self.info["graph_url"] + "/.default")
        body.update(form)
        return self.s.post("%s/%s/oauth2/v2.0/token" % (self.url, tenant), data=body)

    def consent(self, customer=CID, **body):
        return self.control("POST", "consents", dict(body, customer=customer))

    def graph_token(self, tenant=CID):
        key = ("graph", tenant)
        if key not in self._tokens:
            r = self.graph_token_request(tenant)
            assert r.status_code == 200, r.text
            self._tokens[key] = r.json()["access_token"]
        return self._tokens[key]

    def graph(self, method, path, tenant=CID, token=None, headers=None, **kw):
        """A Graph request (``path`` after /v1.0, or an absolute URL such as a nextLink)."""
        h = {"Accept": "application/json",
             "Authorization": "Bearer " + (token or self.graph_token(tenant))}
        h.update(headers or {})
        url = path if path.startswith("https://") else self.info["graph_url"] + "/v1.0" + path
        return self.s.request(method, url, headers=h, **kw)

    # API
    def api(self, method, path, kind="user", headers=None, **kw):
        h = {"Accept": "application/json"}
        if kind:
            h["Authorization"] = "Bearer " + self.token(kind)
        h.update(headers or {})
        return self.s.request(method, self.url + "/v1" + path, headers=h, **kw)

    def create_user(self, local, **fields):
        body = {"userPrincipalName": "%s@%s" % (local, DOMAIN), "displayName": local,
                "usageLocation": "US",
                "passwordProfile": {"password": GOOD_PASSWORD, "forceChangePassword": True}}
        body.update(fields)
        return self.api("POST", "/customers/%s/users" % CID, json=body)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    from partnercenter_emulator.server import start
    handle = start({"port": 0, "cert_dir": str(tmp_path_factory.mktemp("certs")),
                    "seed": base_seed()})
    yield handle
    handle.stop()


@pytest.fixture
def pc(emulator):
    client = Client(emulator.info)
    client.reset()
    return client
