"""Microsoft Graph's users in a customer tenant: the same user records as Partner Center's
(a rename or a soft delete through either API shows in both), seen by Graph only after
``graph_lag``; rendering with ``$select`` and ``$expand=manager``; list (``$filter``,
``$top``, ``@odata.nextLink``), get, PATCH (work details, ``accountEnabled``, rename), the
manager and its ``$ref``, ``revokeSignInSessions`` (each recorded with its emulator time),
``memberOf``; and the Graph seed fields of a user.

The tenant of a Graph request is its token's ``tid``; each operation is checked against the
token's ``wids`` and ``scp`` (``gdap.graph_check``) after its target is found.
"""

from collections import OrderedDict

from .. import gdap, odata
from ..model import ISO_COUNTRIES, SeedError, is_guid, iso
from ..responses import ApiError, GraphError, Response, graph_bad_request, graph_not_found
from . import users

USER_TYPE = "#microsoft.graph.user"
# GET /users without $select answers these (Graph v1.0's default user properties)
DEFAULT_PROPERTIES = ("businessPhones", "displayName", "givenName", "jobTitle", "mail",
                      "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                      "userPrincipalName", "id")
PROPERTIES = DEFAULT_PROPERTIES + (
    "accountEnabled", "companyName", "createdDateTime", "department", "employeeId",
    "mailNickname", "onPremisesImmutableId", "onPremisesSyncEnabled", "usageLocation",
    "userType")
FILTER_FIELDS = ("id", "userPrincipalName", "displayName", "givenName", "surname", "mail",
                 "mailNickname", "employeeId", "jobTitle", "department", "companyName",
                 "officeLocation", "accountEnabled")

# PATCH: Graph property -> (User attribute, maximum length) of the string properties
TEXT_FIELDS = OrderedDict((
    ("jobTitle", ("job_title", 128)),
    ("department", ("department", 64)),
    ("officeLocation", ("office_location", 128)),
    ("companyName", ("company_name", 64)),
    ("employeeId", ("employee_id", 16)),
    ("mobilePhone", ("mobile_phone", 64)),
    ("givenName", ("first_name", 64)),
    ("surname", ("last_name", 64)),
    ("displayName", ("display_name", 256)),
))
# the properties a seed user may give, and the User attribute each sets
SEED_FIELDS = dict(((name, attr) for name, (attr, _max) in TEXT_FIELDS.items()
                    if name not in ("givenName", "surname", "displayName")),
                   businessPhones="business_phones", accountEnabled="account_enabled",
                   onPremisesSyncEnabled="on_premises_sync", mail="mail")
SYNCED = ("Unable to update the specified properties for on-premises mastered Directory Sync "
          "objects or objects currently undergoing migration.")


# ---- look-ups ---------------------------------------------------------------------------

def graph_customer(st, req):
    """The customer whose tenant the request's token names (``tid``)."""
    customer = st.customers.get((req.token.tenant or "").lower())
    if customer is None:
        raise GraphError(401, "InvalidAuthenticationToken", "Access token validation failure.")
    st.purge_if_due()
    return customer


def visible(st, user):
    """Whether Graph sees ``user``: active (not soft-deleted) and past ``graph_lag``."""
    return user is not None and user.state == "active" and user.graph_visible_at <= st.now()


def find_user(st, customer, ref):
    """The user ``ref`` (an object id or a UPN), or 404 Request_ResourceNotFound."""
    uid = ref.lower() if is_guid(ref) else customer.upn_index.get(ref.lower())
    user = customer.users.get(uid) if uid else None
    if not visible(st, user):
        raise graph_not_found("Resource '%s'" % ref)
    return user


def object_id(ref_body, what="@odata.id"):
    """The object id at the end of a ``$ref`` body's ``@odata.id`` URL (``.../users/{id}`` or
    ``.../directoryObjects/{id}``)."""
    if not isinstance(ref_body, dict) or not isinstance(ref_body.get(what), str):
        raise graph_bad_request("Invalid request body: the property '%s' is required." % what,
                                code="BadRequest")
    url = ref_body[what].rstrip("/")
    head, _sep, oid = url.rpartition("/")
    if not is_guid(oid) or not head.lower().endswith(("/users", "/directoryobjects")):
        raise graph_bad_request("Invalid object identifier '%s'." % url[-200:],
                                code="BadRequest")
    return oid.lower()


# ---- rendering -------------------------------------------------------------------------

def render_user(user, typed=False):
    """Every property of ``user`` as Graph names them (``typed``: a directoryObject, with its
    ``@odata.type``)."""
    out = OrderedDict()
    if typed:
        out["@odata.type"] = USER_TYPE
    out["id"] = user.id
    out["businessPhones"] = list(user.business_phones)
    out["displayName"] = user.display_name
    out["givenName"] = user.first_name
    out["jobTitle"] = user.job_title
    out["mail"] = user.mail
    out["mobilePhone"] = user.mobile_phone
    out["officeLocation"] = user.office_location
    out["preferredLanguage"] = None
    out["surname"] = user.last_name
    out["userPrincipalName"] = user.upn
    out["accountEnabled"] = user.account_enabled
    out["companyName"] = user.company_name
    out["createdDateTime"] = iso(user.created_at)
    out["department"] = user.department
    out["employeeId"] = user.employee_id
    out["mailNickname"] = user.upn.split("@")[0]
    out["onPremisesImmutableId"] = user.immutable_id
    out["onPremisesSyncEnabled"] = True if user.on_premises_sync else None
    out["usageLocation"] = user.usage_location
    out["userType"] = "Member"
    return out


def shape(st, customer, user, names, expand, typed=False):
    """``user`` as a request asked for it: ``$select`` (``names``; None: the defaults) and
    ``$expand=manager`` (``expand``: (names or None, True))."""
    out = odata.select(render_user(user, typed), names or DEFAULT_PROPERTIES)
    if expand is not None:
        manager = customer.users.get(user.manager_id) if user.manager_id else None
        if visible(st, manager):
            out["manager"] = odata.select(render_user(manager, typed=True),
                                          expand[0] or DEFAULT_PROPERTIES)
    return out


def _query(req):
    """($select names, $filter clauses, $expand, $top) of a users request."""
    return (odata.parse_select(req.one("$select"), PROPERTIES, "user"),
            odata.parse_filter(req.one("$filter"), FILTER_FIELDS),
            odata.parse_expand(req.one("$expand")), odata.parse_top(req.one("$top")))


# ---- reads ------------------------------------------------------------------------------

def handle_list_users(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        gdap.graph_check(req.token, "read_users")
        names, clauses, expand, top = _query(req)

        def match(_i, uid):
            user = customer.users.get(uid)
            if not visible(st, user):
                return None
            if clauses is not None and not odata.matches(clauses, render_user(user)):
                return None
            return user

        found, link = odata.page(st, req, "graph_users", customer.id, None, customer.order,
                                 match, top or odata.DEFAULT_PAGE_SIZE)
        items = [shape(st, customer, u, names, expand) for u in found]
        return Response(200, odata.collection(st.graph_url, "users", items, names, link))


def handle_get_user(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        gdap.graph_check(req.token, "read_users")
        names, _clauses, expand, _top = _query(req)
        out = OrderedDict([("@odata.context", odata.context(st.graph_url, "users", names)
                            + "/$entity")])
        out.update(shape(st, customer, user, names, expand))
        return Response(200, out)


def handle_get_manager(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        gdap.graph_check(req.token, "read_users")
        manager = customer.users.get(user.manager_id) if user.manager_id else None
        if not visible(st, manager):
            raise graph_not_found("Resource 'manager'")
        names = odata.parse_select(req.one("$select"), PROPERTIES, "user")
        out = OrderedDict([("@odata.context", st.graph_url + "/v1.0/$metadata#directoryObjects"
                                              "/$entity")])
        out.update(odata.select(render_user(manager, typed=True), names or DEFAULT_PROPERTIES))
        return Response(200, out)


def handle_list_member_of(emu, req):
    """A user's direct memberships: groups, and the directory roles the user holds."""
    from . import graph_groups
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        gdap.graph_check(req.token, "read_users")
        names = odata.parse_select(req.one("$select"), graph_groups.PROPERTIES, "group")
        top = odata.parse_top(req.one("$top"))
        order = [g for g in customer.groups.values() if user.id in g.members]
        order += [("role", rid) for rid in customer.roles if rid in user.roles]
        found, link = odata.page(st, req, "graph_member_of", customer.id, user.id, order,
                                 lambda _i, obj: obj, top or odata.DEFAULT_PAGE_SIZE)
        items = []
        for obj in found:
            if isinstance(obj, tuple):
                rid = obj[1]
                items.append(OrderedDict((("@odata.type", "#microsoft.graph.directoryRole"),
                                          ("id", rid), ("displayName", customer.roles[rid][0]),
                                          ("roleTemplateId", rid))))
            else:
                items.append(odata.select(graph_groups.render_group(obj, typed=True),
                                          names or graph_groups.PROPERTIES))
        return Response(200, odata.collection(st.graph_url, "directoryObjects", items, None,
                                              link))


# ---- writes -----------------------------------------------------------------------------

def write_operation(user, base):
    """``base`` (update_user, revoke_sessions), or its admin variant for a user who holds a
    directory role."""
    return base.replace("_", "_admin_", 1) if user.roles else base


def _type_error(value, edm):
    return graph_bad_request("Cannot convert the literal '%s' to the expected type '%s'."
                             % (str(value)[:100], edm), code="BadRequest")


def _invalid(name):
    return graph_bad_request("Invalid value specified for property '%s' of resource 'User'."
                             % name)


def _check_patch(st, customer, user, body):
    """The changes (attribute -> value) of a PATCH body, or GraphError before any change."""
    changes = OrderedDict()
    for name, value in body.items():
        if name in TEXT_FIELDS:
            attr, maximum = TEXT_FIELDS[name]
            if value is None and name != "displayName":
                changes[attr] = None
                continue
            if not isinstance(value, str):
                raise _type_error(value, "Edm.String")
            if len(value) > maximum or (name == "displayName" and not value.strip()):
                raise _invalid(name)
            changes[attr] = value
        elif name == "businessPhones":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise _type_error(value, "Collection(Edm.String)")
            if len(value) > 1 or any(len(v) > 64 or not v.strip() for v in value):
                raise _invalid(name)      # Graph keeps one business phone number
            changes["business_phones"] = list(value)
        elif name == "accountEnabled":
            if not isinstance(value, bool):
                raise _type_error(value, "Edm.Boolean")
            changes["account_enabled"] = value
        elif name == "usageLocation":
            if not isinstance(value, str) or value.upper() not in ISO_COUNTRIES:
                raise _invalid(name)
            changes["usage_location"] = value.upper()
        elif name == "userPrincipalName":
            changes["upn"] = _check_upn(st, customer, user, value)
        else:
            raise graph_bad_request("Property '%s' does not exist as a declared property or "
                                    "extension property." % str(name)[:100], code="BadRequest")
    return changes


def _check_upn(st, customer, user, value):
    if not isinstance(value, str):
        raise _type_error(value, "Edm.String")
    try:
        users.check_upn(customer, value)
    except ApiError as err:
        if "verified domain" in err.body["description"]:
            raise graph_bad_request("The domain portion of the userPrincipalName property is "
                                    "invalid. You must use one of the verified domain names in "
                                    "your organization.")
        raise _invalid("userPrincipalName")
    owner = customer.upn_index.get(value.lower())
    if owner is not None and owner != user.id:
        raise graph_bad_request("Another object with the same value for property "
                                "userPrincipalName already exists.")
    return value


def handle_update_user(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        body = req.body if isinstance(req.body, dict) else None
        if body is None:
            raise graph_bad_request("Empty Payload. JSON content expected.", code="BadRequest")
        changes = _check_patch(st, customer, user, body)
        gdap.graph_check(req.token, write_operation(user, "update_user"))
        if changes and user.on_premises_sync:
            raise graph_bad_request(SYNCED)
        if "upn" in changes:
            users.set_upn(customer, user, changes.pop("upn"))
        for attr, value in changes.items():
            setattr(user, attr, value)
        return Response(204)


def handle_set_manager(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        manager = find_user(st, customer, object_id(req.body))
        gdap.graph_check(req.token, write_operation(user, "update_user"))
        if user.on_premises_sync:
            raise graph_bad_request(SYNCED)
        if manager.id == user.id:
            raise graph_bad_request("A user cannot be their own manager.")
        user.manager_id = manager.id
        return Response(204)


def handle_remove_manager(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        gdap.graph_check(req.token, write_operation(user, "update_user"))
        if not visible(st, customer.users.get(user.manager_id) if user.manager_id else None):
            raise graph_not_found("Resource 'manager'")
        if user.on_premises_sync:
            raise graph_bad_request(SYNCED)
        user.manager_id = None
        return Response(204)


def handle_revoke_sessions(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        user = find_user(st, customer, req.params["uid"])
        gdap.graph_check(req.token, write_operation(user, "revoke_sessions"))
        customer.revocations.append((user.id, st.now()))
        return Response(200, OrderedDict((
            ("@odata.context", st.graph_url + "/v1.0/$metadata#Edm.Boolean"), ("value", True))))


# ---- seeding and the state dump ------------------------------------------------------------

def seed_graph_fields(user, raw):
    """A seed user's Graph fields (``jobTitle``, ..., ``businessPhones``, ``accountEnabled``,
    ``onPremisesSyncEnabled``, ``mail``); the manager is resolved by :func:`seed_managers`."""
    for name, attr in SEED_FIELDS.items():
        if name not in raw:
            continue
        value = raw[name]
        if name in ("accountEnabled", "onPremisesSyncEnabled"):
            if not isinstance(value, bool):
                raise SeedError("%s must be true or false" % name)
        elif name == "businessPhones":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SeedError("businessPhones must be a list of strings")
            value = list(value)
        elif value is not None and not isinstance(value, str):
            raise SeedError("%s must be a string" % name)
        setattr(user, attr, value)


def seed_managers(customer, pairs):
    """``pairs``: (user, the manager's UPN or id as the seed gave it)."""
    for user, ref in pairs:
        uid = ref.lower() if is_guid(ref) else customer.upn_index.get(str(ref).lower())
        if uid is None or uid not in customer.users:
            raise SeedError("manager %r of %s is not a user of this customer" % (ref, user.upn))
        user.manager_id = uid


def dump_graph_fields(st, user):
    return OrderedDict((
        ("jobTitle", user.job_title), ("department", user.department),
        ("officeLocation", user.office_location), ("companyName", user.company_name),
        ("employeeId", user.employee_id), ("mobilePhone", user.mobile_phone),
        ("businessPhones", list(user.business_phones)),
        ("accountEnabled", user.account_enabled), ("manager", user.manager_id),
        ("onPremisesSyncEnabled", user.on_premises_sync), ("mail", user.mail),
        ("graphVisible", visible(st, user))))


def dump_revocations(customer):
    return [OrderedDict((("userId", uid),
                         ("userPrincipalName", customer.users[uid].upn
                          if uid in customer.users else None),
                         ("time", iso(when)), ("timestamp", when)))
            for uid, when in customer.revocations]
