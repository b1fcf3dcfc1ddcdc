"""The guide's team as a LangGraph store: each agent writes in its own namespace, and a search as the junior
finds what it may read, its own and what senior_developer and tech_lead share with it, never qa_engineer's.

Run from this folder against a running service (`alma serve`, or ALMA_URL=...), with the extra installed:
pip install -e '../clients/python[langgraph]'. Running it again adds nothing twice.
"""

import uuid

from alma import ALMA
from alma.integrations.langgraph import ALMAStore

alma = ALMA.from_config(".alma/config.yaml")
store = ALMAStore(alma)  # give it to a graph: builder.compile(store=store)
project = alma.project_id

# agent -> (task_type within its can_learn, condition, strategy); qa_engineer shares with no one
HEURISTICS = {
    "tech_lead": (
        "team_standards",
        "Implementing user authentication",
        "Use the team's shared auth library; never roll your own crypto",
    ),
    "senior_developer": (
        "implementation_patterns",
        "Implementing user login",
        "Hash passwords with bcrypt and compare them in constant time",
    ),
    "qa_engineer": ("testing_strategies", "Testing user authentication", "Test expired and revoked tokens"),
}
JUNIOR_FACT = "A failing user authentication test is easiest to reproduce with a minimal test user"


def put_once(namespace: tuple[str, str, str], value: dict[str, str], text: str) -> None:
    """Store the value unless the agent already owns one with the same text; the service picks the id."""
    if not store.search(namespace, filter={"agent": namespace[1], text: value[text]}):
        store.put(namespace, str(uuid.uuid4()), value)


for agent, (task_type, condition, strategy) in HEURISTICS.items():
    value = {"condition": condition, "strategy": strategy, "task_type": task_type}
    put_once((project, agent, "heuristics"), value, "strategy")
put_once((project, "junior_developer", "domain_knowledge"), {"domain": "debugging", "fact": JUNIOR_FACT}, "fact")

# The junior's view: its own memories and those shared with it, ranked by the service
for item in store.search((project, "junior_developer"), query="Implement user authentication", limit=10):
    origin = item.value["metadata"].get("shared_from")
    text = item.value.get("strategy") or item.value.get("fact")
    print(f"[From {origin}] {text}" if origin else f"[Own] {text}")

print(f"Namespaces: {len(store.list_namespaces(prefix=(project,)))}")
