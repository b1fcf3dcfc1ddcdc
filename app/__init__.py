"""ALMA memory service: shared, permissioned memory for teams of AI agents."""

__version__ = "0.1.0"
