# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""Deciding, not doing: compare a declared user with what Partner Center reports.

Pure functions that build a ``Plan`` whole: ``plan_user`` (the user), ``plan_with_memberships`` (its
roles and licenses, from what ``_lookups`` read), and ``replan`` (once the user is there after a
restore, or after a create found done by someone else).  A Plan is never changed afterwards; the
executor in ``_executor`` applies it (or, in check mode, only reports it).  The single-user and
the many-users forms of ``partnercenter_user`` both use them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.csp.partnercenter.plugins.module_utils._attributes import RETURNED_NAMES, USER_ATTRIBUTES
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError
from ansible_collections.csp.partnercenter.plugins.module_utils._role_names import (
    built_in_role, declarable, known_role_names, portal_name, shown_name,
)
from ansible_collections.csp.partnercenter.plugins.module_utils._suggest import closest_name

# Attributes compared with Partner Center; only those a task gives are compared.
COMPARED_FIELDS = tuple(a.name for a in USER_ATTRIBUTES)
CASE_INSENSITIVE_FIELDS = frozenset(a.name for a in USER_ATTRIBUTES if a.case_insensitive)
REQUIRED_TO_CREATE = ("password",) + tuple(a.name for a in USER_ATTRIBUTES if a.required_to_create)

CREATE, UPDATE, RESTORE, DELETE, NOTHING = "create", "update", "restore", "delete", "nothing"
RENAME, OFFBOARD = "rename", "offboard"
# What the module reports for each kind of plan.
REPORTED_ACTION = {CREATE: "created", UPDATE: "updated", RESTORE: "restored", DELETE: "deleted",
                   NOTHING: "unchanged", RENAME: "renamed", OFFBOARD: "offboarded"}
# The plans mass_change_limit counts: each takes something away from a person (its account, its access, its name).
MASS_CHANGES = (DELETE, OFFBOARD, RENAME)
OFFBOARDED = "offboarded"
PASSWORD_MARKER = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


class DesiredUser:
    """A user as a task declares it.  ``fields`` holds only the attributes the task gives."""

    def __init__(self, user_principal_name, fields=None, password=None, force_change_password=True,
                 update_password="on_create", state="present", option_prefix="", directory_roles=None,
                 licenses=None, graph_fields=None, manager=None, groups=None, revoke_sessions=False, previous=(),
                 allow_privileged=False, offboard_with_graph=True):
        self.user_principal_name = user_principal_name
        self.fields = dict((k, v) for k, v in (fields or {}).items() if v is not None)
        self.password = password
        self.force_change_password = force_change_password
        self.update_password = update_password
        self.state = state
        self.option_prefix = option_prefix  # "users[3]." in the many-users form, for error messages
        self.directory_roles = directory_roles  # {add, remove, set} or None
        self.licenses = licenses  # {add, remove, set} or None
        # Served by Microsoft Graph: the Graph rows of _attributes, the manager's UPN ("" for none), groups
        # ({add, remove, set} of names or ids), and an explicit revocation of the user's sessions.
        self.graph_fields = dict((k, v) for k, v in (graph_fields or {}).items() if v is not None)
        self.manager = manager
        self.groups = groups
        self.revoke_sessions = bool(revoke_sessions)
        self.previous = list(previous or ())  # previous_user_principal_names
        self.allow_privileged = allow_privileged
        if state == OFFBOARDED:
            # Offboarding removes every role and license, whatever the entry still says, and through Graph
            # blocks sign-in (which revokes the sessions once) and removes every direct group membership.
            self.directory_roles, self.licenses = {"set": []}, {"set": []}
            self.manager, self.revoke_sessions = None, False
            self.graph_fields, self.groups = ({"account_enabled": False}, {"set": []}) if offboard_with_graph \
                else ({}, None)

    @property
    def declares_graph(self):
        """Whether this user needs Microsoft Graph (a token in the customer's tenant, the app's consent there)."""
        return self.state != "absent" and bool(self.graph_fields or self.manager is not None or
                                               self.groups is not None or self.revoke_sessions)

    @property
    def declares_memberships(self):
        return self.state != "absent" and (self.directory_roles is not None or self.licenses is not None)

    @property
    def previous_keys(self):
        return [name.lower() for name in self.previous]

    @property
    def key(self):
        return self.user_principal_name.lower()


class Plan:
    """What to do to one user: its kind (CREATE ...), the attribute changes, the password, the memberships."""

    def __init__(self, kind, desired, current=None, changes=None, reset_password=False, send_password=False,
                 memberships=None, refusal=None, graph=None, graph_current=None, removed=None):
        self.kind = kind
        self.desired = desired
        self.current = current
        self.changes = changes or {}  # field -> new value
        self.reset_password = reset_password
        self.send_password = send_password
        self.memberships = memberships  # a MembershipPlan, once roles and licenses are planned
        self.refusal = refusal  # a failure known before sending (a UPN on a foreign domain ...): nothing is sent
        self.graph = graph  # a _graph_planner.GraphPlan, once the user's Graph options are planned
        self.graph_current = graph_current  # the declared Graph keys as Graph has them now (returned when unchanged)
        self.removed = removed  # OFFBOARD: {directory_roles: [names], licenses: [{sku, disabled_plans}]}

    def but(self, **changed):
        """A new Plan: this one with ``changed`` attributes (a Plan is never changed once made)."""
        values = dict(kind=self.kind, desired=self.desired, current=self.current, changes=self.changes,
                      reset_password=self.reset_password, send_password=self.send_password,
                      memberships=self.memberships, refusal=self.refusal, graph=self.graph,
                      graph_current=self.graph_current, removed=self.removed)
        values.update(changed)
        return Plan(**values)

    def offboarding_record(self):
        """What an offboarding removed, and the declaration that gives it back (paste it as the user's entry)."""
        removed = dict(self.removed or {})
        reactivate = dict(user_principal_name=self.desired.user_principal_name, state="present",
                          directory_roles={"set": list(removed.get("directory_roles") or [])},
                          licenses={"set": [dict(item) for item in removed.get("licenses") or []]})
        if "groups" in removed:
            # add, not set: groups Graph cannot change (dynamic, synced, mail-enabled) were left as they were
            reactivate["groups"] = {"add": list(removed["groups"])}
        if removed.pop("sign_in_enabled", False):
            reactivate["account_enabled"] = True
        return dict(removed=dict((k, list(v)) for k, v in removed.items()), reactivate=reactivate)

    @property
    def member_id(self):
        """The id whose roles and licenses planning reads; None for a user to create or restore (none yet)."""
        if self.current is None or self.kind in (CREATE, RESTORE):
            return None
        return self.current.get("id")

    @property
    def changed(self):
        return self.kind != NOTHING

    @property
    def action(self):
        return REPORTED_ACTION[self.kind]

    def predicted_user(self):
        """The user as Partner Center would report it after this plan; used in check mode."""
        if self.kind == CREATE:
            user = dict.fromkeys(RETURNED_NAMES)  # every key a real run returns; unknown until created: None
            user.update(self.desired.fields)
            user.update(user_principal_name=self.desired.user_principal_name, state="active",
                        user_domain_type="none")
            return self.with_memberships(user)
        if self.current is None:
            return None
        user = dict(self.current)
        user.update(self.changes)
        if self.kind == RESTORE:
            # Entra may list a deleted user as <object id><UPN>; restored, it has its UPN back.
            user.update(state="active", soft_deletion_time=None, user_principal_name=self.desired.user_principal_name)
        elif self.kind == DELETE:
            user.update(state="inactive")
        return self.with_memberships(user)

    def with_memberships(self, user):
        """``user`` plus the declared roles, licenses and Graph options, as they will be."""
        if user is not None and self.graph is not None:
            user = self.graph.applied_to(user, self.graph_current)
        if user is None or self.memberships is None:
            return user
        user = dict(user)
        m = self.memberships
        if m.roles_after is not None:
            user["directory_roles"] = m.roles_after
        if m.licenses_after is not None:
            user["licenses"] = m.licenses_after
        return user

    def diff(self):
        """``before``/``after`` holding only what changes; never a password."""
        if self.kind == NOTHING:
            return {}, {}
        if self.kind == CREATE:
            after = dict((k, v) for k, v in self.predicted_user().items() if v is not None)
            if self.send_password:
                after["password"] = PASSWORD_MARKER
            if self.memberships is not None and self.memberships.disabled_after:
                after["disabled_plans"] = self.memberships.disabled_after
            return {}, after
        if self.kind == OFFBOARD:
            # what was removed, as a declaration gives it back (licenses with their disabled plans)
            before = dict((k, self.current.get(k)) for k in self.changes)
            after = dict(self.changes, password=PASSWORD_MARKER)
            for name, removed in sorted((self.removed or {}).items()):
                if name != "sign_in_enabled":
                    before[name], after[name] = removed, []
            if self.graph is not None:
                graph_before, graph_after = self.graph.diff()
                before.update(graph_before)
                after.update(graph_after)
            return before, after
        before = dict((k, self.current.get(k)) for k in self.changes)
        after = dict(self.changes)
        if self.kind in (RESTORE, DELETE):
            before["state"] = self.current.get("state")
            after["state"] = "active" if self.kind == RESTORE else "inactive"
        if self.reset_password or (self.kind == RESTORE and self.send_password):
            after["password"] = PASSWORD_MARKER
        m = self.memberships
        if m is not None:
            if m.roles_add or m.roles_remove:
                before["directory_roles"], after["directory_roles"] = m.roles_before, m.roles_after
            if m.licenses_before != m.licenses_after:  # not when only a kept SKU's disabled plans change
                before["licenses"], after["licenses"] = m.licenses_before, m.licenses_after
            if m.disabled_after:
                before["disabled_plans"], after["disabled_plans"] = m.disabled_before, m.disabled_after
        if self.graph is not None:
            graph_before, graph_after = self.graph.diff()
            before.update(graph_before)
            after.update(graph_after)
        return before, after


def field_differs(field, wanted, current):
    if field in CASE_INSENSITIVE_FIELDS and isinstance(wanted, str) and isinstance(current, str):
        return wanted.upper() != current.upper()
    return wanted != current


def _changes(desired, current):
    changes = {}
    for field in COMPARED_FIELDS:
        if field in desired.fields and field_differs(field, desired.fields[field], current.get(field)):
            value = desired.fields[field]
            changes[field] = value.upper() if field in CASE_INSENSITIVE_FIELDS else value
    return changes


def needs_deleted_lookup(desired, active):
    """Deleted users are listed only for a user declared present and not active."""
    return desired.state == "present" and active is None


def plan_user(desired, active, deleted=None, renamed=None):
    """The plan that makes Partner Center match ``desired``.

    ``active`` is the matching active user (snake_case) or ``None``; ``deleted`` the
    matching soft-deleted user, consulted only when ``needs_deleted_lookup`` said so;
    ``renamed`` the active user known by one of its previous names (``_lookups.previously_named``).
    Raises ``InputError`` when the user must be created but lacks what creation needs.
    """
    if desired.state == "absent":
        return Plan(DELETE if active else NOTHING, desired, current=active)

    if desired.state == OFFBOARDED:
        # Offboarded under the name it has, or under its previous one; memberships decide whether it is
        # offboarded already (plan_with_memberships).
        current = active if active is not None else renamed
        changes = _changes(desired, current) if current is not None else {}
        return Plan(UPDATE if changes else NOTHING, desired, current=current, changes=changes)

    if active is None and renamed is not None:
        # Renamed in place (PATCH userPrincipalName): the same object, with its id, mailbox, roles,
        # licenses and groups.
        changes = _changes(desired, renamed)
        changes["user_principal_name"] = desired.user_principal_name
        reset = desired.update_password == "always" and desired.password is not None
        return Plan(RENAME, desired, current=renamed, changes=changes, reset_password=reset)

    if active is not None:
        changes = _changes(desired, active)
        reset = desired.update_password == "always" and desired.password is not None
        return Plan(UPDATE if (changes or reset) else NOTHING, desired, current=active, changes=changes,
                    reset_password=reset)

    if deleted is not None:
        # A soft-deleted UPN cannot be re-created while it is retained: restoring is what
        # "present" means, with any changed attributes in the same request.
        return Plan(RESTORE, desired, current=deleted, changes=_changes(desired, deleted),
                    send_password=desired.password is not None)

    missing = [name for name in REQUIRED_TO_CREATE
               if (desired.password if name == "password" else desired.fields.get(name)) is None]
    if missing:
        raise InputError(
            desired.option_prefix + missing[0],
            "user %s does not exist in the customer, and creating it needs %s"
            % (desired.user_principal_name, ", ".join(desired.option_prefix + m for m in missing)))
    return Plan(CREATE, desired, send_password=True)


def plan_with_memberships(plan, held):
    """``plan`` (a new Plan) with the role and license changes from what the user holds; an otherwise unchanged
    user becomes an update.  ``held`` is what ``_lookups`` read: a ``Held``.  Raises InputError for unknown
    roles or SKUs, and for licenses on a user without a usage location.
    """
    current = held.user if held.user is not None else plan.current
    usage_location = plan.desired.fields.get("usage_location") or (current or {}).get("usage_location")
    memberships = plan_memberships(plan.desired, held.roles, held.licenses, held.catalogue, held.skus, usage_location)
    if plan.desired.state == OFFBOARDED and plan.current is not None and memberships.changed:
        # Something to take away: offboard it, its password replaced by a random one (the executor makes it).
        # A user holding nothing is offboarded already: a rerun writes nothing.
        return plan.but(kind=OFFBOARD, memberships=memberships, reset_password=True,
                        removed=removed_memberships(memberships, held))
    kind = UPDATE if plan.kind == NOTHING and memberships.changed else plan.kind
    return plan.but(kind=kind, memberships=memberships)


def removed_memberships(memberships, held):
    """What offboarding takes away, in the form a declaration gives it back: role names, SKUs with disabled plans."""
    skus = dict((s["id"].lower(), s) for s in held.skus)
    licenses = []
    for sku_id in memberships.licenses_remove:
        sku = skus.get(sku_id)
        if sku is None:
            licenses.append({"sku": sku_id, "disabled_plans": []})
            continue
        names = dict((p["id"].lower(), p.get("service_name") or p["id"]) for p in user_plans(sku))
        disabled = disabled_plans(sku, [i.lower() for i in held.licenses.get(sku_id) or
                                        held.licenses.get(sku["id"]) or []])
        licenses.append({"sku": sku.get("sku_part_number") or sku_id,
                         "disabled_plans": sorted(names.get(i, i) for i in disabled)})
    # as names a declaration accepts: the record is pasted back to re-activate the user
    return {"directory_roles": [declarable(name) for name in memberships.roles_before or []],
            "licenses": sorted(licenses, key=lambda item: item["sku"])}


def plan_with_graph(plan, graph, graph_current=None):
    """``plan`` (a new Plan) with its Graph steps (a ``_graph_planner.GraphPlan``); an otherwise unchanged user
    becomes an update.  ``graph_current``: the declared Graph keys as Graph has them (returned when unchanged)."""
    if plan.desired.state == OFFBOARDED and plan.current is not None and graph.changed:
        # Sign-in still enabled, or a group left: offboard it (the password too), whatever Partner Center held.
        removed = dict(plan.removed or {"directory_roles": [], "licenses": []})
        removed["groups"] = sorted(g.display_name for g in graph.groups_remove)
        removed["sign_in_enabled"] = graph.before.get("account_enabled") is not False and \
            graph.changes.get("account_enabled") is False
        return plan.but(kind=OFFBOARD, graph=graph, graph_current=graph_current, reset_password=True, removed=removed)
    kind = UPDATE if plan.kind == NOTHING and graph.changed else plan.kind
    return plan.but(kind=kind, graph=graph, graph_current=graph_current)


def with_refusal(plan, refusal):
    """``plan`` (a new Plan) refused before sending: ``refusal`` is its failure, and nothing is sent for it."""
    return plan.but(refusal=refusal)


def replan(plan, user, held=None):
    """The plan once ``user`` is there: after ``plan``'s restore, or after its create found the user created.

    A restored user is the same restore, its memberships planned from what it holds again after the
    restore (``held``, a ``Held``); a user someone else created is converged like an existing one: its
    attributes compared with ``user``, then its memberships.  ``held`` is None when it declares none.
    """
    again = plan if plan.kind == RESTORE else plan_user(plan.desired, user).but(
        graph=plan.graph, graph_current=plan.graph_current)
    if plan.graph is not None and again.kind == NOTHING and plan.graph.changed:
        again = again.but(kind=UPDATE)
    return again if held is None else plan_with_memberships(again, held)


class Held:
    """What planning a user's memberships reads: the role ids and licenses ({sku id: enabled plan ids}) it
    holds, the customer's role catalogue and SKUs, and ``user`` when read after a write (else the plan's)."""

    def __init__(self, roles=(), licenses=None, catalogue=(), skus=(), user=None):
        self.roles = list(roles)
        self.licenses = dict(licenses or {})
        self.catalogue = list(catalogue)
        self.skus = list(skus)
        self.user = user


# -- directory roles and licenses -------------------------------------------------------
#
# Both follow microsoft.ad's list semantics: ``add`` and ``remove`` touch only what they
# name; ``set`` makes the membership exactly the list (and wins over add/remove).


def plan_list(current, add=None, remove=None, exact=None):
    """(to_add, to_remove), sorted, that turn ``current`` into what the declaration asks."""
    current = set(current)
    if exact is not None:
        target = set(exact)
    else:
        target = (current | set(add or ())) - set(remove or ())
    return sorted(target - current), sorted(current - target)


def _did_you_mean(given, known, shown=None):
    """" Did you mean X?" when a known name is near ``given``, else ""."""
    meant = closest_name(given, known)
    return "" if meant is None else " Did you mean %s?" % (shown(meant) if shown else repr(meant))


def resolve_roles(names, catalogue, option, shown=None):
    """Role names (as the directory lists them or as the Entra admin center names them, any case) or ids -> ids.

    ``shown``, a dict, gets each role's name as the task declared it (``_role_names.shown_name``) by its id.
    A built-in role the customer's catalogue does not list is not activated there: Entra lists
    only roles that were activated in the tenant, so the message says so rather than "unknown".
    Messages list the roles by the admin center's names (the listed one beside it where they differ).
    """
    by_key, listed = {}, {}
    for role in catalogue:
        by_key[(role.get("id") or "").lower()] = role["id"]
        by_key[(role.get("name") or "").lower()] = role["id"]
        listed[role["id"]] = role.get("name") or role["id"]
    roles_are = ", ".join(sorted(portal_name(r["name"]) for r in catalogue))
    resolved = []
    for name in names or ():
        role_id = by_key.get(str(name).lower())
        built_in = built_in_role(name) if role_id is None else None
        if built_in is not None:
            template_id, aliases = built_in
            role_id = by_key.get(template_id) or next(
                (by_key[a.lower()] for a in aliases if a.lower() in by_key), None)
            if role_id is None:
                raise InputError(option, "directory role %r (%s, template id %s) is not activated in this customer's "
                                 "directory, whose catalogue lists only activated roles: %s. Activate it in the "
                                 "customer's tenant (assign it once in the Entra admin center, or POST "
                                 "/directoryRoles with its roleTemplateId through Microsoft Graph), then run again"
                                 % (name, aliases[0], template_id, roles_are))
        if role_id is None:
            raise InputError(option, "unknown directory role %r.%s The customer's roles are: %s" % (
                name, _did_you_mean(str(name), known_role_names(r["name"] for r in catalogue)), roles_are))
        if shown is not None:
            shown[role_id.lower()] = shown_name(name, listed[role_id])
        resolved.append(role_id)
    return resolved


def _sku_shown(sku):
    """A SKU as messages name it: its part number, with its product name beside it."""
    part, product = sku.get("sku_part_number"), sku.get("name")
    return "%s (%s)" % (part, product) if product and product != part else str(part)


def resolve_licenses(items, skus, option):
    """License items (a SKU part number, product name or id, or {sku, disabled_plans}) ->
    {sku_id: disabled plan ids or None}.

    ``None`` means the declaration says nothing about disabled plans.  A product name ("Microsoft 365 E3", as the
    portal shows a subscription) finds the SKU of that name, if only one of the customer's SKUs has it.
    """
    by_key, by_product = {}, {}
    for sku in skus:
        by_key[(sku.get("id") or "").lower()] = sku
        by_key[(sku.get("sku_part_number") or "").lower()] = sku
        if sku.get("name"):
            by_product.setdefault(sku["name"].strip().lower(), []).append(sku)
    known = sorted(set([s["sku_part_number"] for s in skus if s.get("sku_part_number")] +
                       [s["name"] for s in skus if s.get("name")]))
    resolved = {}
    for item in items or ():
        name, disabled = (item.get("sku"), item.get("disabled_plans")) if isinstance(item, dict) else (item, None)
        sku = by_key.get(str(name).lower())
        named = by_product.get(str(name).strip().lower()) or []
        if sku is None and len(named) > 1:
            raise InputError(option, "%r is the product name of several of the customer's subscribed SKUs: %s; give "
                             "the part number of the one meant" % (name, ", ".join(sorted(_sku_shown(s) for s in named))))
        sku = sku or (named[0] if named else None)
        if sku is None:
            meant = closest_name(str(name), known)
            meant_sku = by_key.get(meant.lower()) or (by_product.get(meant.lower()) or [None])[0] if meant else None
            raise InputError(option, "the customer has no subscribed SKU %r.%s It has: %s" % (
                name, " Did you mean %s?" % _sku_shown(meant_sku) if meant_sku else "",
                ", ".join(sorted(_sku_shown(s) for s in skus if s.get("sku_part_number")))))
        plan_ids = None
        if disabled is not None:
            plans = {}
            for plan in sku.get("service_plans") or []:
                plans[(plan.get("id") or "").lower()] = plan["id"].lower()
                plans[(plan.get("service_name") or "").lower()] = plan["id"].lower()
            plan_ids = []
            for plan_name in disabled:
                if str(plan_name).lower() not in plans:
                    raise InputError(option, "SKU %s has no service plan %r.%s" % (
                        sku["sku_part_number"], plan_name, _did_you_mean(str(plan_name), sorted(
                            p.get("service_name") for p in sku.get("service_plans") or [] if p.get("service_name")))))
                plan_ids.append(plans[str(plan_name).lower()])
            plan_ids = sorted(set(plan_ids))
        resolved[sku["id"].lower()] = plan_ids
    return resolved


class MembershipPlan:
    """Directory role and license changes of one user."""

    def __init__(self, roles_add=(), roles_remove=(), licenses_assign=None, licenses_remove=(),
                 roles_before=None, roles_after=None, licenses_before=None, licenses_after=None):
        self.roles_add = list(roles_add)
        self.roles_remove = list(roles_remove)
        self.licenses_assign = dict(licenses_assign or {})  # sku id -> disabled plan ids
        self.licenses_remove = list(licenses_remove)
        self.roles_before, self.roles_after = roles_before, roles_after
        self.licenses_before, self.licenses_after = licenses_before, licenses_after
        self.licenses_held = []  # SKU ids (lower case) the user holds now
        self.disabled_before, self.disabled_after = {}, {}  # part number -> disabled service plan names

    @property
    def changed(self):
        return bool(self.roles_add or self.roles_remove or self.licenses_assign or self.licenses_remove)


def plan_memberships(desired, current_roles, current_licenses, catalogue, skus, usage_location):
    """The role and license changes for ``desired``; pure.

    ``current_roles`` is a list of role ids, ``current_licenses`` {sku id: enabled plan ids}
    (both empty for a user still to be created).  Raises InputError for unknown roles or
    SKUs, and for licenses on a user without a usage location.
    """
    prefix = desired.option_prefix
    names = dict((r["id"].lower(), portal_name(r["name"])) for r in catalogue)  # updated with the declared names
    sku_by_id = dict((s["id"].lower(), s) for s in skus)
    result = MembershipPlan()

    if desired.directory_roles is not None:
        spec = desired.directory_roles
        option = prefix + "directory_roles"
        current = [r.lower() for r in current_roles]

        def ids(key):
            if spec.get(key) is None:
                return None
            return [r.lower() for r in resolve_roles(spec[key], catalogue, "%s.%s" % (option, key), shown=names)]

        add, remove = plan_list(current, ids("add"), ids("remove"), ids("set"))
        result.roles_add, result.roles_remove = add, remove
        result.roles_before = sorted(names.get(r, r) for r in current)
        result.roles_after = sorted(names.get(r, r) for r in (set(current) | set(add)) - set(remove))

    if desired.licenses is not None:
        spec = desired.licenses
        option = prefix + "licenses"
        current = dict((k.lower(), v) for k, v in current_licenses.items())
        wanted_add = resolve_licenses(spec.get("add"), skus, option + ".add")
        wanted_set = None if spec.get("set") is None else resolve_licenses(spec["set"], skus, option + ".set")
        removed = resolve_licenses(spec.get("remove"), skus, option + ".remove")
        declared = wanted_set if wanted_set is not None else wanted_add
        assign_ids, remove_ids = plan_list(current, declared, removed, None if wanted_set is None else declared)
        assign = dict((sku_id, declared[sku_id]) for sku_id in assign_ids)
        # A kept SKU whose disabled plans are declared and differ is assigned again.
        for sku_id, disabled in declared.items():
            if sku_id in current and disabled is not None and sku_id not in remove_ids:
                if disabled_plans(sku_by_id[sku_id], current[sku_id]) != disabled:
                    assign[sku_id] = disabled
        if assign and not usage_location:
            raise InputError(option, "user %s has no usage_location, and Partner Center cannot license a user "
                                     "without one; set usage_location" % desired.user_principal_name)
        result.licenses_assign, result.licenses_remove = assign, remove_ids
        result.licenses_held = sorted(current)

        def part_numbers(ids):
            return sorted(sku_by_id[i]["sku_part_number"] if i in sku_by_id else i for i in ids)

        result.licenses_before = part_numbers(current)
        result.licenses_after = part_numbers((set(current) | set(assign)) - set(remove_ids))
        result.disabled_before, result.disabled_after = _disabled_plan_names(
            current, assign, remove_ids, sku_by_id)
    return result


def user_plans(sku):
    """The SKU's service plans a user can hold: tenant-level plans are not the user's to enable or disable."""
    return [p for p in sku.get("service_plans") or [] if (p.get("target_type") or "user").lower() != "tenant"]


def disabled_plans(sku, enabled_ids):
    """Sorted ids of the SKU's user plans not in ``enabled_ids``."""
    return sorted(set(p["id"].lower() for p in user_plans(sku)) - set(enabled_ids))


def _disabled_plan_names(current, assign, remove_ids, sku_by_id):
    """{part number: disabled plan names} before and after, for SKUs whose disabled plans change."""
    before, after = {}, {}
    for sku_id, disabled in assign.items():
        sku = sku_by_id.get(sku_id)
        if sku is None:
            continue
        names = dict((p["id"].lower(), p.get("service_name") or p["id"]) for p in user_plans(sku))
        was = disabled_plans(sku, current[sku_id]) if sku_id in current else None
        will = disabled if disabled is not None else []
        if was == will or (was is None and not will):  # a SKU assigned with every plan: no plan to name
            continue
        if was is not None:
            before[sku["sku_part_number"]] = sorted(names.get(i, i) for i in was)
        after[sku["sku_part_number"]] = sorted(names.get(i, i) for i in will)
    return before, after
