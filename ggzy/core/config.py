"""配置 — settings read once from GGZY_* environment variables and passed in, never read again."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the platform can be told from outside; every field has a working default."""

    model_config = SettingsConfigDict(env_prefix="GGZY_", extra="ignore", frozen=True)

    var_dir: Path = Field(default=Path("var"), description="secrets, the SQLite file, uploads")
    database_url: str = Field(default="", description="empty means sqlite:///<var_dir>/ggzy.db")
    redis_url: str = Field(default="", description="empty means in-process fan-out")
    platform_name: str = "公共资源交易平台"
    city_name: str = "新乡市"
    log_origin: str = Field(
        default="ggzy.localhost/log/v1", description="the checkpoint origin line (C2SP tlog-checkpoint)"
    )
    # Web
    cookie_secure: bool = Field(default=True, description="Secure + __Host- cookie; off only for plain-HTTP test rigs")
    # Security numbers: None means the value of the cited rule in ggzy/rules/security.py.
    session_idle_minutes: int | None = None
    session_absolute_hours: int = 12
    max_request_bytes: int = 1_048_576
    trusted_proxies: tuple[str, ...] = Field(
        default=(), description="peers whose X-Forwarded-For is believed (电子办法 art. 49 records the address)"
    )
    training_factor: int = Field(
        default=1,
        ge=1,
        le=100_000,
        description="培训模式: every legal period is divided by this (1 = real trades); recorded in the database",
    )
    tick_seconds: float = Field(default=10.0, description="how often the server applies due moves; 0 disables")
    # Identity (None = the rule's value, see ggzy/rules/security.py)
    login_max_failures: int | None = None
    login_lockout_minutes: int | None = None
    password_min_length: int | None = None
    staff_password_classes: int | None = None
    password_max_age_days: int = Field(default=0, description="0 = no forced rotation (ASVS V6.2.10); 等保 may ask 90")
    token_days: int = 90
    notifier: str = Field(default="memory", description="how one-time codes reach people (ggzy/core/notify.py)")
    max_bid_bytes: int = Field(default=200 * 1_048_576, description="largest sealed bid accepted (bytes)")
    max_document_bytes: int = Field(
        default=200 * 1_048_576, description="largest tender document, and all documents of one notice together (bytes)"
    )
    stale_upload_seconds: float = Field(
        default=60.0, description="at start, unfinished uploads (.part) not written for this long are removed"
    )
    max_sign_in_bytes: int = Field(default=16_384, description="largest sign-in request (user name, password, code)")
    checkpoint_minutes: float = Field(default=10.0, description="how often a new signed tree head is due")
    argon2_memory_kib: int = Field(default=65536, description="Argon2id memory (RFC 9106 second profile: 64 MiB)")
    argon2_time_cost: int = 3
    # Open data (OCDS, docs/ocds.md)
    ocds_prefix: str = Field(
        default="ocds-ggzy00",
        pattern=r"^ocds-[a-z0-9]{6}$",
        description="the ocid prefix: a placeholder of the valid shape — register yours with the Open Contracting "
        "Partnership (https://standard.open-contracting.org/latest/en/guidance/build/identifiers/) and set it here",
    )
    ocds_publisher: str = Field(default="", description="the packages' publisher name; empty: city + platform name")
    ocds_rate_per_minute: int = Field(
        default=120, ge=1, le=1_000_000, description="machine routes (/api/ocds/…): requests per minute per address"
    )
    ocds_rate_burst: int = Field(default=30, ge=1, le=1_000_000, description="requests an address may send at once")
    # Federation (docs/federation.md): when this platform is itself accredited by another, its tick pushes every
    # release there, signed with the Ed25519 key in federation_key_file (32-byte seed, hex)
    federation_upstream_url: str = Field(default="", description="the accrediting platform's base URL; empty: no push")
    federation_platform_code: str = Field(default="", max_length=40, description="our code there (X-Platform)")
    federation_token: SecretStr = Field(
        default=SecretStr(""), description="the API token the accrediting platform issued us"
    )
    federation_key_file: Path | None = Field(default=None, description="our Ed25519 signing key (hex seed, 0600)")
    # Supervision
    collusion_model: Path | None = Field(
        default=None, description="a model made by `ggzy collusion train`: opened sections' prices are scored with it"
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'ggzy.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read the environment once (the CLI and the server call this; tests pass overrides)."""
    return Settings(**overrides)  # type: ignore[arg-type]
