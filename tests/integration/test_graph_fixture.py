# Copyright: contributors to the csp.partnercenter collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator fixture exposes the Microsoft Graph listener next to the Partner Center one."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

import pytest


@pytest.mark.uses_graph  # it sends a Graph request itself
def test_the_fixture_exposes_graph_url_and_its_environment_variable(emu):
    assert emu.graph_url.startswith("https://127.0.0.1:") and emu.graph_url != emu.api_url
    assert emu.info["graph_url"] == emu.graph_url
    assert emu.env()["PARTNERCENTER_GRAPH_URL"] == emu.graph_url
    # the same CA verifies it; without a token Graph answers its own 401
    context = ssl.create_default_context(cafile=emu.ca_path)
    try:
        urllib.request.urlopen(emu.graph_url + "/v1.0/users", context=context, timeout=30)
        raise AssertionError("an anonymous Graph request was served")
    except urllib.error.HTTPError as err:
        assert err.code == 401
        assert json.loads(err.read())["error"]["code"] == "InvalidAuthenticationToken"
    (entry,) = emu.requests()
    assert (entry["api"], entry["route"], entry["status"]) == ("graph", "graph_list_users", 401)
