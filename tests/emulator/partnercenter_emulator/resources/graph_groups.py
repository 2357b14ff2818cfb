"""Microsoft Graph's groups in a customer tenant: the kinds a seed gives (assigned, dynamic,
synchronised from on-premises, mail-enabled security, distribution, role-assignable,
Microsoft 365) rendered with Graph's ``groupTypes``, ``membershipRule``,
``onPremisesSyncEnabled``, ``mailEnabled``, ``securityEnabled`` and ``isAssignableToRole``;
list (``$filter=displayName eq '…'``), get, members (paged), and adding or removing a member
through ``$ref``, refused as Graph refuses it for the groups it cannot change.
"""

from collections import OrderedDict

from .. import gdap, odata
from ..model import SeedError, is_guid, iso, new_guid
from ..responses import GraphError, Response, graph_bad_request, graph_not_found
from .graph_users import (DEFAULT_PROPERTIES as USER_DEFAULTS, PROPERTIES as USER_PROPERTIES,
                          SYNCED, find_user, graph_customer, object_id, render_user, visible)

GROUP_TYPE = "#microsoft.graph.group"
KINDS = ("assigned", "dynamic", "synced", "mail_enabled_security", "distribution",
         "role_assignable", "m365")
PROPERTIES = ("id", "createdDateTime", "description", "displayName", "groupTypes",
              "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule",
              "membershipRuleProcessingState", "onPremisesSyncEnabled", "securityEnabled",
              "visibility")
FILTER_FIELDS = ("displayName", "id", "mailNickname", "mail")

ALREADY_MEMBER = ("One or more added object references already exist for the following "
                  "modified properties: 'members'.")
NOT_MEMBER = ("One or more removed object references do not exist for the following modified "
              "properties: 'members'.")
# How Graph refuses a member write it cannot make: the synchronised and the Exchange-managed
# groups' messages are Graph's own; the dynamic group's wording is not recorded [inferred].
REFUSALS = {
    "dynamic": "Failed to update the members of a group with dynamic membership: its members "
               "are computed from its membershipRule.",
    "synced": SYNCED,
    "mail_enabled_security": "Cannot Update a mail-enabled security groups and or "
                             "distribution list.",
    "distribution": "Cannot Update a mail-enabled security groups and or distribution list.",
}


class Group(object):
    __slots__ = ("id", "display_name", "kind", "description", "mail_nickname",
                 "membership_rule", "members", "created")

    def __init__(self, gid, display_name, kind):
        self.id = gid
        self.display_name = display_name
        self.kind = kind
        self.description = None
        self.mail_nickname = "".join(c for c in display_name if c.isalnum())[:64] or "group"
        self.membership_rule = None
        self.members = OrderedDict()          # user id -> True, in the order added
        self.created = 0.0


def render_group(group, typed=False, domain=None):
    kind = group.kind
    mail_enabled = kind in ("mail_enabled_security", "distribution", "m365")
    out = OrderedDict()
    if typed:
        out["@odata.type"] = GROUP_TYPE
    out["id"] = group.id
    out["createdDateTime"] = iso(group.created)
    out["description"] = group.description
    out["displayName"] = group.display_name
    out["groupTypes"] = (["DynamicMembership"] if kind == "dynamic" else
                         ["Unified"] if kind == "m365" else [])
    out["isAssignableToRole"] = True if kind == "role_assignable" else None
    out["mail"] = ("%s@%s" % (group.mail_nickname, domain) if mail_enabled and domain
                   else None)
    out["mailEnabled"] = mail_enabled
    out["mailNickname"] = group.mail_nickname
    out["membershipRule"] = group.membership_rule if kind == "dynamic" else None
    out["membershipRuleProcessingState"] = "On" if kind == "dynamic" else None
    out["onPremisesSyncEnabled"] = True if kind == "synced" else None
    out["securityEnabled"] = kind not in ("distribution", "m365")
    out["visibility"] = "Private" if kind == "m365" else None
    return out


def find_group(customer, gid):
    group = customer.groups.get(gid.lower()) if is_guid(gid) else None
    if group is None:
        raise graph_not_found("Resource '%s'" % gid)
    return group


# ---- reads ------------------------------------------------------------------------------

def handle_list_groups(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        gdap.graph_check(req.token, "read_groups")
        names = odata.parse_select(req.one("$select"), PROPERTIES, "group")
        clauses = odata.parse_filter(req.one("$filter"), FILTER_FIELDS)
        top = odata.parse_top(req.one("$top"))

        def match(_i, group):
            rendered = render_group(group, domain=customer.domain)
            return group if clauses is None or odata.matches(clauses, rendered) else None

        found, link = odata.page(st, req, "graph_groups", customer.id, None,
                                 list(customer.groups.values()), match,
                                 top or odata.DEFAULT_PAGE_SIZE)
        items = [odata.select(render_group(g, domain=customer.domain), names or PROPERTIES)
                 for g in found]
        return Response(200, odata.collection(st.graph_url, "groups", items, names, link))


def handle_get_group(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        group = find_group(customer, req.params["gid"])
        gdap.graph_check(req.token, "read_groups")
        names = odata.parse_select(req.one("$select"), PROPERTIES, "group")
        out = OrderedDict([("@odata.context", odata.context(st.graph_url, "groups", names)
                            + "/$entity")])
        out.update(odata.select(render_group(group, domain=customer.domain), names or PROPERTIES))
        return Response(200, out)


def handle_list_members(emu, req):
    """A group's direct members (users Graph sees), paged, with ``$select``."""
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        group = find_group(customer, req.params["gid"])
        gdap.graph_check(req.token, "read_groups")
        names = odata.parse_select(req.one("$select"), USER_PROPERTIES, "user")
        top = odata.parse_top(req.one("$top"))

        def match(_i, uid):
            user = customer.users.get(uid)
            return user if visible(st, user) and uid in group.members else None

        found, link = odata.page(st, req, "graph_members", customer.id, group.id,
                                 list(group.members), match, top or odata.DEFAULT_PAGE_SIZE)
        items = [odata.select(render_user(u, typed=True), names or USER_DEFAULTS) for u in found]
        return Response(200, odata.collection(st.graph_url, "directoryObjects", items, None,
                                              link))


# ---- member writes --------------------------------------------------------------------------

def _check_member_write(st, req, customer, group):
    """GDAP first (role-assignable groups need Privileged Role Administrator), then the
    groups Graph cannot change: 400 Request_BadRequest, or 403 with the knob
    ``group_write_refusal=forbidden``."""
    gdap.graph_check(req.token, "role_assignable_group_members"
                     if group.kind == "role_assignable" else "group_members")
    refusal = REFUSALS.get(group.kind)
    if refusal is not None:
        if st.config["group_write_refusal"] == "forbidden":
            raise GraphError(403, "Authorization_RequestDenied", refusal)
        raise graph_bad_request(refusal)


def handle_add_member(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        group = find_group(customer, req.params["gid"])
        member_id = object_id(req.body)
        _check_member_write(st, req, customer, group)
        user = find_user(st, customer, member_id)
        if user.id in group.members:
            raise graph_bad_request(ALREADY_MEMBER)
        group.members[user.id] = True
        return Response(204)


def handle_remove_member(emu, req):
    st = emu.state
    with st.lock:
        customer = graph_customer(st, req)
        group = find_group(customer, req.params["gid"])
        _check_member_write(st, req, customer, group)
        uid = req.params["uid"].lower()
        if uid not in group.members or not visible(st, customer.users.get(uid)):
            raise GraphError(404, "Request_ResourceNotFound", NOT_MEMBER)
        del group.members[uid]
        return Response(204)


# ---- seeding and the state dump ------------------------------------------------------------

def seed_groups(st, customer, raw_groups):
    """The seed field ``groups``: ``[{"displayName", "id"?, "kind"?, "members": [UPN or
    id], "membershipRule"?, "description"?}]`` (``kind`` defaults to ``assigned``)."""
    if not isinstance(raw_groups, list):
        raise SeedError("groups must be a list")
    for raw in raw_groups:
        if not isinstance(raw, dict) or not isinstance(raw.get("displayName"), str) \
                or not raw["displayName"]:
            raise SeedError("groups entries need a 'displayName'")
        kind = raw.get("kind", "assigned")
        if kind not in KINDS:
            raise SeedError("group kind %r is not one of %s" % (kind, ", ".join(KINDS)))
        gid = (raw.get("id") or new_guid()).lower()
        if not is_guid(gid) or gid in customer.groups:
            raise SeedError("bad or duplicate group id %r" % raw.get("id"))
        group = Group(gid, raw["displayName"], kind)
        group.description = raw.get("description")
        group.created = st.now()
        if kind == "dynamic":
            group.membership_rule = raw.get("membershipRule") or 'user.department -eq "Sales"'
        for ref in raw.get("members") or []:
            uid = ref.lower() if is_guid(ref) else customer.upn_index.get(str(ref).lower())
            if uid is None or uid not in customer.users:
                raise SeedError("member %r of group %r is not a user of this customer"
                                % (ref, group.display_name))
            group.members[uid] = True
        customer.groups[gid] = group


def dump_groups(customer):
    return [OrderedDict((("id", g.id), ("displayName", g.display_name), ("kind", g.kind),
                         ("members", list(g.members))))
            for g in customer.groups.values()]
