"""The emulator's parts wired together: knobs (startup values and the live config),
credentials, the data (``State``), fault rules, access and refresh tokens, the request log
and the trap's records; and what ``POST /_emulator/reset`` and ``/config`` do to them."""

import secrets
import uuid

from .config import DEFAULT_CONFIG, validate_config
from .faults import FaultEngine
from .identity import Identity, RefreshTokenStore, TokenStore
from .requestlog import RequestLog
from .state import State
from .trap import TrapLog

DEFAULT_CREDENTIALS = {
    "tenant_id": "11111111-1111-1111-1111-111111111111",
    "client_id": "22222222-2222-2222-2222-222222222222",
    "client_secret": "emulator-client-secret",
    "refresh_token": "emulator-refresh-token",
}


class Emulator(object):
    def __init__(self, options):
        options = dict(options or {})
        self.options = options
        knobs = validate_config({k: v for k, v in options.items() if k in DEFAULT_CONFIG})
        self.base_config = dict(DEFAULT_CONFIG)
        self.base_config.update(knobs)
        self.config = dict(self.base_config)
        self.credentials = dict(DEFAULT_CREDENTIALS)
        if options.get("random_credentials"):
            self.credentials.update({
                "tenant_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()),
                "client_secret": "emu-secret-" + secrets.token_urlsafe(24),
                "refresh_token": "emu-rt-" + secrets.token_urlsafe(32)})
        for key in DEFAULT_CREDENTIALS:
            if options.get(key):
                self.credentials[key] = options[key]
        self.initial_seed = options.get("seed")
        self.state = State(self.config)
        self.state.client_id = self.credentials["client_id"]
        self.faults = FaultEngine(self.config["random_seed"])
        self.tokens = TokenStore(clock=self.state.now)
        self.refresh_tokens = RefreshTokenStore(clock=self.state.now)
        self.refresh_tokens.arm_configured(self.credentials["refresh_token"])
        self.identity = Identity(self.credentials, self.tokens, self.refresh_tokens, self.state)
        self.log = RequestLog()
        self.access_log = bool(options.get("access_log"))
        self.base_url = None        # set by server.start()
        self.graph_url = None       # set by server.start(): the Microsoft Graph listener
        self.trap_log = TrapLog()
        self.trap_url = None        # set by server.start()
        if self.initial_seed is not None:
            self.state.seed(self.initial_seed)

    def apply_config(self, partial):
        values = validate_config(partial)
        with self.state.lock:
            self.config.update(values)
        if "random_seed" in values:
            self.faults.reseed(values["random_seed"])
        return dict(self.config)

    def reset(self, body):
        values = validate_config(body.get("config") or {})
        with self.state.lock:
            self.config.clear()
            self.config.update(self.base_config)
            self.config.update(values)
            self.state.clear()
            # the configured refresh token is issued again (now, not revoked); access
            # tokens and the other refresh tokens stay as they are
            self.refresh_tokens.arm_configured(self.credentials["refresh_token"])
            self.faults.set_rules([])
            self.faults.reseed(self.config["random_seed"])
            self.log.clear(restart_seq=True)
            self.trap_log.clear()
            seed = body["seed"] if "seed" in body else self.initial_seed
            return self.state.seed(seed)
