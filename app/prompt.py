"""A retrieved slice as text for an agent's context, within a token budget.

Tokens are estimated at four characters each, which is close for English with common tokenizers;
lines are added best first and the first line that would pass the budget ends the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.models import Memory

CHARS_PER_TOKEN = 4


def _origin(item: Memory) -> str:
    source = item.metadata.get("shared_from")
    return f" (from {source})" if source else ""


def _sections(items: Mapping[str, Sequence[Any]]) -> Iterable[tuple[str, list[str]]]:
    yield (
        "Strategies that worked",
        [
            f"- When {h.condition}: {h.strategy} (confidence {h.confidence:.2f}){_origin(h)}"
            for h in items["heuristics"]
        ],
    )
    yield (
        "Avoid",
        [
            f"- {a.pattern}: {a.why_bad}"
            + (f" Instead: {a.better_alternative}" if a.better_alternative else "")
            + _origin(a)
            for a in items["anti_patterns"]
        ],
    )
    yield "User preferences", [f"- {p.category}: {p.preference}" for p in items["preferences"]]
    yield "Domain context", [f"- [{d.domain}] {d.fact}{_origin(d)}" for d in items["domain_knowledge"]]
    yield (
        "Past outcomes",
        [
            f"- {'Succeeded' if o.success else 'Failed'}: {o.task} — {o.strategy_used}{_origin(o)}"
            for o in items["outcomes"]
        ],
    )


def format_prompt(items: Mapping[str, Sequence[Any]], max_tokens: int) -> str:
    """Markdown sections (strategies, anti-patterns, preferences, domain context, outcomes) under the budget."""
    budget = max_tokens * CHARS_PER_TOKEN
    lines: list[str] = []
    used = 0
    for title, entries in _sections(items):
        if not entries:
            continue
        for index, entry in enumerate(entries):
            block = ([f"## {title}"] if index == 0 else []) + [entry]
            cost = sum(len(line) + 1 for line in block)
            if used + cost > budget:
                return "\n".join(lines)
            lines += block
            used += cost
    return "\n".join(lines)
