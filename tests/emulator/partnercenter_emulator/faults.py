"""Reproducible fault injection.

Rules are evaluated in order for every API or identity request (never for
``/_emulator`` control requests).  The first rule that *fires* wins and the
rules after it are not consulted for that request (their ``after`` counters do
not move).  Every random draw comes from one ``random.Random(random_seed)``.
"""

import random
import threading

ROUTES = (
    "openid_config", "token", "list_customers", "get_customer", "list_users",
    "get_user", "create_user", "update_user", "reset_password", "delete_user",
    "list_directory_roles", "list_user_directory_roles", "list_role_members",
    "add_role_member", "remove_role_member", "list_subscribed_skus",
    "list_user_licenses", "update_user_licenses",
)

KINDS = ("status", "reset", "commit_then_reset", "commit_then_delay", "delay",
         "bom", "pascal_case", "expire_token")

METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")


class FaultError(ValueError):
    pass


class Fault(object):
    """What happens to one request."""
    __slots__ = ("kind", "status", "retry_after", "delay", "source")

    def __init__(self, kind, status=None, retry_after=None, delay=0.0, source="rule"):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.delay = delay
        self.source = source


def _validate_rule(raw):
    if not isinstance(raw, dict):
        raise FaultError("each rule must be a JSON object")
    allowed = {"route", "method", "kind", "status", "retry_after", "delay", "after",
               "times", "probability"}
    unknown = set(raw) - allowed
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
    status = raw.get("status")
    if kind == "status":
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise FaultError("kind 'status' needs an integer 'status' (100..599)")
    rule = {
        "route": route,
        "method": method,
        "kind": kind,
        "status": status,
        "retry_after": raw.get("retry_after"),
        "delay": float(raw.get("delay", 0.0) or 0.0),
        "after": int(raw.get("after", 0) or 0),
        "times": int(raw.get("times", 1) if raw.get("times") is not None else 1),
        "probability": float(raw.get("probability", 1.0) if raw.get("probability") is not None else 1.0),
    }
    if rule["retry_after"] is not None:
        rule["retry_after"] = int(rule["retry_after"])
    if rule["delay"] < 0 or rule["after"] < 0 or rule["times"] < -1:
        raise FaultError("delay/after must be >= 0 and times >= -1")
    if not 0.0 <= rule["probability"] <= 1.0:
        raise FaultError("probability must be within 0..1")
    if kind in ("delay", "commit_then_delay") and rule["delay"] <= 0:
        raise FaultError("kind %r needs a positive 'delay' (seconds)" % kind)
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
                             retry_after=rule["retry_after"], delay=rule["delay"])
            if throttle_rate > 0 and self._rng.random() < throttle_rate:
                return Fault("status", status=429, retry_after=retry_after, source="throttle_rate")
            if error_rate > 0 and self._rng.random() < error_rate:
                return Fault("status", status=error_status, source="error_rate")
        return None
