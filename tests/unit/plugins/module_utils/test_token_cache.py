# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import subprocess
import sys

from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache, cache_key


def test_token_is_stored_private_and_loaded_until_near_expiry(tmp_path):
    cache = TokenCache(str(tmp_path / "tokens"))
    key = cache_key("https://login", "t", "c", "scope", "secret", "rt")
    cache.store(key, "access-1", 3600, now=1000)
    assert stat.S_IMODE(os.stat(str(tmp_path / "tokens")).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(str(tmp_path / "tokens" / (key + ".json"))).st_mode) == 0o600
    assert cache.load(key, now=1000 + 3000) == "access-1"
    assert cache.load(key, now=1000 + 3400) is None  # inside the refresh margin


def test_different_credentials_never_share_a_token():
    base = ("https://login", "t", "c", "scope", "secret", "rt")
    keys = {cache_key(*base)}
    for position, other in enumerate(["https://login.us", "t2", "c2", "scope2", "secret2", "rt2"]):
        changed = list(base)
        changed[position] = other
        keys.add(cache_key(*changed))
    assert len(keys) == 7


def test_secrets_are_not_written_to_the_cache(tmp_path):
    cache = TokenCache(str(tmp_path))
    key = cache_key("https://login", "t", "c", "scope", "my-client-secret", "my-refresh-token")
    cache.store(key, "access-1", 3600)
    content = (tmp_path / (key + ".json")).read_text()
    assert "my-client-secret" not in content and "my-refresh-token" not in content


def test_file_readable_by_others_is_ignored(tmp_path):
    cache = TokenCache(str(tmp_path))
    cache.store("k", "access-1", 3600)
    os.chmod(str(tmp_path / "k.json"), 0o644)
    assert cache.load("k") is None


def test_loading_a_cached_token_does_not_import_msal(tmp_path):
    code = (
        "import sys\n"
        "from ansible_collections.csp.partnercenter.plugins.module_utils._auth import TokenProvider\n"
        "from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache\n"
        "cache = TokenCache(sys.argv[1])\n"
        "p = TokenProvider('https://login', 't', 'c', client_secret='s', refresh_token='r', cache=cache)\n"
        "cache.store(p._key, 'cached-token', 3600)\n"
        "assert p.get_token() == 'cached-token'\n"
        "print('msal' in sys.modules)\n"
    )
    out = subprocess.check_output([sys.executable, "-c", code, str(tmp_path)], env=dict(os.environ))
    assert out.decode().strip() == "False"


def test_directory_open_to_others_is_refused_not_changed(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o755)
    cache = TokenCache(str(shared))
    try:
        cache.store("k", "access-1", 3600)
        raise AssertionError("store() should refuse a directory others can enter")
    except OSError as exc:
        assert "open to other users" in str(exc)
    assert stat.S_IMODE(os.stat(str(shared)).st_mode) == 0o755
    assert not os.listdir(str(shared))


def test_parallel_processes_fetch_one_token_between_them(tmp_path):
    """Forks of one play start together; the cache lock makes them share one token request."""
    code = (
        "import sys, time\n"
        "from ansible_collections.csp.partnercenter.plugins.module_utils._auth import TokenProvider\n"
        "from ansible_collections.csp.partnercenter.plugins.module_utils._token_cache import TokenCache\n"
        "class Counting(TokenProvider):\n"
        "    def _acquire(self):\n"
        "        with open(sys.argv[2], 'a') as log:\n"
        "            log.write('fetch\\n')\n"
        "        time.sleep(0.5)\n"
        "        return 'token-from-idp', 3600\n"
        "p = Counting('https://login', 't', 'c', client_secret='s', refresh_token='r', cache=TokenCache(sys.argv[1]))\n"
        "print(p.get_token())\n"
    )
    log = tmp_path / "fetches.log"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "cache"), str(log)],
                              stdout=subprocess.PIPE, env=dict(os.environ)) for dummy in range(4)]
    outputs = [p.communicate()[0].decode().strip() for p in procs]
    assert outputs == ["token-from-idp"] * 4
    assert log.read_text().count("fetch") == 1


def test_only_exactly_what_store_writes_is_trusted(tmp_path):
    cache = TokenCache(str(tmp_path))
    key = "k"
    for content in ("[]", "null", "5", '"token"', '{"access_token": 5, "expires_on": 9e9}',
                    '{"access_token": "a b", "expires_on": 9e9}', '{"access_token": "t", "expires_on": true}',
                    '{"access_token": "t", "expires_on": 9e9, "extra": 1}', '{"access_token": "t"}'):
        path = tmp_path / (key + ".json")
        path.write_text(content)
        os.chmod(str(path), 0o600)
        assert cache.load(key, now=1000) is None, content


def test_a_token_with_an_insane_expiry_is_never_cached(tmp_path):
    cache = TokenCache(str(tmp_path / "tokens"))
    for expires_in in (0, -5, 10 ** 12, "soon", None, True):
        cache.store("k", "token", expires_in, now=1000)
        assert not (tmp_path / "tokens" / "k.json").exists(), expires_in
    cache.store("k", "bad token", 3600, now=1000)
    assert not (tmp_path / "tokens" / "k.json").exists()
    cache.store("k", "token", "3600", now=1000)
    assert cache.load("k", now=1000) == "token"
