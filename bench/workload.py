"""A deterministic benchmark workload: projects of agents in the guide's sharing patterns, memories of all
five kinds with vectors, and retrieval queries.

Each project has 25 agents: a lead who shares with everyone (hierarchy), peer teams of four who share with
each other, and mentor-mentee pairs (one way), so that readers have 1-10 granted sources. Each agent works
on a topic; its memories' vectors lie near its topic, and a query is asked near one of its sources' topics.
Memory counts per agent are skewed (a few prolific agents), as in real teams.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

KINDS = ("outcomes", "heuristics", "domain-knowledge", "anti-patterns", "preferences")
KIND_SHARE = (0.5, 0.2, 0.15, 0.1, 0.05)
AGENTS_PER_PROJECT = 25
MEAN_MEMORIES_PER_AGENT = 400


@dataclass(frozen=True)
class AgentSpec:
    name: str
    share_with: tuple[str, ...]
    inherit_from: tuple[str, ...]


@dataclass(frozen=True)
class Memory:
    kind: str
    project_id: str
    agent: str
    text: str
    strategy: str
    vector: np.ndarray
    success: bool
    confidence: float
    user_id: str | None


@dataclass(frozen=True)
class Query:
    project_id: str
    reader: str
    vector: np.ndarray
    text: str


@dataclass
class Workload:
    dim: int
    projects: dict[str, list[AgentSpec]]
    memories: list[Memory] = field(repr=False)

    def permitted_sources(self, project_id: str, reader: str) -> set[str]:
        """The reader and every source with mutual consent: the rule, written independently of the SQL."""
        agents = {agent.name: agent for agent in self.projects[project_id]}
        me = agents[reader]
        return {reader} | {s for s in me.inherit_from if s in agents and reader in agents[s].share_with}

    def config_yaml(self, project_id: str) -> str:
        """The project's agents as the ALMA config file."""
        lines = ["agents:"]
        for agent in self.projects[project_id]:
            lines.append(f"  {agent.name}:")
            lines.append(f"    share_with: [{', '.join(agent.share_with)}]")
            lines.append(f"    inherit_from: [{', '.join(agent.inherit_from)}]")
        return "\n".join(lines) + "\n"


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def team_agents(project_index: int) -> list[AgentSpec]:
    """25 agents: a lead over six peer teams of four; mentors across teams; even teams also read the next."""
    names = ["lead"] + [f"dev_{n:02d}" for n in range(1, AGENTS_PER_PROJECT)]
    shares: dict[str, set[str]] = {name: set() for name in names}
    inherits: dict[str, set[str]] = {name: set() for name in names}
    members = names[1:]
    teams = [members[i : i + 4] for i in range(0, len(members), 4)]
    for member in members:  # hierarchy: the lead shares with all, all inherit from the lead
        shares["lead"].add(member)
        inherits[member].add("lead")
    for team in teams:  # peer teams: everyone shares with and inherits from the team
        for a in team:
            for b in team:
                if a != b:
                    shares[a].add(b)
                    inherits[b].add(a)
    for index, team in enumerate(teams):  # mentor-mentee, one way
        mentee = teams[(index + 1) % len(teams)][-1]
        shares[team[0]].add(mentee)
        inherits[mentee].add(team[0])
    for team in teams:  # the lead learns from each team's first member, who shares back up
        shares[team[0]].add("lead")
        inherits["lead"].add(team[0])
    for index in range(0, len(teams) - 1, 2):  # even teams also read the next team: fan-in up to ~10
        for reader in teams[index]:
            for source in teams[index + 1]:
                shares[source].add(reader)
                inherits[reader].add(source)
    rng = random.Random(project_index)
    for member in rng.sample(members, 3):  # a few one-sided declarations, as real configs have
        inherits[member].add(rng.choice([m for m in members if m != member]))
    return [AgentSpec(n, tuple(sorted(shares[n])), tuple(sorted(inherits[n]))) for n in names]


def generate(size: int, dim: int = 384, seed: int = 42) -> Workload:
    """About `size` memories over as many 25-agent projects as that takes."""
    rng = np.random.default_rng(seed)
    project_count = max(1, round(size / (AGENTS_PER_PROJECT * MEAN_MEMORIES_PER_AGENT)))
    projects = {f"team-{p:04d}": team_agents(p) for p in range(project_count)}
    agents = [(project, agent.name) for project, specs in projects.items() for agent in specs]
    weights = rng.lognormal(0.0, 0.8, len(agents))
    counts = np.maximum(1, np.round(weights / weights.sum() * size)).astype(int)
    topics = _unit(rng.normal(size=(len(agents), dim)))
    memories: list[Memory] = []
    kinds = rng.choice(len(KINDS), size=int(counts.sum()), p=KIND_SHARE)
    cursor = 0
    for (project, agent), count, topic in zip(agents, counts, topics):
        # noise of norm ~1 around a unit topic: a memory is ~0.7 similar to its agent's topic
        vectors = _unit(topic + rng.normal(scale=1.0 / np.sqrt(dim), size=(count, dim)).astype(np.float32))
        for n in range(count):
            kind = KINDS[kinds[cursor + n]]
            memories.append(
                Memory(
                    kind=kind,
                    project_id=project,
                    agent=agent,
                    text=f"{agent} {kind} {n}: task about topic {cursor + n}",
                    strategy=f"strategy {n % 17} of {agent}",
                    vector=vectors[n],
                    success=bool((cursor + n) % 4),
                    confidence=round(0.3 + 0.7 * ((cursor + n) % 10) / 10, 2),
                    user_id=f"user_{n % 5}" if kind == "preferences" else None,
                )
            )
        cursor += count
    # in arrival order: agents learn side by side, so one agent's memories are spread over the tables
    arrival = np.random.default_rng(seed + 1).permutation(len(memories))
    return Workload(dim=dim, projects=projects, memories=[memories[i] for i in arrival])


def queries(workload: Workload, count: int, seed: int = 7) -> list[Query]:
    """Retrieval questions: a random reader asks near the topic of one of its permitted sources."""
    rng = np.random.default_rng(seed)
    by_agent: dict[tuple[str, str], np.ndarray] = {}
    for memory in workload.memories:
        by_agent.setdefault((memory.project_id, memory.agent), memory.vector)
    project_ids = sorted(workload.projects)
    result = []
    for n in range(count):
        project = project_ids[int(rng.integers(len(project_ids)))]
        reader = workload.projects[project][int(rng.integers(AGENTS_PER_PROJECT))].name
        sources = sorted(workload.permitted_sources(project, reader))
        source = sources[int(rng.integers(len(sources)))]
        near = by_agent.get((project, source), _unit(rng.normal(size=workload.dim)))
        vector = _unit(near + rng.normal(scale=0.5 / np.sqrt(workload.dim), size=workload.dim))
        result.append(Query(project, reader, vector, f"question {n} near {source}"))
    return result
