# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""refresh_token_file: the rotated refresh token is kept, so a schedule never has to repeat the consent.

The emulator rotates refresh tokens on every grant and lets each die 90 days after it was issued,
as Entra ID does; its clock is moved forward between runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import stat

from contoso import seed_contoso
from plays import play, task
from secret_scan import assert_no_form_of, run_texts

DAY = 24 * 3600


def lookup(cid):
    return play(task("partnercenter_user_info", name="lookup", register="r", ignore_errors=True, customer_id=cid))


def sha(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def schedule(emu, playbook, cid, env, runs, every_days):
    """Run the lookup every ``every_days`` days of emulator time; the failures' messages by day."""
    failures = {}
    for run_number in range(runs):
        day = run_number * every_days
        result = playbook(lookup(cid), env=env).result("lookup")["result"]
        if result.get("failed"):
            failures[day] = result["msg"]
        emu.call("POST", "clock", {"advance_seconds": every_days * DAY})
    return failures


def test_a_schedule_with_the_file_outlives_the_first_refresh_token_and_without_it_dies_at_day_90(
        emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    token_file = tmp_path / "refresh-token"
    token_file.write_text(emu.refresh_token + "\n")
    token_file.chmod(0o600)
    with_file = {"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file)}
    known = set(t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"])

    assert schedule(emu, playbook, cid, with_file, runs=8, every_days=15) == {}  # 105 days, every run fine
    stored = token_file.read_text().strip()
    assert stored != emu.refresh_token
    assert stat.S_IMODE(os.stat(str(token_file)).st_mode) == 0o600
    tokens = emu.call("GET", "refresh_tokens")["refresh_tokens"]
    assert tokens[-1]["sha256"] == sha(stored) and tokens[-1]["source"] == "rotated"
    chain = [t for t in tokens if t["source"] == "rotated" and t["sha256"] not in known]
    assert len(chain) == 8  # one rotation per grant, none lost

    # the same schedule with the refresh token stored once (a vault, a static credential)
    emu.reset()  # the clock back to now, the configured refresh token issued anew
    cid = seed_contoso(emu)
    failures = schedule(emu, playbook, cid, {}, runs=8, every_days=15)
    assert sorted(failures) == [90, 105]
    assert all("AADSTS700082" in msg and "Repeat the consent sign-in" in msg for msg in failures.values())


def test_parallel_forks_rotate_the_file_once_per_grant_and_never_tear_it(emu, playbook, tmp_path):
    cids = [emu.seed([{"companyName": "C%d" % n, "domain": "c%d.onmicrosoft.com" % n}])[0]["id"] for n in range(6)]
    token_file = tmp_path / "refresh-token"
    token_file.write_text(emu.refresh_token)
    token_file.chmod(0o600)
    hosts = dict(("c%d" % n, {"cid": cid}) for n, cid in enumerate(cids))
    inventory = {"customers": {"hosts": hosts}}
    body = '[{"hosts": "customers", "gather_facts": false, "tasks": [' \
           '{"name": "lookup", "csp.partnercenter.partnercenter_user_info": {"customer_id": "{{ cid }}"}}]}]'
    env = {"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file),
           "PARTNERCENTER_TOKEN_CACHE": "false"}  # every fork asks for its own token: the worst case
    known = set(t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"])
    run = playbook(body, inventory=inventory, forks=6, env=env)
    assert all(not r["result"].get("failed") for r in run.results)
    grants = [r for r in emu.requests(route="token") if r["status"] == 200]
    tokens = emu.call("GET", "refresh_tokens")["refresh_tokens"]
    rotated = [t for t in tokens if t["source"] == "rotated" and t["sha256"] not in known]
    assert len(grants) == len(rotated) == 6
    # a chain: each fork redeemed the token the previous one stored
    assert [t["rotated_from"] for t in rotated] == [sha(emu.refresh_token)] + [t["sha256"] for t in rotated[:-1]]
    assert sha(token_file.read_text().strip()) == rotated[-1]["sha256"]


def test_a_file_that_cannot_be_replaced_warns_once_and_the_run_goes_on(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    folder = tmp_path / "readonly"
    folder.mkdir()
    token_file = folder / "refresh-token"
    token_file.write_text(emu.refresh_token)
    folder.chmod(0o500)
    try:
        run = playbook(lookup(cid), env={"PARTNERCENTER_REFRESH_TOKEN": None,
                                         "PARTNERCENTER_REFRESH_TOKEN_FILE": str(token_file)})
    finally:
        folder.chmod(0o700)
    result = run.result("lookup")["result"]
    if os.geteuid() == 0:  # root writes anyway; the rotation then simply lands
        assert not result.get("failed")
        return
    assert not result.get("failed") and len(result["warnings"]) == 1
    assert "could not be stored in refresh_token_file" in result["warnings"][0]


def file_env(path, **extra):
    env = {"PARTNERCENTER_REFRESH_TOKEN": None, "PARTNERCENTER_REFRESH_TOKEN_FILE": str(path),
           "PARTNERCENTER_TOKEN_CACHE": "false"}
    env.update(extra)
    return env


def assert_not_shown(token, run):
    """The emulator's configured token is made of words ("emulator-refresh-token"), so no partial forms here."""
    for where, text in run_texts(run).items():
        assert token not in text, "%s shows the refresh token" % where


def new_tokens(emu, known):
    return [t for t in emu.call("GET", "refresh_tokens")["refresh_tokens"] if t["sha256"] not in known]


def test_a_symlinked_file_rotates_its_target_keeps_its_owner_and_mode_and_reports_it_stored(emu, playbook, tmp_path):
    """A CI checkout links the token file into a persistent volume: the volume's file must rotate."""
    volume, checkout = tmp_path / "volume", tmp_path / "checkout"
    volume.mkdir()
    checkout.mkdir()
    target = volume / "refresh-token"
    target.write_text(emu.refresh_token + "\n")
    os.chmod(str(target), 0o640)
    if os.geteuid() == 0:
        os.chown(str(target), 65534, 65534)  # the scheduled job's account shares it through its group
    owner = os.stat(str(target))
    link = checkout / "refresh-token"
    link.symlink_to(os.path.relpath(str(target), str(checkout)))
    known = set(t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"])

    run = playbook(play(task("partnercenter_auth_info", name="auth")), env=file_env(link))
    rotation = run.result("auth")["result"]["refresh_token_rotation"]
    assert rotation == {"stored": True, "path": str(target.resolve()), "problem": None}
    rotated = new_tokens(emu, known)
    assert len(rotated) == 1 and rotated[0]["rotated_from"] == sha(emu.refresh_token)
    assert sha(target.read_text().strip()) == rotated[0]["sha256"]  # stored: true is what the file holds
    assert os.path.islink(str(link)) and os.readlink(str(link)) == "../volume/refresh-token"
    after = os.stat(str(target))
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (owner.st_uid, owner.st_gid, 0o640)
    assert sorted(os.listdir(str(volume))) == ["refresh-token"]  # no lock, no temporary file left
    assert sorted(os.listdir(str(checkout))) == ["refresh-token"]
    assert "warnings" not in run.result("auth")["result"]
    assert_no_form_of({"rotated refresh token": target.read_text().strip()}, run)

    # the next run redeems the rotated token, not the first one
    playbook(play(task("partnercenter_auth_info", name="auth")), env=file_env(link))
    second = new_tokens(emu, known)
    assert len(second) == 2 and second[1]["rotated_from"] == rotated[0]["sha256"]
    assert sha(target.read_text().strip()) == second[1]["sha256"]


def test_a_dangling_link_fails_before_any_token_request(emu, playbook, tmp_path):
    link = tmp_path / "refresh-token"
    link.symlink_to(str(tmp_path / "unmounted-volume" / "refresh-token"))
    run = playbook(play(task("partnercenter_auth_info", name="auth", ignore_errors=True)), env=file_env(link))
    result = run.result("auth")["result"]
    assert result["failed"]
    assert "refresh_token_file" in result["msg"] and "symbolic link" in result["msg"]
    assert str(tmp_path / "unmounted-volume" / "refresh-token") in result["msg"] and "does not exist" in result["msg"]
    assert emu.requests(route="token") == []


def test_no_new_refresh_token_from_the_authority_warns_once_naming_the_file(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    emu.config(rotate_refresh_tokens=False)
    token_file = tmp_path / "refresh-token"
    token_file.write_text(emu.refresh_token + "\n")
    token_file.chmod(0o600)
    body = play(task("partnercenter_auth_info", name="auth"),
                task("partnercenter_user_info", name="lookup", customer_id=cid))
    run = playbook(body, env=file_env(token_file))
    auth, lookup = run.result("auth")["result"], run.result("lookup")["result"]
    assert auth["refresh_token_rotation"] == {"stored": False, "path": str(token_file.resolve()),
                                              "problem": "the authority returned no new refresh token"}
    assert len(auth["warnings"]) == 1
    assert str(token_file) in auth["warnings"][0] and "no new refresh token" in auth["warnings"][0]
    assert "90 days" in auth["warnings"][0]
    assert not lookup.get("failed") and len(lookup["warnings"]) == 1  # its own grant, its own single warning
    assert token_file.read_text() == emu.refresh_token + "\n"
    assert len([r for r in emu.requests(route="token") if r["status"] == 200]) == 2
    assert_not_shown(emu.refresh_token, run)


def test_a_utf16_token_file_is_a_clear_error_without_a_token_request_or_its_content(emu, playbook, tmp_path):
    folder = tmp_path / "secrets"
    folder.mkdir()
    token_file = folder / "refresh-token"
    token_file.write_bytes((emu.refresh_token + "\r\n").encode("utf-16"))  # PowerShell 5's Out-File
    token_file.chmod(0o600)
    run = playbook(play(task("partnercenter_auth_info", name="auth", ignore_errors=True)), env=file_env(token_file))
    result = run.result("auth")["result"]
    assert result["failed"] and "UTF-16" in result["msg"] and str(token_file) in result["msg"]
    assert "Traceback" not in run.output and "codec" not in run.output
    assert emu.requests(route="token") == []
    assert os.listdir(str(folder)) == ["refresh-token"]  # the lock is gone too
    assert_not_shown(emu.refresh_token, run)


def test_a_token_file_written_with_a_utf8_bom_works(emu, playbook, tmp_path):
    token_file = tmp_path / "refresh-token"
    token_file.write_bytes(b"\xef\xbb\xbf" + emu.refresh_token.encode("ascii") + b"\r\n")  # Notepad, PowerShell 5
    token_file.chmod(0o600)
    run = playbook(play(task("partnercenter_auth_info", name="auth")), env=file_env(token_file))
    assert run.result("auth")["result"]["refresh_token_rotation"]["stored"] is True
    assert token_file.read_bytes().startswith(b"emu-rt.")
