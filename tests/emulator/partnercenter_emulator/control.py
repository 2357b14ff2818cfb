"""The control API (``/_emulator/...``): no auth, JSON in and out, never logged, no latency
or faults.  One table: (name, method) -> action(emu, query, body) -> JSON answer."""

import datetime
import json

from . import gdap
from .config import ConfigError
from .faults import FaultError
from .identity import DIGEST_SHOWN, entra_time
from .model import SeedError
from .resources import consents
from .responses import Response


def _clear_log(emu, _query, _body):
    emu.log.clear()
    return {"ok": True}


def _clear_counters(emu, _query, _body):
    emu.log.clear_counters()
    return {"ok": True}


def _clear_trap(emu, _query, _body):
    emu.trap_log.clear()
    return {"ok": True}


def _set_faults(emu, _query, body):
    emu.faults.set_rules(body.get("rules", []))
    return {"rules": emu.faults.describe()}


def _advance_clock(emu, _query, body):
    seconds = body.get("advance_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise ConfigError("advance_seconds must be a number >= 0")
    now = emu.state.advance_clock(seconds)
    return {"now": datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"), "offset_seconds": emu.state.clock_offset}


def _issue_refresh_token(emu, _query, body):
    """A consent sign-in: a fresh refresh token with its own MFA flag and UPN."""
    mfa = body.get("mfa", True)
    upn = body.get("upn")
    if not isinstance(mfa, bool):
        raise ConfigError("mfa must be true or false")
    if upn is not None and (not isinstance(upn, str) or not upn):
        raise ConfigError("upn must be a non-empty string")
    token, record = emu.refresh_tokens.issue(mfa=mfa, upn=upn or emu.config["token_upn"])
    return {"refresh_token": token, "sha256": record.digest[:DIGEST_SHOWN],
            "issued": entra_time(record.issued)}


def _revoke_refresh_tokens(emu, _query, body):
    if body.get("all") is True:
        return {"revoked": emu.refresh_tokens.revoke(everything=True)}
    token, digest = body.get("refresh_token"), body.get("sha256")
    if isinstance(token, str) and token:
        return {"revoked": emu.refresh_tokens.revoke(token=token)}
    if isinstance(digest, str) and len(digest) >= 8:
        return {"revoked": emu.refresh_tokens.revoke(sha256=digest)}
    raise ConfigError('give {"all": true}, {"refresh_token": "..."} or {"sha256": "<prefix, '
                      '8 or more hex digits>"}')


def _gdap(emu, _query, _body):
    with emu.state.lock:
        return {"customers": [{"id": cid, "roles": gdap.shown(emu.state.gdap_roles.get(cid))}
                              for cid in emu.state.customers],
                "known_roles": list(gdap.ALL_ROLES), "source": gdap.SOURCE}


def _set_gdap(emu, _query, body):
    cid = body.get("customer")
    if not isinstance(cid, str) or cid.lower() not in emu.state.customers:
        raise ConfigError("customer must be the id of a seeded customer")
    if "roles" not in body:
        raise ConfigError('roles is required: a list of GDAP role names, or "all"')
    held = gdap.parse_roles(body["roles"], where="roles")
    emu.state.set_gdap_roles(cid.lower(), held)
    return {"id": cid.lower(), "roles": gdap.shown(held)}


def _consents(emu, _query, _body):
    with emu.state.lock:
        return {"customers": [{"id": c.id, "consentedApplications": consents.dump_consents(c)}
                              for c in emu.state.customers.values()]}


def _set_consent(emu, _query, body):
    """Consent (``"consented": true``, the default) an application for Microsoft Graph in a
    customer, or remove its consent (``false``), as the Control Panel Vendor API would."""
    cid = body.get("customer")
    app_id = body.get("applicationId") or emu.credentials["client_id"]
    consented = body.get("consented", True)
    if not isinstance(consented, bool):
        raise ConfigError("consented must be true or false")
    with emu.state.lock:
        customer = emu.state.customers.get(cid.lower()) if isinstance(cid, str) else None
        if customer is None:
            raise ConfigError("customer must be the id of a seeded customer")
        if consented:
            consents.set_consent(customer, app_id, body.get("scopes"), emu.state.now())
        elif isinstance(app_id, str):
            customer.consents.pop(app_id.lower(), None)
        return {"id": customer.id, "consentedApplications": consents.dump_consents(customer)}


ACTIONS = {
    ("health", "GET"): lambda emu, query, body: {"ok": True},
    ("reset", "POST"): lambda emu, query, body: emu.reset(body),
    ("config", "GET"): lambda emu, query, body: dict(emu.config),
    ("config", "POST"): lambda emu, query, body: emu.apply_config(body),
    ("seed", "POST"): lambda emu, query, body: emu.state.seed(body),
    ("state", "GET"): lambda emu, query, body: emu.state.dump(
        (query.get("customer") or [None])[0]),
    ("requests", "GET"): lambda emu, query, body: {"requests": emu.log.entries()},
    ("requests", "DELETE"): _clear_log,
    ("counters", "GET"): lambda emu, query, body: emu.log.counters(),
    ("counters", "DELETE"): _clear_counters,
    ("faults", "GET"): lambda emu, query, body: {"rules": emu.faults.describe()},
    ("faults", "POST"): _set_faults,
    ("trap", "GET"): lambda emu, query, body: {"requests": emu.trap_log.entries()},
    ("trap", "DELETE"): _clear_trap,
    ("expire_tokens", "POST"): lambda emu, query, body: {"expired": emu.tokens.expire_all()},
    ("clock", "POST"): _advance_clock,
    ("refresh_tokens", "GET"): lambda emu, query, body: {
        "refresh_tokens": emu.refresh_tokens.describe(emu.config)},
    ("refresh_tokens", "POST"): _issue_refresh_token,
    ("refresh_tokens/revoke", "POST"): _revoke_refresh_tokens,
    ("gdap", "GET"): _gdap,
    ("gdap", "POST"): _set_gdap,
    ("consents", "GET"): _consents,
    ("consents", "POST"): _set_consent,
}


def handle(emu, path, method, query, raw_body):
    """The answer to a control request (``path`` starts with ``/_emulator``)."""
    name = path[len("/_emulator"):].strip("/")
    try:
        body = {}
        if raw_body:
            try:
                body = json.loads(raw_body.decode("utf-8-sig"))
            except ValueError:
                raise ConfigError("body is not valid JSON")
            if not isinstance(body, dict):
                raise ConfigError("body must be a JSON object")
        action = ACTIONS.get((name, method))
        if action is None:
            return Response(404, {"error": "unknown control endpoint %s %s" % (method, name)})
        return Response(200, action(emu, query, body))
    except (ConfigError, SeedError, FaultError, ValueError, TypeError) as err:
        return Response(400, {"error": str(err)})
