"""The service's settings: one class, read from `ALMA_*` environment variables."""

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.models import MAX_DIMENSIONS, NAME_PATTERN
from app.ranking import Ranking


def _quarter_of_memory_mb() -> int:
    """PostgreSQL's usual advice for shared_buffers on a machine of its own: a quarter of memory."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return max(128, min(8192, memory // 4 // 2**20))


class Settings(BaseSettings):
    """Everything the service can be told, with defaults that run it on one machine."""

    model_config = SettingsConfigDict(env_prefix="ALMA_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL with pgvector. Unset: an embedded server is started in data_dir.",
    )
    url: str | None = Field(
        default=None,
        description="The service the `alma` command talks to. Unset: the one running for data_dir, if any.",
    )
    api_key: SecretStr | None = Field(default=None, description="The key the `alma` command sends to that service.")
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    data_dir: Path = Field(default=Path(".alma/data"), description="Where the embedded PostgreSQL keeps its data.")
    embedded_shared_buffers_mb: int = Field(
        default_factory=_quarter_of_memory_mb,
        ge=16,
        description="Shared buffers of the embedded PostgreSQL, in MB (default: a quarter of memory, at most 8 GiB).",
    )
    migrate_on_start: bool = Field(
        default=False, description="Migrate an external database at start (the embedded one always is)."
    )

    require_auth: bool = Field(
        default=False,
        description="Require API keys even on the embedded database on loopback (always required otherwise).",
    )
    operator_key: SecretStr | None = Field(
        default=None, description="The deployment operator's key: creates projects and their first admin key."
    )
    default_project: str | None = Field(
        default=None,
        pattern=NAME_PATTERN,
        description="The project of MCP and JSON-RPC calls that bring no key, where none is required. "
        "Unset: the only project there is.",
    )

    embedder: Literal["auto", "hashing", "sentence-transformers", "openai"] = Field(
        default="auto", description="auto: sentence-transformers when installed, else hashing."
    )
    embedding_dim: int = Field(default=384, ge=8, le=MAX_DIMENSIONS, description="Vector size of the hashing embedder.")
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2", description="Model name or path (sentence-transformers, openai)."
    )
    embedding_cache_size: int = Field(
        default=4096, ge=0, description="Texts whose vectors are kept for reuse (a model's embedders only; 0: none)."
    )
    openai_base_url: str = Field(default="http://127.0.0.1:8000/v1", description="An OpenAI-compatible API.")
    openai_api_key: str | None = None

    strategy_similarity: float = Field(
        default=0.8, ge=0.0, le=1.0, description="Cosine similarity at which two strategies count as the same."
    )
    # the ranking defaults are Ranking's own, so that the service and a bare MemoryRepository agree
    rank_similarity: float = Field(default=Ranking.similarity, ge=0.0, description="Weight of similarity to the query.")
    rank_recency: float = Field(default=Ranking.recency, ge=0.0, description="Weight of recency.")
    rank_success: float = Field(default=Ranking.success, ge=0.0, description="Weight of the success rate.")
    rank_confidence: float = Field(default=Ranking.confidence, ge=0.0, description="Weight of confidence.")
    recency_half_life_days: float = Field(
        default=Ranking.recency_half_life_days, gt=0.0, description="Age at which recency counts half."
    )
    ann_candidates: int = Field(
        default=Ranking.candidates,
        ge=1,
        le=1000,
        description="Nearest memories taken from the HNSW index before exact ranking.",
    )
    ann_from_visible: int = Field(
        default=Ranking.approximate_from,
        ge=1,
        description="Visible memories of one kind below which a retrieve never uses the HNSW index.",
    )
    ann_skip_cost: float = Field(
        default=Ranking.skip_cost,
        gt=0.0,
        description="Cost of an HNSW entry skipped against a memory scored exactly (when the index pays off).",
    )

    workers: int = Field(default=1, ge=1, le=64, description="Service processes (`alma serve`).")
    pool_min_size: int = Field(default=2, ge=1)
    pool_size: int = Field(default=10, ge=1, description="Largest number of database connections.")
    project_in_flight: int = Field(
        default=4,
        ge=1,
        le=1000,
        description="Requests of one project a service process handles at once; more wait their turn.",
    )
    project_wait_seconds: float = Field(
        default=2.0, gt=0, le=60, description="How long a request waits for its project's turn before a 429."
    )
    database_timeout: float = Field(
        default=5.0,
        gt=0,
        le=600,
        description="Seconds a request's statement (or a new connection) may take; past it the answer is 503.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = Field(default="json", description="JSON lines, or text for reading.")

    @property
    def ranking(self) -> Ranking:
        return Ranking(
            self.rank_similarity,
            self.rank_recency,
            self.rank_success,
            self.rank_confidence,
            self.recency_half_life_days,
            self.ann_candidates,
            self.ann_from_visible,
            self.ann_skip_cost,
        )

    @property
    def loopback_only(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @field_validator("database_url", "url", "default_project", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        """`ALMA_DATABASE_URL=` (empty) means unset, as in a shell."""
        return None if value == "" else value

    @property
    def auth_required(self) -> bool:
        """Keys are required unless the service runs on its embedded database, on loopback, by choice open."""
        return self.require_auth or not self.embedded or not self.loopback_only

    @property
    def embedded(self) -> bool:
        """True when the service runs its own PostgreSQL."""
        return self.database_url is None
