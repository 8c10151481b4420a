"""Palabra's configuration: every environment variable it reads, in one place.

`Settings.from_env()` is the only reader of the environment; everything else is
handed a `Settings`.  `ENVIRONMENT` documents each variable (the README's table
is checked against it by a test).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from api.auth import ApiKeys
from projections.figures.trust import DEFAULT_WEIGHTS, TrustWeights, weights_from
from projections.store import DEFAULT_TIMEOUT, DEFAULT_URL

ENVIRONMENT: dict[str, str] = {
    "PALABRA_DATABASE_URL": "where the ledger lives: sqlite:///path.db (default "
    "sqlite:///palabra.db) or postgresql://user:password@host:port/dbname",
    "PALABRA_API_KEYS": "API keys as name:role:key entries separated by commas "
    "(roles: reader, auditor, writer, admin)",
    "PALABRA_API_KEYS_FILE": "a file of API keys, one 'name role key' per line",
    "PALABRA_CREATE_TABLES": "create missing tables on start (default true; false for an "
    "application role that may not, after `palabra db init`)",
    "PALABRA_RUN_PROJECTIONS": "whether the API process runs the projection worker "
    "itself (default true; false when a separate `palabra project` runs)",
    "PALABRA_GRAPHIQL": "serve the GraphiQL IDE at /graphql (default false)",
    "PALABRA_INTROSPECTION": "allow schema introspection (default true; with API keys "
    "configured, only to callers with a valid key)",
    "PALABRA_OPS_NEED_KEY": "with API keys configured, /metrics and the details of /readyz "
    "need a valid key of any role (default true; /readyz still answers its bare status)",
    "PALABRA_MAX_BATCH": "most events one append may carry (default 1000)",
    "PALABRA_MAX_BODY_BYTES": "largest request body accepted (default 2000000)",
    "PALABRA_MAX_DEPTH": "deepest GraphQL query accepted (default 10)",
    "PALABRA_MAX_TOKENS": "most tokens in a GraphQL document (default 4000)",
    "PALABRA_MAX_ALIASES": "most aliases in a GraphQL document (default 20)",
    "PALABRA_MAX_COST": "the cost budget of one GraphQL operation, refused before it runs "
    "when over (default 10000; see docs/api.md for how a query's cost is counted)",
    "PALABRA_TRUST_WEIGHTS": "JSON object overriding trust component weights, e.g. "
    '{"paymentPunctuality": 0.4}',
    "PALABRA_PROJECTION_BATCH": "at most this many events are applied to the read models "
    "in one transaction when catching up (default 50000)",
    "PALABRA_POLL_INTERVAL": "seconds between polls of the SQLite event log by the "
    "projection runner (default 0.05)",
    "PALABRA_LOG_LEVEL": "log level of the JSON logs (default INFO)",
    "PALABRA_DB_TIMEOUT": "seconds a request waits for the database (to connect, or to "
    "answer) before it fails with UNAVAILABLE (default 5)",
}


NO_KEYS = ApiKeys()


class SettingsError(ValueError):
    """A setting has a value Palabra cannot use."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _seconds(value: str | None, default: float) -> float:
    seconds = float(value or default)
    if not 0 < seconds < 3600:
        raise ValueError(f"{value!r} is not a number of seconds between 0 and 3600")
    return seconds


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    api_keys: ApiKeys = NO_KEYS
    create_tables: bool = True
    run_projections: bool = True
    graphiql: bool = False
    introspection: bool = True
    ops_need_key: bool = True
    max_batch: int = 1000
    max_body_bytes: int = 2_000_000
    max_depth: int = 10
    max_tokens: int = 4000
    max_aliases: int = 20
    max_cost: int = 10_000
    max_first: int = 500
    trust_weights: TrustWeights = DEFAULT_WEIGHTS
    projection_batch: int = 50_000
    poll_interval: float = 0.05
    log_level: str = "INFO"
    db_timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def number(name: str, default: int) -> int:
            value = int(env.get(name) or default)
            if value <= 0:
                raise ValueError(f"{name} must be a positive whole number")
            return value

        try:
            return cls(
                database_url=env.get("PALABRA_DATABASE_URL") or DEFAULT_URL,
                api_keys=ApiKeys.load(env.get("PALABRA_API_KEYS"),
                                      env.get("PALABRA_API_KEYS_FILE")),
                create_tables=_flag(env.get("PALABRA_CREATE_TABLES"), True),
                run_projections=_flag(env.get("PALABRA_RUN_PROJECTIONS"), True),
                graphiql=_flag(env.get("PALABRA_GRAPHIQL"), False),
                introspection=_flag(env.get("PALABRA_INTROSPECTION"), True),
                ops_need_key=_flag(env.get("PALABRA_OPS_NEED_KEY"), True),
                max_batch=number("PALABRA_MAX_BATCH", 1000),
                max_body_bytes=number("PALABRA_MAX_BODY_BYTES", 2_000_000),
                max_depth=number("PALABRA_MAX_DEPTH", 10),
                max_tokens=number("PALABRA_MAX_TOKENS", 4000),
                max_aliases=number("PALABRA_MAX_ALIASES", 20),
                max_cost=number("PALABRA_MAX_COST", 10_000),
                trust_weights=weights_from(json.loads(env.get("PALABRA_TRUST_WEIGHTS") or "{}")),
                projection_batch=number("PALABRA_PROJECTION_BATCH", 50_000),
                poll_interval=float(env.get("PALABRA_POLL_INTERVAL") or 0.05),
                log_level=(env.get("PALABRA_LOG_LEVEL") or "INFO").upper(),
                db_timeout=_seconds(env.get("PALABRA_DB_TIMEOUT"), DEFAULT_TIMEOUT),
            )
        except (ValueError, TypeError, AttributeError) as error:
            raise SettingsError(f"invalid setting: {error}") from None
