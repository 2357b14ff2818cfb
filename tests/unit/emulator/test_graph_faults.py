"""Faults, latency and throttling apply to the Graph routes as to Partner Center's, with
Graph's own bodies; Graph throttles per customer tenant, apart from Partner Center."""

import time

from conftest import CID
from partnercenter_emulator.faults import FaultEngine
from test_throttle_over_rate import Clock
from test_graph_users import ALICE, graph_seed

OTHER = "c5757d70-06f3-4f23-8367-5a9e55019f94"


def seeded(pc, **config):
    seed = graph_seed()
    seed["customers"][1]["consentedApplications"] = True
    pc.reset(seed=seed, config=config)
    pc.graph_token(CID)
    pc.graph_token(OTHER)
    pc.control("DELETE", "requests")
    return pc


def test_a_fault_rule_on_a_graph_route_answers_with_graphs_429(pc):
    seeded(pc, graph_retry_after=7)
    pc.control("POST", "faults", {"rules": [{"route": "graph_update_user", "kind": "status",
                                             "status": 429}]})
    r = pc.graph("PATCH", "/users/" + ALICE, json={"jobTitle": "x"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    error = r.json()["error"]
    assert error["code"] == "TooManyRequests" and error["innerError"]["request-id"]
    (entry,) = pc.control("GET", "requests")["requests"]
    assert (entry["api"], entry["route"], entry["fault"], entry["retry_after"]) == \
        ("graph", "graph_update_user", "status", 7.0)
    # nothing was written; the next request goes through
    assert pc.graph("PATCH", "/users/" + ALICE, json={"jobTitle": "x"}).status_code == 204


def test_error_rate_answers_graphs_503(pc):
    seeded(pc, error_rate=1.0)
    r = pc.graph("GET", "/users")
    assert r.status_code == 503 and r.json()["error"]["code"] == "serviceNotAvailable"
    assert r.headers["Retry-After"] == "1"


def test_the_graph_window_is_per_tenant_and_apart_from_partner_centers():
    clock = Clock()
    engine = FaultEngine(clock=clock)

    def graph(tenant):
        return engine.decide("graph_get_user", "GET", retry_after=3, over_rate=2,
                             over_key=("graph", tenant))

    assert [graph(CID) is None for _ in range(3)] == [True, True, False]
    assert graph(OTHER) is None                                   # another tenant's window
    assert engine.decide("get_user", "GET", over_rate=1) is None  # Partner Center's window
    throttled = graph(CID)
    assert (throttled.status, throttled.retry_after, throttled.source) == \
        (429, 3, "throttle_over_rate")
    clock.now += 1.5
    assert graph(CID) is None


def test_graph_throttling_through_the_server_names_the_tenant(pc):
    seeded(pc, graph_throttle_over_rate=1, graph_retry_after=2)
    # two Graph requests to one tenant within a second: the second (or, on a machine so
    # loaded that they are a second apart, neither) is throttled; never the other tenant
    statuses = [pc.graph("GET", "/users/" + ALICE).status_code for _ in range(2)]
    assert statuses[0] == 200 and statuses[1] in (200, 429)
    assert pc.graph("GET", "/users", tenant=OTHER).status_code in (200, 429)
    for entry in pc.control("GET", "requests")["requests"]:
        if entry["status"] == 429:
            assert entry["fault_source"] == "throttle_over_rate" and entry["retry_after"] == 2.0
            assert entry["api"] == "graph"


def test_latency_applies_to_graph(pc):
    seeded(pc, latency_ms=300)
    started = time.monotonic()
    assert pc.graph("GET", "/users/" + ALICE).status_code == 200
    assert time.monotonic() - started >= 0.3
    (entry,) = pc.control("GET", "requests")["requests"]
    assert entry["duration_ms"] >= 300


def test_a_reset_fault_and_an_echo_on_graph(pc):
    seeded(pc)
    pc.control("POST", "faults", {"rules": [
        {"route": "graph_list_users", "kind": "echo", "echo": "json", "status": 400}]})
    r = pc.graph("GET", "/users")
    assert r.status_code == 400 and r.json()["error"]["code"] == "BadRequest"
