"""The data model: entities (customer, user, SKU), reference data (countries, default
roles, license groups, name rules), small helpers and the error answers the resources
share.  No locking here: :class:`state.State` holds the one lock."""

import calendar
import hashlib
import json
import re
import time
import uuid
from collections import OrderedDict

from .responses import ApiError

# --------------------------------------------------------------------------
# reference data

ISO_COUNTRIES = frozenset((
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW").split())
assert len(ISO_COUNTRIES) == 249

# (template id, current name, legacy name)
DEFAULT_ROLES = (
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator", "Company Administrator"),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", "User Account Administrator"),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", "Helpdesk Administrator"),
    ("f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator",
     "Service Support Administrator"),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Billing Administrator"),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Directory Readers"),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator",
     "Exchange Service Administrator"),
)

# Activated in a fresh customer (the rest of the catalogue only with
# ``activated_roles_only``): Company/Global, User Account/User, Helpdesk and Service
# Support Administrator (reference §10 row 5).
DEFAULT_ACTIVATED_ROLES = frozenset(rid for rid, _name, _legacy in DEFAULT_ROLES[:4])

LICENSE_GROUPS = ("group1", "group2")

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"   # Microsoft Graph's application id

GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
UPN_LOCAL_RE = re.compile(r"^[A-Za-z0-9'.\-_!#^~]+$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def is_guid(value):
    return isinstance(value, str) and GUID_RE.match(value) is not None


def new_guid():
    return str(uuid.uuid4())


def iso(epoch):
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_iso(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1]
    text = text.split(".", 1)[0]
    try:
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        raise SeedError("bad timestamp %r (use YYYY-MM-DDTHH:MM:SSZ)" % value)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lower_keys(obj):
    """Recursively lower-case every dict key (request bodies may be camelCase
    or PascalCase; the emulator matches keys case-insensitively)."""
    if isinstance(obj, dict):
        return {str(k).lower(): lower_keys(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [lower_keys(v) for v in obj]
    return obj


# --------------------------------------------------------------------------
# errors

class SeedError(ValueError):
    pass


def invalid_property(description):
    return ApiError(400, 3000, description)


def bad_query(description):
    return ApiError(400, 2000, description, source="PartnerApiServiceControllers")


def user_not_found():
    return ApiError(404, 60002, "User object Id is not found")


def invalid_usage_location():
    return ApiError(400, 3004, "License assignment cannot be done for user with invalid usage "
                               "location.")


def tenant_not_found():
    return ApiError(404, 60003, "Tenant not found")


def omit_nulls(obj):
    """``obj`` without the null fields of its objects, at every depth (``lean_bodies``)."""
    if isinstance(obj, dict):
        return type(obj)((k, omit_nulls(v)) for k, v in obj.items() if v is not None)
    if isinstance(obj, list):
        return [omit_nulls(v) for v in obj]
    return obj


# --------------------------------------------------------------------------
# entities

class User(object):
    __slots__ = ("id", "upn", "first_name", "last_name", "display_name", "usage_location",
                 "immutable_id", "phone_number", "state", "soft_deletion_time",
                 "password_sha256", "password_changes", "force_change_password",
                 "visible_at", "created_at", "member_ready_at", "roles", "licenses",
                 "dormant_licenses", "original_upn",
                 # Microsoft Graph's view of the same user (resources/graph_users.py)
                 "job_title", "department", "office_location", "company_name", "employee_id",
                 "mobile_phone", "business_phones", "account_enabled", "manager_id",
                 "graph_visible_at", "on_premises_sync", "mail")

    def __init__(self, uid, upn):
        self.id = uid
        self.upn = upn
        self.first_name = None
        self.last_name = None
        self.display_name = None
        self.usage_location = None
        self.immutable_id = None
        self.phone_number = None
        self.state = "active"
        self.soft_deletion_time = None
        self.password_sha256 = None
        self.password_changes = 0
        self.force_change_password = None
        self.visible_at = 0.0
        self.created_at = 0.0
        self.member_ready_at = 0.0   # role and license routes see the user from then on
        self.roles = set()
        self.licenses = OrderedDict()        # sku id -> excluded plan ids (list)
        self.dormant_licenses = OrderedDict()  # licenses released by a soft delete
        self.original_upn = None  # deleted_upn_style=prefixed: the UPN before the delete
        self.job_title = None
        self.department = None
        self.office_location = None
        self.company_name = None
        self.employee_id = None
        self.mobile_phone = None
        self.business_phones = []
        self.account_enabled = True
        self.manager_id = None
        self.graph_visible_at = 0.0  # graph_lag: Graph sees the user from then on
        self.on_premises_sync = False  # synchronised from on-premises: Graph cannot change it
        self.mail = None


class Sku(object):
    def __init__(self, sku_id, name, part_number, group, plans, total):
        self.id = sku_id
        self.name = name
        self.sku_part_number = part_number
        self.license_group_id = group
        self.target_type = "User"
        self.service_plans = plans  # list of dicts
        self.total_units = total
        self.extra_consumed = 0
        self.assigned = 0
        self.warning_units = 0
        self.suspended_units = 0
        self.capability_status = "Enabled"

    @property
    def consumed(self):
        return self.extra_consumed + self.assigned

    @property
    def available(self):
        return self.total_units - self.consumed


class Customer(object):
    def __init__(self, cid, company_name, domain):
        self.id = cid
        self.commerce_id = new_guid()
        self.company_name = company_name
        self.domain = domain
        self.custom_domains = []
        self.relationship = "reseller"
        self.allow_delegated_access = True
        self.users = {}
        self.order = []          # append-only list of user ids (purged ids stay as tombstones)
        self.upn_index = {}      # lower-case UPN -> user id (active and soft-deleted)
        self.deleted = set()
        self.roles = OrderedDict()          # role id -> (current name, legacy name)
        self.activated_roles = set()        # role ids activated in the directory
        self.role_members = {}              # role id -> {user id: position in role_order}
        self.role_order = {}                # role id -> append-only list of user ids
        self.skus = OrderedDict()
        self.consents = OrderedDict()       # application id (lower) -> consent (resources/consents.py)
        self.groups = OrderedDict()         # group id -> Group (resources/graph_groups.py)
        self.revocations = []               # (user id, emulator time) of revokeSignInSessions

    def domains(self):
        return [self.domain.lower()] + [d.lower() for d in self.custom_domains]


def parse_filter_json(filter_raw):
    """The ``filter`` query parameter: (Field, Value, Operator) strings, or 400/2000."""
    try:
        flt = json.loads(filter_raw.lstrip("\ufeff"))
    except ValueError:
        raise bad_query("The filter is not valid JSON.")
    if not isinstance(flt, dict):
        raise bad_query("The filter must be a JSON object with Field, Value and Operator.")
    flt = lower_keys(flt)
    field, value, op = flt.get("field"), flt.get("value"), flt.get("operator")
    if not isinstance(field, str) or not isinstance(value, str) or not isinstance(op, str):
        raise bad_query("The filter must have string Field, Value and Operator.")
    return field, value, op
