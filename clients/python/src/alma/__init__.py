"""Python client of the ALMA memory service: `from alma import ALMA`."""

__version__ = "0.1.0"

from alma.api import MemoryKind
from alma.client import ALMA, AsyncALMA
from alma.errors import (
    AgentNotFound,
    ALMAError,
    ConfigError,
    Forbidden,
    NotFound,
    ProjectNotFound,
    ScopeViolation,
    ServiceUnavailable,
    ServiceUnreachable,
    Unauthorized,
    ValidationError,
)
from alma.models import (
    Agent,
    AgentStats,
    AntiPattern,
    BulkLearnResult,
    ConfigApplied,
    DomainKnowledge,
    ForgetResult,
    Grant,
    Heuristic,
    LearnResult,
    Memory,
    MemoryPage,
    MemorySlice,
    Outcome,
    Preference,
)

__all__ = [
    "ALMA",
    "ALMAError",
    "Agent",
    "AgentNotFound",
    "AgentStats",
    "AntiPattern",
    "AsyncALMA",
    "BulkLearnResult",
    "ConfigApplied",
    "ConfigError",
    "DomainKnowledge",
    "ForgetResult",
    "Forbidden",
    "Grant",
    "Heuristic",
    "LearnResult",
    "Memory",
    "MemoryKind",
    "MemoryPage",
    "MemorySlice",
    "NotFound",
    "Outcome",
    "Preference",
    "ProjectNotFound",
    "ScopeViolation",
    "ServiceUnavailable",
    "ServiceUnreachable",
    "Unauthorized",
    "ValidationError",
]
