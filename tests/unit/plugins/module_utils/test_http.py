# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._http import (
    AuthorityHttpClient, PartnerCenterClient, RetryLoop, parse_json,
)

CID = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
UID = "4b10bf41-ab11-40e3-8c53-cd67849b50de"


class FakeResponse:
    def __init__(self, status, body=None, headers=None, raw=None):
        self.status_code = status
        self.headers = headers or {}
        if raw is not None:
            self.content = raw
        else:
            self.content = json.dumps(body).encode("utf-8") if body is not None else b""
        self.text = self.content.decode("utf-8-sig")


class FakeSession:
    """Replays scripted responses (or exceptions) and records each request."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def request(self, method, url, params=None, data=None, headers=None, timeout=None, **kwargs):
        self.calls.append(dict(method=method, url=url, params=params, headers=dict(headers or {}),
                               body=json.loads(data) if isinstance(data, (bytes, str)) and data else data))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


class FakeTokens:
    def __init__(self):
        self.issued = 0
        self.token = None
        self.invalidated = []
        self.is_app_only = False
        self.can_refresh = True

    def get_token(self):
        if self.token is None:
            self.issued += 1
            self.token = "token-%d" % self.issued
        return self.token

    def invalidate(self, stale):
        self.invalidated.append(stale)
        if stale == self.token:
            self.token = None


def make_client(session, budget=60.0):
    slept = []
    client = PartnerCenterClient("https://pc.example/", FakeTokens(), session, retry_budget=budget,
                                 sleep=slept.append, clock=lambda: sum(slept))
    return client, slept


def test_bom_and_pascal_case_bodies_are_parsed():
    assert parse_json(b"\xef\xbb\xbf{\"Items\": [{\"UserPrincipalName\": \"a@b.com\"}]}") == \
        {"items": [{"userPrincipalName": "a@b.com"}]}


def test_headers_carry_fresh_request_id_and_one_correlation_id():
    session = FakeSession(FakeResponse(200, {}), FakeResponse(200, {}))
    client = make_client(session)[0]
    client.call("list_customers")
    client.call("list_customers")
    first, second = session.calls[0]["headers"], session.calls[1]["headers"]
    assert first["Accept"] == "application/json"
    assert first["MS-RequestId"] != second["MS-RequestId"]
    assert first["MS-CorrelationId"] == second["MS-CorrelationId"] == client.correlation_id
    assert session.calls[0]["url"] == "https://pc.example/v1/customers"


@pytest.mark.parametrize("next_uri", ["/customers/%s/users?size=500&seekOperation=Next" % CID,
                                      "/v1/customers/%s/users?size=500&seekOperation=Next" % CID])
def test_paging_follows_next_links_with_continuation_header(next_uri):
    link = {"uri": next_uri, "method": "GET", "headers": [{"key": "MS-ContinuationToken", "value": "tok-2"}]}
    session = FakeSession(
        FakeResponse(200, {"totalCount": 2, "items": [{"id": 1}, {"id": 2}], "links": {"next": link}}),
        FakeResponse(200, {"totalCount": 1, "items": [{"id": 3}], "links": {}}),
    )
    client = make_client(session)[0]
    assert [i["id"] for i in client.iterate("list_users", {"customer_id": CID})] == [1, 2, 3]
    assert session.calls[0]["params"] == {"size": 500}
    assert session.calls[1]["url"] == "https://pc.example/v1/customers/%s/users?size=500&seekOperation=Next" % CID
    assert session.calls[1]["headers"]["MS-ContinuationToken"] == "tok-2"


def test_throttled_request_waits_for_retry_after_then_succeeds():
    session = FakeSession(
        FakeResponse(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, {"Retry-After": "7"}),
        FakeResponse(201, {"id": "new"}),
    )
    client, slept = make_client(session)
    assert client.call("create_user", {"customer_id": CID}, body={}) == {"id": "new"}
    assert slept == [7.0]


def test_reads_are_retried_on_5xx_and_connection_errors_with_same_request_id_after_timeout():
    session = FakeSession(requests.exceptions.ReadTimeout("slow"), FakeResponse(503, {"code": 800003}),
                          FakeResponse(200, {"ok": True}))
    client, slept = make_client(session)
    assert client.call("list_customers") == {"ok": True}
    assert len(slept) == 2
    ids = [c["headers"]["MS-RequestId"] for c in session.calls]
    assert ids[0] == ids[1] and ids[1] != ids[2]


def test_post_is_never_blindly_resent_after_an_ambiguous_failure():
    session = FakeSession(requests.exceptions.ReadTimeout("lost"), FakeResponse(201, {}))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("create_user", {"customer_id": CID}, body={})
    assert err.value.ambiguous and err.value.fault == "timeout"
    assert len(session.calls) == 1


def test_post_answered_503_is_ambiguous_too():
    session = FakeSession(FakeResponse(503, {"code": 800003, "description": "Unexpected"}))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("create_user", {"customer_id": CID}, body={})
    assert err.value.ambiguous and err.value.status == 503


def test_expired_token_is_refreshed_once_and_call_retried():
    session = FakeSession(
        FakeResponse(401, {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}),
        FakeResponse(200, {"ok": 1}),
    )
    client = make_client(session)[0]
    assert client.call("list_customers") == {"ok": 1}
    assert client.token_provider.invalidated == ["token-1"]
    assert session.calls[1]["headers"]["Authorization"] == "Bearer token-2"


def test_second_401_fails_with_code_from_gateway_shape():
    body = {"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}
    session = FakeSession(FakeResponse(401, body), FakeResponse(401, body))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_customers")
    assert err.value.status == 401 and err.value.code == "ExpiredAuthenticationToken"


def test_retry_budget_running_out_fails_clearly():
    throttled = FakeResponse(429, {"statusCode": 429, "message": "Rate limit"}, {"Retry-After": "30"})
    session = FakeSession(throttled, throttled, throttled)
    client, slept = make_client(session, budget=45)
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_users", {"customer_id": CID})
    message = str(err.value)
    assert "retry budget" in message and "429" in message and "GET /customers/{customer_id}/users" in message
    assert "MS-RequestId" in message
    assert slept == [30.0]


def test_error_body_is_mapped_with_code_description_and_request_id():
    session = FakeSession(FakeResponse(404, {"code": 60002, "description": "User object Id is not found",
                                             "data": [], "source": "PartnerFD"}, {"MS-RequestId": "rid-1"}))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("get_user", {"customer_id": CID, "user_id": UID})
    assert (err.value.status, err.value.code, err.value.request_id) == (404, 60002, "rid-1")
    assert "User object Id is not found" in str(err.value)


def authority_client(session, budget):
    slept = []
    loop = RetryLoop(session, budget, "the authority https://login", sleep=slept.append, clock=lambda: sum(slept))
    return AuthorityHttpClient(loop), slept


def test_token_requests_are_retried_on_throttling_and_5xx():
    session = FakeSession(FakeResponse(503, {}), FakeResponse(429, {}, {"Retry-After": "2"}),
                          FakeResponse(200, {"access_token": "t"}))
    client, slept = authority_client(session, 60)
    assert client.post("https://login/t/oauth2/v2.0/token", data={"grant_type": "x"}).status_code == 200
    assert len(session.calls) == 3 and slept[1] == 2.0
    assert client.last_status == 200


def test_token_request_gives_up_naming_the_status_when_retry_after_exceeds_the_budget():
    session = FakeSession(FakeResponse(429, {}, {"Retry-After": "50"}))
    client, slept = authority_client(session, 10)
    with pytest.raises(PartnerCenterError) as err:
        client.get("https://login/t/v2.0/.well-known/openid-configuration")
    assert err.value.status == 429 and "retry budget" in str(err.value) and "authority" in str(err.value)
    assert slept == [] and len(session.calls) == 1


FORGED = "\x1b[2K\r\nok: [localhost] => all good\nPLAY RECAP *** fake \u202e"
FORGED_SHOWN = "\\x1b[2K\\r\\nok: [localhost] => all good\\nPLAY RECAP *** fake \\u202e"


def test_an_error_description_is_scrubbed_then_made_printable_before_any_message_quotes_it():
    session = FakeSession(FakeResponse(400, {"code": 800002, "description": "Invalid input: token-1" + FORGED},
                                       {"MS-RequestId": "rid\r\nPLAY RECAP"}))
    client = make_client(session)[0]
    client.scrubber.add("token-1")
    with pytest.raises(PartnerCenterError) as err:
        client.call("get_user", {"customer_id": CID, "user_id": UID})
    assert err.value.description == "Invalid input: ********" + FORGED_SHOWN
    assert err.value.request_id == "rid\\r\\nPLAY RECAP"
    assert FORGED_SHOWN in err.value.full_message() and "\x1b" not in err.value.full_message()


def test_license_warnings_come_back_as_one_printable_bounded_line_each():
    answer = {"licenseWarnings": [
        {"code": "LicenseWarning", "message": "Teams" + FORGED, "servicePlans": ["TEAMS1", "MCO\nSTANDARD"]},
        {"code": "NoMessage"}, "plain " + "x" * 3000]}
    client = make_client(FakeSession(FakeResponse(200, answer)))[0]
    warnings = DirectoryAPI(client, CID).update_licenses(UID, [("sku-1", [])], [])
    assert warnings[0] == "Teams" + FORGED_SHOWN + " (service plans: TEAMS1, MCO\\nSTANDARD)"
    assert warnings[1] == "NoMessage"
    assert warnings[2].startswith("plain ") and warnings[2].endswith("more characters]") and len(warnings[2]) < 1100
