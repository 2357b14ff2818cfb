# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Microsoft Graph client of one customer tenant, over a fake transport."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from fake_transport import FakeResponse, FakeSession, FakeTokens
from ansible_collections.csp.partnercenter.plugins.module_utils._auth import TokenProvider
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph import GraphClient
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import ThrottleGate

CID = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
UID = "4b10bf41-ab11-40e3-8c53-cd67849b50de"
GID = "9d0c8a4e-1f6b-4c1e-a7f6-3a1b2c3d4e5f"
GRAPH = "https://graph.example"


answer = FakeResponse


def graph_error(status, code, message, request_id="rid-1", headers=None):
    return answer(status, {"error": {"code": code, "message": message,
                                     "innerError": {"date": "2026-12-07T08:00:00", "request-id": request_id,
                                                    "client-request-id": "c"}}}, headers)


def GraphTokens(unusable=None, app_only=False):
    return FakeTokens("graph-token", unusable=unusable, app_only=app_only)


def graph_client(session, tokens=None, gate=None):
    slept = []
    client = GraphClient(GRAPH + "/", CID, tokens or GraphTokens(), session, retry_budget=60, correlation_id="corr-1",
                         sleep=slept.append, clock=lambda: sum(slept), gate=gate)
    return client, slept


def test_a_listing_follows_next_links_on_graph_url_with_the_customer_token_only():
    session = FakeSession(
        answer(200, {"value": [{"id": "a"}], "@odata.nextLink": GRAPH + "/v1.0/users?$top=999&$skiptoken=X"}),
        answer(200, {"value": [{"id": "b"}]}))
    client, _slept = graph_client(session)
    users = client.list_all("graph_list_users", params={"$select": "id"})
    assert [u["id"] for u in users] == ["a", "b"]
    first, second = session.calls
    assert first["url"] == GRAPH + "/v1.0/users"
    assert first["params"] == {"$select": "id", "$top": 999}
    assert second["url"] == GRAPH + "/v1.0/users?$top=999&$skiptoken=X" and second["params"] is None
    for call in session.calls:
        assert call["headers"]["Authorization"] == "Bearer graph-token-1"
        assert call["headers"]["MS-CorrelationId"] == "corr-1"
        assert call["headers"]["client-request-id"]


@pytest.mark.parametrize("link", [
    "https://evil.example/v1.0/users?$skiptoken=X",        # another host
    "http://graph.example/v1.0/users?$skiptoken=X",        # another scheme
    "https://graph.example:8443/v1.0/users?$skiptoken=X",  # another port
    "https://graph.example/beta/users?$skiptoken=X",       # another API version
    "https://user:pw@evil.example/v1.0/users",
    "/v1.0/users?$skiptoken=X",                            # not absolute: Graph never sends that
])
def test_a_next_link_off_graph_url_is_refused_without_a_request(link):
    session = FakeSession(answer(200, {"value": [{"id": "a"}], "@odata.nextLink": link}))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_users")
    assert len(session.calls) == 1
    assert caught.value.fault == "foreign next link"
    assert CID in str(caught.value) and "graph_url" in str(caught.value)
    assert "user:pw" not in str(caught.value) and "skiptoken" not in str(caught.value)


def test_a_repeated_next_link_stops_the_listing():
    link = GRAPH + "/v1.0/groups?$skiptoken=same"
    session = FakeSession(answer(200, {"value": [], "@odata.nextLink": link}),
                          answer(200, {"value": [], "@odata.nextLink": link}))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_groups")
    assert caught.value.fault == "repeated next link" and len(session.calls) == 2


def test_not_found_is_graphs_404_with_its_request_id():
    session = FakeSession(graph_error(404, "Request_ResourceNotFound", "Resource 'x' does not exist", "rid-404"))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.get("graph_get_user", {"user": "ada@contoso.example"})
    error = caught.value
    assert session.calls[0]["url"] == GRAPH + "/v1.0/users/ada%40contoso.example"
    assert error.is_not_found and error.is_user_not_found and error.is_user_not_visible_yet
    assert not error.is_member_conflict and not error.is_unknown_customer
    assert error.request_id == "rid-404" and error.origin == "Microsoft Graph"
    assert "request-id rid-404" in str(error) and "Microsoft Graph code Request_ResourceNotFound" in str(error)


def test_a_member_already_there_is_a_member_conflict():
    session = FakeSession(graph_error(400, "Request_BadRequest", "One or more added object references already exist "
                                                                 "for the following modified properties: 'members'."))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.call("graph_add_group_member", {"group_id": GID}, body=client.reference("directoryObjects", UID))
    assert caught.value.is_member_conflict
    assert session.calls[0]["body"] == {"@odata.id": GRAPH + "/v1.0/directoryObjects/" + UID}
    assert session.calls[0]["headers"]["Content-Type"] == "application/json"


def test_denied_names_the_customer_the_operation_and_the_gdap_roles_and_is_not_sent_again():
    session = FakeSession(graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the "
                                                                          "operation."))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_groups", params={"$filter": "displayName eq 'Sales'"})
    error = caught.value
    assert error.is_denied and CID in str(error)
    assert "read groups" in str(error) and "Directory Readers" in error.hint and "User Administrator" in error.hint
    with pytest.raises(PartnerCenterError) as again:
        client.list_all("graph_list_groups")
    assert len(session.calls) == 1 and "Not sent" in str(again.value)


def test_a_denied_write_that_depends_on_the_user_is_asked_again_for_the_next_user():
    denied = graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    session = FakeSession(denied, answer(204))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.call("graph_update_user", {"user": UID}, body={"accountEnabled": False})
    assert "Privileged Authentication Administrator" in caught.value.hint
    assert client.call("graph_update_user", {"user": "bob@contoso.example"}, body={"jobTitle": "CFO"}) is None
    assert session.calls[1]["method"] == "PATCH" and session.calls[1]["body"] == {"jobTitle": "CFO"}


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_waits_retry_after_at_the_customers_gate(status):
    gate = ThrottleGate(sleep=lambda s: None, clock=lambda: 0.0)
    session = FakeSession(graph_error(status, "TooManyRequests", "slow down", headers={"Retry-After": "7"}),
                          answer(200, {"value": [{"id": "a"}]}))
    client, slept = graph_client(session, gate=gate)
    held = []
    gate.hold = held.append
    assert client.list_all("graph_list_users") == [{"id": "a"}]
    assert slept == [7.0] and held == [7.0]


def test_throttling_past_the_budget_is_is_throttled():
    session = FakeSession(*[graph_error(429, "TooManyRequests", "slow", headers={"Retry-After": "100"})])
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_users")
    assert caught.value.is_throttled and "Microsoft Graph" in str(caught.value)


def test_an_expired_token_is_replaced_once():
    tokens = GraphTokens()
    session = FakeSession(graph_error(401, "InvalidAuthenticationToken", "Access token has expired"),
                          answer(200, {"id": UID}))
    client, _slept = graph_client(session, tokens)
    assert client.get("graph_get_user", {"user": UID}) == {"id": UID}
    assert tokens.invalidated == ["graph-token-1"]
    assert session.calls[1]["headers"]["Authorization"] == "Bearer graph-token-2"


def test_a_redirect_is_not_followed():
    session = FakeSession(answer(302, None, {"Location": "https://evil.example/v1.0/users"}))
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_users")
    assert caught.value.fault == "redirect" and "graph_url" in str(caught.value) and len(session.calls) == 1


@pytest.mark.parametrize("app_only", [True, False])
def test_credentials_that_cannot_reach_graph_send_nothing(app_only):
    session = FakeSession()
    client, _slept = graph_client(session, GraphTokens(unusable="no way in", app_only=app_only))
    with pytest.raises(PartnerCenterError) as caught:
        client.list_all("graph_list_users")
    assert session.calls == [] and "Not sent" in str(caught.value) and "no way in" in str(caught.value)


@pytest.mark.parametrize("route, values", [
    ("graph_get_group", {"group_id": "not-a-guid"}),
    ("graph_remove_group_member", {"group_id": GID, "member_id": "../../users"}),
    ("graph_get_user", {"user": "a b@contoso.example"}),
    ("graph_get_user", {"user": ""}),
])
def test_bad_ids_are_refused_before_sending(route, values):
    session = FakeSession()
    client, _slept = graph_client(session)
    with pytest.raises(PartnerCenterError) as caught:
        client.call(route, values)
    assert caught.value.fault == "invalid id" and session.calls == []


def test_a_upn_is_one_quoted_segment():
    session = FakeSession(answer(204))
    client, _slept = graph_client(session)
    client.call("graph_remove_manager", {"user": "o'brien/x@contoso.example"})
    assert session.calls[0]["url"] == GRAPH + "/v1.0/users/o%27brien%2Fx%40contoso.example/manager/$ref"


def test_roles_are_the_names_of_the_tokens_wids():
    import base64
    claims = {"tid": CID, "wids": ["fe930be7-5e62-47db-91af-98c3a49a38b1", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
                                   "00000000-1111-2222-3333-444444444444"], "scp": "User.ReadWrite.All"}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    tokens = GraphTokens()
    tokens.token = "e30." + payload + ".sig"
    client, _slept = graph_client(FakeSession(), tokens)
    assert client.roles() == ["00000000-1111-2222-3333-444444444444", "Directory Readers", "User Administrator"]
    assert client.claims()["scp"] == "User.ReadWrite.All"


# -- the customer-tenant token ---------------------------------------------------------------------

def partner(**kwargs):
    defaults = dict(client_secret="s3cret", refresh_token="rt-partner", session=object())
    defaults.update(kwargs)
    return TokenProvider("https://login.example", "partner.example", "11111111-2222-3333-4444-555555555555",
                         **defaults)


def test_a_customer_token_is_the_same_refresh_token_redeemed_in_the_customer_for_graph(monkeypatch):
    redeemed = []

    def redeem(provider):
        redeemed.append((provider.tenant_id, provider.scope, provider._refresh_token))
        return {"access_token": "graph-at-%d" % len(redeemed), "expires_in": 3600}

    monkeypatch.setattr(TokenProvider, "_redeem", redeem)
    pc = partner()
    customer = pc.for_customer(CID, "https://graph.example/")
    assert customer.unusable is None and customer.get_token() == "graph-at-1"
    assert redeemed == [(CID, "https://graph.example/.default", "rt-partner")]
    assert customer._key != pc._key != pc.for_customer(GID, "https://graph.example")._key


def test_customer_tokens_are_cached_per_customer_and_credential(monkeypatch, tmp_path):
    from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache
    count = []

    def redeem(provider):
        count.append(1)
        return {"access_token": "at-%s-%d" % (provider.tenant_id[:4], len(count)), "expires_in": 3600}

    monkeypatch.setattr(TokenProvider, "_redeem", redeem)
    cache = TokenCache(str(tmp_path / "cache"))
    first = partner(cache=cache).for_customer(CID, GRAPH).get_token()
    assert partner(cache=cache).for_customer(CID, GRAPH).get_token() == first  # another fork: from the cache
    assert partner(cache=cache).for_customer(GID, GRAPH).get_token() != first
    assert partner(cache=cache, refresh_token="another").for_customer(CID, GRAPH).get_token() != first
    assert len(count) == 3


@pytest.mark.parametrize("codes, description", [
    ([65001], "AADSTS65001: The user or administrator has not consented to use the application"),
    (None, "AADSTS650051: something else entirely"),
    ([650052], "worded in any language"),
])
def test_missing_consent_names_the_customer_and_the_consent_module(monkeypatch, codes, description):
    monkeypatch.setattr(TokenProvider, "_redeem", lambda provider: {
        "error": "invalid_grant", "error_description": description, "error_codes": codes, "_status": 400})
    with pytest.raises(PartnerCenterError) as caught:
        partner().for_customer(CID, GRAPH).get_token()
    error = caught.value
    assert error.lacks_consent and error.is_identity_failure
    assert CID in str(error) and "csp.partnercenter.partnercenter_application_consent" in str(error)


def test_another_refusal_is_not_missing_consent(monkeypatch):
    monkeypatch.setattr(TokenProvider, "_redeem", lambda provider: {
        "error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired",
        "error_codes": [700082], "_status": 400})
    with pytest.raises(PartnerCenterError) as caught:
        partner().for_customer(CID, GRAPH).get_token()
    assert not caught.value.lacks_consent and "90 days" in caught.value.hint


def test_app_only_and_given_tokens_cannot_reach_graph():
    app_only = partner(refresh_token=None).for_customer(CID, GRAPH)
    given = TokenProvider("https://login.example", None, None, access_token="pc-at").for_customer(CID, GRAPH)
    assert "App+User" in app_only.unusable and CID in app_only.unusable
    assert "access_token" in given.unusable and "pc-at" not in given.unusable


def test_the_graph_gate_is_apart_from_partner_centers(tmp_path):
    from ansible_collections.csp.partnercenter.plugins.module_utils._connection import default_gate, graph_gate
    params = dict(token_cache=True, token_cache_dir=str(tmp_path), tenant_id="partner.example")
    pc = default_gate(params, "https://api.example")
    first, second = graph_gate(params, GRAPH, CID), graph_gate(params, GRAPH, GID)
    assert len(set([pc.path, first.path, second.path])) == 3
    assert graph_gate(params, GRAPH, CID).path == first.path  # every fork of the play shares it


# -- graph_url, checked like api_url ---------------------------------------------------------------

@pytest.mark.parametrize("url, why", [
    ("http://graph.example", "https"),
    ("https://user:pw@graph.example", "credentials"),
    ("https://graph.example/?x=1", "query"),
    ("ftp://graph.example", "https"),
    ("", "URL"),
])
def test_graph_url_is_refused_as_api_url_would_be(url, why):
    from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import check_graph_url
    from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
    with pytest.raises(InputError) as caught:
        check_graph_url({"graph_url": url or 5})
    assert caught.value.option == "graph_url" and why in str(caught.value) and "pw" not in str(caught.value)


@pytest.mark.parametrize("url, checked", [(None, "https://graph.microsoft.com"),
                                          ("https://graph.microsoft.us/", "https://graph.microsoft.us"),
                                          ("http://127.0.0.1:8443", "http://127.0.0.1:8443")])
def test_graph_url_defaults_to_the_public_cloud_and_allows_loopback_http(url, checked):
    from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import check_graph_url
    assert check_graph_url({"graph_url": url}) == checked


def test_a_credential_in_graph_url_is_masked_like_one_in_api_url():
    from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import URL_OPTIONS
    assert ("graph_url", "PARTNERCENTER_GRAPH_URL") in URL_OPTIONS
