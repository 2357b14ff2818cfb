"""Licenses: subscribed SKUs (per license group), a user's licenses, license updates
(assign with excluded plans, remove, unit accounting), and seeding SKUs."""

from collections import OrderedDict

from ..model import LICENSE_GROUPS, SeedError, Sku, bad_query, invalid_property, \
    invalid_usage_location, new_guid
from ..responses import ApiError, Response


def parse_groups(values):
    """``licenseGroupIds`` query values -> groups; none means group1 only."""
    if not values:
        return ("group1",)
    out = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if part not in LICENSE_GROUPS:
                raise bad_query("Unknown licenseGroupIds value '%s' (use Group1 or Group2)."
                                % part)
            out.append(part)
    return tuple(out)


def render_product(sku, target_type=True):
    fields = [("id", sku.id), ("name", sku.name), ("skuPartNumber", sku.sku_part_number)]
    if target_type:
        fields.append(("targetType", sku.target_type))
    fields.append(("licenseGroupId", sku.license_group_id))
    return OrderedDict(fields)


def render_sku(sku):
    return OrderedDict((
        ("availableUnits", sku.available),
        ("activeUnits", sku.total_units - sku.warning_units),
        ("consumedUnits", sku.consumed),
        ("suspendedUnits", sku.suspended_units),
        ("totalUnits", sku.total_units),
        ("warningUnits", sku.warning_units),
        ("productSku", render_product(sku)),
        ("servicePlans", [dict(p) for p in sku.service_plans]),
        ("capabilityStatus", sku.capability_status),
        ("attributes", {"objectType": "SubscribedSku"}),
    ))


def list_subscribed_skus(st, cid, groups):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        groups = parse_groups(groups)
        items = [render_sku(s) for s in customer.skus.values() if s.license_group_id in groups]
        return st.listing(items, "/customers/%s/subscribedskus" % customer.id)


def user_plans(st, sku, excluded):
    """The service plans a user's license lists (``license_plan_listing``): ``enabled``,
    the SKU's plans minus the excluded ones; ``with_tenant_plans``, and the plans with
    targetType Tenant even when excluded; ``all_with_status``, every plan, with
    capabilityStatus Assigned, or Disabled when excluded."""
    mode = st.config["license_plan_listing"]
    if mode == "all_with_status":
        return [dict(p, capabilityStatus="Disabled" if p["id"] in excluded else "Assigned")
                for p in sku.service_plans]
    return [dict(p) for p in sku.service_plans if p["id"] not in excluded or (
        mode == "with_tenant_plans" and str(p["targetType"]).lower() == "tenant")]


def license_warnings(st, assign):
    """``license_warning``: one LicenseWarning {code, message, servicePlans} for the
    update, naming the service plans it excludes; none by default."""
    message = st.config["license_warning"]
    if not message:
        return []
    names = [p["serviceName"] for sku, excluded, _raw in assign.values()
             for p in sku.service_plans if p["id"] in excluded]
    return [OrderedDict((("code", "LicenseWarning"), ("message", message),
                         ("servicePlans", names)))]


def list_user_licenses(st, cid, uid, groups):
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.member_user(customer, uid)
        groups = parse_groups(groups)
        items = []
        for sku_id, excluded in user.licenses.items():
            sku = customer.skus.get(sku_id)
            if sku is None or sku.license_group_id not in groups:
                continue
            items.append(OrderedDict((
                ("servicePlans", user_plans(st, sku, excluded)),
                ("productSku", render_product(sku, target_type=False)),
                ("attributes", {"objectType": "License"}),
            )))
        return st.listing(items, "/customers/%s/users/%s/licenses" % (customer.id, user.id))


def not_subscribed(sku_ref):
    return ApiError(400, 3005, "The SKU '%s' is not subscribed by the customer." % (sku_ref,))


def license_not_held(st, sku):
    """The 400 for removing a license the user does not hold, in the wording of
    ``license_not_held_code``: Partner Center documents neither (reference §10)."""
    if st.config["license_not_held_code"] == 800002:
        return ApiError(400, 800002, "Invalid request input: the user holds no license of SKU "
                                     "'%s'." % sku.id)
    return ApiError(400, 3005, "The user does not have the license '%s' to remove." % sku.id)


def update_user_licenses(st, cid, uid, body):
    """Assign and remove licenses in one request (all checked before anything changes)."""
    with st.lock:
        customer = st.customer(cid, delegated=True)
        user = st.member_user(customer, uid, license_update=True)
        to_assign = body.get("licensestoassign") or []
        to_remove = body.get("licensestoremove") or []
        if not isinstance(to_assign, list) or not isinstance(to_remove, list):
            raise invalid_property("Invalid property: LicensesToAssign and LicensesToRemove "
                                   "must be lists.")
        if not to_assign and not to_remove:
            raise invalid_property("Invalid property: LicensesToAssign or LicensesToRemove "
                                   "must contain at least one license.")
        assign = OrderedDict()
        groups = set()
        for item in to_assign:
            if not isinstance(item, dict) or not isinstance(item.get("skuid"), str):
                raise invalid_property("Invalid property 'skuId': every license to assign "
                                       "needs a skuId.")
            sku = customer.skus.get(item["skuid"].lower())
            if sku is None:
                raise not_subscribed(item["skuid"])
            excluded = item.get("excludedplans")
            if excluded is not None and not isinstance(excluded, list):
                raise invalid_property("Invalid property 'excludedPlans': a list is expected.")
            plan_ids = set(p["id"] for p in sku.service_plans)
            excluded_l = []
            for plan in excluded or []:
                if not isinstance(plan, str) or plan.lower() not in plan_ids:
                    raise invalid_property("Invalid property 'excludedPlans': '%s' is not a "
                                           "service plan of SKU '%s'." % (plan, sku.id))
                excluded_l.append(plan.lower())
            assign[sku.id] = (sku, excluded_l, excluded)
            groups.add(sku.license_group_id)
        remove = []
        for sku_ref in to_remove:
            sku = customer.skus.get(str(sku_ref).lower()) if isinstance(sku_ref, str) else None
            if sku is None:
                raise not_subscribed(sku_ref)
            if sku.id in assign:
                raise invalid_property("Invalid property: SKU '%s' is both assigned and "
                                       "removed." % sku.id)
            if sku.id not in user.licenses:
                raise license_not_held(st, sku)
            remove.append(sku)
            groups.add(sku.license_group_id)
        if len(groups) > 1:
            raise ApiError(400, 3003, "All licenses in one request must belong to the same "
                                      "license group.")
        if assign and not user.usage_location:
            raise invalid_usage_location()
        for sku_id, (sku, _excl, _raw) in assign.items():
            if sku_id not in user.licenses and sku.available < 1:
                raise ApiError(400, 60012, "We're sorry, it looks like you've run out of "
                               "licenses. Please purchase more licenses and try again.",
                               data=["LicenseQuotaExceededException : Not enough licenses "
                                     "available for %s. Total units: %d, consumed units: %d, "
                                     "available units: %d."
                                     % (sku.sku_part_number, sku.total_units, sku.consumed,
                                        max(sku.available, 0))])
        for sku_id, (sku, excluded_l, _raw) in assign.items():
            if sku_id not in user.licenses:
                sku.assigned += 1
            user.licenses[sku_id] = excluded_l
        for sku in remove:
            del user.licenses[sku.id]
            sku.assigned -= 1
        out = OrderedDict()
        if not st.config["lean_bodies"]:
            out["licensesToAssign"] = [OrderedDict((("excludedPlans", raw), ("skuId", sku_id)))
                                       for sku_id, (_s, _e, raw) in assign.items()]
            out["licensesToRemove"] = [s.id for s in remove]
        elif assign:
            # the docs' lean example: each assigned SKU by its id, its null excludedPlans and the
            # empty licensesToRemove left out
            out["licensesToAssign"] = [{"skuId": sku_id} for sku_id in assign]
        out["licenseWarnings"] = license_warnings(st, assign)
        out["attributes"] = {"objectType": "LicenseUpdate"}
        return out


# ---- seeding -------------------------------------------------------------------------

def seed_sku(customer, raw):
    if not isinstance(raw, dict) or not raw.get("skuPartNumber"):
        raise SeedError("subscribedSkus entries need 'skuPartNumber'")
    sku_id = (raw.get("id") or new_guid()).lower()
    group = str(raw.get("licenseGroupId") or "group1").lower()
    if group not in LICENSE_GROUPS:
        raise SeedError("licenseGroupId must be group1 or group2")
    plans = []
    for plan in raw.get("servicePlans") or []:
        plans.append({
            "displayName": plan.get("displayName") or plan.get("serviceName"),
            "serviceName": plan.get("serviceName") or plan.get("displayName"),
            "id": (plan.get("id") or new_guid()).lower(),
            "capabilityStatus": plan.get("capabilityStatus") or "Enabled",
            "targetType": plan.get("targetType") or "User",
        })
    sku = Sku(sku_id, raw.get("name") or raw["skuPartNumber"], raw["skuPartNumber"], group,
              plans, int(raw.get("totalUnits", 0)))
    sku.extra_consumed = int(raw.get("consumedUnits", 0))
    sku.warning_units = int(raw.get("warningUnits", 0))
    sku.suspended_units = int(raw.get("suspendedUnits", 0))
    if raw.get("targetType"):
        sku.target_type = raw["targetType"]
    customer.skus[sku.id] = sku
    return sku


def resolve_sku(customer, ref):
    """A seed's SKU reference (id or skuPartNumber) -> the Sku."""
    ref_l = str(ref).lower()
    if ref_l in customer.skus:
        return customer.skus[ref_l]
    for sku in customer.skus.values():
        if sku.sku_part_number.lower() == ref_l:
            return sku
    raise SeedError("customer %s has no subscribed SKU %r" % (customer.id, ref))


# ---- route handlers ------------------------------------------------------------------

def handle_list_subscribed_skus(emu, req):
    return Response(200, list_subscribed_skus(emu.state, req.params["cid"],
                                              req.many("licenseGroupIds")))


def handle_list_user_licenses(emu, req):
    return Response(200, list_user_licenses(emu.state, req.params["cid"], req.params["uid"],
                                            req.many("licenseGroupIds")))


def handle_update_user_licenses(emu, req):
    return Response(201, update_user_licenses(emu.state, req.params["cid"], req.params["uid"],
                                              req.data))
