"""The knob profiles: ``entra`` turns every Entra variant on (reference §10), ``default`` is
the behaviour before those knobs existed; the ``--profile`` option and ``PCEMU_PROFILE``."""

import pytest

from conftest import ROLE_GA, SKU_E3
from partnercenter_emulator import cli, config
from test_entra_variants import ROLES, USERS, error


def test_profile_values_are_valid_knob_values():
    for name, values in config.PROFILES.items():
        assert config.validate_config(dict(values)) == dict(values), name
    assert config.validate_config({"profile": "default"}) == {
        k: config.DEFAULT_CONFIG[k] for k in config.profile_values("default")}
    entra = config.validate_config({"profile": "entra", "member_route_lag": 0})
    assert entra["member_route_lag"] == 0.0 and entra["deleted_upn_style"] == "prefixed"
    with pytest.raises(config.ConfigError, match="profile must be one of"):
        config.validate_config({"profile": "graph"})


def test_default_profile_is_todays_behaviour():
    """The knobs a profile may change keep the defaults they had before it existed."""
    before = {"role_member_conflict_status": 409, "duplicate_upn_status": 409,
              "password_reset_route": "both", "member_route_lag": 0.0,
              "member_route_lag_license_error": "not_found"}
    new = {"proxy_address_conflicts": False, "in_progress_conflict_rate": 0.0,
           "deleted_upn_style": "kept", "activated_roles_only": False,
           "license_plan_listing": "enabled", "lean_bodies": False, "license_warning": "",
           "profile": "default",
           # Graph (issue 28): a small lag by default, so that clients must wait for it
           "graph_lag": 1.0}
    for key, value in dict(before, **new).items():
        assert config.DEFAULT_CONFIG[key] == value, key
    assert set(config.profile_values("entra")) <= set(before) | set(new)


def test_profile_through_the_control_api(pc):
    entra = pc.control("POST", "config", {"profile": "entra"})
    for key, value in config.PROFILES["entra"].items():
        assert entra[key] == value, key
    assert entra["profile"] == "entra"
    back = pc.control("POST", "config", {"profile": "default"})
    assert back == dict(config.DEFAULT_CONFIG, random_seed=back["random_seed"])
    pc.reset(config={"profile": "entra", "in_progress_conflict_rate": 0})
    assert pc.control("GET", "config")["lean_bodies"] is True
    assert pc.control("GET", "config")["in_progress_conflict_rate"] == 0.0
    r = pc.s.post(pc.url + "/_emulator/config", json={"profile": "nope"})
    assert r.status_code == 400


def test_entra_profile_end_to_end(pc):
    pc.reset(config={"profile": "entra", "in_progress_conflict_rate": 0})
    r = pc.create_user("fresh")
    assert r.status_code == 201
    uid = r.json()["id"]
    # just created: the license route says "invalid usage location", the role route 404
    r = pc.api("POST", USERS + "/" + uid + "/licenseupdates",
               json={"licensesToAssign": [{"skuId": SKU_E3}]})
    assert error(r, 400, 3004)
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                  json={"id": uid}).status_code == 404
    pc.control("POST", "clock", {"advance_seconds": 3})
    assert pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers",
                  json={"id": uid}).status_code == 201
    assert error(pc.api("POST", ROLES + "/" + ROLE_GA + "/usermembers", json={"id": uid}),
                 400, 3002)
    assert error(pc.create_user("fresh"), 400, 3001)
    assert error(pc.create_user("x", userPrincipalName="fresh@contoso.example"), 400, 3007)
    assert len(pc.api("GET", ROLES).json()["items"]) == 4


def test_profile_cli_option_and_environment(monkeypatch):
    parser = cli.build_parser()
    monkeypatch.delenv(cli.PROFILE_ENV, raising=False)
    assert "profile" not in cli.options_from_args(parser.parse_args([]))
    assert cli.options_from_args(parser.parse_args(["--profile", "entra"]))["profile"] == "entra"
    monkeypatch.setenv(cli.PROFILE_ENV, "entra")
    assert cli.options_from_args(parser.parse_args([]))["profile"] == "entra"
    assert cli.options_from_args(parser.parse_args(["--profile", "default"]))["profile"] == \
        "default"
    with pytest.raises(SystemExit):
        parser.parse_args(["--profile", "graph"])
