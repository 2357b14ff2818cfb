"""Fault kinds for the limits a client must keep: drip (a body one byte at a time), huge_body
(a body far larger than any answer, streamed) and repeat_next (a next link that repeats its
continuation token)."""

import json
import time
import tracemalloc

from conftest import CID, DOMAIN

USERS = "/customers/%s/users" % CID
DANIEL = "a9ef48bb-8758-4590-a312-d4a47bfaded4"


def set_rules(pc, *rules):
    return pc.control("POST", "faults", {"rules": list(rules)})


def rules_refused(pc, *rules):
    r = pc.s.post(pc.url + "/_emulator/faults", json={"rules": list(rules)})
    return r.status_code == 400 and r.json()["error"]


def entries(pc, route):
    return [e for e in pc.control("GET", "requests")["requests"] if e["route"] == route]


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met within %s s" % seconds
        time.sleep(0.05)


# --------------------------------------------------------------------------- drip

def test_drip_sends_the_headers_at_once_then_the_body_one_byte_per_delay(pc):
    whole = pc.api("GET", "%s/%s" % (USERS, DANIEL))
    set_rules(pc, {"route": "get_user", "kind": "drip", "delay": 0.3})
    r = pc.api("GET", "%s/%s" % (USERS, DANIEL), stream=True)
    assert r.status_code == 200 and int(r.headers["Content-Length"]) > 100
    started = time.monotonic()
    first = [r.raw.read(1) for _byte in range(4)]
    # three pauses of 0.3 s between four bytes (never faster; a loaded machine may be slower)
    assert time.monotonic() - started >= 0.8
    assert b"".join(first) == whole.content[:4]
    r.close()  # the client hangs up: the emulator stops dripping
    entry = entries(pc, "get_user")[-1]
    assert entry["fault"] == "drip" and entry["status"] == 200
    wait_for(lambda: entries(pc, "get_user")[-1]["body_sent"] < int(r.headers["Content-Length"]))


def test_drip_sends_the_whole_answer_to_a_patient_client(pc):
    set_rules(pc, {"route": "get_user", "kind": "drip", "delay": 0.001})
    r = pc.api("GET", "%s/%s" % (USERS, DANIEL))
    assert r.status_code == 200 and r.json()["id"] == DANIEL
    assert entries(pc, "get_user")[-1]["body_sent"] == len(r.content)


def test_drip_after_processing_commits_a_write(pc):
    set_rules(pc, {"route": "create_user", "kind": "drip", "delay": 0.001})
    r = pc.create_user("dripped")
    assert r.status_code == 201 and r.json()["userPrincipalName"] == "dripped@" + DOMAIN
    users = pc.control("GET", "state", params={"customer": CID})["customers"][0]["users"]
    assert "dripped@" + DOMAIN in [u["userPrincipalName"] for u in users]


# --------------------------------------------------------------------------- huge_body

def test_huge_body_grows_the_answer_by_pad_bytes_without_the_emulator_holding_it(pc):
    size = 48 * 1024 * 1024
    set_rules(pc, {"route": "list_users", "kind": "huge_body", "pad_bytes": size})
    tracemalloc.start()
    try:
        r = pc.api("GET", USERS + "?size=500", stream=True)
        length = int(r.headers["Content-Length"])
        head, tail, received = b"", b"", 0
        for chunk in r.iter_content(1024 * 1024):
            if not head:
                head = chunk[:200]
            tail = (tail + chunk)[-200:]
            received += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert received == length > size
    # the emulator (in this process) wrote it in 64 KiB pieces: nothing near 48 MiB was ever held
    assert peak < 8 * 1024 * 1024, peak
    assert head.startswith(b'{"totalCount":') and tail.endswith(b'xxxx"}')
    assert entries(pc, "list_users")[-1]["body_sent"] == length
    assert entries(pc, "list_users")[-1]["fault"] == "huge_body"


def test_huge_body_is_still_the_answer_as_json(pc):
    set_rules(pc, {"route": "get_user", "kind": "huge_body", "pad_bytes": 1000})
    body = pc.api("GET", "%s/%s" % (USERS, DANIEL)).json()
    assert body["id"] == DANIEL and body["padding"] == "x" * 1000


def test_huge_body_leaves_an_answer_without_a_body_alone(pc):
    set_rules(pc, {"route": "delete_user", "kind": "huge_body", "pad_bytes": 1000})
    r = pc.api("DELETE", "%s/%s" % (USERS, DANIEL))
    assert r.status_code == 204 and r.content == b""


def test_a_client_that_hangs_up_ends_a_huge_body(pc):
    size = 256 * 1024 * 1024
    set_rules(pc, {"route": "list_users", "kind": "huge_body", "pad_bytes": size})
    r = pc.api("GET", USERS, stream=True)
    r.raw.read(1024 * 1024)
    r.close()
    # the kernel's socket buffers hold a few MB at most; the rest is never written
    wait_for(lambda: entries(pc, "list_users")[-1]["body_sent"] < size // 4 and _writer_stopped(pc))


def _writer_stopped(pc):
    """The emulator's count stays put for half a second: it stopped writing."""
    before = entries(pc, "list_users")[-1]["body_sent"]
    time.sleep(0.5)
    return entries(pc, "list_users")[-1]["body_sent"] == before


# --------------------------------------------------------------------------- repeat_next

def test_repeat_next_hands_out_the_same_continuation_token_on_every_page(pc):
    set_rules(pc, {"route": "list_users", "kind": "repeat_next", "times": -1})
    first = pc.api("GET", USERS + "?size=1").json()
    link = first["links"]["next"]
    assert link["uri"] == USERS + "?size=1&seekOperation=Next"
    token = link["headers"][0]["value"]
    assert link["headers"][0]["key"] == "MS-ContinuationToken" and first["continuationToken"] == token
    for _page in range(3):
        page = pc.api("GET", link["uri"], headers={"MS-ContinuationToken": token})
        assert page.status_code == 200
        assert page.json()["links"]["next"]["headers"][0]["value"] == token
        assert page.json()["items"] == first["items"]  # the first page, again
    logged = entries(pc, "list_users")
    assert [e["fault"] for e in logged] == ["repeat_next"] * 4
    assert [e["query"].get("seekOperation") for e in logged] == [None] + [["Next"]] * 3


def test_repeat_next_adds_a_next_link_to_a_last_page(pc):
    set_rules(pc, {"route": "list_users", "kind": "repeat_next", "times": -1})
    page = pc.api("GET", USERS + "?size=500").json()
    assert len(page["items"]) == 2 and "next" in page["links"]  # both active users: the whole list


def test_repeat_next_follows_the_v1_link_style_and_pascal_case(pc):
    pc.control("POST", "config", {"next_link_style": "v1", "pascal_case": True})
    set_rules(pc, {"route": "list_users", "kind": "repeat_next", "times": -1})
    page = json.loads(pc.api("GET", USERS + "?size=2").content.decode("utf-8-sig"))
    assert page["Links"]["Next"]["Uri"] == "/v1" + USERS + "?size=2&seekOperation=Next"


def test_rules_of_the_new_kinds_are_checked(pc):
    assert "positive 'delay'" in rules_refused(pc, {"kind": "drip"})
    assert "pad_bytes" in rules_refused(pc, {"kind": "huge_body"})
    assert "pad_bytes" in rules_refused(pc, {"kind": "huge_body", "pad_bytes": 0})
    assert "paged routes" in rules_refused(pc, {"kind": "repeat_next", "route": "get_user"})
    assert "do not apply" in rules_refused(pc, {"kind": "drip", "delay": 1, "status": 200})
    shown = set_rules(pc, {"kind": "huge_body", "pad_bytes": 5})
    assert pc.control("GET", "faults")["rules"][0]["pad_bytes"] == 5, shown
