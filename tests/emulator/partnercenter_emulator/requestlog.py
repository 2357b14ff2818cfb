"""The request log and the counters (``GET /_emulator/requests``, ``/counters``): the
entry format and one lock for both."""

import bisect
import copy
import threading

from .httpbase import utc_stamp


def new_entry(method, path, query, request_id, correlation_id):
    """A log entry as the pipeline starts it; it fills in the rest."""
    return {
        "seq": None,
        "time": utc_stamp(),
        "api": None,            # partner_center, identity or graph
        "tenant": None,         # the customer (path or, on Graph, the token's tid) or the
                                # authority's tenant
        "method": method,
        "path": path,
        "query": query,
        "route": "unknown",
        "status": None,
        "request_id": request_id,
        "correlation_id": correlation_id,
        "token_kind": None,
        "fault": None,
        "body": None,
        "duration_ms": None,
        "started_at": None,
        "answered_at": None,
    }


def _new_counters():
    return {"by_route": {}, "by_method": {}, "writes": 0}


class RequestLog(object):
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0
        self._counters = _new_counters()

    def record(self, entry, route, method, api_write, limit):
        """Append ``entry`` (keeping the newest ``limit``) and count it."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            if limit and len(self._entries) > limit:
                del self._entries[:len(self._entries) - limit]
            by_route = self._counters["by_route"]
            by_route[route] = by_route.get(route, 0) + 1
            by_method = self._counters["by_method"]
            by_method[method] = by_method.get(method, 0) + 1
            if api_write:
                self._counters["writes"] += 1

    def entries(self):
        with self._lock:
            return copy.deepcopy(self._entries)

    def counters(self):
        with self._lock:
            return copy.deepcopy(self._counters)

    def clear(self, restart_seq=False):
        """Clear the log and the counters (``DELETE /requests``); ``restart_seq`` also
        numbers the next entry 1 again (``POST /reset``)."""
        with self._lock:
            self._entries = []
            self._counters = _new_counters()
            if restart_seq:
                self._seq = 0

    def clear_counters(self):
        with self._lock:
            self._counters = _new_counters()


# How soon after a 429 was answered a request may start and still count as already in flight:
# the throttled client must read the answer and pass the hold on, and a request another client
# let through just before that must still arrive (a TLS handshake on a busy machine).  Measured
# on 2 busy cores: such requests started at most 0.07 s after the 429.
IN_FLIGHT_GRACE = 0.5


def throttle_windows(entries, grace=IN_FLIGHT_GRACE):
    """What a request log says about 429s and the requests that started during their wait.

    Each 429 entry (its ``answered_at`` and ``retry_after``) opens a window from its answer to
    ``answered_at + retry_after``.  A request that *started* inside the window, later than
    ``grace`` seconds after the answer, started early: the client that got the 429 could have
    told every other client sharing its limit to wait.  Requests that started before then were
    already in flight (``grace`` covers the time a client needs to read the 429 and pass the hold
    on, and the time a request that passed its gate before that takes to arrive).

    Returns ``{"throttled": N, "windows": W, "max_429_per_window": M, "early_starts": [...]}``;
    each early start is ``{"throttled_seq", "seq", "route", "after_s", "retry_after"}``.  A window
    here is a run of overlapping 429 windows.
    """
    started = sorted(((e["started_at"], e) for e in entries if e.get("started_at") is not None),
                     key=lambda pair: pair[0])
    starts = [pair[0] for pair in started]
    throttled = sorted(((e["answered_at"], e) for e in entries
                        if e.get("status") == 429 and e.get("answered_at") is not None),
                       key=lambda pair: pair[0])
    early = []
    windows, per_window, current_end, count = 0, [], None, 0
    for answered, entry in throttled:
        wait = float(entry.get("retry_after") or 0)
        end = answered + wait
        if current_end is None or answered >= current_end:
            if current_end is not None:
                per_window.append(count)
            windows, count, current_end = windows + 1, 0, end
        count += 1
        current_end = max(current_end, end)
        for start, other in started[bisect.bisect_right(starts, answered + grace):]:
            if start >= end:
                break
            early.append({"throttled_seq": entry.get("seq"), "seq": other.get("seq"),
                          "route": other.get("route"), "after_s": round(start - answered, 3),
                          "retry_after": wait})
    if current_end is not None:
        per_window.append(count)
    return {"throttled": len(throttled), "windows": windows,
            "max_429_per_window": max(per_window) if per_window else 0, "early_starts": early}
