# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A small on-disk cache of access tokens shared between module runs.

Every task of a play is a new Python process; without a cache each one would ask the
identity provider for a token.  The cache keeps one file per credential in a directory
only the user can enter (0700), each file readable only by the user (0600).  The file
name is a hash of everything that identifies the credential (authority, tenant, client,
scope and a hash of the secret and refresh token), so two credentials never share a
token.  Only access tokens are stored, never secrets or refresh tokens.

This file must not import msal: reading a cached token has to stay cheap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # not on the controller platforms Ansible supports, but stay importable
    fcntl = None

# A token that expires within this many seconds is treated as expired, so that a long
# task never starts with a token about to lapse.
EXPIRY_MARGIN = 300
# Longest wait for another process that is fetching the same token.
LOCK_WAIT = 60


# The longest lifetime an access token is believed to have (Entra issues at most about 28 hours).
MAX_LIFETIME = 2 * 24 * 3600


def ensure_private_dir(directory, what="token cache directory"):
    """Create ``directory`` 0700; refuse (OSError) an existing one that is not a directory of ours closed to
    others.  A link to such a directory is that directory."""
    try:
        os.makedirs(directory, mode=0o700)
        os.chmod(directory, 0o700)  # makedirs' mode is filtered by the umask
    except FileExistsError:
        pass
    st = os.stat(directory)
    if not stat.S_ISDIR(st.st_mode):
        raise OSError("%s %s is not a directory" % (what, directory))
    if st.st_uid != os.getuid():
        raise OSError("%s %s is not owned by the current user" % (what, directory))
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise OSError("%s %s is open to other users (mode %o); use a directory only you can enter (0700)"
                      % (what, directory, stat.S_IMODE(st.st_mode)))


def write_private_json(path, data, prefix=".tmp-"):
    """Replace ``path`` with ``data`` as JSON, mode 0600, atomically (a link at ``path`` is replaced, not
    followed); the temporary file is removed if anything fails."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(path))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.replace(tmp, path)
    except Exception:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


_TOKEN_TEXT_RE = re.compile(r"[\x21-\x7e]+\Z")


def is_token_text(token):
    """A bearer token as it may be sent: a non-empty string of visible ASCII, no whitespace."""
    return isinstance(token, str) and _TOKEN_TEXT_RE.match(token) is not None


def is_sane_expiry(expires_in):
    """``expires_in`` a number of seconds in (0, MAX_LIFETIME]; strings of digits count (some servers send them)."""
    if isinstance(expires_in, bool):
        return False
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    return isinstance(expires_in, (int, float)) and 0 < expires_in <= MAX_LIFETIME


def wait_for_lock(fd, seconds):
    """Take an exclusive flock on ``fd``, waiting at most ``seconds``: a stuck process must not hold
    every other task back, so after that the caller goes on without the lock."""
    deadline = time.time() + seconds
    while fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except (OSError, IOError):
            if time.time() > deadline:
                return False
            time.sleep(0.05)
    return False


def default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "csp.partnercenter", "tokens")


def cache_key(authority, tenant_id, client_id, scope, client_secret, refresh_token):
    secret_hash = hashlib.sha256(
        ("%s\0%s" % (client_secret or "", refresh_token or "")).encode("utf-8")).hexdigest()
    material = "\0".join([authority or "", tenant_id or "", client_id or "", scope or "", secret_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class TokenCache:
    """Files ``<dir>/<key>.json`` holding ``{"access_token": ..., "expires_on": epoch}``."""

    def __init__(self, directory):
        self.directory = directory

    def _ensure_dir(self):
        ensure_private_dir(self.directory)

    def _path(self, key):
        return os.path.join(self.directory, key + ".json")

    def load(self, key, now=None):
        """The cached access token for ``key`` if it is still fresh, else ``None``."""
        now = time.time() if now is None else now
        path = self._path(key)
        try:
            st = os.stat(path)
            # Refuse a file others could have written or read: it is not ours to trust.
            if st.st_uid != os.getuid() or stat.S_IMODE(st.st_mode) & 0o077:
                return None
            with open(path, "r") as handle:
                entry = json.load(handle)
        except (OSError, IOError, ValueError):
            return None
        # Only exactly what ``store`` writes is trusted; anything else is ignored (and replaced).
        if not isinstance(entry, dict) or set(entry) != set(["access_token", "expires_on"]):
            return None
        token, expires_on = entry["access_token"], entry["expires_on"]
        if not is_token_text(token) or isinstance(expires_on, bool) or not isinstance(expires_on, (int, float)):
            return None
        if expires_on - EXPIRY_MARGIN <= now or expires_on > now + MAX_LIFETIME:
            return None
        return token

    def store(self, key, access_token, expires_in, now=None):
        if not is_token_text(access_token) or not is_sane_expiry(expires_in):
            return  # never cache what load() would not trust
        now = time.time() if now is None else now
        self._ensure_dir()
        write_private_json(self._path(key), {"access_token": access_token, "expires_on": now + float(expires_in)})

    @contextlib.contextmanager
    def locked(self, key):
        """Hold an exclusive lock for ``key`` across processes.

        With forks, several module processes start at once and all miss the cache; the
        first one to get the lock fetches the token, the others then find it cached.
        """
        self._ensure_dir()
        fd = os.open(os.path.join(self.directory, key + ".lock"), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            wait_for_lock(fd, LOCK_WAIT)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def discard(self, key):
        try:
            os.unlink(self._path(key))
        except OSError:
            pass
