"""Palabra's configuration: every environment variable it reads, in one model.

`Settings` is a pydantic-settings model: each field is the variable `PALABRA_<FIELD>`
(`env_prefix="PALABRA_"`), with its default, its validation and its description (the
README's configuration table is checked against the model by a test).
`Settings.from_env()` is the only reader of the environment: `Settings(...)` itself
takes only what it is given, so that tests and the schema export never depend on the
environment they run in.  A value Palabra cannot use is refused with a
`SettingsError` whose message names the variable.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, PositiveInt, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError

from api.auth import ApiKeys
from projections.figures.trust import DEFAULT_WEIGHTS, TrustWeights, weights_from
from projections.store import DEFAULT_TIMEOUT, DEFAULT_URL, INDEX_DAYS, READ_CACHE, STATE_CACHE

PREFIX = "PALABRA_"
ORIGIN = re.compile(r"https?://[^/\s:]+(:\d{1,5})?")  # what a browser sends as Origin
SECRET = frozenset({"api_keys", "database_url", "master_key"})  # never repeated in a refusal
NO_KEYS = ApiKeys()


class SettingsError(ValueError):
    """A setting has a value Palabra cannot use."""


class Settings(BaseSettings):
    """Everything Palabra can be configured with (one field per environment variable)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid",
                                      arbitrary_types_allowed=True, env_ignore_empty=True)

    database_url: str = Field(default=DEFAULT_URL, description=(
        "where the ledger lives: `sqlite:///path.db` (default "
        "`sqlite:///palabra.db`, relative to the working directory) or "
        "`postgresql://user:password@host:port/dbname` (psycopg 3 with a connection "
        "pool; `?schema=name&pool_size=5&max_overflow=10` optional)"))
    master_key_file: str | None = Field(default=None, description=(
        "the file holding the master key that wraps the clients' data keys (base64; "
        "`palabra keys init` makes one); default: `<database file>.master-key` beside a "
        "SQLite database, `palabra.master-key` in the working directory for PostgreSQL, "
        "created on first use (docs/erasure.md)"))
    master_key: str | None = Field(default=None, description=(
        "the master key itself (base64 of 32 bytes), instead of a file"))
    api_keys: Annotated[ApiKeys, NoDecode] = Field(default=NO_KEYS, description=(
        "API keys for `palabra serve`: `name:role:key` entries separated by commas; "
        "roles `reader`, `auditor`, `writer`, `admin`; keys of 16 characters or "
        "more"))
    api_keys_file: str | None = Field(default=None, description=(
        "a file of API keys, one `name role key` per line; a line starting with `#` "
        "(after blanks) is a comment, and so is the rest of a line from a `#` after "
        "a blank (a `#` inside a key is part of it); one key given to two names or "
        "roles is refused"))
    create_tables: bool = Field(default=True, description=(
        "create missing tables on start (default `true`; `false` for an application "
        "role that may not, after `palabra db init`)"))
    run_projections: bool = Field(default=True, description=(
        "whether the API process runs the projection worker itself (default `true`; "
        "`false` when a separate `palabra project` runs)"))
    graphiql: bool = Field(default=False, description=(
        "serve the GraphiQL IDE at `/graphql`, from files shipped in the package "
        "(default `false`; on with `palabra serve --dev`)"))
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(default=(), description=(
        "origins whose browser pages may call the API (CORS), such as "
        "`https://app.example.com`, separated by commas (default none; "
        "`palabra serve --dev` also allows every `localhost` origin)"))
    introspection: bool = Field(default=True, description=(
        "allow GraphQL introspection (default `true`; with API keys configured, "
        "only to callers with a valid key)"))
    ops_need_key: bool = Field(default=True, description=(
        "with API keys configured, `/metrics` and the details of `/readyz` need a "
        "valid key of any role (default `true`; `/readyz` still answers its bare "
        "status)"))
    max_batch: PositiveInt = Field(default=1000, description=(
        "most events one `append` may carry (default 1000)"))
    max_body_bytes: PositiveInt = Field(default=2_000_000, description=(
        "largest request body accepted (default 2000000)"))
    max_depth: PositiveInt = Field(default=10, description=(
        "deepest GraphQL query accepted (default 10)"))
    max_tokens: PositiveInt = Field(default=4000, description=(
        "most tokens in a GraphQL document (default 4000)"))
    max_aliases: PositiveInt = Field(default=20, description=(
        "most aliases in a GraphQL document (default 20)"))
    max_cost: PositiveInt = Field(default=10_000, description=(
        "the cost budget of one GraphQL operation, refused before it runs when over "
        "(default 10000; see docs/api.md for how a query's cost is counted)"))
    trust_weights: Annotated[TrustWeights, NoDecode] = Field(default=DEFAULT_WEIGHTS, description=(
        "JSON object overriding trust weights, e.g. `{\"paymentPunctuality\": 0.4}`"))
    projection_batch: PositiveInt = Field(default=50_000, description=(
        "most events applied to the read models in one transaction when catching up "
        "(default 50000)"))
    projection_cache: PositiveInt = Field(default=STATE_CACHE, description=(
        "client states the projection worker keeps in memory between transactions (the "
        "most recently changed; default 5000: some 80 KB a client of 100 events)"))
    read_cache: PositiveInt = Field(default=READ_CACHE, description=(
        "clients whose state and figures each API process keeps in memory, the most "
        f"recently read (default {READ_CACHE}: some 85 KB a client of 100 events); a "
        "client read again unchanged is then answered without decoding or computing"))
    index_days: int = Field(default=INDEX_DAYS, ge=0, le=366, description=(
        "past days whose portfolio index the projection worker keeps besides today "
        f"(default {INDEX_DAYS}): it builds them when it has nothing else to do, newest "
        "first, and keeps them current; a read of such a day only computes the clients "
        "changed since. An older day is computed when asked (1.5 to 2 ms a client here). "
        "Each day kept costs the worker one more index row for every client that changes"))
    poll_interval: float = Field(default=0.05, description=(
        "seconds between polls of the SQLite log by the projection worker (default "
        "0.05)"))
    signing_key_file: str | None = Field(default=None, description=(
        "the Ed25519 key file checkpoints are signed with, kept outside the database "
        "(default on SQLite: `palabra-signing.key` beside the database file, created on "
        "first use, owner-only; on PostgreSQL no checkpoint is issued without it)"))
    checkpoint_interval: float = Field(default=60.0, gt=0, allow_inf_nan=False, description=(
        "most seconds between checkpoints while events arrive (default 60)"))
    log_level: str = Field(default="INFO", description=(
        "level of the JSON logs (default `INFO`)"))
    db_timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, lt=3600, allow_inf_nan=False,
                              description=(
        "seconds a request waits for the database (to connect, or to answer) before "
        "it fails with `UNAVAILABLE` (default 5)"))

    #: the largest page a list may ask for (not a setting: part of the API's contract)
    max_first: ClassVar[int] = 500

    @field_validator("api_keys", mode="before")
    @classmethod
    def _inline_keys(cls, value: Any) -> Any:
        return ApiKeys.load(value, None) if isinstance(value, str) else value

    @field_validator("trust_weights", mode="before")
    @classmethod
    def _weights(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        expected = ("expected a JSON object of trust components and their weights, e.g. "
                    '{"paymentPunctuality": 0.4}')
        try:
            given = json.loads(value)
        except ValueError:
            raise ValueError(f"not JSON; {expected}") from None
        if not isinstance(given, dict):
            raise ValueError(f"not a JSON object; {expected}")
        try:
            return weights_from(given)
        except (TypeError, ValueError) as error:
            reason = str(error)
            if "convert" in reason or isinstance(error, TypeError):
                reason = "a weight is not a number"
            raise ValueError(f"{reason}; {expected}") from None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [origin.strip() for origin in value.split(",") if origin.strip()]
        for origin in value:
            if not ORIGIN.fullmatch(origin):
                raise ValueError(f"{origin!r} is not an origin: scheme://host[:port], "
                                 "no path")
        return tuple(value)

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="before")
    @classmethod
    def _keys_file(cls, data: Any) -> Any:
        """The keys of PALABRA_API_KEYS_FILE join those of PALABRA_API_KEYS."""
        if not isinstance(data, dict) or not data.get("api_keys_file"):
            return data
        inline, file = data.get("api_keys"), str(data["api_keys_file"])
        if isinstance(inline, ApiKeys):
            keys = ApiKeys(inline.keys + ApiKeys.load(None, file).keys).checked(
                f"PALABRA_API_KEYS and {file}")
        else:
            keys = ApiKeys.load(inline, file)
        return {**data, "api_keys": keys}

    @classmethod
    def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # the environment is read by `from_env` only

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of an environment (default: this process's)."""
        try:
            return cls(**_Environment(cls, os.environ if environ is None else environ)())
        except ValidationError as error:
            raise SettingsError("invalid setting: " + "; ".join(
                _reason(e) for e in error.errors())) from None
        except SourceError as error:
            raise SettingsError(f"invalid setting: {error}") from None


def variable(field: str) -> str:
    """The environment variable of a field of `Settings`."""
    return PREFIX + field.upper()


#: every variable Palabra reads, with what it means
ENVIRONMENT: dict[str, str] = {variable(name): field.description or ""
                               for name, field in Settings.model_fields.items()}


class _Environment(EnvSettingsSource):
    """pydantic-settings' reading of PALABRA_* variables, from a given environment."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env_vars = {name.lower(): value for name, value in environ.items() if value}


def _reason(error: Any) -> str:
    """One refusal, naming the variable (a model-wide one names its own)."""
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message
    field = str(error["loc"][0])
    shown = isinstance(error.get("input"), str) and field not in SECRET
    return f"{variable(field)}: {message}" + (f" (got {error['input']!r})" if shown else "")
