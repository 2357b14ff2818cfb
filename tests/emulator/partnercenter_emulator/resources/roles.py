"""Directory roles: the catalogue (legacy or current names), a user's roles, role members
(paged), adding and removing a member, and seeding roles."""

from collections import OrderedDict

from ..model import DEFAULT_ACTIVATED_ROLES, DEFAULT_ROLES, SeedError, invalid_property, \
    is_guid
from ..responses import ApiError, Response


def role_name(st, customer, rid):
    names = customer.roles[rid]
    return names[1] if st.config["role_names"] == "legacy" else names[0]


def render_role(st, customer, rid):
    return OrderedDict((("name", role_name(st, customer, rid)), ("id", rid),
                        ("attributes", {"objectType": "DirectoryRole"})))


def render_member(user, rid):
    return OrderedDict((("displayName", user.display_name),
                        ("userPrincipalName", user.upn), ("roleId", rid), ("id", user.id),
                        ("attributes", {"objectType": "UserMember"})))


def dump_roles(customer):
    """The roles as ``GET /_emulator/state`` shows them."""
    return [{"id": rid, "name": names[0], "legacyName": names[1],
             "activated": rid in customer.activated_roles,
             "members": sorted(u for u in customer.role_members.get(rid, {})
                               if u in customer.users)}
            for rid, names in customer.roles.items()]


def listed(st, customer, rid):
    """Whether role ``rid`` exists for the API: every role of the catalogue, or with
    ``activated_roles_only`` the activated ones (reference §10 row 5)."""
    return not st.config["activated_roles_only"] or rid in customer.activated_roles


def role_id(st, customer, rid):
    """The customer's role ``rid`` (lower case), or 404/1000 (also for a role that is not
    activated, with ``activated_roles_only``)."""
    if not is_guid(rid) or rid.lower() not in customer.roles \
            or not listed(st, customer, rid.lower()):
        raise ApiError(404, 1000, "Directory role '%s' was not found." % rid)
    return rid.lower()


def add_member(customer, rid, uid):
    """Make ``uid`` a member of role ``rid``; a role with a member is activated."""
    customer.activated_roles.add(rid)
    members = customer.role_members.setdefault(rid, {})
    order = customer.role_order.setdefault(rid, [])
    members[uid] = len(order)
    order.append(uid)


def list_directory_roles(st, cid):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        items = [render_role(st, customer, rid) for rid in customer.roles
                 if listed(st, customer, rid)]
        return st.listing(items, "/customers/%s/directoryroles" % customer.id)


def list_user_directory_roles(st, cid, uid):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.member_user(customer, uid)
        items = [render_role(st, customer, rid) for rid in customer.roles
                 if rid in user.roles and listed(st, customer, rid)]
        return st.listing(items,
                          "/customers/%s/users/%s/directoryroles" % (customer.id, user.id))


def list_role_members(st, cid, rid, size_raw, seek, token):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        rid = role_id(st, customer, rid)
        members = customer.role_members.get(rid, {})
        now = st.now()

        def make_match(_flt):
            def match(i, uid):
                if members.get(uid) != i:  # removed, or re-added later in the order
                    return None
                user = customer.users.get(uid)
                if user is None or user.state != "active" or user.visible_at > now:
                    return None
                return user
            return match

        return st.page((size_raw, seek, token), "role_members", customer.id, rid,
                       customer.role_order.get(rid, []), lambda: None, make_match,
                       lambda u: render_member(u, rid),
                       "/customers/%s/directoryroles/%s/usermembers" % (customer.id, rid))


def add_role_member(st, cid, rid, body):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        rid = role_id(st, customer, rid)
        uid = body.get("id")
        if not isinstance(uid, str) or not uid:
            raise invalid_property("Invalid property 'id': the user id is required.")
        user = st.member_user(customer, uid)
        if rid in user.roles:
            raise ApiError(st.config["role_member_conflict_status"], 3002,
                           "One or more added object references already exist for the "
                           "following modified properties: 'members'.")
        user.roles.add(rid)
        add_member(customer, rid, user.id)
        return render_member(user, rid)


def remove_role_member(st, cid, rid, uid):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        rid = role_id(st, customer, rid)
        user = st.member_user(customer, uid)
        if rid not in user.roles:
            raise ApiError(404, 1000, "The user '%s' is not a member of the directory role "
                                      "'%s'." % (user.id, rid))
        user.roles.discard(rid)
        customer.role_members.get(rid, {}).pop(user.id, None)


# ---- seeding ---------------------------------------------------------------------------

def seed_roles(customer, raw_roles):
    """Set the customer's role catalogue: the default one, or ``raw_roles``, and which of
    its roles are activated (an entry's ``activated``, by default the four of
    ``DEFAULT_ACTIVATED_ROLES``)."""
    customer.roles = OrderedDict()
    customer.activated_roles = set()
    if raw_roles is None:
        for rid, name, legacy in DEFAULT_ROLES:
            customer.roles[rid] = (name, legacy)
            if rid in DEFAULT_ACTIVATED_ROLES:
                customer.activated_roles.add(rid)
    else:
        for role in raw_roles:
            if not isinstance(role, dict) or not is_guid(role.get("id")) or not role.get("name"):
                raise SeedError("directoryRoles entries need a GUID 'id' and a 'name'")
            rid = role["id"].lower()
            customer.roles[rid] = (role["name"], role.get("legacyName") or role["name"])
            if role.get("activated", rid in DEFAULT_ACTIVATED_ROLES):
                customer.activated_roles.add(rid)
    for rid in customer.roles:
        customer.role_members.setdefault(rid, {})
        customer.role_order.setdefault(rid, [])


def activate_roles(customer, refs):
    """The seed's ``activatedRoles`` (ids or names): activate these roles too."""
    if not isinstance(refs, list):
        raise SeedError("activatedRoles must be a list of role ids or names")
    for ref in refs:
        customer.activated_roles.add(resolve_role(customer, ref))


def resolve_role(customer, ref):
    """A seed's role reference (id, current or legacy name) -> role id."""
    ref_l = str(ref).lower()
    if ref_l in customer.roles:
        return ref_l
    for rid, names in customer.roles.items():
        if ref_l in (names[0].lower(), names[1].lower()):
            return rid
    raise SeedError("customer %s has no directory role %r" % (customer.id, ref))


# ---- route handlers ----------------------------------------------------------------------

def handle_list_directory_roles(emu, req):
    return Response(200, list_directory_roles(emu.state, req.params["cid"]))


def handle_list_user_directory_roles(emu, req):
    return Response(200, list_user_directory_roles(emu.state, req.params["cid"],
                                                   req.params["uid"]))


def handle_list_role_members(emu, req):
    return Response(200, list_role_members(emu.state, req.params["cid"], req.params["rid"],
                                           req.one("size"), req.one("seekOperation"),
                                           req.continuation_token))


def handle_add_role_member(emu, req):
    return Response(201, add_role_member(emu.state, req.params["cid"], req.params["rid"],
                                         req.data))


def handle_remove_role_member(emu, req):
    remove_role_member(emu.state, req.params["cid"], req.params["rid"], req.params["uid"])
    return Response(204)
