"""The request log and the counters (``GET /_emulator/requests``, ``/counters``): the
entry format and one lock for both."""

import copy
import threading

from .httpbase import utc_stamp


def new_entry(method, path, query, request_id, correlation_id):
    """A log entry as the pipeline starts it; it fills in the rest."""
    return {
        "seq": None,
        "time": utc_stamp(),
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
