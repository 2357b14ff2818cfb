"""The knobs: one table gives each knob's default, its allowed values and its CLI help.

``POST /_emulator/config``, ``reset.config``, ``start(options)`` and the command line
(``cli.py`` builds one option per knob from this table) all go through
:func:`validate_config`.
"""

from collections import OrderedDict


class ConfigError(ValueError):
    pass


class Knob(object):
    """One knob.  ``kind`` is the type of ``default`` (bool, int, float or str);
    ``choices`` limits the values; ``minimum``/``maximum`` bound numbers;
    ``http_error`` asks for a 400..599 status."""
    __slots__ = ("name", "default", "choices", "minimum", "maximum", "http_error", "help")

    def __init__(self, name, default, choices=None, minimum=None, maximum=None,
                 http_error=False, help=None):  # pylint: disable=redefined-builtin
        self.name = name
        self.default = default
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.http_error = http_error
        self.help = help

    @property
    def flag(self):
        """The command-line option (booleans that default to true are turned off)."""
        if self.default is True:
            return "--no-" + self.name.replace("_", "-")
        return "--" + self.name.replace("_", "-")


KNOBS = (
    Knob("default_page_size", 100, minimum=1),
    Knob("max_page_size", 500, minimum=1),
    Knob("create_status", 201, choices=(200, 201)),
    Knob("duplicate_upn_status", 409, http_error=True),
    Knob("password_reset_route", "both", choices=("both", "resetpassword", "user")),
    Knob("next_link_style", "relative", choices=("relative", "v1")),
    Knob("get_deleted_user", "404", choices=("404", "return")),
    Knob("latency_ms", 0, minimum=0),
    Knob("latency_on_token", False),
    Knob("throttle_rate", 0.0, minimum=0.0, maximum=1.0),
    Knob("retry_after", 1, minimum=0),
    Knob("throttle_over_rate", 0, minimum=0,
         help="answer 429 (Retry-After: --retry-after) to an API request when more than N "
              "API requests arrived within the last second; 0: off"),
    Knob("error_rate", 0.0, minimum=0.0, maximum=1.0),
    Knob("error_status", 503, http_error=True),
    Knob("bom", False),
    Knob("pascal_case", False),
    Knob("token_lifetime", 3600, minimum=0),
    Knob("replication_lag", 0, minimum=0),
    Knob("member_route_lag", 0.0, minimum=0.0,
         help="seconds after a create during which role and license routes answer 404 for "
              "the new user"),
    Knob("member_route_lag_license_error", "not_found", choices=("not_found", "usage_location")),
    Knob("random_seed", 0),
    Knob("mfa_required", True, help="do not refuse App+User tokens without the MFA claim "
                                    "(--mfa-required: refuse them, the default)"),
    Knob("token_mfa", True, help="the configured refresh token's sign-in had no MFA: its "
                                 "App+User tokens carry amr [\"pwd\"] only"),
    Knob("token_upn", "admin@partner.onmicrosoft.com",
         help="upn / unique_name of the configured refresh token's sign-in"),
    Knob("refresh_token_lifetime_days", 90, minimum=0,
         help="days after its issue a refresh token gets AADSTS700082"),
    Knob("rotate_refresh_tokens", True,
         help="refresh grants answer no new refresh_token (the access token only), as an authority that "
              "does not rotate would"),
    Knob("client_secret_expired", False, help="a right client secret gets AADSTS7000222"),
    Knob("client_secret_invalid", False, help="every client secret gets AADSTS7000215"),
    Knob("consent_missing", False, help="refresh grants get AADSTS65001 (no consent)"),
    Knob("app_not_found", False, help="every grant gets AADSTS700016 (app not in the tenant)"),
    Knob("gdap_denied_code", 900150, choices=(900150, 2032),
         help="Partner Center code of the 403 for a missing GDAP role"),
    Knob("role_member_conflict_status", 409, http_error=True),
    Knob("license_not_held_code", 3005, choices=(3005, 800002),
         help="code (and wording) of the 400 for removing a license the user does not hold: "
              "3005 'does not have the license', 800002 'Invalid request input: ... holds no "
              "license'"),
    Knob("role_names", "legacy", choices=("legacy", "current")),
    Knob("continuation_token_ttl", 600, minimum=0),
    Knob("soft_delete_retention_days", 30, minimum=0),
    Knob("request_log_limit", 200000, minimum=0),
    # Entra semantics behind the API (reference §10); each default is the behaviour before
    # the knob existed.  The ``entra`` profile (below) turns them all on.
    Knob("proxy_address_conflicts", False,
         help="a create whose UPN local part is another user's on another domain gets 400 "
              "proxyAddresses"),
    Knob("in_progress_conflict_rate", 0.0, minimum=0.0, maximum=1.0,
         help="probability that an API write gets 409/800060 'being processed by another "
              "request' before processing"),
    Knob("deleted_upn_style", "kept", choices=("kept", "prefixed")),
    Knob("activated_roles_only", False,
         help="list and accept only activated directory roles"),
    Knob("license_plan_listing", "enabled",
         choices=("enabled", "with_tenant_plans", "all_with_status")),
    Knob("lean_bodies", False,
         help="omit null fields on GET/list, no links on role/SKU/license collections, "
              "license updates answer licenseWarnings and attributes only"),
    Knob("license_warning", "",
         help="every license update answers one licenseWarnings entry with this message"),
    # Microsoft Graph in each customer tenant (reference §11)
    Knob("consent_required_code", 65001, choices=(65001, 650051, 650052),
         help="AADSTS code of the 400 invalid_grant/consent_required a customer-tenant token "
              "request gets while the app is not consented there"),
    Knob("application_consent_exists_status", 409, choices=(409, 400, 201),
         help="answer to POST applicationconsents for an application already consented: "
              "409 (conflict), 400 (bad request) or 201 (the consent is replaced)"),
    Knob("graph_lag", 1.0, minimum=0.0,
         help="seconds (emulator clock) after a Partner Center create before Graph sees "
              "the user (404 Request_ResourceNotFound and absent from listings until then)"),
    Knob("graph_throttle_over_rate", 0, minimum=0,
         help="answer 429 to a Graph request when more than N Graph requests for the same "
              "customer tenant arrived within the last second; 0: off"),
    Knob("graph_retry_after", 1, minimum=0,
         help="seconds in the Retry-After of Graph's 429 answers"),
    Knob("group_write_refusal", "bad_request", choices=("bad_request", "forbidden"),
         help="how Graph refuses a member write on a dynamic, synced, distribution or "
              "mail-enabled security group: 400 Request_BadRequest or 403 "
              "Authorization_RequestDenied"),
    Knob("profile", "default", choices=("default", "entra"),
         help="a set of knob values: entra = every Entra variant on; default = their "
              "defaults (also from the PCEMU_PROFILE environment variable)"),
)
KNOBS_BY_NAME = OrderedDict((k.name, k) for k in KNOBS)
DEFAULT_CONFIG = OrderedDict((k.name, k.default) for k in KNOBS)

# profile -> the knob values it sets.  Setting a profile first sets every knob that any
# profile names back to its default, then the profile's values; knobs given in the same
# request win over both.  README: "Entra variants and the entra profile".
PROFILES = OrderedDict((
    ("default", {}),
    ("entra", OrderedDict((
        ("role_member_conflict_status", 400),          # §10 row 1
        ("proxy_address_conflicts", True),             # row 2
        ("in_progress_conflict_rate", 0.05),           # row 3
        ("deleted_upn_style", "prefixed"),             # row 4
        ("activated_roles_only", True),                # row 5
        ("password_reset_route", "resetpassword"),     # row 6
        ("license_plan_listing", "all_with_status"),   # row 7
        ("lean_bodies", True),                         # row 8
        ("member_route_lag", 3.0),                     # row 9
        ("member_route_lag_license_error", "usage_location"),
        ("duplicate_upn_status", 400),                 # row 10
        ("graph_lag", 5.0),                            # §11 consistency
    ))),
))
assert tuple(PROFILES) == KNOBS_BY_NAME["profile"].choices


def profile_values(name):
    """The knob values profile ``name`` stands for (``profile`` itself included)."""
    out = OrderedDict()
    for values in PROFILES.values():
        for key in values:
            out[key] = DEFAULT_CONFIG[key]
    out.update(PROFILES[name])
    out["profile"] = name
    return out


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _coerce(default, value):
    if isinstance(default, bool):
        if isinstance(value, str):
            if value.lower() in _TRUE:
                return True
            if value.lower() in _FALSE:
                return False
            raise ValueError(value)
        return bool(value)
    if isinstance(default, int):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError(value)
        return int(value)
    if isinstance(default, float):
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    return str(value)


def _check(knob, value):
    if knob.choices is not None and value not in knob.choices:
        raise ConfigError("%s must be one of %s" % (knob.name, list(knob.choices)))
    if knob.http_error and not 400 <= value <= 599:
        raise ConfigError("%s must be an HTTP error status" % knob.name)
    if knob.maximum is not None and not knob.minimum <= value <= knob.maximum:
        raise ConfigError("%s must be within %g..%g" % (knob.name, knob.minimum, knob.maximum))
    if knob.minimum is not None and value < knob.minimum:
        raise ConfigError("%s must be >= %g" % (knob.name, knob.minimum))


def validate_config(partial):
    """Validate and coerce a partial knob dict; returns a new dict."""
    if not isinstance(partial, dict):
        raise ConfigError("config must be a JSON object")
    out = {}
    if "profile" in partial:
        name = partial["profile"]
        if name not in PROFILES:
            raise ConfigError("profile must be one of %s" % list(PROFILES))
        out.update(profile_values(name))
    for key, value in partial.items():
        if key == "profile":
            continue
        knob = KNOBS_BY_NAME.get(key)
        if knob is None:
            raise ConfigError("unknown config knob %r (known: %s)"
                              % (key, ", ".join(sorted(DEFAULT_CONFIG))))
        try:
            value = _coerce(knob.default, value)
        except (TypeError, ValueError, OverflowError):
            raise ConfigError("bad value for %s: %r" % (key, value))
        _check(knob, value)
        out[key] = value
    return out
