# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the provisioning playbook the way AWX runs a job: through ansible-runner.

AWX renders the job's credential types into environment variables, writes a private data
directory (project, inventory, ``env/envvars``) and hands it to ansible-runner.  Here the
environment is what extensions/awx/credential_type_partnercenter.yml injects, rendered
from the emulator's credentials with the same sandboxed Jinja AWX uses, and the job is the
shipped playbook with the example inventory against the emulator seeded with
examples/emulator/seed.json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import harness

ansible_runner = pytest.importorskip("ansible_runner")

REPO_ROOT = Path(__file__).resolve().parents[2]
CREDENTIAL_TYPE = REPO_ROOT / "extensions" / "awx" / "credential_type_partnercenter.yml"
SEED = REPO_ROOT / "examples" / "emulator" / "seed.json"
INVENTORY = REPO_ROOT / "examples" / "emulator" / "inventory"
PLAYBOOK = "playbooks/provision_customers.yml"
HOSTS = ("contoso", "fabrikam", "northwind")
CONVERGE = "Converge the customer's users"


def injected_env(credential_type, inputs):
    """What AWX injects for a credential of this type (awx_plugins inject_credential)."""
    sandbox = ImmutableSandboxedEnvironment()
    namespace = dict((key, value) for key, value in inputs.items() if value)
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in credential_type["injectors"]["env"].items())


@pytest.fixture
def private_data_dir(tmp_path, emu, monkeypatch):
    # Nothing but the envvars below may reach the job, and ansible-runner must find this
    # venv's ansible-playbook first on PATH (it inherits the process environment).
    for name in list(os.environ):
        if name.startswith("PARTNERCENTER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))

    credential_type = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    # The credential's fields, filled from the emulator's info file.  Its endpoints go in the
    # optional authority/api_url fields, the way a national-cloud credential carries them.
    credential = dict((field["id"], emu.info.get(field["id"])) for field in credential_type["inputs"]["fields"])
    envvars = injected_env(credential_type, credential)
    assert envvars["PARTNERCENTER_CLIENT_SECRET"] == emu.client_secret
    assert envvars["PARTNERCENTER_AUTHORITY"] == emu.authority
    assert envvars["PARTNERCENTER_API_URL"] == emu.api_url
    # Not part of a real credential: the emulator's private CA (a real job trusts the public
    # Entra ID and Partner Center certificates through the EE's system store), where the
    # collection is installed (an EE has it under /usr/share/ansible/collections), a token
    # cache inside this test's directory, and no proxy for loopback.
    envvars.update({
        "PARTNERCENTER_CA_PATH": emu.ca_path,
        "PARTNERCENTER_TOKEN_CACHE_DIR": str(tmp_path / "token-cache"),
        "ANSIBLE_COLLECTIONS_PATH": harness.collections_path(),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })

    pdd = tmp_path / "runner"
    (pdd / "env").mkdir(parents=True)
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
    # A project update checks the repository out into project/; the job runs from there.
    shutil.copytree(str(REPO_ROOT / "playbooks"), str(pdd / "project" / "playbooks"))
    shutil.copytree(str(INVENTORY), str(pdd / "inventory"))
    return pdd


def run_job(pdd, ident):
    runner = ansible_runner.run(
        private_data_dir=str(pdd), playbook=PLAYBOOK, ident=ident, quiet=True,
        settings={"suppress_ansible_output": True},
    )
    events = list(runner.events)
    assert runner.status == "successful" and runner.rc == 0, "%s rc=%s\n%s" % (
        runner.status, runner.rc, runner.stdout.read()[-4000:])
    return runner, events


def converge_results(events):
    return dict((event["event_data"]["host"], event["event_data"]["res"]) for event in events
                if event["event"] == "runner_on_ok" and event["event_data"].get("task") == CONVERGE)


def test_awx_style_job_converges_then_is_idempotent(emu, private_data_dir):
    emu.reset(seed=json.loads(SEED.read_text(encoding="utf-8")))
    emu.clear_requests()

    runner, events = run_job(private_data_dir, "converge")
    results = converge_results(events)
    assert sorted(results) == sorted(HOSTS)
    assert all(results[host]["changed"] for host in HOSTS), dict((h, r["summary"]) for h, r in results.items())
    assert sorted(host for host, count in runner.stats["changed"].items() if count) == sorted(HOSTS)
    assert not runner.stats["failures"] and not runner.stats["dark"]
    assert emu.writes(), "the first run wrote nothing"
    seed_ids = dict((c["domain"], c["id"]) for c in json.loads(SEED.read_text(encoding="utf-8"))["customers"])
    for host in HOSTS:
        host_vars = yaml.safe_load((INVENTORY / "host_vars" / ("%s.yml" % host)).read_text(encoding="utf-8"))
        customer_id = host_vars.get("partnercenter_customer_id") or seed_ids[host_vars["partnercenter_customer_domain"]]
        active = set(u["userPrincipalName"].lower() for u in emu.users(customer_id, state="active"))
        declared = set(u["user_principal_name"].lower() for u in host_vars["partnercenter_users"]
                       if u.get("state", "present") == "present")
        assert declared <= active, (host, sorted(declared - active))

    emu.clear_requests()
    runner, events = run_job(private_data_dir, "rerun")
    results = converge_results(events)
    assert sorted(results) == sorted(HOSTS)
    assert not any(result["changed"] for result in results.values())
    assert not any(runner.stats["changed"].values()), runner.stats["changed"]
    assert not [e for e in events if e["event_data"].get("res", {}).get("changed")]
    assert emu.writes() == []

    # Secrets never reach the job's events or stdout, the parts AWX stores and shows.
    secrets = [emu.client_secret, emu.refresh_token]
    envvars = (private_data_dir / "env" / "envvars").read_text(encoding="utf-8")
    assert all(secret and secret in envvars for secret in secrets)  # the job really had them
    artifacts = private_data_dir / "artifacts"
    for ident in ("converge", "rerun"):
        job_events = "\n".join(p.read_text(encoding="utf-8")
                               for p in sorted((artifacts / ident / "job_events").glob("*.json")))
        stdout = (artifacts / ident / "stdout").read_text(encoding="utf-8")
        assert job_events and stdout
        for secret in secrets:
            assert secret not in job_events and secret not in stdout
    # ansible-runner itself keeps the whole environment, secrets included, in
    # artifacts/<ident>/env/envvars and artifacts/<ident>/command: AWX deletes the private data
    # directory after the job, and anyone running ansible-runner directly must protect it.


@pytest.mark.no_emulator
def test_register_playbook_hands_injectors_to_the_controller_unrendered(playbook, tmp_path):
    """awx_register_credential_type.yml with a stand-in awx.awx.credential_type module."""
    stub = tmp_path / "stub-collections" / "ansible_collections" / "awx" / "awx"
    (stub / "plugins" / "modules").mkdir(parents=True)
    (stub / "galaxy.yml").write_text("namespace: awx\nname: awx\nversion: 99.0.0\n", encoding="utf-8")
    (stub / "plugins" / "modules" / "credential_type.py").write_text(
        "from ansible.module_utils.basic import AnsibleModule\n"
        "m = AnsibleModule(argument_spec=dict(name=dict(required=True), description=dict(), kind=dict(),\n"
        "    inputs=dict(type='dict'), injectors=dict(type='dict'), state=dict(default='present')))\n"
        "m.exit_json(changed=True, received=m.params)\n", encoding="utf-8")
    run = playbook(str(REPO_ROOT / "playbooks" / "awx_register_credential_type.yml"), env={
        "ANSIBLE_COLLECTIONS_PATH": "%s:%s" % (tmp_path / "stub-collections", harness.collections_path())})
    received = run.result("Create or update the credential type")["result"]["received"]
    definition = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    assert received["injectors"] == definition["injectors"]  # "{{ client_secret }}" etc. verbatim
    assert received["inputs"] == definition["inputs"]
    assert (received["name"], received["kind"], received["state"]) == (definition["name"], "cloud", "present")
