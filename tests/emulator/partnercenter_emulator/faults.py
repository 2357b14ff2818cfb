"""Reproducible fault injection.

Rules are evaluated in order for every API or identity request (never for
``/_emulator`` control requests).  The first rule that *fires* wins and the
rules after it are not consulted for that request (their ``after`` counters do
not move).  Every random draw comes from one ``random.Random(random_seed)``.
"""

import random
import threading
from urllib.parse import urlsplit

ROUTES = (
    "openid_config", "token", "list_customers", "get_customer", "list_users",
    "get_user", "create_user", "update_user", "reset_password", "delete_user",
    "list_directory_roles", "list_user_directory_roles", "list_role_members",
    "add_role_member", "remove_role_member", "list_subscribed_skus",
    "list_user_licenses", "update_user_licenses",
)

KINDS = ("status", "reset", "commit_then_reset", "commit_then_delay", "delay",
         "bom", "pascal_case", "expire_token", "redirect", "echo", "commit_then_empty",
         "token_shape")

METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
ECHO_MODES = ("raw", "json", "dotnet", "html", "truncated", "headers")

# Fields every rule may carry.
COMMON_FIELDS = ("route", "method", "kind", "after", "times", "probability")
# The first kinds accepted status, retry_after and delay whatever the kind (they were
# ignored when unused); they still do, so old rules keep working.
LEGACY_FIELDS = ("status", "retry_after", "delay")
# kind -> the fields it uses besides COMMON_FIELDS.  A field outside this set is refused.
KIND_FIELDS = {
    "status": LEGACY_FIELDS + ("description", "description_repeat", "body", "content_type"),
    "reset": LEGACY_FIELDS,
    "commit_then_reset": LEGACY_FIELDS,
    "commit_then_delay": LEGACY_FIELDS,
    "delay": LEGACY_FIELDS,
    "bom": LEGACY_FIELDS,
    "pascal_case": LEGACY_FIELDS,
    "expire_token": LEGACY_FIELDS,
    "redirect": ("status", "location"),
    "echo": ("status", "echo", "cut"),
    "commit_then_empty": (),
    "token_shape": ("token_value", "expires_in"),
}
# Fields the rule keeps only when the rule sets them (``describe`` shows them then).
OPTIONAL_FIELDS = ("location", "echo", "cut", "description", "description_repeat", "body",
                   "content_type", "token_value", "expires_in")
ALL_FIELDS = frozenset(COMMON_FIELDS + LEGACY_FIELDS + OPTIONAL_FIELDS)


class FaultError(ValueError):
    pass


class Fault(object):
    """What happens to one request.  ``options`` holds the kind's own rule fields."""
    __slots__ = ("kind", "status", "retry_after", "delay", "source", "options")

    def __init__(self, kind, status=None, retry_after=None, delay=0.0, source="rule",
                 options=None):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.delay = delay
        self.source = source
        self.options = options or {}


def _int(raw, name, default, minimum=None):
    value = raw.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        raise FaultError("%r must be an integer" % name)
    try:
        number = float(value) if isinstance(value, str) else value
        if not isinstance(number, (int, float)) or number != int(number):
            raise ValueError(value)
        number = int(number)
    except (TypeError, ValueError, OverflowError):
        raise FaultError("%r must be an integer" % name)
    if minimum is not None and number < minimum:
        raise FaultError("%r must be >= %d" % (name, minimum))
    return number


def _number(raw, name, default, minimum=None, maximum=None):
    value = raw.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        raise FaultError("%r must be a number" % name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FaultError("%r must be a number" % name)
    if number != number or (minimum is not None and number < minimum) \
            or (maximum is not None and number > maximum):
        raise FaultError("%r must be within %s..%s" % (name, minimum, maximum))
    return number


def _text(raw, name, allow_empty=True):
    value = raw[name]
    if not isinstance(value, str) or (not allow_empty and not value):
        raise FaultError("%r must be a%s string" % (name, "" if allow_empty else " non-empty"))
    return value


def _check_location(value):
    if not isinstance(value, str) or not value:
        raise FaultError("'location' must be \"trap\" or an absolute http(s) URL")
    if value == "trap":
        return value
    if any(c in value for c in "\r\n"):
        raise FaultError("'location' must not contain line breaks")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FaultError("'location' must be \"trap\" or an absolute http(s) URL, not %r"
                         % value)
    return value


def _validate_rule(raw):
    if not isinstance(raw, dict):
        raise FaultError("each rule must be a JSON object")
    unknown = set(raw) - ALL_FIELDS
    if unknown:
        raise FaultError("unknown rule field(s): %s" % ", ".join(sorted(unknown)))
    route = raw.get("route", "*")
    if route != "*" and route not in ROUTES:
        raise FaultError("unknown route %r (use one of %s or '*')" % (route, ", ".join(ROUTES)))
    method = raw.get("method")
    if method is not None:
        method = str(method).upper()
        if method not in METHODS:
            raise FaultError("unknown method %r" % raw.get("method"))
    kind = raw.get("kind")
    if kind not in KINDS:
        raise FaultError("unknown kind %r (use one of %s)" % (kind, ", ".join(KINDS)))
    unused = set(raw) - set(COMMON_FIELDS) - set(KIND_FIELDS[kind])
    if unused:
        raise FaultError("field(s) %s do not apply to kind %r (it takes %s)"
                         % (", ".join(sorted(unused)), kind,
                            ", ".join(KIND_FIELDS[kind]) or "no fields of its own"))
    status = _int(raw, "status", None)
    if kind == "status":
        if status is None or not 100 <= status <= 599:
            raise FaultError("kind 'status' needs an integer 'status' (100..599)")
    elif kind == "redirect":
        status = 307 if status is None else status
        if status not in REDIRECT_STATUSES:
            raise FaultError("kind 'redirect' takes a 'status' of %s"
                             % ", ".join(str(s) for s in REDIRECT_STATUSES))
    elif kind == "echo":
        status = 400 if status is None else status
        if not 400 <= status <= 599:
            raise FaultError("kind 'echo' takes an error 'status' (400..599)")
    elif status is not None and not 100 <= status <= 599:
        raise FaultError("'status' must be within 100..599")
    if kind == "token_shape" and route != "token":
        raise FaultError("kind 'token_shape' only applies to route 'token'")
    rule = {
        "route": route,
        "method": method,
        "kind": kind,
        "status": status,
        "retry_after": _int(raw, "retry_after", None, minimum=0),
        "delay": _number(raw, "delay", 0.0, minimum=0.0),
        "after": _int(raw, "after", 0, minimum=0),
        "times": _int(raw, "times", 1, minimum=-1),
        "probability": _number(raw, "probability", 1.0, minimum=0.0, maximum=1.0),
    }
    if kind in ("delay", "commit_then_delay") and rule["delay"] <= 0:
        raise FaultError("kind %r needs a positive 'delay' (seconds)" % kind)
    if kind == "redirect":
        rule["location"] = _check_location(raw.get("location", "trap"))
    if kind == "echo":
        mode = raw.get("echo", "raw")
        if mode not in ECHO_MODES:
            raise FaultError("'echo' must be one of %s" % ", ".join(ECHO_MODES))
        rule["echo"] = mode
        if "cut" in raw:
            if mode != "truncated":
                raise FaultError("'cut' only applies to echo 'truncated'")
        if mode == "truncated":
            rule["cut"] = _int(raw, "cut", 300, minimum=1)
    if kind == "status":
        if "body" in raw:
            if "description" in raw or "description_repeat" in raw:
                raise FaultError("'body' replaces the whole answer: do not combine it with "
                                 "'description' or 'description_repeat'")
            rule["body"] = _text(raw, "body")
            rule["content_type"] = "text/plain"
        if "content_type" in raw:
            if "body" not in raw:
                raise FaultError("'content_type' only applies together with 'body'")
            content_type = _text(raw, "content_type", allow_empty=False)
            if any(c in content_type for c in "\r\n"):
                raise FaultError("'content_type' must not contain line breaks")
            rule["content_type"] = content_type
        if "description" in raw:
            rule["description"] = _text(raw, "description")
        if "description_repeat" in raw:
            rule["description_repeat"] = _int(raw, "description_repeat", 1, minimum=1)
    if kind == "token_shape":
        if "token_value" in raw:
            rule["token_value"] = raw["token_value"]
        rule["expires_in"] = raw.get("expires_in", 3600)
    return rule


class FaultEngine(object):
    def __init__(self, seed=0):
        self._lock = threading.Lock()
        self._rules = []
        self._rng = random.Random(seed)

    def reseed(self, seed):
        with self._lock:
            self._rng = random.Random(seed)

    def set_rules(self, rules):
        if not isinstance(rules, list):
            raise FaultError("'rules' must be a list")
        validated = [_validate_rule(r) for r in rules]
        for rule in validated:
            rule["remaining_after"] = rule["after"]
            rule["remaining_times"] = rule["times"]
            rule["fired"] = 0
            rule["seen"] = 0
        with self._lock:
            self._rules = validated

    def describe(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def decide(self, route, method, throttle_rate=0.0, error_rate=0.0,
               retry_after=1, error_status=503):
        """Return a Fault or None.  ``throttle_rate``/``error_rate`` apply only
        when no rule fired (API routes pass them; identity routes pass 0)."""
        with self._lock:
            for rule in self._rules:
                if rule["route"] != "*" and rule["route"] != route:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["remaining_times"] == 0:
                    continue
                rule["seen"] += 1
                if rule["remaining_after"] > 0:
                    rule["remaining_after"] -= 1
                    continue
                if rule["probability"] < 1.0 and self._rng.random() >= rule["probability"]:
                    continue
                if rule["remaining_times"] > 0:
                    rule["remaining_times"] -= 1
                rule["fired"] += 1
                return Fault(rule["kind"], status=rule["status"],
                             retry_after=rule["retry_after"], delay=rule["delay"],
                             options={k: rule[k] for k in OPTIONAL_FIELDS if k in rule})
            if throttle_rate > 0 and self._rng.random() < throttle_rate:
                return Fault("status", status=429, retry_after=retry_after, source="throttle_rate")
            if error_rate > 0 and self._rng.random() < error_rate:
                return Fault("status", status=error_status, source="error_rate")
        return None
