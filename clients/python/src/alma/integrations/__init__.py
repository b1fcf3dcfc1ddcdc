"""Adapters that let agent frameworks keep their memory in ALMA, each an optional extra.

`alma.integrations.langgraph` (`pip install 'alma-memory-client[langgraph]'`): a LangGraph `BaseStore`.
`alma.integrations.crewai` (`pip install 'alma-memory-client[crewai]'`): a CrewAI memory `StorageBackend`.

Importing this package imports neither framework; each module needs only its own.
"""
