import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import EMULATOR_DIR, VerifySession

PCEMU = os.path.join(EMULATOR_DIR, "pcemu.py")


def test_cli_subprocess(tmp_path):
    info_file = tmp_path / "info.json"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"customers": [{"companyName": "Cli", "domain": "cli.example",
                                               "generate_users": {"count": 3}}]}))
    proc = subprocess.Popen(
        [sys.executable, PCEMU, "--port", "0", "--info-file", str(info_file),
         "--cert-dir", str(tmp_path / "certs"), "--seed", str(seed), "--client-secret",
         "cli-secret-xyz", "--default-page-size", "2", "--create-status", "200"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PARTNERCENTER_EMULATOR_READY https://127.0.0.1:"), line
        info = json.loads(info_file.read_text())
        assert info["api_url"] == line.split()[1]
        graph_line = proc.stdout.readline()
        assert graph_line.split() == ["PARTNERCENTER_EMULATOR_GRAPH_URL", info["graph_url"]]
        assert info["graph_url"].startswith("https://127.0.0.1:")
        assert info["graph_url"] != info["api_url"]
        assert info["control_url"] == info["api_url"] + "/_emulator"
        assert info["trap_url"].startswith("http://127.0.0.1:")
        assert info["client_secret"] == "cli-secret-xyz" and info["pid"] == proc.pid
        assert os.path.isfile(info["ca_path"])
        for name in ("server.pem", "server.key"):
            assert (tmp_path / "certs" / name).is_file()
        s = VerifySession(info["ca_path"])
        cfg = s.get(info["control_url"] + "/config").json()
        assert cfg["default_page_size"] == 2 and cfg["create_status"] == 200
        tok = s.post("%s/%s/oauth2/v2.0/token" % (info["authority"], info["tenant_id"]), data={
            "grant_type": "refresh_token", "client_id": info["client_id"],
            "refresh_token": info["refresh_token"],
            "scope": "https://api.partnercenter.microsoft.com/user_impersonation"}).json()
        cid = s.get(info["control_url"] + "/state").json()["customers"][0]["id"]
        page = s.get("%s/v1/customers/%s/users" % (info["api_url"], cid),
                     headers={"Authorization": "Bearer " + tok["access_token"]}).json()
        assert page["totalCount"] == 2 and "next" in page["links"]
        # reset without "seed" reloads the startup seed
        s.post(info["control_url"] + "/reset", json={})
        assert len(s.get(info["control_url"] + "/state").json()["customers"][0]["users"]) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "cli-secret-xyz" not in out + err and "emulator-refresh-token" not in out + err


def test_cli_yaml_seed_and_bad_seed(tmp_path):
    pytest.importorskip("yaml")
    seed = tmp_path / "seed.yml"
    seed.write_text("customers:\n  - companyName: Y\n    domain: y.example\n")
    proc = subprocess.run([sys.executable, PCEMU, "--seed", str(tmp_path / "missing.json")],
                          capture_output=True, text=True, timeout=20, check=False)
    assert proc.returncode == 2 and "error" in proc.stderr
    sys.path.insert(0, EMULATOR_DIR)
    from partnercenter_emulator.server import start
    handle = start({"seed_file": str(seed)})
    try:
        assert handle.emulator.state.dump()["customers"][0]["companyProfile"]["domain"] == \
            "y.example"
    finally:
        handle.stop()
    assert not os.path.exists(handle.info["cert_dir"])  # temp cert dir removed


def test_20k_users_paging_and_concurrency(pc):
    cid = "0c1d2e3f-0000-4000-8000-000000000001"
    t0 = time.monotonic()
    pc.control("POST", "seed", {"customers": [{
        "id": cid, "companyName": "Big", "domain": "big.example",
        "generate_users": {"count": 20000}}]})
    assert time.monotonic() - t0 < 5
    token = pc.token()

    def list_all(session, size=500):
        headers = {"Authorization": "Bearer " + token}
        r = session.get("%s/v1/customers/%s/users?size=%d" % (pc.url, cid, size), headers=headers)
        count = 0
        while True:
            assert r.status_code == 200, r.text
            page = r.json()
            count += page["totalCount"]
            nxt = page["links"].get("next")
            if not nxt:
                return count
            h = dict(headers)
            h[nxt["headers"][0]["key"]] = nxt["headers"][0]["value"]
            r = session.get(pc.url + "/v1" + nxt["uri"], headers=h)

    t0 = time.monotonic()
    assert list_all(pc.s) == 20000
    single = time.monotonic() - t0
    assert single < 5, single

    results, errors = [], []

    def worker(n):
        s = VerifySession(pc.info["ca_path"])
        try:
            for i in range(5):
                r = s.get("%s/v1/customers/%s/users?size=100" % (pc.url, cid),
                          headers={"Authorization": "Bearer " + token})
                results.append(r.status_code)
                r = s.post("%s/v1/customers/%s/users" % (pc.url, cid),
                           headers={"Authorization": "Bearer " + token},
                           json={"userPrincipalName": "w%d-%d@big.example" % (n, i),
                                 "displayName": "w", "usageLocation": "US",
                                 "passwordProfile": {"password": "abCD123*x"}})
                results.append(r.status_code)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert results.count(200) == 100 and results.count(201) == 100
    assert time.monotonic() - t0 < 10
    counters = pc.control("GET", "counters")
    assert counters["by_route"]["create_user"] == 100
