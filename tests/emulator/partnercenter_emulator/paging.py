"""Server-side continuation tokens (cursors).

A token names a cursor that remembers what was being listed (kind, customer,
role, filter), the page size and the position in the underlying append-only
order list.  Tokens are not consumed when used, so a client may retry a seek
request with the same token; every page hands out a fresh token for the next
page.  Unknown or expired tokens are rejected by the caller (400).
"""

import secrets
import threading
import time
from collections import OrderedDict


class Cursor(object):
    __slots__ = ("kind", "customer_id", "scope", "filter", "size", "position", "expires")

    def __init__(self, kind, customer_id, scope, filter_value, size, position, expires):
        self.kind = kind
        self.customer_id = customer_id
        self.scope = scope
        self.filter = filter_value
        self.size = size
        self.position = position
        self.expires = expires


class CursorStore(object):
    def __init__(self, max_cursors=20000):
        self._lock = threading.Lock()
        self._cursors = OrderedDict()
        self._max = max_cursors

    def issue(self, kind, customer_id, scope, filter_value, size, position, ttl):
        # Real tokens are long opaque blobs; make ours look alike (and contain
        # characters that need care: '+', '/', '=').
        token = "+" + secrets.token_urlsafe(48).replace("-", "+").replace("_", "/") + "=="
        cursor = Cursor(kind, customer_id, scope, filter_value, size, position,
                        time.monotonic() + ttl)
        with self._lock:
            self._cursors[token] = cursor
            while len(self._cursors) > self._max:
                self._cursors.popitem(last=False)
        return token

    def get(self, token):
        if not token:
            return None
        with self._lock:
            cursor = self._cursors.get(token)
            if cursor is None:
                return None
            if cursor.expires < time.monotonic():
                del self._cursors[token]
                return None
            return cursor

    def expire_all(self):
        with self._lock:
            self._cursors.clear()

    def __len__(self):
        return len(self._cursors)
