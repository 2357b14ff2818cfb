"""GDAP: the admin roles the partner holds in each customer, and THE table of which roles
allow each API operation (the one place it lives; nothing in ``plugins/`` shares it).

Source: Microsoft's DAP-to-GDAP API table,
https://learn.microsoft.com/en-us/partner-center/developer/dap-api-impact (reference
§9.3), and for reading directory roles the per-operation roles of reference §6.1.

Only App+User requests are checked (app-only tokens are not GDAP; the user, role and license
routes refuse them anyway, and the customer routes serve them as before).  A customer
without a ``gdapRoles`` seed field holds every role (``ALL_ROLES``).  An operation that no
held role allows gets 403 with the ``gdap_denied_code`` knob: 900150 "The supplied role
does not have the rights to perform the requested operation" (reference §1.11, S1 error
table) or 2032 "Access denied" (§5.4, §9.3).
"""

from .model import SeedError, is_guid
from .responses import GraphError, pc_error

SOURCE = "https://learn.microsoft.com/en-us/partner-center/developer/dap-api-impact"

DIRECTORY_READERS = "Directory Readers"
DIRECTORY_WRITERS = "Directory Writers"
GLOBAL_READER = "Global Reader"
USER_ADMIN = "User Administrator"
LICENSE_ADMIN = "License Administrator"
PRIVILEGED_ROLE_ADMIN = "Privileged Role Administrator"
PRIVILEGED_AUTH_ADMIN = "Privileged Authentication Administrator"
GROUPS_ADMIN = "Groups Administrator"
APP_ADMIN = "Application Administrator"
CLOUD_APP_ADMIN = "Cloud Application Administrator"
# Not in the table (it lists the least privileged roles); Entra's Global Administrator
# holds every permission, so it allows every operation [inferred].
GLOBAL_ADMIN = "Global Administrator"

# operation -> the roles that allow it (any one).  Operations are route names, plus
# ``restore_user`` (a PATCH with state active), ``set_password`` (a password reset, or a PATCH
# with passwordProfile, of a user without directory roles) and ``set_admin_password`` (the
# same for a user who holds any directory role).
ROLES_BY_OPERATION = {
    "get_customer": (DIRECTORY_READERS,),
    "list_users": (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN),
    "get_user": (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN),
    "create_user": (DIRECTORY_WRITERS, USER_ADMIN),
    "update_user": (DIRECTORY_WRITERS, USER_ADMIN),
    "restore_user": (USER_ADMIN,),                        # §9.3: "the safe reading"
    "delete_user": (USER_ADMIN,),
    "set_password": (USER_ADMIN, PRIVILEGED_AUTH_ADMIN),
    "set_admin_password": (PRIVILEGED_AUTH_ADMIN,),
    "list_subscribed_skus": (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN, LICENSE_ADMIN),
    "list_user_licenses": (DIRECTORY_READERS, DIRECTORY_WRITERS, USER_ADMIN, LICENSE_ADMIN),
    "update_user_licenses": (DIRECTORY_WRITERS, USER_ADMIN, LICENSE_ADMIN),
    # reading the role catalogue and a user's roles: §6.1 "read roles" (User Administrator
    # included); reading a role's members: §9.3 (without it)
    "list_directory_roles": (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN,
                             PRIVILEGED_ROLE_ADMIN, DIRECTORY_WRITERS),
    "list_user_directory_roles": (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN,
                                  PRIVILEGED_ROLE_ADMIN, DIRECTORY_WRITERS),
    "list_role_members": (DIRECTORY_READERS, GLOBAL_READER, DIRECTORY_WRITERS,
                          PRIVILEGED_ROLE_ADMIN),
    "add_role_member": (PRIVILEGED_ROLE_ADMIN,),
    "remove_role_member": (PRIVILEGED_ROLE_ADMIN,),
    # Control Panel Vendor consent (admin consent to delegated Microsoft Graph permissions):
    # "Cloud Application Administrator or Application Administrator, for granting consent
    # for apps requesting any permission for any API, except Microsoft Graph app roles";
    # Privileged Role Administrator for any (learn.microsoft.com/entra/identity/
    # enterprise-apps/grant-admin-consent) [inferred for the Partner Center route]
    "create_application_consent": (APP_ADMIN, CLOUD_APP_ADMIN, PRIVILEGED_ROLE_ADMIN),
    "delete_application_consent": (APP_ADMIN, CLOUD_APP_ADMIN, PRIVILEGED_ROLE_ADMIN),
}

GRAPH_SOURCE = ("https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/"
                "delegate-by-task")
READERS = (DIRECTORY_READERS, GLOBAL_READER, USER_ADMIN, GROUPS_ADMIN, DIRECTORY_WRITERS,
           PRIVILEGED_AUTH_ADMIN, PRIVILEGED_ROLE_ADMIN)
# Microsoft Graph operation -> the Entra roles that allow it (any one; Global Administrator
# allows all): Microsoft's least privileged roles by task (GRAPH_SOURCE), reference §11.
# ``*_admin_*``: the same operation on a user who holds any directory role (Entra protects
# admins: only Privileged Authentication Administrator may change their sign-in state,
# sessions and properties).  Role-assignable groups: Privileged Role Administrator.
GRAPH_ROLES_BY_OPERATION = {
    "read_users": READERS,
    "read_groups": READERS,
    "update_user": (USER_ADMIN, PRIVILEGED_AUTH_ADMIN),
    "update_admin_user": (PRIVILEGED_AUTH_ADMIN,),
    "revoke_sessions": (USER_ADMIN, PRIVILEGED_AUTH_ADMIN),
    "revoke_admin_sessions": (PRIVILEGED_AUTH_ADMIN,),
    "group_members": (GROUPS_ADMIN, USER_ADMIN),
    "role_assignable_group_members": (PRIVILEGED_ROLE_ADMIN,),
}
# ... and the delegated scopes (the token's ``scp``) that allow it, any one: the Graph v1.0
# reference's permissions table of each API (user-list, user-update, user-post-manager,
# user-revokesigninsessions, group-list, group-post-members, group-delete-members).
_READ_USERS = ("User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All",
               "Directory.Read.All", "Directory.ReadWrite.All")
_WRITE_USERS = ("User.ReadWrite.All", "Directory.ReadWrite.All")
_WRITE_MEMBERS = ("GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
GRAPH_SCOPES_BY_OPERATION = {
    "read_users": _READ_USERS,
    "read_groups": ("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All")
    + _WRITE_MEMBERS,
    "update_user": _WRITE_USERS,
    "update_admin_user": _WRITE_USERS,
    "revoke_sessions": ("User.RevokeSessions.All",) + _WRITE_USERS,
    "revoke_admin_sessions": ("User.RevokeSessions.All",) + _WRITE_USERS,
    "group_members": _WRITE_MEMBERS,
    "role_assignable_group_members": _WRITE_MEMBERS,
}
assert set(GRAPH_SCOPES_BY_OPERATION) == set(GRAPH_ROLES_BY_OPERATION)
ALL_ROLES = tuple(sorted({r for table in (ROLES_BY_OPERATION, GRAPH_ROLES_BY_OPERATION)
                          for roles in table.values() for r in roles} | {GLOBAL_ADMIN}))
# Entra's built-in role template ids (the ``wids`` claim of a customer-tenant token), from
# Microsoft Entra built-in roles, learn.microsoft.com/entra/identity/role-based-access-control/
# permissions-reference
TEMPLATE_IDS = {
    GLOBAL_ADMIN: "62e90394-69f5-4237-9190-012177145e10",
    USER_ADMIN: "fe930be7-5e62-47db-91af-98c3a49a38b1",
    GROUPS_ADMIN: "fdd7a751-b60b-444a-984c-02652fe8fa1c",
    PRIVILEGED_AUTH_ADMIN: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    PRIVILEGED_ROLE_ADMIN: "e8611ab8-c189-46e8-94e1-60213ab1f814",
    DIRECTORY_READERS: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    DIRECTORY_WRITERS: "9360feb5-f418-4baa-8175-e2a00bac4301",
    GLOBAL_READER: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    LICENSE_ADMIN: "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    APP_ADMIN: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
    CLOUD_APP_ADMIN: "158c047a-c907-4556-b7ef-446551a6b5f7",
}
assert set(TEMPLATE_IDS) == set(ALL_ROLES)
ROLE_BY_TEMPLATE_ID = {tid: name for name, tid in TEMPLATE_IDS.items()}
_CANONICAL = {r.lower(): r for r in ALL_ROLES}

DENIED = {900150: "The supplied role does not have the rights to perform the requested "
                  "operation",
          2032: "Access denied"}

# PATCH user fields that are not the state or the password (an update of the user)
_NOT_PROFILE = ("state", "passwordprofile", "attributes", "id")


def parse_roles(raw, where="gdapRoles"):
    """A list of role names (case-insensitive) -> a frozenset of canonical names; None or
    "all" -> None (every role).  SeedError (a ValueError) on anything else."""
    if raw is None or raw == "all":
        return None
    if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
        raise SeedError("%s must be a list of role names or \"all\"" % where)
    unknown = [r for r in raw if r.lower() not in _CANONICAL]
    if unknown:
        raise SeedError("%s: unknown GDAP role(s) %s (known: %s)"
                        % (where, unknown, ", ".join(ALL_ROLES)))
    return frozenset(_CANONICAL[r.lower()] for r in raw)


def shown(roles):
    """Roles as the control API shows them (sorted; every role when None)."""
    return sorted(ALL_ROLES if roles is None else roles)


def wids(held):
    """The ``wids`` claim for the roles ``held`` (None: every role), sorted."""
    return sorted(TEMPLATE_IDS[r] for r in (ALL_ROLES if held is None else held))


def operations(req, customer):
    """The operations ``req`` (a pipeline.Request on an API route) performs."""
    name = req.route.name
    if name == "reset_password":
        return [_password_operation(req, customer)]
    if name != "update_user":
        return [name] if name in ROLES_BY_OPERATION else []
    body = req.data
    ops = []
    state = body.get("state")
    if isinstance(state, str) and state.lower() == "active":
        ops.append("restore_user")
    if body.get("passwordprofile") is not None:
        ops.append(_password_operation(req, customer))
    if not ops or any(body.get(k) is not None for k in body if k not in _NOT_PROFILE):
        ops.append("update_user")
    return ops


def _password_operation(req, customer):
    """``set_admin_password`` when the target user holds any directory role [inferred:
    every directory role counts as an admin role], else ``set_password``."""
    uid = req.params.get("uid") or ""
    user = customer.users.get(uid.lower())
    return "set_admin_password" if user is not None and user.roles else "set_password"


def check(emu, req):
    """403 when the partner's GDAP roles in the request's customer allow none of the roles
    of one of its operations; None otherwise (also for app-only tokens, and when the
    customer is unknown or has no delegated access: the handler answers those)."""
    if req.token is None or req.token.kind != "user":
        return None
    cid = req.params.get("cid")
    st = emu.state
    with st.lock:
        customer = st.customers.get(cid.lower()) if is_guid(cid) else None
        if customer is None or not customer.allow_delegated_access:
            return None
        held = st.gdap_roles.get(customer.id)
        if held is None:
            return None
        for op in operations(req, customer):
            if not held.intersection(ROLES_BY_OPERATION[op]) and GLOBAL_ADMIN not in held:
                code = emu.config["gdap_denied_code"]
                return pc_error(403, code, DENIED[code])
    return None


def graph_roles(token):
    """The role names of a Graph token's ``wids``."""
    return {ROLE_BY_TEMPLATE_ID[w] for w in token.wids if w in ROLE_BY_TEMPLATE_ID}


def graph_allows(token, operation):
    scopes = {s.lower() for s in token.scopes}
    if not scopes.intersection(s.lower() for s in GRAPH_SCOPES_BY_OPERATION[operation]):
        return False
    held = graph_roles(token)
    return GLOBAL_ADMIN in held or bool(held.intersection(GRAPH_ROLES_BY_OPERATION[operation]))


def graph_check(token, operation):
    """Graph's 403 Authorization_RequestDenied when neither the token's ``wids`` nor its
    ``scp`` allow ``operation`` (a key of ``GRAPH_ROLES_BY_OPERATION``)."""
    if not graph_allows(token, operation):
        raise GraphError(403, "Authorization_RequestDenied",
                         "Insufficient privileges to complete the operation.")
