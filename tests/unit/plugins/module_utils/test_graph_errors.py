# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Microsoft Graph's failure vocabulary: the twin of test_pc_errors.py, one row per answer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._errors import PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._graph_errors import (
    GRAPH, aadsts_codes, graph_error_details, is_consent_missing,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._pc_errors import PREDICATES

MEMBER_THERE = "One or more added object references already exist for the following modified properties: 'members'."

# (status, code, message) -> the predicates that hold; every other one of PREDICATES must not.
ANSWERS = [
    ((404, "Request_ResourceNotFound", "Resource 'x' does not exist or one of its queried reference-property "
                                       "objects are not present."), {"is_user_not_found", "is_user_not_visible_yet"}),
    ((400, "Request_BadRequest", MEMBER_THERE), {"is_member_conflict"}),
    ((400, "Request_BadRequest", "Another object with the same value for property userPrincipalName already "
                                 "exists."), {"is_upn_conflict"}),
    # What Partner Center's words would mean, Graph's do not: no 409 "in progress", no 404 unknown customer.
    ((409, None, "The object is being processed by another request."), set()),
    ((404, None, "User not found"), set()),
    ((403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."), set()),
    ((401, "InvalidAuthenticationToken", "Error 900421"), set()),
    ((400, "Request_BadRequest", "Invalid value specified for property 'usageLocation' password"), set()),
    ((429, "TooManyRequests", "Too many requests"), set()),
]


@pytest.mark.parametrize("answer, holds", ANSWERS, ids=["%s/%s" % answer[:2] for answer, holds in ANSWERS])
def test_each_graph_answer_means_what_its_row_says(answer, holds):
    status, code, message = answer
    error = PartnerCenterError("refused", status=status, code=code, description=message, vocabulary=GRAPH)
    assert set(name for name in PREDICATES if getattr(error, name)) == holds


@pytest.mark.parametrize("status, fault, throttled", [(429, None, True), (503, None, True), (500, None, False),
                                                      (None, "throttled (HTTP 429)", True)])
def test_throttled_is_what_http_says(status, fault, throttled):
    assert PartnerCenterError("x", status=status, fault=fault, vocabulary=GRAPH).is_throttled is throttled


def test_denied_is_what_http_says():
    assert PartnerCenterError("x", status=403, code="Authorization_RequestDenied", vocabulary=GRAPH).is_denied


def test_graphs_error_body_gives_code_message_and_request_id():
    body = {"error": {"code": "Request_ResourceNotFound", "message": "gone",
                      "innerError": {"date": "2026-12-07T08:00:00", "request-id": "r-1", "client-request-id": "c"}}}
    assert graph_error_details(body) == ("Request_ResourceNotFound", "gone", "r-1", "2026-12-07T08:00:00")
    assert graph_error_details({"error": {"code": "X", "innererror": {"request-id": "r-2"}}})[2] == "r-2"
    for other in (None, [], "text", {"error": "invalid_grant"}, {"error": {"code": 5, "innerError": "no"}}):
        assert graph_error_details(other)[2] is None


@pytest.mark.parametrize("codes, description, missing", [
    ([65001], None, True),
    (["650051"], "", True),
    (None, "AADSTS650052: The app needs access to a service", True),
    (None, "AADSTS65001 in another language", True),
    ([700082], "AADSTS700082: expired", False),
    (None, "The user or administrator has not consented to use the application", False),  # wording alone: no
    ([True, None, {}], None, False),
])
def test_missing_consent_is_read_from_the_aadsts_code_only(codes, description, missing):
    assert is_consent_missing(codes, description) is missing


def test_aadsts_codes_collects_both_places():
    assert aadsts_codes([65001], "AADSTS50078: x") == ["65001", "50078"]
