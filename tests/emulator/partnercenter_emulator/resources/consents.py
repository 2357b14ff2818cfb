"""Application consents in customer tenants: Partner Center's Control Panel Vendor API
(``POST /v1/customers/{id}/applicationconsents``, ``DELETE .../applicationconsents/{app-id}``,
reference §11; there is no GET), the seed field ``consentedApplications``, and what the token
endpoint asks: which Microsoft Graph scopes an application holds in a customer.
"""

from collections import OrderedDict

from ..model import GRAPH_APP_ID, SeedError, is_guid, iso
from ..responses import ApiError, Response

# The grant a seed or control request gives when it names no scopes.
DEFAULT_GRAPH_SCOPES = ("User.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.Read.All")


def split_scopes(raw):
    """``"A,B"`` / ``"A B"`` / ``["A", "B"]`` -> ``["A", "B"]`` (order kept, no duplicates)."""
    items = raw if isinstance(raw, list) else str(raw).replace(",", " ").split()
    out = []
    for item in items:
        if isinstance(item, str) and item.strip() and item.strip() not in out:
            out.append(item.strip())
    return out


def make_consent(app_id, grants, display_name=None, when=None):
    record = OrderedDict()
    record["applicationId"] = app_id
    if display_name is not None:
        record["displayName"] = display_name
    record["applicationGrants"] = grants
    record["consentedAt"] = when
    return record


def graph_scopes(customer, app_id):
    """The Microsoft Graph scopes ``app_id`` is consented for in ``customer`` (a list), or
    None when it holds no Graph grant there."""
    consent = customer.consents.get(app_id.lower())
    if consent is None:
        return None
    scopes = None
    for grant in consent["applicationGrants"]:
        if grant["enterpriseApplicationId"].lower() == GRAPH_APP_ID:
            scopes = (scopes or []) + [s for s in split_scopes(grant["scope"])
                                       if s not in (scopes or [])]
    return scopes


def _bad(description):
    return ApiError(400, 800002, "Invalid request input: " + description)


def _check_body(body):
    """The (application id, grants, display name) of a POST body (lower-cased keys)."""
    app_id = body.get("applicationid")
    if not is_guid(app_id):
        raise _bad("applicationId is required and must be a GUID.")
    grants = body.get("applicationgrants")
    if not isinstance(grants, list) or not grants:
        raise _bad("applicationGrants must be a non-empty list.")
    out = []
    for grant in grants:
        if not isinstance(grant, dict) or not is_guid(grant.get("enterpriseapplicationid")):
            raise _bad("each application grant needs an enterpriseApplicationId (a GUID).")
        scope = grant.get("scope")
        if not isinstance(scope, str) or not split_scopes(scope):
            raise _bad("each application grant needs a scope.")
        out.append(OrderedDict((("enterpriseApplicationId", grant["enterpriseapplicationid"]),
                                ("scope", scope))))
    name = body.get("displayname")
    if name is not None and not isinstance(name, str):
        raise _bad("displayName must be a string.")
    return app_id, out, name


def create_consent(st, cid, body):
    """(status, the consent as answered): 201, or ``application_consent_exists_status`` for
    an application already consented (201 replaces it)."""
    with st.lock:
        customer = st.customer(cid, delegated=True)
        app_id, grants, name = _check_body(body)
        status = 201
        if app_id.lower() in customer.consents:
            status = st.config["application_consent_exists_status"]
            if status != 201:
                raise ApiError(status, 3001 if status == 409 else 800002,
                               "Another object with the same value for property applicationId "
                               "already exists." if status == 409 else
                               "Invalid request input: the application '%s' is already "
                               "consented in this tenant." % app_id)
        record = make_consent(app_id, grants, name, st.now())
        customer.consents[app_id.lower()] = record
        answer = OrderedDict((k, v) for k, v in record.items() if k != "consentedAt")
        return status, answer


def delete_consent(st, cid, app_id):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        if customer.consents.pop(app_id.lower(), None) is None:
            raise ApiError(404, 1000, "The requested resource was not found.")


def set_consent(customer, app_id, scopes, when):
    """Consent ``app_id`` for Graph ``scopes`` (control API and seeds); replaces a consent."""
    if not is_guid(app_id):
        raise SeedError("applicationId %r is not a GUID" % (app_id,))
    scopes = split_scopes(scopes if scopes is not None else list(DEFAULT_GRAPH_SCOPES))
    if not scopes:
        raise SeedError("scopes must name at least one scope")
    grant = OrderedDict((("enterpriseApplicationId", GRAPH_APP_ID), ("scope", ",".join(scopes))))
    customer.consents[app_id.lower()] = make_consent(app_id, [grant], when=when)


def seed_consents(st, customer, raw, default_app_id):
    """The seed field ``consentedApplications``: ``true`` (the emulator's app, default
    scopes), or a list of application ids and ``{"applicationId", "scopes"}`` objects
    (``applicationId`` defaults to the emulator's app; ``scopes`` a string or a list)."""
    if raw is True:
        raw = [{}]
    if raw is False or raw is None:
        return
    if not isinstance(raw, list):
        raise SeedError("consentedApplications must be true or a list")
    for item in raw:
        if isinstance(item, str):
            item = {"applicationId": item}
        if not isinstance(item, dict):
            raise SeedError("consentedApplications entries are application ids or objects")
        set_consent(customer, item.get("applicationId") or default_app_id, item.get("scopes"),
                    st.now())


def dump_consents(customer):
    return [dict(c, consentedAt=iso(c["consentedAt"])) for c in customer.consents.values()]


# ---- route handlers ------------------------------------------------------------------

def handle_create_consent(emu, req):
    status, answer = create_consent(emu.state, req.params["cid"], req.data)
    return Response(status, answer)


def handle_delete_consent(emu, req):
    delete_consent(emu.state, req.params["cid"], req.params["appid"])
    return Response(204)
