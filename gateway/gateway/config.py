"""The gateway's settings, read once from the environment (the interface the harness and the
deploy files use)."""
import os
from dataclasses import dataclass


def _flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    db_url: str = "sqlite:///var/gateway.db"
    seed_demo: bool = False
    secret_key: str = "dev-only-secret"
    rpc_timeout: float = 8.0
    clock_file: str = ""
    https: bool = False               # Secure cookies when served over HTTPS
    session_hours: float = 8.0
    catalogue_ttl: float = 60.0       # seconds a department's catalogue is cached
    probe_ttl: float = 1.5            # seconds a "has consumers" answer is cached

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        return cls(
            amqp_uri=env.get("AMQP_URI", cls.amqp_uri),
            db_url=env.get("GATEWAY_DB_URL", cls.db_url),
            seed_demo=_flag(env.get("SEED_DEMO", "0")),
            secret_key=env.get("SECRET_KEY", cls.secret_key),
            rpc_timeout=float(env.get("RPC_TIMEOUT", cls.rpc_timeout)),
            clock_file=env.get("CLOCK_FILE", ""),
            https=_flag(env.get("GATEWAY_HTTPS", "0")),
            session_hours=float(env.get("SESSION_HOURS", cls.session_hours)),
            catalogue_ttl=float(env.get("CATALOGUE_TTL", cls.catalogue_ttl)),
            probe_ttl=float(env.get("PROBE_TTL", cls.probe_ttl)),
        )
