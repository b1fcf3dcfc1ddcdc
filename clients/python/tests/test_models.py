"""Answers are read leniently: fields a newer service adds are kept, fields it omits have defaults."""

from __future__ import annotations

from alma import MemorySlice

SLICE = {
    "agent": "junior_developer",
    "query": "Implement user authentication",
    "took_ms": 1.5,
    "ranking": "cosine",
    "heuristics": [
        {
            "id": 1,
            "agent": "tech_lead",
            "condition": "Building authentication",
            "strategy": "Use the shared auth library",
            "confidence": 0.9,
            "metadata": {"shared_from": "tech_lead"},
            "freshness": 0.7,
        },
        {"id": 2, "agent": "junior_developer", "condition": "Test fails", "strategy": "Reproduce it"},
    ],
}


def test_new_fields_are_kept_as_attributes():
    memories = MemorySlice.model_validate(SLICE)

    assert memories.ranking == "cosine"
    assert memories.heuristics[0].freshness == 0.7


def test_shared_from_reads_as_in_the_guide():
    shared, own = MemorySlice.model_validate(SLICE).heuristics

    assert (shared.metadata.get("shared_from"), shared.shared_from) == ("tech_lead", "tech_lead")
    assert (own.metadata, own.metadata.get("shared_from"), own.shared_from) == ({}, None, None)


def test_kinds_the_service_left_out_are_empty():
    memories = MemorySlice.model_validate(SLICE)

    assert memories.outcomes == memories.domain_knowledge == memories.anti_patterns == memories.preferences == []
    assert memories.prompt is None
