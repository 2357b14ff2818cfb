# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A refresh token kept alive in a file: read before each token request, replaced by the rotated one after.

Entra ID answers every refresh-token grant with a new refresh token and never extends the
old one, which dies 90 days after it was issued.  Writing the newest one back after every
grant keeps a partner who runs at least every 90 days from ever repeating the consent.
Reading, redeeming and writing happen under one lock (``<file>.lock``), so parallel forks
rotate the file one after another and never lose or tear a token.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os
import tempfile

from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import wait_for_lock

LOCK_WAIT = 120


class RefreshTokenFile:
    """The file at ``path``; ``store`` never raises, it returns what went wrong (or None)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)

    def read(self):
        """The refresh token in the file (surrounding whitespace, such as a final newline, removed)."""
        with open(self.path, "r") as handle:
            return handle.read().strip()

    def store(self, token):
        """Replace the file's content with ``token``, atomically, mode 0600; None, or why it could not."""
        directory = os.path.dirname(self.path) or "."
        try:
            fd, tmp = tempfile.mkstemp(prefix=".%s.tmp-" % os.path.basename(self.path), dir=directory)
        except OSError as exc:
            return "cannot write in %s (%s)" % (directory, exc.strerror or exc)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(token + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return "cannot replace %s (%s)" % (self.path, exc.strerror or exc)
        return None

    @contextlib.contextmanager
    def locked(self):
        """Hold ``<file>.lock`` (exclusive, across processes) while reading, redeeming and writing."""
        try:
            fd = os.open(self.path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:
            fd = None  # a directory we cannot write: the run goes on without the lock, and warns on store
        try:
            if fd is not None:
                wait_for_lock(fd, LOCK_WAIT)
            yield
        finally:
            if fd is not None:
                os.close(fd)
