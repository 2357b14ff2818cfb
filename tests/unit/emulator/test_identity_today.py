"""The identity of today's Partner Center: JWT-shaped access tokens with readable claims,
MFA enforced by default, rotating refresh tokens that age and can be revoked on the
emulator clock, and the other identity failures a partner meets (reference §6, §9)."""

import base64
import hashlib
import json
import re

import pytest

from conftest import CID, VerifySession
from partnercenter_emulator import cli
from partnercenter_emulator.identity import MFA_MISSING, read_claims

USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"
USERS = "/customers/%s/users" % CID
DAY = 86400


def redeem(pc, rt, **extra):
    form = dict(grant_type="refresh_token", client_id=pc.info["client_id"],
                client_secret=pc.info["client_secret"], refresh_token=rt, scope=USER_SCOPE)
    form.update(extra)
    return pc.token_request(**{k: v for k, v in form.items() if v is not None})


def app_token(pc):
    return pc.token_request(grant_type="client_credentials", client_id=pc.info["client_id"],
                            client_secret=pc.info["client_secret"], scope=APP_SCOPE)


def list_users(pc, access_token):
    return pc.s.get(pc.url + "/v1" + USERS, headers={"Authorization": "Bearer " + access_token})


def aad_error(r, status, error, code):
    body = r.json()
    assert (r.status_code, body["error"], body["error_codes"]) == (status, error, [code]), r.text
    assert body["error_description"].startswith("AADSTS%d: " % code)
    return body["error_description"]


def clock(pc, seconds):
    return pc.control("POST", "clock", {"advance_seconds": seconds})


def listing(pc):
    return pc.control("GET", "refresh_tokens")["refresh_tokens"]


def test_access_tokens_are_jwt_shaped_with_readable_claims(pc):
    r = redeem(pc, pc.info["refresh_token"])
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    header = json.loads(_b64decode(token.split(".")[0]))
    assert header["typ"] == "JWT" and re.match(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                                               token)
    claims = read_claims(token)
    assert claims["amr"] == ["pwd", "mfa"]
    assert claims["upn"] == claims["unique_name"] == "admin@partner.onmicrosoft.com"
    assert claims["tid"] == pc.info["tenant_id"] and claims["appid"] == pc.info["client_id"]
    assert claims["scp"] == "user_impersonation" and "roles" not in claims
    assert claims["aud"] == "https://api.partnercenter.microsoft.com"
    assert claims["iat"] == claims["nbf"] and claims["exp"] - claims["iat"] == 3600
    assert claims["idtyp"] == "user" and claims["appidacr"] == "1"
    assert redeem(pc, pc.info["refresh_token"]).json()["access_token"] != token
    # app-only: no scp, no amr, no user
    claims = read_claims(app_token(pc).json()["access_token"])
    assert "scp" not in claims and "amr" not in claims and "upn" not in claims
    assert claims["idtyp"] == "app" and claims["aud"] == "https://api.partnercenter.microsoft.com"
    # the configured sign-in's UPN and MFA are knobs; a public client has appidacr 0
    pc.control("POST", "config", {"token_upn": "ops@partner.onmicrosoft.com", "token_mfa": False,
                                  "token_lifetime": 60})
    claims = read_claims(redeem(pc, pc.info["refresh_token"], client_secret=None)
                         .json()["access_token"])
    assert claims["upn"] == "ops@partner.onmicrosoft.com" and claims["amr"] == ["pwd"]
    assert claims["appidacr"] == "0" and claims["exp"] - claims["iat"] == 60


def test_mfa_is_required_by_default_and_switchable(pc):
    assert pc.control("GET", "config")["mfa_required"] is True
    pc.control("POST", "config", {"token_mfa": False})
    token = redeem(pc, pc.info["refresh_token"]).json()["access_token"]
    r = list_users(pc, token)
    assert r.status_code == 401 and r.json() == {"code": 900421, "description": MFA_MISSING,
                                                 "data": [], "source": "PartnerFD"}
    assert "MFA claim" in MFA_MISSING
    # app-only is not affected
    app = app_token(pc).json()["access_token"]
    assert pc.s.get(pc.url + "/v1/customers",
                    headers={"Authorization": "Bearer " + app}).status_code == 200
    pc.control("POST", "config", {"mfa_required": False})
    assert list_users(pc, token).status_code == 200


def test_every_refresh_grant_rotates_and_the_emulator_remembers_without_values(pc):
    first = redeem(pc, pc.info["refresh_token"]).json()["refresh_token"]
    second = redeem(pc, pc.info["refresh_token"]).json()["refresh_token"]
    third = redeem(pc, first).json()["refresh_token"]
    assert len({pc.info["refresh_token"], first, second, third}) == 4
    # the old one keeps working (not revoked, not extended), and so does each new one
    for rt in (pc.info["refresh_token"], first, second, third):
        assert redeem(pc, rt).status_code == 200
    rows = listing(pc)
    text = json.dumps(rows) + json.dumps(pc.control("GET", "requests"))
    for rt in (pc.info["refresh_token"], first, second, third):
        assert rt not in text
    by_digest = {row["sha256"]: row for row in rows}
    configured, first, second, third = (by_digest[sha(rt)] for rt in (
        pc.info["refresh_token"], first, second, third))
    assert [r["source"] for r in rows].count("configured") == 1
    assert configured["source"] == "configured" and configured["rotated_from"] is None
    assert first["rotated_from"] == second["rotated_from"] == configured["sha256"]
    assert third["rotated_from"] == first["sha256"] and third["source"] == "rotated"
    for row in (configured, first, second, third):
        assert set(row) >= {"sha256", "issued", "mfa", "revoked", "rotated_from", "upn"}
        assert row["revoked"] is False and row["mfa"] is True
    tokens = [e for e in pc.control("GET", "requests")["requests"] if e["route"] == "token"]
    assert len(tokens) == 7 and all(set(e["body"]) <= {"grant_type", "scope", "client_id"}
                                    for e in tokens)


def test_an_authority_that_stops_rotating_answers_no_refresh_token_and_issues_none(pc):
    assert pc.control("GET", "config")["rotate_refresh_tokens"] is True
    before = listing(pc)
    pc.control("POST", "config", {"rotate_refresh_tokens": False})
    r = redeem(pc, pc.info["refresh_token"])
    assert r.status_code == 200 and "refresh_token" not in r.json()
    assert list_users(pc, r.json()["access_token"]).status_code == 200  # the access token is a good one
    assert listing(pc) == before  # nothing issued, nothing recorded
    assert redeem(pc, pc.info["refresh_token"]).status_code == 200  # the redeemed token keeps working
    assert "refresh_token" not in app_token(pc).json()
    pc.control("POST", "config", {"rotate_refresh_tokens": True})
    assert redeem(pc, pc.info["refresh_token"]).json()["refresh_token"] != pc.info["refresh_token"]
    parser = cli.build_parser()
    assert cli.options_from_args(parser.parse_args(["--no-rotate-refresh-tokens"]))["rotate_refresh_tokens"] is False


def test_refresh_tokens_die_after_their_lifetime_on_the_emulator_clock(pc):
    clock(pc, 89 * DAY)
    r = redeem(pc, pc.info["refresh_token"])
    assert r.status_code == 200
    day89 = r.json()["refresh_token"]
    clock(pc, DAY)
    text = aad_error(redeem(pc, pc.info["refresh_token"]), 400, "invalid_grant", 700082)
    assert re.search(r"The refresh token has expired due to inactivity\. The token was issued "
                     r"on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z and was inactive for "
                     r"90\.00:00:00\.", text), text
    assert pc.info["refresh_token"] not in text
    # the token rotated out on day 89 lives 90 days from ITS issue
    assert redeem(pc, day89).status_code == 200
    clock(pc, 88 * DAY)
    assert redeem(pc, day89).status_code == 200
    clock(pc, DAY)
    aad_error(redeem(pc, day89), 400, "invalid_grant", 700082)
    # the lifetime is a knob; a reset issues the configured token again
    pc.reset(config={"refresh_token_lifetime_days": 1})
    assert redeem(pc, pc.info["refresh_token"]).status_code == 200
    clock(pc, DAY)
    assert "inactive for 1.00:00:00." in aad_error(
        redeem(pc, pc.info["refresh_token"]), 400, "invalid_grant", 700082)


def test_access_tokens_age_on_the_emulator_clock_and_survive_a_reset(pc):
    token = redeem(pc, pc.info["refresh_token"]).json()["access_token"]
    clock(pc, 3599)
    assert list_users(pc, token).status_code == 200
    clock(pc, 2)
    r = list_users(pc, token)
    assert r.status_code == 401 and r.json()["error"]["code"] == "ExpiredAuthenticationToken"
    pc.reset()   # the clock goes back: the token is valid again (reset invalidates nothing)
    assert list_users(pc, token).status_code == 200
    clock(pc, 100 * DAY)
    assert list_users(pc, token).status_code == 401
    aad_error(redeem(pc, pc.info["refresh_token"]), 400, "invalid_grant", 700082)


def test_revocation(pc):
    child = redeem(pc, pc.info["refresh_token"]).json()["refresh_token"]
    assert pc.control("POST", "refresh_tokens/revoke", {"refresh_token": child}) == {"revoked": 1}
    text = aad_error(redeem(pc, child), 400, "invalid_grant", 50173)
    assert "The provided grant has expired due to it being revoked" in text
    assert "TokensValidFrom" in text and child not in text
    assert redeem(pc, pc.info["refresh_token"]).status_code == 200
    assert pc.control("POST", "refresh_tokens/revoke", {"all": True})["revoked"] >= 2
    aad_error(redeem(pc, pc.info["refresh_token"]), 400, "invalid_grant", 50173)
    assert all(row["revoked"] for row in listing(pc))
    # a new consent sign-in works after a revocation; revoke by SHA-256 prefix
    fresh = pc.control("POST", "refresh_tokens", {})
    assert redeem(pc, fresh["refresh_token"]).status_code == 200
    assert pc.control("POST", "refresh_tokens/revoke",
                      {"sha256": fresh["sha256"]}) == {"revoked": 1}
    aad_error(redeem(pc, fresh["refresh_token"]), 400, "invalid_grant", 50173)
    for bad in ({}, {"all": False}, {"sha256": "ab"}):
        assert pc.s.post(pc.url + "/_emulator/refresh_tokens/revoke", json=bad).status_code == 400
    # unknown or malformed: 9002313 as before; a reset re-arms the configured token
    aad_error(redeem(pc, "not-a-refresh-token"), 400, "invalid_grant", 9002313)
    pc.reset()
    assert redeem(pc, pc.info["refresh_token"]).status_code == 200


def test_consent_sign_in_issues_a_refresh_token_with_its_own_mfa_and_upn(pc):
    issued = pc.control("POST", "refresh_tokens", {"mfa": False, "upn": "tech@partner.example"})
    assert set(issued) == {"refresh_token", "sha256", "issued"}
    r = redeem(pc, issued["refresh_token"])
    claims = read_claims(r.json()["access_token"])
    assert claims["amr"] == ["pwd"] and claims["upn"] == "tech@partner.example"
    assert list_users(pc, r.json()["access_token"]).status_code == 401   # 900421
    # the rotated token inherits the sign-in (MFA, UPN, sign-in time)
    claims2 = read_claims(redeem(pc, r.json()["refresh_token"]).json()["access_token"])
    assert (claims2["amr"], claims2["upn"], claims2["auth_time"]) == \
        (["pwd"], "tech@partner.example", claims["auth_time"])
    rows = {row["sha256"]: row for row in listing(pc)}
    assert rows[issued["sha256"]]["source"] == "consent"
    assert rows[issued["sha256"]]["mfa"] is False
    with_mfa = pc.control("POST", "refresh_tokens", {"mfa": True})["refresh_token"]
    token = redeem(pc, with_mfa).json()["access_token"]
    assert read_claims(token)["upn"] == "admin@partner.onmicrosoft.com"
    assert list_users(pc, token).status_code == 200
    for bad in ({"mfa": "yes"}, {"upn": ""}, {"upn": 5}):
        assert pc.s.post(pc.url + "/_emulator/refresh_tokens", json=bad).status_code == 400


def test_other_identity_failures(pc):
    rt = pc.info["refresh_token"]
    pc.control("POST", "config", {"client_secret_expired": True})
    text = aad_error(redeem(pc, rt), 401, "invalid_client", 7000222)
    assert ("The provided client secret keys for app '%s' are expired." % pc.info["client_id"]
            in text)
    aad_error(app_token(pc), 401, "invalid_client", 7000222)
    assert redeem(pc, rt, client_secret=None).status_code == 200   # a public client: no secret
    aad_error(redeem(pc, rt, client_secret="wrong"), 401, "invalid_client", 7000215)
    pc.control("POST", "config", {"client_secret_expired": False, "client_secret_invalid": True})
    aad_error(redeem(pc, rt), 401, "invalid_client", 7000215)
    aad_error(app_token(pc), 401, "invalid_client", 7000215)
    pc.control("POST", "config", {"client_secret_invalid": False, "consent_missing": True})
    text = aad_error(redeem(pc, rt), 400, "invalid_grant", 65001)
    assert "The user or administrator has not consented to use the application" in text
    assert app_token(pc).status_code == 200
    pc.control("POST", "config", {"consent_missing": False, "app_not_found": True})
    aad_error(redeem(pc, rt), 400, "unauthorized_client", 700016)
    aad_error(app_token(pc), 400, "unauthorized_client", 700016)
    pc.control("POST", "config", {"app_not_found": False})
    assert redeem(pc, rt).status_code == 200 and app_token(pc).status_code == 200
    text = json.dumps(pc.control("GET", "requests"))
    assert pc.info["client_secret"] not in text and rt not in text


def test_cli_options_of_the_identity_knobs():
    parser = cli.build_parser()
    assert cli.options_from_args(parser.parse_args(["--mfa-required"]))["mfa_required"] is True
    assert cli.options_from_args(parser.parse_args(["--no-mfa-required"]))["mfa_required"] is False
    assert "mfa_required" not in cli.options_from_args(parser.parse_args([]))
    opts = cli.options_from_args(parser.parse_args([
        "--token-upn", "a@b.example", "--refresh-token-lifetime-days", "7",
        "--client-secret-expired", "--consent-missing", "--app-not-found",
        "--client-secret-invalid", "--gdap-denied-code", "2032", "--no-token-mfa"]))
    assert (opts["token_upn"], opts["refresh_token_lifetime_days"], opts["client_secret_expired"],
            opts["consent_missing"], opts["app_not_found"], opts["client_secret_invalid"],
            opts["gdap_denied_code"], opts["token_mfa"]) == \
        ("a@b.example", 7, True, True, True, True, 2032, False)
    with pytest.raises(SystemExit):
        parser.parse_args(["--gdap-denied-code", "403"])


def test_msal_follows_the_rotation_and_reads_the_errors(pc):
    msal = pytest.importorskip("msal")
    app = msal.ConfidentialClientApplication(
        pc.info["client_id"], client_credential=pc.info["client_secret"],
        authority="%s/%s" % (pc.info["authority"], pc.info["tenant_id"]),
        instance_discovery=False, http_client=VerifySession(pc.info["ca_path"]))
    first = app.acquire_token_by_refresh_token(pc.info["refresh_token"], scopes=[USER_SCOPE])
    second = app.acquire_token_by_refresh_token(first["refresh_token"], scopes=[USER_SCOPE])
    assert "access_token" in second and second["refresh_token"] != first["refresh_token"]
    assert second["id_token_claims"]["preferred_username"] == "admin@partner.onmicrosoft.com"
    clock(pc, 91 * DAY)
    expired = app.acquire_token_by_refresh_token(first["refresh_token"], scopes=[USER_SCOPE])
    assert expired["error"] == "invalid_grant" and expired["error_codes"] == [700082]


def sha(token):
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def _b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
