# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 3's "customers in flight", the measure its in-process overlap target is judged on."""

from __future__ import annotations

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.benchmark.measure import customer_of  # noqa: E402  pylint: disable=wrong-import-position
from tests.benchmark.scenarios.s3_fleet import customers_in_flight  # noqa: E402  pylint: disable=wrong-import-position


def request(customer, started, answered, route="list_users"):
    path = "/v1/customers/%s/users" % customer if customer else "/tenant/oauth2/v2.0/token"
    return {"path": path, "route": route, "started_at": started, "answered_at": answered}


def test_customers_one_after_another_are_one_in_flight():
    records = [request("a", 0.0, 0.5), request("a", 0.5, 1.0), request("b", 1.0, 2.0)]
    assert customers_in_flight(records) == 1.0


def test_customers_side_by_side_count_each():
    records = [request(c, 0.0, 1.0) for c in "abcd"] + [request(c, 1.0, 2.0) for c in "efgh"]
    assert customers_in_flight(records) == 4.0


def test_a_customer_spans_from_its_first_request_to_its_last_answer():
    # b's requests leave a gap, which still counts as b under way (its task is between requests).
    records = [request("a", 0.0, 2.0), request("b", 0.0, 0.2), request("b", 1.8, 2.0)]
    assert customers_in_flight(records) == 2.0


def test_requests_of_no_customer_are_left_out():
    records = [request(None, 0.0, 5.0, route="token"), request("a", 5.0, 6.0), request("b", 5.0, 6.0)]
    assert customers_in_flight(records) == 2.0


def test_no_customer_traffic_measures_nothing():
    assert customers_in_flight([]) is None
    assert customers_in_flight([request(None, 0.0, 1.0, route="token")]) is None


def test_the_customer_of_a_request_is_the_id_after_customers():
    assert customer_of({"path": "/v1/customers/c-1/users"}) == "c-1"
    assert customer_of({"path": "/v1/customers/c-1"}) == "c-1"
    assert customer_of({"path": "/v1/customers"}) is None  # the customer listing names none
    assert customer_of({"path": "/tenant/oauth2/v2.0/token"}) is None
    assert customer_of({}) is None
