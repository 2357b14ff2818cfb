# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import socket
import threading
import time
import tracemalloc

import pytest
import requests

from fake_transport import FakeResponse, FakeSession, FakeTokens
from ansible_collections.csp.partnercenter.plugins.module_utils._directory import DirectoryAPI
from ansible_collections.csp.partnercenter.plugins.module_utils import _http
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._retry import ThrottleGate
from ansible_collections.csp.partnercenter.plugins.module_utils._http import (
    AuthorityHttpClient, PartnerCenterClient, RetryLoop, parse_json,
)

CID = "0f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b11"
UID = "4b10bf41-ab11-40e3-8c53-cd67849b50de"


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


@pytest.mark.parametrize("body", [
    {"code": 900421, "description": "Multi-factor authentication required", "source": "PartnerFD"},
    {"error": {"code": "900421", "message": "MFA required"}},
    {"statusCode": 401, "message": "Error 900421: the token has no MFA claim"},
])
def test_a_token_without_mfa_is_not_refreshed_and_says_what_to_do(body):
    session = FakeSession(FakeResponse(401, body))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_users", {"customer_id": CID})
    assert len(session.calls) == 1 and client.token_provider.invalidated == []  # the same refresh token: no MFA
    assert err.value.lacks_mfa and "sign-in that used Entra MFA" in str(err.value)


def test_a_403_names_the_gdap_roles_of_its_route_row_and_is_not_sent_again_in_the_task():
    session = FakeSession(FakeResponse(403, {"code": 900150, "description": "denied"}))
    client = make_client(session)[0]
    for attempt in range(2):
        with pytest.raises(PartnerCenterError) as err:
            client.call("delete_user", {"customer_id": CID, "user_id": UID})
        assert "one of these is needed: User Administrator" in str(err.value)
    assert len(session.calls) == 1 and str(err.value).startswith("Not sent: Partner Center refused the same")


def test_a_403_in_one_customer_does_not_refuse_the_same_operation_in_another():
    # GDAP roles are per customer: partnercenter_auth_info probes many customers with one client
    other = "1f9c1c1e-6a0b-4c7f-9a53-2f7d3a9e1b12"
    session = FakeSession(FakeResponse(403, {"code": 900150, "description": "denied"}), FakeResponse(200, {"items": []}))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError):
        client.call("list_users", {"customer_id": CID})
    assert client.call("list_users", {"customer_id": other}) == {"items": []}
    assert len(session.calls) == 2


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


def test_msal_reads_the_token_answer_as_it_would_any_response():
    session = FakeSession(FakeResponse(200, {"access_token": "t", "expires_in": 3600}))
    client = authority_client(session, 60)[0]
    response = client.post("https://login/t/oauth2/v2.0/token", data={"grant_type": "x"})
    assert response.json() == {"access_token": "t", "expires_in": 3600}
    assert json.loads(response.text)["access_token"] == "t"


# --------------------------------------------------------------------------- every request ends: bodies


class MadeBody(io.RawIOBase):
    """A body of ``size`` bytes of ``x``, made as it is read (never held whole), ``piece`` bytes a read at most.

    ``read_bytes`` counts what the client read; ``per_read()`` runs after each read (a fake clock's tick).
    """

    def __init__(self, size, piece=65536, per_read=None):
        super(MadeBody, self).__init__()
        self.left = size
        self.piece = piece
        self.per_read = per_read
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left, self.piece)
        buffer[:n] = b"x" * n
        self.left -= n
        self.read_bytes += n
        if self.per_read is not None:
            self.per_read()
        return n


def test_a_body_past_the_size_cap_is_read_no_further_and_the_error_names_the_route():
    body = MadeBody(8 * _http.MAX_BODY_BYTES)
    session = FakeSession(FakeResponse(200, raw=body), FakeResponse(200, {"items": []}))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_users", {"customer_id": CID})
    assert body.read_bytes <= _http.MAX_BODY_BYTES + 65536
    assert len(session.calls) == 1  # not read again: the same server would send the same
    message = str(err.value)
    assert "GET /customers/{customer_id}/users" in message and "HTTP 200" in message
    assert "%d MiB" % (_http.MAX_BODY_BYTES // 1048576) in message and "api_url" in message
    assert not err.value.ambiguous and err.value.fault == "body too large"
    assert err.value.status is None  # no answer was read: nothing may take it for a 200 (or a 404)


def test_a_create_answered_with_a_body_past_the_cap_is_ambiguous():
    body = MadeBody(2 * _http.MAX_BODY_BYTES)
    session = FakeSession(FakeResponse(201, raw=body))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.call("create_user", {"customer_id": CID}, body={})
    assert err.value.ambiguous and len(session.calls) == 1
    assert "HTTP 201" in str(err.value) and "may or may not have been applied" in str(err.value)


def dripping_client(budget, timeout, count=20, status=200, size=100000):
    """A client whose every answer sends one byte per read, each read taking 2 s of fake time."""
    slept = []
    responses = [FakeResponse(status, raw=MadeBody(size, piece=1, per_read=lambda: slept.append(2.0)))
                 for _answer in range(count)]
    session = FakeSession(*responses)
    client = PartnerCenterClient("https://pc.example/", FakeTokens(), session, timeout=timeout, retry_budget=budget,
                                 sleep=slept.append, clock=lambda: sum(slept))
    return client, session, slept


def test_a_body_still_arriving_at_the_deadline_is_abandoned_and_the_read_ends_within_the_budget():
    client, session, slept = dripping_client(budget=10, timeout=5)
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_users", {"customer_id": CID})
    # fake seconds the call took: within the budget, plus the one 2 s read that was under way
    assert sum(slept) <= 10 + 2
    assert 2 <= len(session.calls) <= 3  # a read is sent again after a deadline, as after a timeout
    message = str(err.value)
    assert "GET /customers/{customer_id}/users" in message and "retry budget of 10s" in message
    assert "deadline" in message and "HTTP 200" in message and "timeout" in err.value.hint
    assert err.value.status is None and err.value.fault == "deadline"


def test_a_create_whose_answer_is_still_arriving_at_the_deadline_is_ambiguous():
    client, session, slept = dripping_client(budget=60, timeout=5, status=201)
    with pytest.raises(PartnerCenterError) as err:
        client.call("create_user", {"customer_id": CID}, body={})
    assert err.value.ambiguous and err.value.fault == "deadline" and len(session.calls) == 1
    assert sum(slept) <= 5 + 2


def test_a_budget_below_timeout_still_gives_the_first_attempt_its_timeout():
    client, session, slept = dripping_client(budget=0, timeout=5)
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_users", {"customer_id": CID})
    assert len(session.calls) == 1 and 5 <= sum(slept) <= 5 + 2
    assert "deadline" in str(err.value)


def test_a_token_answer_past_the_size_cap_fails_naming_the_token_endpoint():
    session = FakeSession(FakeResponse(200, raw=MadeBody(2 * _http.MAX_BODY_BYTES)))
    client = authority_client(session, 60)[0]
    with pytest.raises(PartnerCenterError) as err:
        client.post("https://login/t/oauth2/v2.0/token", data={"grant_type": "x"})
    assert "POST /t/oauth2/v2.0/token" in str(err.value) and "authority" in str(err.value)
    assert len(session.calls) == 1


def test_a_dripping_token_answer_ends_within_the_budget():
    slept = []
    session = FakeSession(*[FakeResponse(200, raw=MadeBody(5000, piece=1, per_read=lambda: slept.append(2.0)))
                            for _answer in range(10)])
    loop = RetryLoop(session, 10, "the authority https://login", timeout=5, sleep=slept.append,
                     clock=lambda: sum(slept))
    with pytest.raises(PartnerCenterError) as err:
        AuthorityHttpClient(loop).post("https://login/t/oauth2/v2.0/token", data={"grant_type": "x"})
    assert sum(slept) <= 10 + 2 and "deadline" in str(err.value) and "POST /t/oauth2/v2.0/token" in str(err.value)


# Real sockets: the attempt's deadline holds for every read of the socket, not only between reads.


class SlowServer:
    """A plain-HTTP server on 127.0.0.1 answering every request with ``answer(send, stopped)``."""

    def __init__(self, answer):
        self.answer = answer
        self.stopped = threading.Event()
        self.sent = 0
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        self._open = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        def send(data):
            conn.sendall(data)
            self.sent += len(data)
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(65536) or b"\r\n\r\n"
            self.answer(send, self.stopped)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopped.set()
        self.listener.close()
        for conn in self._open:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def slow_server():
    servers = []

    def start(answer):
        servers.append(SlowServer(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def drip_answer(interval, length=100000):
    def answer(send, stopped):
        send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % length)
        for _byte in range(length):
            send(b"x")
            if stopped.wait(interval):
                return
    return answer


def chunked_answer(total):
    piece = b"x" * 65536

    def answer(send, stopped):
        send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _piece in range(total // len(piece)):
            if stopped.is_set():
                return
            send(b"%x\r\n%s\r\n" % (len(piece), piece))
        send(b"0\r\n\r\n")
    return answer


def outcome_within(seconds, call):
    """What ``call()`` raised or returned, and how long it took; fails the test if it runs longer than ``seconds``."""
    box = {}

    def run():
        try:
            box["result"] = call()
        except Exception as exc:  # pylint: disable=broad-except
            box["result"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail("the call was still reading after %s s: nothing bounds it" % seconds)
    return box["result"], time.monotonic() - started


def socket_client(url, timeout, budget):
    return PartnerCenterClient(url, FakeTokens(), _http.VerifyingSession(timeout=timeout), timeout=timeout,
                               retry_budget=budget)


def test_a_body_dripping_within_the_socket_timeout_ends_at_the_attempts_deadline(slow_server):
    server = slow_server(drip_answer(0.2))
    client = socket_client(server.url, timeout=1, budget=3)
    error, took = outcome_within(30, lambda: client.call("list_customers"))
    assert isinstance(error, PartnerCenterError), error
    assert "deadline" in str(error) and "GET /customers" in str(error)
    assert took < 3 + 10  # the budget, and a generous allowance for a loaded machine
    assert server.connections >= 1 and server.sent < 100000


def test_a_chunked_body_without_length_stops_at_the_cap_without_holding_more(slow_server):
    total = 8 * _http.MAX_BODY_BYTES
    server = slow_server(chunked_answer(total))
    client = socket_client(server.url, timeout=10, budget=20)
    tracemalloc.start()
    try:
        error, took = outcome_within(60, lambda: client.call("list_customers"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(error, PartnerCenterError) and error.fault == "body too large", error
    assert peak < 3 * _http.MAX_BODY_BYTES, peak
    assert server.sent < total // 2 and server.connections == 1


# --------------------------------------------------------------------------- every listing ends


def page(items, token=None, uri="/customers/%s/users?size=500&seekOperation=Next" % CID):
    body = {"totalCount": len(items), "items": items, "links": {}}
    if token is not None or uri is not None:
        headers = [{"key": "MS-ContinuationToken", "value": token}] if token is not None else []
        body["links"]["next"] = {"uri": uri, "method": "GET", "headers": headers}
    return FakeResponse(200, body)


def test_a_next_link_repeating_its_continuation_token_stops_the_listing_at_once():
    session = FakeSession(*[page([{"id": 1}], token="same") for _page in range(50)])
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        list(client.iterate("list_users", {"customer_id": CID}))
    assert len(session.calls) == 2  # the first page, and the one whose next link repeated the token
    message = str(err.value)
    assert "GET /customers/{customer_id}/users" in message and "continuation token" in message
    assert client.correlation_id in message and err.value.fault == "repeated continuation token"


def test_a_continuation_token_that_comes_back_later_stops_the_listing_too():
    session = FakeSession(page([{"id": 1}], token="a"), page([{"id": 2}], token="b"),
                          page([{"id": 3}], token="a"), page([{"id": 4}], token="c"), page([{"id": 5}], uri=None))
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError):
        list(client.iterate("list_users", {"customer_id": CID}))
    assert len(session.calls) == 3


def test_a_next_link_without_a_token_that_repeats_its_uri_stops_the_listing():
    session = FakeSession(*[page([{"id": 1}], uri="/customers/%s/users?page=2" % CID) for _page in range(50)])
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        list(client.iterate("list_users", {"customer_id": CID}))
    assert len(session.calls) == 2 and "next link" in str(err.value)


def test_a_listing_that_never_ends_stops_at_the_page_cap():
    session = FakeSession(*[page([{"id": n}], token="token-%d" % n) for n in range(_http.MAX_PAGES + 5)])
    client = make_client(session)[0]
    with pytest.raises(PartnerCenterError) as err:
        list(client.iterate("list_users", {"customer_id": CID}))
    assert len(session.calls) == _http.MAX_PAGES
    message = str(err.value)
    assert "GET /customers/{customer_id}/users" in message and "{:,} pages".format(_http.MAX_PAGES) in message
    assert err.value.fault == "page cap"


def test_a_listing_of_several_pages_with_fresh_tokens_is_read_whole():
    session = FakeSession(page([{"id": 1}], token="a"), page([{"id": 2}], token="b"),
                          page([{"id": 3}], token=None, uri=None))
    client = make_client(session)[0]
    assert [item["id"] for item in client.iterate("list_users", {"customer_id": CID})] == [1, 2, 3]


def test_no_attempt_is_sent_with_less_than_a_second_of_the_budget_left():
    slept = []

    def clock():
        return sum(slept)

    gate = ThrottleGate(sleep=slept.append, clock=clock)
    gate.hold(9.5)  # another request's 429: the wait leaves half a second of this request's 10 s
    session = FakeSession(FakeResponse(201, {"id": "new"}))
    loop = RetryLoop(session, 10, "Partner Center", gate=gate, timeout=5, sleep=slept.append, clock=clock)
    with pytest.raises(PartnerCenterError) as err:
        loop.send("POST", "https://pc.example/v1/customers/x/users", "POST /customers/{customer_id}/users",
                  idempotent=False)
    assert session.calls == [] and slept == [9.5]
    assert "before attempt 1" in str(err.value) and "throttled (HTTP 429)" in str(err.value)
    assert not err.value.ambiguous  # nothing was sent


def test_a_retry_is_made_only_when_its_wait_leaves_its_attempt_time():
    throttled = FakeResponse(429, {"statusCode": 429, "message": "Rate limit"}, {"Retry-After": "9.5"})
    session = FakeSession(throttled, FakeResponse(200, {}))
    client, slept = make_client(session, budget=10)
    with pytest.raises(PartnerCenterError) as err:
        client.call("list_customers")
    assert len(session.calls) == 1 and slept == [] and "429" in str(err.value)
