"""Customer users: rendering, the UserState filter, list and get, validation, create,
PATCH (update, rename, restore, password), resetpassword, soft delete and purge, and
seeding users."""

from collections import OrderedDict
from urllib.parse import quote

from ..model import (DOMAIN_RE, ISO_COUNTRIES, UPN_LOCAL_RE, SeedError, User, bad_query, iso,
                     invalid_property, is_guid, new_guid, parse_filter_json,
                     parse_iso, sha256, user_not_found)
from ..responses import ApiError, Response, not_found_path
from . import graph_users, licenses, roles


def render_user(st, customer, user, password_profile=None):
    out = OrderedDict()
    out["usageLocation"] = user.usage_location
    out["id"] = user.id
    out["userPrincipalName"] = user.upn
    out["firstName"] = user.first_name
    out["lastName"] = user.last_name
    out["displayName"] = user.display_name
    if user.immutable_id is not None:
        out["immutableId"] = user.immutable_id
    if user.phone_number is not None:
        out["phoneNumber"] = user.phone_number
    if password_profile is not None:
        out["passwordProfile"] = password_profile
    out["lastDirectorySyncTime"] = None
    out["userDomainType"] = "none"
    out["state"] = user.state
    out["softDeletionTime"] = iso(user.soft_deletion_time)
    out["links"] = {"self": st.link("/customers/%s/users/%s" % (customer.id, user.id))}
    out["attributes"] = {"objectType": "CustomerUser"}
    return out


def dump_user(st, customer, user):
    """A user as ``GET /_emulator/state`` shows it (hashes, never passwords)."""
    item = render_user(st, customer, user)
    if user.original_upn is not None:
        item["originalUserPrincipalName"] = user.original_upn
    item["passwordSha256"] = user.password_sha256
    item["passwordChanges"] = user.password_changes
    item["forceChangePassword"] = user.force_change_password
    item["directoryRoles"] = sorted(user.roles)
    item["licenses"] = [{"skuId": k, "excludedPlans": list(v)} for k, v in user.licenses.items()]
    item["dormantLicenses"] = [{"skuId": k, "excludedPlans": list(v)}
                               for k, v in user.dormant_licenses.items()]
    item["visible"] = st.visible(user)
    item.update(graph_users.dump_graph_fields(st, user))
    return item


# ---- list and get ---------------------------------------------------------------------

def parse_user_filter(filter_raw):
    if filter_raw is None:
        return "active"
    field, value, op = parse_filter_json(filter_raw)
    if field.lower() not in ("userstate", "userstatus"):
        raise bad_query("Unsupported filter field '%s' for customer users; only UserState "
                        "is supported." % field)
    if op.lower() != "equals":
        raise bad_query("Unsupported filter operator '%s'; only equals is supported." % op)
    if value.lower() not in ("inactive", "active"):
        raise bad_query("Unsupported UserState value '%s'." % value)
    return value.lower()


def list_users(st, cid, size_raw, filter_raw, seek, token):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        now = st.now()
        by_id = customer.users

        def make_match(state):
            def match(_i, uid):
                user = by_id.get(uid)
                if user is None or user.state != state or user.visible_at > now:
                    return None
                return user
            return match

        first_page_query = "" if filter_raw is None else "&filter=" + quote(filter_raw, safe="")
        return st.page((size_raw, seek, token), "users", customer.id, None, customer.order,
                       lambda: parse_user_filter(filter_raw), make_match,
                       lambda u: st.lean(render_user(st, customer, u)),
                       "/customers/%s/users" % customer.id, first_page_query)


def get_user(st, cid, uid):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        allow = st.config["get_deleted_user"] == "return"
        return st.lean(render_user(st, customer, st.user(customer, uid, allow_deleted=allow)))


# ---- validation ------------------------------------------------------------------------

def check_upn(customer, upn, field="userPrincipalName"):
    if not isinstance(upn, str) or not upn:
        raise invalid_property("Invalid property '%s': the value is required." % field)
    if len(upn) > 113:
        raise invalid_property("Invalid property '%s': '%s' is longer than 113 characters."
                               % (field, upn))
    if upn.count("@") != 1:
        raise invalid_property("Invalid property '%s': '%s' must contain exactly one '@'."
                               % (field, upn))
    local, domain = upn.split("@")
    if not local or len(local) > 64:
        raise invalid_property("Invalid property '%s': the part before '@' must be 1 to 64 "
                               "characters long." % field)
    if not UPN_LOCAL_RE.match(local) or local.startswith(".") or local.endswith(".") \
            or ".." in local:
        raise invalid_property("Invalid property '%s': '%s' contains characters that are not "
                               "allowed in a user principal name." % (field, upn))
    if not DOMAIN_RE.match(domain):
        raise invalid_property("Invalid property '%s': '%s' is not a valid domain name."
                               % (field, domain))
    if domain.lower() not in customer.domains():
        raise invalid_property("Invalid property '%s': the domain '%s' is not a verified "
                               "domain of the customer tenant." % (field, domain))
    return upn


def check_text(value, field, required=False, max_len=256):
    if value is None:
        if required:
            raise invalid_property("Invalid property '%s': the value is required." % field)
        return None
    if not isinstance(value, str):
        raise invalid_property("Invalid property '%s': a string is expected." % field)
    if required and not value.strip():
        raise invalid_property("Invalid property '%s': the value is required." % field)
    if len(value) > max_len:
        raise invalid_property("Invalid property '%s': longer than %d characters."
                               % (field, max_len))
    return value


def check_location(value, required=True):
    if value is None:
        if required:
            raise invalid_property("Invalid property 'usageLocation': the value is required.")
        return None
    if not isinstance(value, str) or value.upper() not in ISO_COUNTRIES:
        raise invalid_property("Invalid property 'usageLocation': '%s' is not a valid "
                               "ISO 3166-1 alpha-2 country code." % (value,))
    return value.upper()


def check_password_profile(profile, required=True):
    """Returns (password, forceChangePassword, echo dict) or None."""
    if profile is None:
        if required:
            raise invalid_property("Invalid property 'passwordProfile.password': a password "
                                   "is required.")
        return None
    if not isinstance(profile, dict):
        raise invalid_property("Invalid property 'passwordProfile': an object is expected.")
    password = profile.get("password")
    force = profile.get("forcechangepassword")
    if password is None:
        raise invalid_property("Invalid property 'passwordProfile.password': a password "
                               "is required.")
    if not isinstance(password, str):
        raise invalid_property("Invalid property 'passwordProfile.password': a string is "
                               "expected.")
    if force is not None and not isinstance(force, bool):
        raise invalid_property("Invalid property 'passwordProfile.forceChangePassword': a "
                               "boolean is expected.")
    classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password),
                   any(not c.isalnum() for c in password)))
    if len(password) < 8 or len(password) > 256 or classes < 3 \
            or any(not (" " <= c <= "~") for c in password):
        # never echo the password in an error
        raise invalid_property("Invalid property 'passwordProfile.password': the password "
                               "does not comply with the password complexity requirements "
                               "(8 to 256 ASCII characters, with 3 of: lower case, upper "
                               "case, digit, symbol).")
    echo = OrderedDict()
    echo["forceChangePassword"] = force if force is not None else False
    echo["password"] = password
    return password, force, echo


def duplicate_upn(status):
    return ApiError(status, 3001, "Another object with the same value for property "
                                  "userPrincipalName already exists.")


def check_proxy_address(st, customer, upn):
    """``proxy_address_conflicts``: 400 when another user, active or soft-deleted (not yet
    purged), has a UPN (its original one, when ``deleted_upn_style=prefixed`` renamed it)
    with the same local part, case-insensitively, on another domain: Entra derives the
    alias and the proxy addresses from the local part (reference §10 row 2)."""
    if not st.config["proxy_address_conflicts"]:
        return
    local, domain = upn.lower().split("@")
    for other in customer.users.values():
        other_local, other_domain = (other.original_upn or other.upn).lower().split("@", 1)
        if other_local == local and other_domain != domain:
            raise ApiError(400, 3007, "Another object with the same value for property "
                                      "proxyAddresses already exists.")


def upn_conflict():
    """A restore whose original UPN an active user holds now (``deleted_upn_style``)."""
    return ApiError(400, 3006, "A conflicting object with one or more of the specified "
                               "property values is present in the directory.")


# ---- writes ------------------------------------------------------------------------------

def insert_user(st, customer, user):
    customer.users[user.id] = user
    customer.order.append(user.id)
    customer.upn_index[user.upn.lower()] = user.id
    if user.state == "inactive":
        customer.deleted.add(user.id)
        st.schedule_purge(user.soft_deletion_time)


def create_user(st, cid, body):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        upn = check_upn(customer, body.get("userprincipalname"))
        display = check_text(body.get("displayname"), "displayName", required=True)
        first = check_text(body.get("firstname"), "firstName")
        last = check_text(body.get("lastname"), "lastName")
        location = check_location(body.get("usagelocation"))
        immutable = check_text(body.get("immutableid"), "immutableId")
        phone = check_text(body.get("phonenumber"), "phoneNumber")
        password, force, echo = check_password_profile(body.get("passwordprofile"))
        if upn.lower() in customer.upn_index:
            raise duplicate_upn(st.config["duplicate_upn_status"])
        check_proxy_address(st, customer, upn)
        user = User(new_guid(), upn)
        user.display_name = display
        user.first_name = first
        user.last_name = last
        user.usage_location = location
        user.immutable_id = immutable
        user.phone_number = phone
        user.password_sha256 = sha256(password)
        user.force_change_password = force
        now = st.now()
        user.created_at = now
        user.visible_at = now + float(st.config["replication_lag"])
        user.member_ready_at = now + float(st.config["member_route_lag"])
        user.graph_visible_at = now + float(st.config["graph_lag"])
        insert_user(st, customer, user)
        return st.config["create_status"], render_user(st, customer, user, echo)


def update_user(st, cid, uid, body):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.user(customer, uid, allow_deleted=True)
        state = body.get("state")
        restore = False
        if user.state != "active":
            if not isinstance(state, str) or state.lower() != "active":
                raise user_not_found()
            restore = True
        elif state is not None:
            if not isinstance(state, str) or state.lower() != "active":
                raise invalid_property("Invalid property 'state': only 'active' (restore) can "
                                       "be set; use DELETE to delete a user.")
        changes = {}
        if body.get("userprincipalname") is not None:
            upn = check_upn(customer, body["userprincipalname"])
            owner = customer.upn_index.get(upn.lower())
            if owner is not None and owner != user.id:
                raise duplicate_upn(st.config["duplicate_upn_status"])
            changes["upn"] = upn
        if body.get("displayname") is not None:
            changes["display_name"] = check_text(body["displayname"], "displayName",
                                                 required=True)
        for key, attr, field in (("firstname", "first_name", "firstName"),
                                 ("lastname", "last_name", "lastName"),
                                 ("immutableid", "immutable_id", "immutableId"),
                                 ("phonenumber", "phone_number", "phoneNumber")):
            if body.get(key) is not None:
                changes[attr] = check_text(body[key], field)
        if body.get("usagelocation") is not None:
            changes["usage_location"] = check_location(body["usagelocation"])
        echo = None
        password = None
        if body.get("passwordprofile") is not None:
            if st.config["password_reset_route"] == "resetpassword":
                raise invalid_property("Invalid property 'passwordProfile': the password can "
                                       "only be reset with the resetpassword operation.")
            password, force, echo = check_password_profile(body["passwordprofile"])
        if restore and "upn" not in changes and user.original_upn is not None:
            owner = customer.upn_index.get(user.original_upn.lower())
            if owner is not None and owner != user.id:
                raise upn_conflict()
        # all validated: apply
        if restore:
            if "upn" in changes:
                user.original_upn = None  # restored under the new UPN
            restore_user(customer, user)
        if "upn" in changes:
            set_upn(customer, user, changes.pop("upn"))
        for attr, value in changes.items():
            setattr(user, attr, value)
        if password is not None:
            set_password(user, password, force)
        return render_user(st, customer, user, echo)


def set_password(user, password, force):
    user.password_sha256 = sha256(password)
    user.password_changes += 1
    user.force_change_password = force


def prefix_upn(user):
    """``deleted_upn_style=prefixed``: a soft-deleted user's UPN becomes its object id
    without dashes + the UPN, which frees the UPN (the caller re-indexes)."""
    user.original_upn = user.upn
    user.upn = user.id.replace("-", "") + user.upn


def set_upn(customer, user, upn):
    customer.upn_index.pop(user.upn.lower(), None)
    user.upn = upn
    customer.upn_index[upn.lower()] = user.id


def restore_user(customer, user):
    """Undo a soft delete; dormant licenses come back while units remain; a UPN freed by
    ``deleted_upn_style=prefixed`` comes back."""
    if user.original_upn is not None:
        set_upn(customer, user, user.original_upn)
        user.original_upn = None
    user.state = "active"
    user.soft_deletion_time = None
    customer.deleted.discard(user.id)
    for sku_id, excluded in user.dormant_licenses.items():
        sku = customer.skus.get(sku_id)
        if sku is not None and sku.available >= 1:
            sku.assigned += 1
            user.licenses[sku_id] = excluded
    user.dormant_licenses = OrderedDict()


def reset_password(st, cid, uid, body):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.user(customer, uid)
        password, force, echo = check_password_profile(body.get("passwordprofile"))
        set_password(user, password, force)
        return render_user(st, customer, user, echo)


def delete_user(st, cid, uid):
    """Soft delete: the user turns inactive and its licenses go dormant."""
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.user(customer, uid)
        user.state = "inactive"
        user.soft_deletion_time = float(int(st.now()))
        if st.config["deleted_upn_style"] == "prefixed":
            customer.upn_index.pop(user.upn.lower(), None)
            prefix_upn(user)
            customer.upn_index[user.upn.lower()] = user.id
        customer.deleted.add(user.id)
        for sku_id, excluded in user.licenses.items():
            sku = customer.skus.get(sku_id)
            if sku is not None:
                sku.assigned -= 1
            user.dormant_licenses[sku_id] = excluded
        user.licenses = OrderedDict()
        st.schedule_purge(user.soft_deletion_time)


def purge_user(customer, user):
    """Remove a soft-deleted user for good (the retention is over)."""
    customer.deleted.discard(user.id)
    del customer.users[user.id]
    customer.upn_index.pop(user.upn.lower(), None)
    for rid in user.roles:
        customer.role_members.get(rid, {}).pop(user.id, None)
    for group in customer.groups.values():
        group.members.pop(user.id, None)
    for other in customer.users.values():
        if other.manager_id == user.id:
            other.manager_id = None
    for sku_id in user.licenses:
        sku = customer.skus.get(sku_id)
        if sku is not None:
            sku.assigned -= 1


# ---- seeding -------------------------------------------------------------------------------

def seed_user(st, customer, raw):
    if not isinstance(raw, dict) or not raw.get("userPrincipalName"):
        raise SeedError("users entries need 'userPrincipalName'")
    upn = raw["userPrincipalName"]
    # a soft-deleted seed user's UPN is free under deleted_upn_style=prefixed
    frees_upn = str(raw.get("state") or "active").lower() == "inactive" \
        and st.config["deleted_upn_style"] == "prefixed"
    if upn.lower() in customer.upn_index and not frees_upn:
        raise SeedError("duplicate userPrincipalName %r" % upn)
    uid = (raw.get("id") or new_guid()).lower()
    if not is_guid(uid) or uid in customer.users:
        raise SeedError("bad or duplicate user id %r" % raw.get("id"))
    user = User(uid, upn)
    user.first_name = raw.get("firstName")
    user.last_name = raw.get("lastName")
    user.display_name = raw.get("displayName") or upn.split("@")[0]
    user.usage_location = raw.get("usageLocation")
    user.immutable_id = raw.get("immutableId")
    user.phone_number = raw.get("phoneNumber")
    graph_users.seed_graph_fields(user, raw)
    if raw.get("password"):
        user.password_sha256 = sha256(raw["password"])
    now = st.now()
    user.created_at = now
    state = str(raw.get("state") or "active").lower()
    if state not in ("active", "inactive"):
        raise SeedError("user state must be active or inactive")
    user.state = state
    if state == "inactive":
        user.soft_deletion_time = parse_iso(raw.get("softDeletionTime")) or now
        if frees_upn:
            prefix_upn(user)
    for role_ref in raw.get("directoryRoles") or []:
        user.roles.add(roles.resolve_role(customer, role_ref))
    for lic in raw.get("licenses") or []:
        if isinstance(lic, dict):
            sku = licenses.resolve_sku(customer, lic.get("skuId") or lic.get("sku"))
            excluded = [p.lower() for p in (lic.get("excludedPlans") or [])]
        else:
            sku = licenses.resolve_sku(customer, lic)
            excluded = []
        target = user.dormant_licenses if state == "inactive" else user.licenses
        if state == "active":
            if sku.available < 1:
                raise SeedError("SKU %s has no units left for %s" % (sku.sku_part_number, upn))
            sku.assigned += 1
        target[sku.id] = excluded
    insert_user(st, customer, user)
    for rid in user.roles:
        roles.add_member(customer, rid, user.id)
    return user


def generate_users(st, customer, gen):
    count = int(gen.get("count", 0))
    prefix = gen.get("prefix") or "user"
    state = str(gen.get("state") or "active").lower()
    location = gen.get("usageLocation", "US")
    width = max(5, len(str(count)))
    start = int(gen.get("start", 1))
    now = st.now()
    made = 0
    for n in range(start, start + count):
        number = str(n).zfill(width)
        upn = "%s%s@%s" % (prefix, number, customer.domain)
        if upn.lower() in customer.upn_index:
            raise SeedError("duplicate userPrincipalName %r" % upn)
        user = User(new_guid(), upn)
        user.first_name = prefix.capitalize()
        user.last_name = number
        user.display_name = "%s %s" % (prefix.capitalize(), number)
        user.usage_location = location
        user.created_at = now
        user.state = state
        if state == "inactive":
            user.soft_deletion_time = now
            if st.config["deleted_upn_style"] == "prefixed":
                prefix_upn(user)
        insert_user(st, customer, user)
        made += 1
    return made


# ---- route handlers ------------------------------------------------------------------------

def handle_list_users(emu, req):
    return Response(200, list_users(emu.state, req.params["cid"], req.one("size"),
                                    req.one("filter"), req.one("seekOperation"),
                                    req.continuation_token))


def handle_get_user(emu, req):
    return Response(200, get_user(emu.state, req.params["cid"], req.params["uid"]))


def handle_create_user(emu, req):
    status, user = create_user(emu.state, req.params["cid"], req.data)
    return Response(status, user)


def handle_update_user(emu, req):
    return Response(200, update_user(emu.state, req.params["cid"], req.params["uid"], req.data))


def handle_reset_password(emu, req):
    if emu.config["password_reset_route"] == "user":
        return not_found_path()
    return Response(200, reset_password(emu.state, req.params["cid"], req.params["uid"],
                                        req.data))


def handle_delete_user(emu, req):
    delete_user(emu.state, req.params["cid"], req.params["uid"])
    return Response(204)
