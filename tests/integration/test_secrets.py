# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets never show: not at -vvvv, not in the log file, the results or any world-readable file.

Passwords, the client secret (right and wrong), the refresh token and every access token the
emulator issued are searched for in stdout, stderr, ANSIBLE_LOG_PATH, the recorded task results
and every world-readable file under the test's directory (the token cache's parent), after runs
in normal, check and diff mode that include failures.  The playbooks read the passwords from
the environment, so the playbook files themselves hold no secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.csp.partnercenter.plugins.module_utils._planner import PASSWORD_MARKER

from contoso import person, seed_contoso, upn
from masking import ansible_no_log_marker
from secret_scan import assert_no_form_in
from plays import play, task

PASSWORDS = {
    "PC_TEST_PW_JANE": "Jane-Initial-7fQx!2",
    "PC_TEST_PW_BOB": "Bob-Initial-9kLm#4",
    "PC_TEST_PW_CAROL": "Carol-Initial-3vNb$8",
    "PC_TEST_PW_ROTATED": "Jane-Rotated-5pWz%6",
    "PC_TEST_PW_WEAK": "Weak-Refused-2kQx!",  # refused by the emulator (a fault rule), so the failure echoes nothing
    "PC_TEST_PW_DAVE": "Dave-Check-1hGt&3",
    "PC_TEST_PW_EVE": "Eve-Check-8sDf*5",
    "PC_TEST_PW_ROTATED2": "Jane-Check-4rTy(7",
    "PC_TEST_PW_FRANK": "Frank-Token-6uIo)9",
}
WRONG_SECRET = "wrong-client-secret-Hq2Vb7Zk"


def env_value(name):
    return "{{ lookup('env', '%s') }}" % name


def scan_targets(run):
    """Everything one run showed or wrote: stdout, stderr, the log file, the recorded results."""
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for label, path in (("log file", run.log_path), ("results", run.results_path)):
        assert path.exists(), "%s was not written: %s" % (label, path)
        texts[label] = path.read_text(encoding="utf-8", errors="replace")
    texts["task results"] = json.dumps(run.records)
    return texts


def assert_nothing_leaks(secrets, texts):
    """Not the secret, nor its JSON-, \\uXXXX-, HTML- or URL-encoded form, nor its first 12 characters.

    8 characters of passwords and tokens; 12 of the emulator's well-known credentials, which start
    with "emulator" as its paths do.
    """
    for name, secret in secrets.items():
        assert_no_form_in({name: secret}, texts, runs=False, prefix=12 if secret.startswith("emulator") else 8)


def cached_tokens(cache_dir):
    tokens = []
    for name in sorted(os.listdir(str(cache_dir))):
        path = cache_dir / name
        st = os.stat(str(path))
        assert stat.S_IMODE(st.st_mode) == 0o600, "%s is mode %o" % (path, stat.S_IMODE(st.st_mode))
        if name.endswith(".lock"):  # the lock that lets forks share one token request: empty
            assert path.read_text(encoding="utf-8") == ""
            continue
        entry = json.loads(path.read_text(encoding="utf-8"))
        assert set(entry) == {"access_token", "expires_on"}  # never a secret or refresh token
        tokens.append(entry["access_token"])
    return tokens


def test_no_secret_in_any_output_log_result_or_readable_file(emu, playbook, tmp_path):
    cid = seed_contoso(emu)
    cache_dir = playbook.token_cache_dir
    assert cache_dir.parent == tmp_path
    secrets = dict(PASSWORDS, client_secret=emu.client_secret, wrong_client_secret=WRONG_SECRET,
                   refresh_token=emu.refresh_token)
    # Every task result carries its invocation (from ansible-core 2.21 only when asked), so the scans below
    # also see how ansible-core masks the no_log options.
    env = dict(PASSWORDS, PC_TEST_WRONG_SECRET=WRONG_SECRET, ANSIBLE_INJECT_INVOCATION="true")
    runs = []

    # normal run in diff mode: creates, a password reset, a refused weak password, a refused client secret.
    # (A password Entra's policy refuses is refused before any request now; the emulator refuses this one.)
    emu.faults([{"route": "create_user", "kind": "status", "status": 400, "after": 3, "times": 1,
                 "description": "Invalid property 'passwordProfile.password': the password is not complex enough"}])
    runs.append(playbook(play(
        task("partnercenter_user", name="create jane", customer_id=cid, upn=upn("jane"), display_name="Jane",
             usage_location="US", password=env_value("PC_TEST_PW_JANE")),
        task("partnercenter_user", name="converge many", customer_id=cid, users=[
            person("bob", password=env_value("PC_TEST_PW_BOB")),
            person("carol", password=env_value("PC_TEST_PW_CAROL")),
            dict(upn=upn("jane"), password=env_value("PC_TEST_PW_ROTATED"), update_password="always")]),
        task("partnercenter_user", name="weak password", ignore_errors=True, customer_id=cid, upn=upn("weak"),
             display_name="Weak", usage_location="US", password=env_value("PC_TEST_PW_WEAK")),
        task("partnercenter_user_info", name="wrong client secret", ignore_errors=True, customer_id=cid,
             client_secret=env_value("PC_TEST_WRONG_SECRET")),
        task("partnercenter_user_info", name="list", customer_id=cid, state="all"),
    ), diff=True, verbosity=4, env=env))
    run = runs[-1]
    assert run.result("create jane")["result"]["action"] == "created"
    assert run.result("converge many")["result"]["summary"]["created"] == 2
    assert run.result("converge many")["result"]["summary"]["updated"] == 1
    weak = run.result("weak password")["result"]
    assert weak["failed"] and weak["error"]["status"] == 400 and "password" in weak["msg"].lower()
    wrong = run.result("wrong client secret")["result"]
    assert wrong["failed"] and "invalid_client" in wrong["msg"]
    assert [w["route"] for w in emu.writes()].count("create_user") == 4  # jane, bob, carol, weak (refused)

    # the token cache: 0700 directory, 0600 files, access tokens only
    assert stat.S_IMODE(os.stat(str(cache_dir)).st_mode) == 0o700
    tokens = cached_tokens(cache_dir)
    assert len(tokens) == 1  # the wrong secret got no token

    # check mode with diff: predicted creates and password resets, and a refused client secret again
    runs.append(playbook(play(
        task("partnercenter_user", name="create dave", customer_id=cid, upn=upn("dave"), display_name="Dave",
             usage_location="US", password=env_value("PC_TEST_PW_DAVE")),
        task("partnercenter_user", name="converge many", customer_id=cid, users=[
            person("eve", password=env_value("PC_TEST_PW_EVE")),
            dict(upn=upn("jane"), password=env_value("PC_TEST_PW_ROTATED2"), update_password="always")]),
        task("partnercenter_user_info", name="wrong client secret", ignore_errors=True, customer_id=cid,
             client_secret=env_value("PC_TEST_WRONG_SECRET")),
    ), check=True, diff=True, verbosity=4, env=env))
    run = runs[-1]
    assert run.result("create dave")["result"]["action"] == "created"
    after = run.result("converge many")["result"]["diff"]["after"]
    # the diff's password line: the collection's own marker, whatever ansible-core shows for no_log values
    assert after[upn("jane")]["password"] == after[upn("eve")]["password"] == PASSWORD_MARKER
    assert run.result("wrong client secret")["result"]["failed"]

    # a ready access token (option and environment), and a failure the token cannot recover from
    emu.faults([{"route": "list_customers", "kind": "expire_token", "times": 1}])
    token_env = dict(env, PARTNERCENTER_CLIENT_SECRET=None, PARTNERCENTER_REFRESH_TOKEN=None,
                     PARTNERCENTER_ACCESS_TOKEN=tokens[0], PC_TEST_TOKEN=tokens[0])
    runs.append(playbook(play(
        task("partnercenter_user_info", name="token option", customer_id=cid, access_token=env_value("PC_TEST_TOKEN")),
        task("partnercenter_user", name="create frank", customer_id=cid, upn=upn("frank"), display_name="Frank",
             usage_location="US", password=env_value("PC_TEST_PW_FRANK")),
        task("partnercenter_customer_info", name="refused token", ignore_errors=True),
    ), diff=True, verbosity=4, env=token_env))
    run = runs[-1]
    assert len(run.result("token option")["result"]["users"]) == 3  # jane, bob, carol
    assert run.result("create frank")["result"]["action"] == "created"
    refused = run.result("refused token")["result"]
    assert refused["failed"] and refused["error"]["status"] == 401
    assert [t["status"] for t in emu.requests(route="token")] == [200, 401, 401]  # MSAL never used the token

    # every access token issued during the test is known: the cache holds it, nothing else was issued
    tokens = sorted(set(tokens + cached_tokens(cache_dir)))
    assert len(tokens) == 1
    secrets.update(("access_token_%d" % i, t) for i, t in enumerate(tokens))

    for run in runs:
        assert_nothing_leaks(secrets, scan_targets(run))
    # ... and the no_log options show as masked, in the form the running ansible-core uses
    marker = ansible_no_log_marker()
    assert runs[0].result("create jane")["result"]["invocation"]["module_args"]["password"] == marker
    assert runs[1].result("create dave")["result"]["invocation"]["module_args"]["password"] == marker
    assert runs[0].result("wrong client secret")["result"]["invocation"]["module_args"]["client_secret"] == marker

    # no world-readable file under the token cache's parent holds a secret
    readable = []
    for root, _dirs, files in os.walk(str(tmp_path)):
        for name in files:
            path = os.path.join(root, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and mode & stat.S_IROTH:
                readable.append(path)
                with open(path, "rb") as handle:
                    data = handle.read().decode("utf-8", "replace")
                assert_nothing_leaks(secrets, {path: data})
            if root.startswith(str(cache_dir)):
                assert not mode & (stat.S_IRWXG | stat.S_IRWXO), "%s is readable by others" % path
    assert readable, "the scan looked at nothing"


@pytest.mark.uses_graph
def test_no_graph_token_or_consent_secret_in_any_output_at_vvvv(emu, playbook):
    """Customer-tenant tokens (Microsoft Graph) and the consent call, at -vvvv, with a consent-missing failure."""
    cid = seed_contoso(emu, users=[{"userPrincipalName": upn("ada"), "firstName": "Ada", "lastName": "Tester",
                                    "displayName": "Ada Tester", "usageLocation": "US", "password": PASSWORDS[
                                        "PC_TEST_PW_JANE"], "jobTitle": "CFO"}],
                       groups=[{"displayName": "Finance", "members": [upn("ada")]}])
    env = dict(ANSIBLE_INJECT_INVOCATION="true")
    graph_info = task("partnercenter_user_info", name="graph info", customer_id=cid, include=["graph", "groups"],
                      ignore_errors=True)
    runs = [playbook(play(graph_info, task("partnercenter_application_consent", name="consent", customer_id=cid)),
                     check=True, diff=True, verbosity=4, env=env)]
    assert "partnercenter_application_consent" in runs[0].result("graph info")["result"]["msg"]
    runs.append(playbook(play(task("partnercenter_application_consent", name="consent", customer_id=cid),
                              graph_info,
                              task("partnercenter_auth_info", name="auth", graph=True, customer_ids=[cid])),
                         diff=True, verbosity=4, env=env))
    run = runs[-1]
    assert run.result("consent")["result"]["changed"] is True
    assert run.result("graph info")["result"]["users"][0]["groups"][0]["display_name"] == "Finance"
    assert run.result("auth")["result"]["customers"][0]["graph"]["consented"] is True
    tokens = cached_tokens(playbook.token_cache_dir)
    issued = [r for r in emu.requests(route="token") if r["status"] == 200]
    assert len(tokens) == len(issued) == 2  # the partner's token and the customer's Graph token, both cached
    secrets = dict(client_secret=emu.client_secret, refresh_token=emu.refresh_token,
                   password=PASSWORDS["PC_TEST_PW_JANE"])
    secrets.update(("access_token_%d" % i, t) for i, t in enumerate(tokens))
    for run in runs:
        assert_nothing_leaks(secrets, scan_targets(run))
