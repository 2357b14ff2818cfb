# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The refresh-token file is the partner's access: a link's target rotates, the file keeps its owner, group and
mode, the lock never follows a planted link and is gone after the run, and odd files get a clear error that
never shows their content."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import json
import os
import pathlib
import pwd
import shutil
import stat
import tempfile
import threading
import time

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._auth import TokenProvider
from ansible_collections.csp.partnercenter.plugins.module_utils._errors import InputError, PartnerCenterError
from ansible_collections.csp.partnercenter.plugins.module_utils._connection_options import check_connection_options
from ansible_collections.csp.partnercenter.plugins.module_utils._refresh_token_file import (
    RefreshTokenFile, TokenFileError,
)

OLD = "0.AXoA-old-refresh-token-d1f4e8c2b7a94f0e9b1c"
NEW = "0.AXoA-new-refresh-token-77e0c3aa5b2d4e8f9a16"
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


def token_file(path, content=OLD + "\n", mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("ascii"))
    os.chmod(str(path), mode)
    return path


def rotate(path, token=NEW, warn=None):
    """What TokenProvider does around one grant: read under the lock, then store the rotated token."""
    handle = RefreshTokenFile(str(path), warn=warn)
    with handle.locked():
        handle.read()
        return handle, handle.store(token)


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def leftovers(directory):
    return sorted(name for name in os.listdir(str(directory)) if name.startswith(".") or name.endswith(".lock"))


# --------------------------------------------------------------------------- symbolic links


def test_a_symlinked_file_rotates_its_target_and_the_link_stays_a_link(tmp_path):
    target = token_file(tmp_path / "volume" / "rt")
    link = tmp_path / "checkout" / "rt"
    link.parent.mkdir()
    link.symlink_to("../volume/rt")
    handle, problem = rotate(link)
    assert problem is None
    assert os.path.islink(str(link)) and os.readlink(str(link)) == "../volume/rt"
    assert target.read_text() == NEW + "\n"
    assert handle.path == str(target.resolve())  # the file written is the one reported
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path / "volume") == [] and leftovers(tmp_path / "checkout") == []


def test_a_chain_of_links_rotates_the_last_target(tmp_path):
    target = token_file(tmp_path / "volume" / "rt")
    (tmp_path / "middle").symlink_to(str(target))
    (tmp_path / "first").symlink_to(str(tmp_path / "middle"))
    handle, problem = rotate(tmp_path / "first")
    assert problem is None and handle.path == str(target.resolve())
    assert target.read_text() == NEW + "\n" and os.path.islink(str(tmp_path / "middle"))


def connection(**extra):
    params = dict(api_url="https://api.partnercenter.microsoft.com", authority="https://login.microsoftonline.com",
                  tenant_id="11111111-1111-1111-1111-111111111111", client_id="22222222-2222-2222-2222-222222222222",
                  client_secret=None, refresh_token=None, access_token=None, refresh_token_file=None,
                  timeout=30, retry_budget=120.0, ca_path=None)
    params.update(extra)
    return params


def test_a_dangling_link_is_refused_before_any_token_request_and_says_where_it_points(tmp_path):
    link = tmp_path / "rt"
    link.symlink_to(str(tmp_path / "volume-not-mounted" / "rt"))
    with pytest.raises(InputError) as caught:
        check_connection_options(connection(refresh_token_file=str(link)))
    message = str(caught.value)
    assert message.startswith("refresh_token_file: ")
    assert "symbolic link" in message and str(tmp_path / "volume-not-mounted" / "rt") in message
    assert "does not exist" in message


def test_a_link_to_a_directory_is_refused_and_so_is_a_missing_file(tmp_path):
    (tmp_path / "dir").mkdir()
    (tmp_path / "rt").symlink_to(str(tmp_path / "dir"))
    with pytest.raises(InputError) as caught:
        check_connection_options(connection(refresh_token_file=str(tmp_path / "rt")))
    assert "symbolic link" in str(caught.value) and "not a regular file" in str(caught.value)
    with pytest.raises(InputError) as caught:
        check_connection_options(connection(refresh_token_file=str(tmp_path / "absent")))
    assert "does not exist" in str(caught.value)


# --------------------------------------------------------------------------- owner, group and mode


def a_group_of_mine():
    """A group this process may give its files (root: any; else a supplementary one if it has any)."""
    if IS_ROOT:
        return NOBODY
    others = [g for g in os.getgroups() if g != os.getegid()]
    return others[0] if others else os.getegid()


def test_rotation_keeps_a_group_shared_0640_file_and_its_group(tmp_path):
    path = token_file(tmp_path / "rt", mode=0o640)
    owner = NOBODY if IS_ROOT else os.geteuid()
    os.chown(str(path), owner, a_group_of_mine())
    warnings = []
    dummy, problem = rotate(path, warn=warnings.append)
    after = os.stat(str(path))
    assert problem is None and path.read_text() == NEW + "\n"
    assert (after.st_uid, after.st_gid, mode_of(path)) == (owner, a_group_of_mine(), 0o640)
    assert warnings == []


def test_a_file_others_could_read_loses_only_their_bits_and_says_so(tmp_path):
    path = token_file(tmp_path / "rt", mode=0o644)
    warnings = []
    rotate(path, warn=warnings.append)
    assert mode_of(path) == 0o640
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "0644" in warnings[0] and "0640" in warnings[0]
    assert OLD not in warnings[0] and NEW not in warnings[0]
    warnings = []
    rotate(path, token=OLD, warn=warnings.append)  # the next run: nothing more to say
    assert mode_of(path) == 0o640 and warnings == []


def test_a_narrow_mode_stays_as_narrow(tmp_path):
    path = token_file(tmp_path / "rt", mode=0o400)
    rotate(path)
    assert mode_of(path) == 0o400 and path.read_text() == NEW + "\n"


def rotate_as_nobody(path, token):
    """``rotate`` in a forked child that is nobody:nogroup (this test process is root): (problem, warnings)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(reader)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            warnings = []
            problem = rotate(path, token, warn=warnings.append)[1]
            os.write(writer, json.dumps({"problem": problem, "warnings": warnings}).encode("utf-8"))
            status = 0
        finally:
            os._exit(status)  # pylint: disable=protected-access
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read()
    assert os.waitpid(pid, 0)[1] == 0
    outcome = json.loads(answer.decode("utf-8"))
    return outcome["problem"], outcome["warnings"]


@pytest.fixture
def shared_dir():
    """A directory nobody can reach (pytest's own tmp_path is root's 0700)."""
    path = tempfile.mkdtemp(prefix="rtf-shared-")
    os.chmod(path, 0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_an_owner_that_cannot_be_kept_is_said_and_the_group_and_mode_are_kept(shared_dir):
    folder = os.path.join(shared_dir, "team")
    os.mkdir(folder)
    os.chown(folder, 0, NOBODY)
    os.chmod(folder, 0o2770)  # the team's directory: nogroup may write it
    path = token_file(pathlib.Path(folder) / "rt", mode=0o660)
    os.chown(str(path), 0, NOBODY)  # root:nogroup 0660, rotated by nobody (a member of nogroup)
    problem, warnings = rotate_as_nobody(path, NEW)
    after = os.stat(str(path))
    assert problem is None and path.read_text() == NEW + "\n"
    assert (after.st_uid, after.st_gid, mode_of(path)) == (NOBODY, NOBODY, 0o660)
    assert len(warnings) == 1
    warning = warnings[0]
    assert str(path) in warning and "root" in warning and pwd.getpwuid(NOBODY).pw_name in warning
    assert grp.getgrgid(NOBODY).gr_name in warning and "0660" in warning  # what was kept
    assert NEW not in warning and OLD not in warning


@pytest.mark.skipif(not IS_ROOT, reason="root writes any directory; nobody does not")
def test_stored_is_false_and_the_file_unchanged_when_the_directory_refuses_the_write(shared_dir):
    folder = os.path.join(shared_dir, "readonly")
    os.mkdir(folder)
    path = token_file(pathlib.Path(folder) / "rt", mode=0o600)
    os.chown(str(path), NOBODY, NOBODY)
    os.chmod(folder, 0o755)  # root's: nobody reads the token but cannot replace it
    problem, warnings = rotate_as_nobody(path, NEW)
    assert problem and folder in problem and "Permission denied" in problem
    assert path.read_text() == OLD + "\n" and os.listdir(folder) == ["rt"]
    assert warnings == [] and NEW not in problem


# --------------------------------------------------------------------------- the lock


def test_the_lock_file_is_gone_after_the_run_and_lives_next_to_the_target(tmp_path):
    target = token_file(tmp_path / "volume" / "rt")
    link = tmp_path / "checkout" / "rt"
    link.parent.mkdir()
    link.symlink_to(str(target))
    handle = RefreshTokenFile(str(link))
    assert handle.lock_path == str(target) + ".lock"
    with handle.locked():
        assert os.path.isfile(str(target) + ".lock")
        assert not os.path.lexists(str(link) + ".lock")
    assert os.listdir(str(tmp_path / "volume")) == ["rt"] and os.listdir(str(tmp_path / "checkout")) == ["rt"]


def test_the_lock_never_follows_a_planted_symlink(tmp_path):
    path = token_file(tmp_path / "rt")
    victim = tmp_path / "elsewhere" / "nologin"
    victim.parent.mkdir()
    (tmp_path / "rt.lock").symlink_to(str(victim))
    warnings = []
    handle = RefreshTokenFile(str(path), warn=warnings.append)
    with handle.locked():
        assert handle.read() == OLD
    assert not os.path.lexists(str(victim))
    assert os.path.islink(str(tmp_path / "rt.lock"))  # not ours to remove
    assert len(warnings) == 1 and str(tmp_path / "rt.lock") in warnings[0] and "symbolic link" in warnings[0]


def test_a_planted_hard_link_is_not_used_as_the_lock(tmp_path):
    path = token_file(tmp_path / "rt")
    victim = token_file(tmp_path / "precious", content="keep me\n")
    os.link(str(victim), str(tmp_path / "rt.lock"))
    warnings = []
    with RefreshTokenFile(str(path), warn=warnings.append).locked():
        pass
    assert victim.read_text() == "keep me\n" and os.path.exists(str(tmp_path / "rt.lock"))
    assert len(warnings) == 1 and "rt.lock" in warnings[0]


def test_lockers_stay_exclusive_while_each_removes_the_lock_file(tmp_path):
    """Removing the lock file races with a locker that opened it already; it must re-check what it holds."""
    path = token_file(tmp_path / "rt")
    counter = tmp_path / "counter"
    counter.write_text("0")
    inside = []
    errors = []

    def worker():
        try:
            for dummy in range(20):
                with RefreshTokenFile(str(path)).locked():
                    inside.append(1)
                    if len(inside) > 1:
                        errors.append("two holders at once")
                    value = int(counter.read_text())
                    time.sleep(0.002)
                    counter.write_text(str(value + 1))
                    inside.pop()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and counter.read_text() == "120"
    assert sorted(os.listdir(str(tmp_path))) == ["counter", "rt"]


# --------------------------------------------------------------------------- odd files


def test_a_utf8_bom_and_windows_line_ends_are_tolerated(tmp_path):
    path = token_file(tmp_path / "rt", content=b"\xef\xbb\xbf" + OLD.encode("ascii") + b"\r\n")
    assert RefreshTokenFile(str(path)).read() == OLD


@pytest.mark.parametrize("content, encoding", [
    (b"\xff\xfe" + (OLD + "\r\n").encode("utf-16-le"), "UTF-16"),
    (b"\xfe\xff" + (OLD + "\r\n").encode("utf-16-be"), "UTF-16"),
    ((OLD + "\n").encode("utf-16-le"), "UTF-16"),  # without a byte order mark
    ((OLD + "\n").encode("utf-16-be"), "UTF-16"),
    (b"\xff\xfe\x00\x00" + OLD.encode("utf-32-le"), "UTF-32"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + OLD.encode("ascii"), "binary"),
    (b"0.AXoA-" + bytes(bytearray([0xC3, 0x28, 0xA0, 0xA1])) + b"-refresh", "binary"),
], ids=["utf16-le-bom", "utf16-be-bom", "utf16-le", "utf16-be", "utf32-le-bom", "png", "invalid-utf8"])
def test_utf16_and_binary_files_get_an_error_naming_the_file_and_the_encoding(tmp_path, content, encoding):
    path = token_file(tmp_path / "rt", content=content)
    with pytest.raises(TokenFileError) as caught:
        RefreshTokenFile(str(path)).read()
    message = str(caught.value)
    assert str(path) in message and encoding in message
    assert "UTF-8" in message  # what to do: save it as UTF-8
    for run in ("AXoA", "old-refresh", "d1f4e8c2b7a94f0e9b1c", "IHDR"):
        assert run not in message


@pytest.mark.parametrize("content, what", [
    ("", "empty"), ("\n \n", "empty"), (OLD + "\n" + NEW + "\n", "2 lines"), (OLD[:10] + " " + OLD[10:], "whitespace"),
    (OLD + "\x1b[2J", "control"), (OLD + "\u00e9", "non-ASCII"),
], ids=["empty", "blank-lines", "two-lines", "space-inside", "escape", "accent"])
def test_a_file_that_holds_no_token_says_what_is_wrong_without_its_content(tmp_path, content, what):
    path = token_file(tmp_path / "rt", content=content.encode("utf-8"))
    with pytest.raises(TokenFileError) as caught:
        RefreshTokenFile(str(path)).read()
    message = str(caught.value)
    assert str(path) in message and what in message
    assert "AXoA" not in message and "refresh-token" not in message


def test_a_huge_file_is_not_read_whole(tmp_path):
    path = token_file(tmp_path / "rt", content=b"A" * (4 * 1024 * 1024))
    with pytest.raises(TokenFileError) as caught:
        RefreshTokenFile(str(path)).read()
    assert str(path) in str(caught.value) and "bytes" in str(caught.value)


# --------------------------------------------------------------------------- through the token provider


class Authority:
    """The authority's answers to the refresh-token grants, in order; records what it was given."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.redeemed = []

    def install(self, provider):
        def redeem():
            self.redeemed.append(provider._refresh_token)  # pylint: disable=protected-access
            return dict(self.answers.pop(0))
        provider._redeem = redeem  # pylint: disable=protected-access
        return provider


def provider_for(path, authority, warnings):
    return authority.install(TokenProvider("https://login.example", "t", "c", client_secret="s",
                                           refresh_token_file=str(path), warn=warnings.append))


def test_an_odd_file_fails_the_task_with_the_authentication_error_and_no_token_request(tmp_path):
    path = token_file(tmp_path / "rt", content=(OLD + "\n").encode("utf-16"))
    authority = Authority()
    provider = provider_for(path, authority, [])
    with pytest.raises(PartnerCenterError) as caught:
        provider.get_token()
    assert caught.value.fault == "authentication" and "UTF-16" in str(caught.value)
    assert authority.redeemed == []


def test_no_new_refresh_token_from_the_authority_warns_once_naming_the_file(tmp_path):
    path = token_file(tmp_path / "rt")
    warnings = []
    authority = Authority({"access_token": "access-1", "expires_in": 3600},
                          {"access_token": "access-2", "expires_in": 3600})
    provider = provider_for(path, authority, warnings)
    assert provider.get_token() == "access-1"
    assert provider.rotation["stored"] is False and "no new refresh token" in provider.rotation["problem"]
    provider.invalidate("access-1")
    assert provider.get_token() == "access-2"  # a second grant in the same run: no second warning
    assert authority.redeemed == [OLD, OLD]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "no new refresh token" in warnings[0] and "90 days" in warnings[0]
    assert OLD not in warnings[0]
    assert path.read_text() == OLD + "\n"


def test_a_rotated_token_through_a_link_is_stored_and_reported_where_it_went(tmp_path):
    target = token_file(tmp_path / "volume" / "rt")
    (tmp_path / "rt").symlink_to(str(target))
    warnings = []
    provider = provider_for(tmp_path / "rt", Authority({"access_token": "a", "refresh_token": NEW,
                                                        "expires_in": 3600}), warnings)
    provider.get_token()
    assert provider.rotation == {"stored": True, "path": str(target.resolve()), "problem": None}
    assert target.read_text() == NEW + "\n" and os.path.islink(str(tmp_path / "rt")) and warnings == []
