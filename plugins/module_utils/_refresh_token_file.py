# -*- coding: utf-8 -*-
# Copyright (c) csp.partnercenter contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# FOR INTERNAL COLLECTION USE ONLY: names and signatures may change without notice.

"""A refresh token kept alive in a file: read before each token request, replaced by the rotated one after.

Entra ID answers every refresh-token grant with a new refresh token and never extends the
old one, which dies 90 days after it was issued.  Writing the newest one back after every
grant keeps a partner who runs at least every 90 days from ever repeating the consent.

The file is the partner's access, so:

* A symbolic link is followed to its target, and the target is what is read, locked and
  replaced (in its own directory, so the rename stays atomic): a link in a throw-away CI
  checkout into a persistent volume rotates the volume's file.  ``path`` is the target.
* Reading, redeeming and writing happen under one lock, ``<target>.lock`` next to the target
  (two links to one file share it).  It is opened without following a link and must be a
  regular file with one name; it is removed, while still held, when the grant is done, and a
  locker checks after acquiring that the name still refers to the file it locked.
* The rotated file keeps the owner, group and mode of the old one as far as this process may:
  never wider; bits for other users are dropped, and anything not kept is said.
* Odd content (UTF-16, binary, several lines) is an error that names the file and what is
  wrong with it, never the content; a UTF-8 byte order mark is tolerated.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import os
import stat
import tempfile
import time

try:
    import grp
    import pwd
except ImportError:  # not on a POSIX controller: ids are shown as numbers
    grp = pwd = None

from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import is_token_text, wait_for_lock

LOCK_WAIT = 120
# A refresh token is one line of one or two kilobytes; a longer file is not one.
MAX_SIZE = 64 * 1024
# The bits the rotated file may keep: never any for other users, never special bits.
KEPT_BITS = 0o770
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)

UTF8_BOM = b"\xef\xbb\xbf"
# Longest first: a UTF-32 little-endian mark starts with the UTF-16 one.
_BYTE_ORDER_MARKS = ((b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"), (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
                     (b"\xfe\xff", "UTF-16 (big-endian)"), (b"\xff\xfe", "UTF-16 (little-endian)"))
SAVE_AS_UTF8 = ("save it as UTF-8 or ASCII text (PowerShell: Set-Content -Encoding utf8; Notepad: Save as, "
                "Encoding UTF-8)")


class TokenFileError(Exception):
    """The file cannot be used; the message names the file and never holds its content."""


def unusable_reason(path):
    """Why ``path`` cannot be a refresh_token_file (checked before any token request), or None."""
    if os.path.isfile(path):
        return None
    if os.path.islink(path):
        target = os.path.realpath(path)
        return ("%s is a symbolic link to %s, which %s; the refresh token is read from and rotated into a link's "
                "target, so point the link at the file that holds the refresh token"
                % (path, target, "is not a regular file" if os.path.lexists(target) else "does not exist"))
    if os.path.lexists(path):
        return "%s is not a regular file; put the refresh token of the consent sign-in in a file (mode 0600)" % path
    return "%s does not exist; put the refresh token of the consent sign-in in it (mode 0600)" % path


def decode(content):
    """The text of a token file's bytes (a UTF-8 byte order mark dropped); ValueError says what it is instead."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if content.startswith(mark):
            raise ValueError("is %s text with a byte order mark" % encoding)
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM):]
    if b"\0" in content:
        even, odd = bytearray(content[0::2]), bytearray(content[1::2])
        if even and set(odd) <= {0} and 0 not in even:
            raise ValueError("is UTF-16 (little-endian) text without a byte order mark")
        if odd and set(even) <= {0} and 0 not in odd:
            raise ValueError("is UTF-16 (big-endian) text without a byte order mark")
        raise ValueError("holds binary content (NUL bytes), not UTF-8 text")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("holds binary content (bytes that are not UTF-8), not UTF-8 text")


def token_problem(text):
    """Why ``text`` (the file's text, stripped) is no refresh token, without quoting it; None if it is one."""
    if is_token_text(text):
        return None
    if not text:
        return "is empty"
    lines = len(text.splitlines())
    if lines > 1:
        return "holds %d lines; a refresh token is one line" % lines
    if any(ord(c) > 127 for c in text):
        return "holds non-ASCII characters; a refresh token is ASCII"
    if any(c.isspace() for c in text):
        return "holds whitespace inside; a refresh token has none"
    return "holds control characters; a refresh token has none"


def _user(uid):
    try:
        return "%s (uid %d)" % (pwd.getpwuid(uid).pw_name, uid)
    except (AttributeError, KeyError):
        return "uid %d" % uid


def _group(gid):
    try:
        return "%s (gid %d)" % (grp.getgrgid(gid).gr_name, gid)
    except (AttributeError, KeyError):
        return "gid %d" % gid


def _fsync_directory(directory):
    """Make the rename itself durable; a file system that cannot sync a directory only loses that."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class RefreshTokenFile:
    """The file at ``path`` (a link resolved to its target).

    ``read`` raises ``TokenFileError``; ``store`` never raises, it returns what went wrong (or None).
    ``warn(text)`` hears what the caller should pass on: an owner, group or mode not kept, a lock not used.
    """

    def __init__(self, path, warn=None):
        self.given = os.path.abspath(path)
        self.path = os.path.realpath(path)
        self.lock_path = self.path + ".lock"
        self._warn = warn
        self._stat = None  # the file as read: its owner, group and mode are what store keeps

    def describe(self):
        """``<file>``, or ``<link> (a symbolic link to <file>)``: what messages name."""
        if self.given == self.path:
            return self.path
        return "%s (a symbolic link to %s)" % (self.given, self.path)

    def _say(self, text):
        if self._warn:
            self._warn(text)

    # -- reading ---------------------------------------------------------------------------

    def read(self):
        """The refresh token in the file (surrounding whitespace, such as a final newline, removed)."""
        prefix = "refresh_token_file %s" % self.describe()
        try:
            fd = os.open(self.path, os.O_RDONLY | _OPEN_FLAGS)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # the target was replaced by a link after it was resolved
                raise TokenFileError("%s changed while it was being read (it is a symbolic link now); run again"
                                     % prefix)
            raise TokenFileError("Cannot read %s: %s" % (prefix, exc.strerror or exc))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise TokenFileError("%s is not a regular file" % prefix)
            content = os.read(fd, MAX_SIZE + 1)
            while 0 < len(content) <= MAX_SIZE:
                more = os.read(fd, MAX_SIZE + 1 - len(content))
                if not more:
                    break
                content += more
        except OSError as exc:
            raise TokenFileError("Cannot read %s: %s" % (prefix, exc.strerror or exc))
        finally:
            os.close(fd)
        if len(content) > MAX_SIZE:
            raise TokenFileError("%s holds more than %d bytes; a refresh token is one line of a few kilobytes: is it "
                                 "the right file?" % (prefix, MAX_SIZE))
        try:
            token = decode(content).strip()
        except ValueError as exc:
            raise TokenFileError("%s %s; %s" % (prefix, exc, SAVE_AS_UTF8))
        problem = token_problem(token)
        if problem:
            raise TokenFileError("%s does not hold a refresh token: it %s. Put the refresh token of the consent "
                                 "sign-in in it, alone on one line" % (prefix, problem))
        self._stat = st
        return token

    # -- writing ---------------------------------------------------------------------------

    def store(self, token):
        """Replace the file's content with ``token`` atomically; None, or why it could not (the file is unchanged)."""
        directory = os.path.dirname(self.path)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".%s.tmp-" % os.path.basename(self.path), dir=directory)
        except OSError as exc:
            return "cannot write in %s (%s)" % (directory, exc.strerror or exc)
        try:
            notes = self._keep_owner_and_mode(fd)
            with os.fdopen(fd, "w") as handle:
                fd = None
                handle.write(token + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return "cannot replace %s (%s)" % (self.path, exc.strerror or exc)
        _fsync_directory(directory)
        for note in notes:
            self._say(note)
        return None

    def _keep_owner_and_mode(self, fd):
        """Give the new file (still empty) the old one's owner, group and mode; what could not be kept, as text."""
        old = self._stat or os.stat(self.path)
        notes = []
        new = os.fstat(fd)
        if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid):
            try:
                os.fchown(fd, old.st_uid, old.st_gid)
            except OSError:
                try:  # not root: the owner is this user, the group may still be kept
                    os.fchown(fd, -1, old.st_gid)
                except OSError:
                    pass
        new = os.fstat(fd)
        old_mode = stat.S_IMODE(old.st_mode)
        mode = old_mode & KEPT_BITS
        os.fchmod(fd, mode)
        lost = []
        if new.st_uid != old.st_uid:
            lost.append("its owner is now %s, who rotated it, instead of %s, since only root can give a file to "
                        "another user" % (_user(new.st_uid), _user(old.st_uid)))
        if new.st_gid != old.st_gid:
            lost.append("its group is now %s instead of %s (%s is not a member of it)"
                        % (_group(new.st_gid), _group(old.st_gid), _user(os.geteuid())))
        if lost:
            kept = "mode %04o" % mode + (", group %s" % _group(new.st_gid) if new.st_gid == old.st_gid else "")
            notes.append("refresh_token_file %s: %s; kept: %s. If another account reads this file, rotate it as "
                         "that account or as root, or share it through a group both belong to"
                         % (self.describe(), "; ".join(lost), kept))
        if old_mode & 0o007:
            notes.append("refresh_token_file %s had mode %04o, open to every user of this machine; the rotated token "
                         "was written with mode %04o: a refresh token is the partner's access" % (
                             self.describe(), old_mode, mode))
        return notes

    # -- the lock --------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self):
        """Hold ``<target>.lock`` (exclusive, across processes) while reading, redeeming and writing; remove it after."""
        fd = self._acquire_lock()
        try:
            yield
        finally:
            if fd is not None:
                try:
                    os.unlink(self.lock_path)  # while held: a waiter that opened it re-checks and makes its own
                except OSError:
                    pass
                os.close(fd)

    def _acquire_lock(self):
        """The open, locked lock file, or None to go on without one (said, unless the directory is read-only)."""
        deadline = time.time() + LOCK_WAIT
        try:
            shared_bits = stat.S_IMODE(os.stat(self.path).st_mode) & 0o060
        except OSError:
            shared_bits = 0
        while True:
            try:
                fd = os.open(self.lock_path, os.O_RDONLY | os.O_CREAT | _OPEN_FLAGS, 0o600 | shared_bits)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    self._say("The lock file %s is a symbolic link, which this collection never makes: it was not "
                              "followed, and this token request went on without the lock. Remove the link, and check "
                              "who can write in %s" % (self.lock_path, os.path.dirname(self.lock_path)))
                # Otherwise a directory this user cannot write: storing will fail too, and say so.
                return None
            held = os.fstat(fd)
            if stat.S_ISREG(held.st_mode) and held.st_nlink == 0 and time.time() <= deadline:
                os.close(fd)  # its holder removed it between our open and fstat: open the one there now
                continue
            if not stat.S_ISREG(held.st_mode) or held.st_nlink != 1:
                os.close(fd)
                self._say("The lock file %s is not one this collection makes (%s): it was left alone, and this token "
                          "request went on without the lock. Remove it" % (
                              self.lock_path, "not a regular file" if not stat.S_ISREG(held.st_mode)
                              else "a file with %d names" % held.st_nlink))
                return None
            if not wait_for_lock(fd, max(0.0, deadline - time.time())):
                os.close(fd)
                self._say("Another process held the lock file %s for more than %d s; this token request went on "
                          "without it" % (self.lock_path, LOCK_WAIT))
                return None
            try:
                named = os.lstat(self.lock_path)
            except OSError:
                named = None
            if named is not None and (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino):
                return fd
            os.close(fd)  # its holder removed it after this process opened it: lock the one there now
            if time.time() > deadline:
                self._say("The lock file %s kept being replaced for %d s; this token request went on without it"
                          % (self.lock_path, LOCK_WAIT))
                return None
