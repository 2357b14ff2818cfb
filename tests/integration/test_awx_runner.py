# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the provisioning playbook the way AWX runs a job: through ansible-runner, from the project
docs/docsite/rst/guide_awx.rst describes.

The project is the guide's: a one-line ``site.yml`` that imports
``csp.partnercenter.provision_customers``, and ``inventory/hosts.yml`` with its ``host_vars/``
and ``group_vars/``, where the customers' initial password is an inline-vaulted variable.
AWX reads that inventory in an inventory update (``ansible-inventory --list --export``, with no
vault password: AWX refuses vault credentials on inventory sources), stores what it printed,
and hands it to the job as an inventory script; the job template's vault credential answers
the ``Vault password:`` prompt (``--ask-vault-pass``).  The environment is what
extensions/awx/credential_type_partnercenter.yml injects, rendered from the emulator's
credentials with the same sandboxed Jinja AWX uses; the emulator is seeded with
examples/emulator/seed.json.

Ansible reads ``group_vars/`` and ``host_vars/`` next to each inventory source and next to the
playbook that holds the play; for an imported play that is the imported playbook's directory
(inside the installed collection), never the project's ``site.yml``.  The layout the guide used
to give (vaulted variables in ``group_vars/`` next to ``site.yml``) is run too, and fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

import harness

ansible_runner = pytest.importorskip("ansible_runner")

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CREDENTIAL_TYPE = REPO_ROOT / "extensions" / "awx" / "credential_type_partnercenter.yml"
SEED = REPO_ROOT / "examples" / "emulator" / "seed.json"
INVENTORY = REPO_ROOT / "examples" / "emulator" / "inventory"
HOSTS = ("contoso", "fabrikam", "northwind")
CONVERGE = "Converge the customer's users"
# The project's files, as guide_awx.rst shows them.
AWX_GUIDE = REPO_ROOT / "docs" / "docsite" / "rst" / "guide_awx.rst"
SITE_YML = harness.doc_snippet(AWX_GUIDE, "# site.yml in your project")
ANSIBLE_CFG = "[inventory]\nany_unparsed_is_failed = true\n"
# What the vaulted variable holds, and the vault credential's password.
INITIAL_PASSWORD = "Vaulted-Initial-Passw0rd!73"
VAULT_PASSWORD = "vault-credential-password-5b1e"
# AWX answers the prompt --ask-vault-pass makes with the vault credential's password.
AWX_VAULT_PROMPT = r"Vault password:\s*?$"


def injected_env(credential_type, inputs):
    """What AWX injects for a credential of this type (awx_plugins inject_credential)."""
    sandbox = ImmutableSandboxedEnvironment()
    namespace = dict((key, value) for key, value in inputs.items() if value)
    return dict((name, sandbox.from_string(template).render(**namespace))
                for name, template in credential_type["injectors"]["env"].items())


@pytest.fixture
def envvars(tmp_path, emu, monkeypatch):
    """env/envvars of the job: the Partner Center credential as AWX injects it."""
    # Nothing but these may reach the job, and ansible-runner must find this venv's
    # ansible-playbook first on PATH (it inherits the process environment).
    for name in list(os.environ):
        if name.startswith(("PARTNERCENTER_", "ANSIBLE_VAULT")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))

    credential_type = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    # The credential's fields, filled from the emulator's info file.  Its endpoints go in the
    # optional authority/api_url fields, the way a national-cloud credential carries them.
    credential = dict((field["id"], emu.info.get(field["id"])) for field in credential_type["inputs"]["fields"])
    injected = injected_env(credential_type, credential)
    assert injected["PARTNERCENTER_CLIENT_SECRET"] == emu.client_secret
    assert injected["PARTNERCENTER_AUTHORITY"] == emu.authority
    assert injected["PARTNERCENTER_API_URL"] == emu.api_url
    # Not part of a real credential: the emulator's private CA (a real job trusts the public
    # Entra ID and Partner Center certificates through the EE's system store), where the
    # collection is installed (an EE has it under /usr/share/ansible/collections), a token
    # cache inside this test's directory, and no proxy for loopback.
    injected.update({
        "PARTNERCENTER_CA_PATH": emu.ca_path,
        "PARTNERCENTER_TOKEN_CACHE_DIR": str(tmp_path / "token-cache"),
        "ANSIBLE_COLLECTIONS_PATH": harness.collections_path(),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    return injected


def ansible_cli(*args, cwd=None, env=None, succeed=True):
    proc = subprocess.run([str(BIN / args[0])] + [str(a) for a in args[1:]], cwd=str(cwd) if cwd else None,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    if succeed:
        assert proc.returncode == 0, "%s -> %s\n%s\n%s" % (args, proc.returncode, proc.stdout[-2000:],
                                                           proc.stderr[-2000:])
    return proc


def write_project(root, layout):
    """The project repository.  ``guide``: the customers' initial password inline-vaulted in
    ``inventory/group_vars/`` (``ansible-vault encrypt_string``); ``site-adjacent``: what the guide
    said before, a vaulted ``group_vars/`` file next to ``site.yml``; ``inventory file vaulted
    whole``: ``inventory/group_vars/`` encrypted with ``ansible-vault encrypt``."""
    project = root / "project"
    project.mkdir(parents=True)
    (project / "site.yml").write_text(SITE_YML, encoding="utf-8")
    (project / "ansible.cfg").write_text(ANSIBLE_CFG, encoding="utf-8")
    # The example inventory without its group_vars (the demo password in plain text).
    shutil.copytree(str(INVENTORY), str(project / "inventory"), ignore=shutil.ignore_patterns("group_vars"))
    password_file = root / "vault-password"
    password_file.write_text(VAULT_PASSWORD, encoding="utf-8")
    password_file.chmod(0o600)
    if layout == "guide":
        vaulted = ansible_cli("ansible-vault", "encrypt_string", "--vault-password-file", password_file,
                              "--name", "demo_initial_password", INITIAL_PASSWORD).stdout
        (project / "inventory" / "group_vars").mkdir()
        (project / "inventory" / "group_vars" / "partnercenter_customers.yml").write_text(
            "---\n" + vaulted, encoding="utf-8")
    else:
        group_vars = project / ("inventory/group_vars" if layout == "inventory file vaulted whole" else "group_vars")
        group_vars.mkdir()
        vaulted = group_vars / "partnercenter_customers.yml"
        vaulted.write_text(yaml.safe_dump({"demo_initial_password": INITIAL_PASSWORD}), encoding="utf-8")
        ansible_cli("ansible-vault", "encrypt", "--vault-password-file", password_file, vaulted)
    assert INITIAL_PASSWORD not in "".join(p.read_text(encoding="utf-8") for p in project.rglob("*.yml"))
    return project


def inventory_update_command(project, output):
    """AWX's inventory update of a source "Sourced from a Project" (awx/main/tasks/jobs.py
    RunInventoryUpdate): ansible-inventory's export of inventory/hosts.yml, with no vault password."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_VAULT", "PARTNERCENTER_")))
    return ["ansible-inventory", "--list", "--export", "-i", project / "inventory" / "hosts.yml",
            "--playbook-dir", project / "inventory", "--output", output], env


def awx_inventory_update(project, sync_dir):
    """What the inventory update stores in AWX."""
    sync_dir.mkdir()
    output = sync_dir / "output.json"
    command, env = inventory_update_command(project, output)
    ansible_cli(*command, cwd=project, env=env)
    stored = json.loads(output.read_text(encoding="utf-8"))
    stored.get("_meta", {}).pop("profile", None)  # ansible-core 2.19's marker; AWX keeps variables only
    return stored


def private_data_dir(root, project, envvars, inventory):
    """The job's private data directory, as AWX writes it: the project checkout, the inventory,
    env/envvars (credentials), env/extravars (AWX's job variables), and the vault credential as
    --ask-vault-pass (env/cmdline) and the answer to its prompt (env/passwords)."""
    pdd = root / "runner"
    (pdd / "env").mkdir(parents=True)
    shutil.copytree(str(project), str(pdd / "project"))
    if inventory == "synced by AWX":
        # AWX's job inventory: a script printing what the inventory update stored (build_inventory).
        stored = awx_inventory_update(project, root / "inventory-update")
        assert INITIAL_PASSWORD not in json.dumps(stored)  # AWX stores the inline-vaulted value encrypted
        script = pdd / "inventory" / "hosts"
        script.parent.mkdir()
        script.write_text("#! %s\n# -*- coding: utf-8 -*-\nprint(%r)\n" % (sys.executable, json.dumps(stored)),
                          encoding="utf-8")
        script.chmod(0o700)
    else:
        # The guide's local rehearsal: the project's inventory directory, group_vars/ and host_vars/ with it.
        shutil.copytree(str(project / "inventory"), str(pdd / "inventory"))
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars), encoding="utf-8")
    (pdd / "env" / "extravars").write_text(yaml.safe_dump({
        "awx_job_id": 42, "awx_job_launch_type": "scheduled", "awx_job_template_name": "Provision every customer",
        "awx_inventory_name": "Partner Center customers", "awx_execution_node": "localhost"}), encoding="utf-8")
    (pdd / "env" / "cmdline").write_text("--ask-vault-pass", encoding="utf-8")
    (pdd / "env" / "passwords").write_text(yaml.safe_dump({AWX_VAULT_PROMPT: VAULT_PASSWORD}), encoding="utf-8")
    return pdd


def run_job(pdd, ident, expect="successful"):
    runner = ansible_runner.run(private_data_dir=str(pdd), playbook="site.yml", ident=ident, quiet=True,
                                settings={"suppress_ansible_output": True})
    events = list(runner.events)
    assert runner.status == expect, "%s rc=%s\n%s" % (runner.status, runner.rc, runner.stdout.read()[-4000:])
    return runner, events


def converge_results(events):
    return dict((event["event_data"]["host"], event["event_data"]["res"]) for event in events
                if event["event"] == "runner_on_ok" and event["event_data"].get("task") == CONVERGE)


def customer_ids():
    seed_ids = dict((c["domain"], c["id"]) for c in json.loads(SEED.read_text(encoding="utf-8"))["customers"])
    ids = {}
    for host in HOSTS:
        host_vars = yaml.safe_load((INVENTORY / "host_vars" / ("%s.yml" % host)).read_text(encoding="utf-8"))
        ids[host] = host_vars.get("partnercenter_customer_id") or seed_ids[host_vars["partnercenter_customer_domain"]]
    return ids


@pytest.mark.parametrize("inventory", ["synced by AWX", "copied as in the rehearsal"])
def test_an_awx_job_of_the_guides_project_converges_every_customer_then_changes_nothing(
        emu, envvars, tmp_path, inventory):
    emu.reset(seed=json.loads(SEED.read_text(encoding="utf-8")))
    emu.clear_requests()
    pdd = private_data_dir(tmp_path, write_project(tmp_path, "guide"), envvars, inventory)
    if inventory == "synced by AWX":
        assert "$ANSIBLE_VAULT" in (pdd / "inventory" / "hosts").read_text(encoding="utf-8")

    runner, events = run_job(pdd, "converge")
    results = converge_results(events)
    assert sorted(results) == sorted(HOSTS)
    assert all(results[host]["changed"] for host in HOSTS), dict((h, r["summary"]) for h, r in results.items())
    assert sorted(host for host, count in runner.stats["changed"].items() if count) == sorted(HOSTS)
    assert not runner.stats["failures"] and not runner.stats["dark"]
    # Every customer converged: its declared users are active, and each user this job created has
    # the vaulted password, decrypted by the job (and only by it).
    creates = emu.requests(route="create_user")
    assert creates and all(r["status"] == 201 for r in creates)
    vaulted = hashlib.sha256(INITIAL_PASSWORD.encode("utf-8")).hexdigest()
    for host, customer_id in customer_ids().items():
        host_vars = yaml.safe_load((INVENTORY / "host_vars" / ("%s.yml" % host)).read_text(encoding="utf-8"))
        users = dict((u["userPrincipalName"].lower(), u) for u in emu.users(customer_id, state="active"))
        declared = set(u["user_principal_name"].lower() for u in host_vars["partnercenter_users"]
                       if u.get("state", "present") == "present")
        assert declared <= set(users), (host, sorted(declared - set(users)))
        created = [r for r in creates if customer_id in r["path"]]
        assert created, host
        for request in created:
            upn = request["body"]["userPrincipalName"].lower()
            assert users[upn]["passwordSha256"] == vaulted, (host, upn)

    emu.clear_requests()
    runner, events = run_job(pdd, "rerun")
    results = converge_results(events)
    assert sorted(results) == sorted(HOSTS)
    assert not any(result["changed"] for result in results.values())
    assert not any(runner.stats["changed"].values()), runner.stats["changed"]
    assert not [e for e in events if e.get("event_data", {}).get("res", {}).get("changed")]
    assert emu.writes() == []

    # Secrets never reach the job's events or stdout, the parts AWX stores and shows.
    secrets = [emu.client_secret, emu.refresh_token, INITIAL_PASSWORD, VAULT_PASSWORD]
    assert all(secret and secret in (pdd / "env" / "envvars").read_text(encoding="utf-8") + (
        pdd / "env" / "passwords").read_text(encoding="utf-8") + INITIAL_PASSWORD for secret in secrets)
    artifacts = pdd / "artifacts"
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


def test_group_vars_next_to_site_yml_never_reach_the_imported_playbook(emu, envvars, tmp_path):
    # The layout the guide used to give: every customer failed, and nothing was written.
    emu.reset(seed=json.loads(SEED.read_text(encoding="utf-8")))
    emu.clear_requests()
    pdd = private_data_dir(tmp_path, write_project(tmp_path, "site-adjacent"), envvars, "synced by AWX")

    runner, events = run_job(pdd, "converge", expect="failed")
    failures = dict((event["event_data"]["host"], json.dumps(event["event_data"]["res"])) for event in events
                    if event["event"] == "runner_on_failed")
    assert sorted(failures) == sorted(HOSTS)
    assert all("demo_initial_password' is undefined" in failure for failure in failures.values()), failures
    assert emu.writes() == []


@pytest.mark.no_emulator
def test_a_whole_file_vaulted_in_the_inventory_fails_the_inventory_update(tmp_path):
    # Why the guide says encrypt_string: AWX gives an inventory update no vault password.
    project = write_project(tmp_path, "inventory file vaulted whole")
    command, env = inventory_update_command(project, tmp_path / "output.json")
    proc = ansible_cli(*command, cwd=project, env=env, succeed=False)
    assert proc.returncode != 0
    assert "Attempting to decrypt but no vault secrets found" in proc.stderr


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
