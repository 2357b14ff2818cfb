"""The tables that drive the emulator: routes, knobs (and their CLI options), fault kinds."""

import pytest

from partnercenter_emulator import cli, config, faults, routes
from partnercenter_emulator.pipeline import Request


def segs(path):
    return [s for s in path.split("/") if s]


@pytest.mark.parametrize("method,path,name,params", [
    ("GET", "/v1/customers", "list_customers", {}),
    ("GET", "/V1.0/Customers/abc/", "get_customer", {"cid": "abc"}),
    ("POST", "/v1/customers/c/users", "create_user", {"cid": "c"}),
    ("PATCH", "/v1/customers/c/users/U", "update_user", {"cid": "c", "uid": "U"}),
    ("PATCH", "/v1/customers/c/users/u/ResetPassword", "reset_password", {"cid": "c", "uid": "u"}),
    ("DELETE", "/v1/customers/c/directoryroles/r/usermembers/u", "remove_role_member",
     {"cid": "c", "rid": "r", "uid": "u"}),
    ("POST", "/v1/customers/c/users/u/licenseupdates", "update_user_licenses",
     {"cid": "c", "uid": "u"}),
    ("GET", "/t/v2.0/.well-known/openid-configuration", "openid_config", {"tenant": "t"}),
    ("GET", "/t/.well-known/openid-configuration", "openid_config", {"tenant": "t"}),
    ("GET", "/t/oauth2/v2.0/token", "token", {"tenant": "t"}),  # the handler answers 405
    ("POST", "/v1/oauth2/token", "token", {"tenant": "v1"}),     # identity routes come first
])
def test_route_table_matches(method, path, name, params):
    found = routes.match(method, segs(path))
    assert found.route.name == name and found.params == params


@pytest.mark.parametrize("method,path,wrong_method", [
    ("PUT", "/v1/customers/c/users", True),
    ("GET", "/v1/customers/c/users/u/resetpassword", True),
    ("GET", "/v1/customers/c/directoryroles/r", False),
    ("GET", "/customers", False),
    ("GET", "/v2/customers", False),
    ("POST", "/t/v2.0/.well-known/openid-configuration", False),  # unknown, not 405
])
def test_route_table_misses(method, path, wrong_method):
    found = routes.match(method, segs(path))
    assert found.route is None and found.wrong_method is wrong_method
    assert found.side == routes.API


def test_route_table_is_the_one_list_of_names():
    assert faults.ROUTES == routes.ROUTE_NAMES
    # 18 Partner Center and identity routes, the two consent routes, and Graph's
    assert len([n for n in routes.ROUTE_NAMES if not n.startswith("graph_")]) == 20
    for route in routes.ROUTES:
        assert callable(route.handler)
        assert (route.side == routes.GRAPH) == route.name.startswith("graph_")
        if route.side == routes.GRAPH:
            assert route.tokens == ("user",)
        elif route.side == routes.API:
            assert route.tokens == (("app", "user") if route.name in (
                "list_customers", "get_customer") else ("user",))
        else:
            assert route.tokens is None


def test_every_knob_has_a_cli_option():
    parser = cli.build_parser()
    flags = {flag for action in parser._actions for flag in action.option_strings}
    for knob in config.KNOBS:
        assert knob.flag in flags, knob.name
    assert list(config.DEFAULT_CONFIG) == [k.name for k in config.KNOBS]
    args = parser.parse_args(["--no-token-mfa", "--bom", "--create-status", "200",
                              "--get-deleted-user", "return", "--throttle-rate", "0.5",
                              "--replication-lag", "3", "--member-route-lag", "1.5"])
    opts = cli.options_from_args(args)
    assert (opts["token_mfa"], opts["bom"], opts["create_status"], opts["get_deleted_user"],
            opts["throttle_rate"], opts["replication_lag"], opts["member_route_lag"]) == \
        (False, True, 200, "return", 0.5, 3, 1.5)
    assert "latency_ms" not in opts and "mfa_required" not in opts
    with pytest.raises(SystemExit):
        parser.parse_args(["--create-status", "202"])


def test_knob_validation_messages():
    with pytest.raises(config.ConfigError, match="within 0..1"):
        config.validate_config({"throttle_rate": 2})
    with pytest.raises(config.ConfigError, match="HTTP error status"):
        config.validate_config({"error_status": 200})
    with pytest.raises(config.ConfigError, match="one of"):
        config.validate_config({"role_names": "x"})
    coerced = config.validate_config({"bom": "yes", "latency_ms": 5.0})
    assert coerced == {"bom": True, "latency_ms": 5}


def test_every_fault_kind_has_fields_and_a_hook():
    assert set(faults.KINDS) == set(faults.KIND_FIELDS) == set(faults.BEFORE) | set(faults.AFTER)
    # only repeat_next acts twice: it serves its repeated token's page, then rewrites the next link
    assert set(faults.BEFORE) & set(faults.AFTER) == {"repeat_next"}


def test_request_object():
    from urllib.parse import urlsplit
    from email.message import Message
    headers = Message()
    headers["MS-RequestId"] = "r-1"
    req = Request("GET", urlsplit("/v1/customers/a%20b/users?Size=5&licenseGroupIds=G1"
                                  "&licenseGroupIds=G2"), {"Size": ["5"], "licenseGroupIds":
                                                           ["G1", "G2"]}, headers, b"", 0.0)
    assert req.segments == ["v1", "customers", "a b", "users"]
    assert req.one("size") == "5" and req.many("LICENSEGROUPIDS") == ["G1", "G2"]
    assert req.request_id == "r-1" and len(req.correlation_id) == 36
    assert req.entry["request_id"] == "r-1" and req.entry["correlation_id"] is None
    assert req.target == "/v1/customers/a%20b/users?Size=5&licenseGroupIds=G1&licenseGroupIds=G2"
    assert req.data == {}
