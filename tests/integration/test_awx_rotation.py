# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""playbooks/rotate_awx_credential.yml: redeem the AWX credential's refresh token, write the new one back.

The controller is a stand-in awx.awx.credential module that behaves like the real one where it
matters here: it resolves the credential type by name (a name the controller does not know fails
the task, as "Request to /api/v2/credential_types/... returned 0 items" does) and replaces the
credential's inputs.  Its controller knows the type under the name the shipped definition
(extensions/awx/credential_type_partnercenter.yml) gives it, as after awx_register_credential_type.yml.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

import harness
from secret_scan import assert_no_form_in, assert_no_form_of, run_texts

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "playbooks" / "rotate_awx_credential.yml"
CREDENTIAL_TYPE = REPO_ROOT / "extensions" / "awx" / "credential_type_partnercenter.yml"
AUTH_GUIDE = REPO_ROOT / "docs" / "docsite" / "rst" / "guide_authentication.rst"
CREDENTIAL = "Partner Center (Contoso partner)"
REDEEM = "Redeem it; the rotated refresh token replaces it in the file"
WRITE_BACK = "Update the refresh token of the AWX credential"
EXPLAIN_REFUSAL = "Fail with the controller's answer"
# Every refresh token the emulator issues (configured and rotated) has this shape.
REFRESH_TOKEN = re.compile(r"emu-rt[.-][A-Za-z0-9_-]{20,}")

CONTROLLER_CREDENTIAL_MODULE = '''
import json, os
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec=dict(
    name=dict(required=True), credential_type=dict(required=True), update_secrets=dict(type="bool", default=True),
    inputs=dict(type="dict", no_log=True)), supports_check_mode=True)
path = os.environ["AWX_STUB_CONTROLLER"]
with open(path) as handle:
    controller = json.load(handle)
wanted = module.params["credential_type"]
if wanted not in controller["credential_types"]:
    module.fail_json(msg="Request to /api/v2/credential_types/?name=%s returned 0 items, expected 1" % wanted)
credential = controller["credentials"].get(module.params["name"])
if credential is None or credential["credential_type"] != wanted:
    module.fail_json(msg="Request to /api/v2/credentials/ returned 0 items, expected 1")
if not module.check_mode:
    credential["inputs"] = module.params["inputs"]
    credential["writes"] = credential.get("writes", 0) + 1
    fd = os.open(path + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(controller, handle)
    os.replace(path + ".new", path)
module.exit_json(changed=True)
'''


def sha(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def issued_digests(emu):
    return [t["sha256"] for t in emu.call("GET", "refresh_tokens")["refresh_tokens"]]


def refresh_tokens_on_disk(root, skip=()):
    """{file: [digest, ...]} of every refresh token written in a file under ``root``."""
    found = {}
    for folder, _dirs, files in os.walk(str(root)):
        for name in files:
            path = os.path.join(folder, name)
            if path in skip or os.path.islink(path):
                continue
            with open(path, "rb") as handle:
                text = handle.read().decode("latin-1")
            digests = [sha(token) for token in REFRESH_TOKEN.findall(text)]
            if digests:
                found[path] = digests
    return found


@pytest.fixture
def controller(tmp_path):
    """A controller holding the credential, of the type registered from the shipped definition."""
    definition = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    stub = tmp_path / "controller-collections" / "ansible_collections" / "awx" / "awx"
    (stub / "plugins" / "modules").mkdir(parents=True)
    (stub / "galaxy.yml").write_text("namespace: awx\nname: awx\nversion: 99.0.0\n", encoding="utf-8")
    (stub / "plugins" / "modules" / "credential.py").write_text(CONTROLLER_CREDENTIAL_MODULE, encoding="utf-8")
    state = tmp_path / "controller" / "state.json"
    state.parent.mkdir(mode=0o700)
    state.write_text(json.dumps({"credential_types": [definition["name"]], "credentials": {
        CREDENTIAL: {"credential_type": definition["name"], "inputs": {}}}}), encoding="utf-8")
    return {"state": state, "env": {
        "AWX_STUB_CONTROLLER": str(state),
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (stub.parents[2], harness.collections_path())}}


def read_credential(controller):
    return json.loads(controller["state"].read_text(encoding="utf-8"))["credentials"][CREDENTIAL]


@pytest.fixture
def job_tmp():
    """TMPDIR of the job: where the playbook's private directory is made.

    A short path of its own, not under pytest's tmp_path: from ansible-core 2.21 ansible-playbook binds a
    Unix socket under TMPDIR (its local RPC server), and a socket path past 107 bytes (an xdist worker's
    tmp_path plus pymp-*/listener-*) keeps that server from starting ("Local RPC server did not start").
    """
    folder = Path(tempfile.mkdtemp(prefix="pc-job-"))
    yield folder
    shutil.rmtree(str(folder), ignore_errors=True)


@pytest.mark.parametrize("dry_run", ["partnercenter_rotation_dry_run", "check mode"])
def test_a_dry_run_proves_the_token_and_leaves_no_token_on_disk(
        emu, playbook, controller, job_tmp, tmp_path, dry_run):
    known = issued_digests(emu)
    extra_vars = {"partnercenter_awx_credential_name": CREDENTIAL}
    if dry_run == "partnercenter_rotation_dry_run":
        extra_vars["partnercenter_rotation_dry_run"] = True
    run = playbook(str(PLAYBOOK), check=dry_run == "check mode", verbosity=4, extra_vars=extra_vars,
                   env=dict(controller["env"], TMPDIR=job_tmp))

    rotation = run.result(REDEEM)["result"]["refresh_token_rotation"]
    assert rotation["stored"] is True
    new = [t for t in emu.call("GET", "refresh_tokens")["refresh_tokens"] if t["sha256"] not in known]
    assert len(new) == 1 and new[0]["rotated_from"] == sha(emu.refresh_token)  # the token really was redeemed
    # ... and the new one went nowhere: its file, the file's directory, the lock, all gone.
    assert not os.path.exists(rotation["path"]) and not os.path.exists(os.path.dirname(rotation["path"]))
    assert os.listdir(str(job_tmp)) == []
    assert refresh_tokens_on_disk(tmp_path) == {}
    assert not REFRESH_TOKEN.search(run.output)
    assert emu.refresh_token not in run.output
    # The controller was not written, and the output says what happened.
    assert WRITE_BACK not in run.stdout
    assert read_credential(controller) == {"credential_type": yaml.safe_load(
        CREDENTIAL_TYPE.read_text(encoding="utf-8"))["name"], "inputs": {}}
    assert "Dry run: the refresh token of AWX credential '%s' works" % CREDENTIAL in run.stdout
    assert "was not changed" in run.stdout


def test_the_project_playbook_writes_the_rotated_token_into_the_credential_of_the_shipped_type(
        emu, playbook, controller, job_tmp, tmp_path):
    # The one-line project playbook of guide_authentication.rst, run by a job template.
    project = tmp_path / "project"
    project.mkdir()
    site = project / "rotate_partnercenter_token.yml"
    site.write_text(harness.doc_snippet(AUTH_GUIDE, "# rotate_partnercenter_token.yml in your project"),
                    encoding="utf-8")
    assert "import_playbook: csp.partnercenter.rotate_awx_credential" in site.read_text(encoding="utf-8")
    known = issued_digests(emu)
    run = playbook(str(site), verbosity=4, extra_vars={"partnercenter_awx_credential_name": CREDENTIAL},
                   env=dict(controller["env"], TMPDIR=job_tmp))
    assert run.result(WRITE_BACK)["result"]["changed"] is True

    credential = read_credential(controller)
    assert credential["writes"] == 1
    written = credential["inputs"]
    new = [t for t in emu.call("GET", "refresh_tokens")["refresh_tokens"] if t["sha256"] not in known]
    assert [t["sha256"] for t in new] == [sha(written["refresh_token"])]  # the newest token, not the old one
    assert new[0]["rotated_from"] == sha(emu.refresh_token)
    # The other inputs go back as the credential had them (the controller replaces the whole set).
    assert (written["tenant_id"], written["client_id"], written["client_secret"]) == (
        emu.tenant_id, emu.client_id, emu.client_secret)
    assert (written["authority"], written["api_url"]) == (emu.authority, emu.api_url)

    assert os.listdir(str(job_tmp)) == []
    assert refresh_tokens_on_disk(tmp_path, skip=[str(controller["state"])]) == {}
    assert_no_form_of({"rotated refresh token": written["refresh_token"]}, run)
    assert_no_form_in({"client secret": emu.client_secret}, run_texts(run), runs=False)  # made of words
    assert emu.refresh_token not in run.output


def test_a_credential_type_the_controller_does_not_know_fails_and_keeps_nothing(emu, playbook, controller, job_tmp,
                                                                                tmp_path):
    # What every run did while the playbook named the type "Partner Center".
    run = playbook(str(PLAYBOOK), expect_rc=2, extra_vars={"partnercenter_awx_credential_name": CREDENTIAL,
                                                           "partnercenter_awx_credential_type": "Partner Center"},
                   env=dict(controller["env"], TMPDIR=job_tmp))
    message = run.result(EXPLAIN_REFUSAL)["result"]["msg"]
    assert message.startswith("The controller did not update AWX credential '%s' (credential type "
                              "'Partner Center'): Request to /api/v2/credential_types/?name=Partner Center "
                              "returned 0 items, expected 1." % CREDENTIAL), message
    assert "keeps its current refresh token" in message
    assert read_credential(controller)["inputs"] == {}
    assert os.listdir(str(job_tmp)) == []
    assert refresh_tokens_on_disk(tmp_path) == {}
