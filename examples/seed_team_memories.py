"""Give the guide's team something to share: a few heuristics for tech_lead, senior_developer and
junior_developer, each within the agent's `can_learn`.

Run from this folder against a running service (`alma serve`, or ALMA_URL=...), before
retrieve_shared.py. Running it again adds nothing twice.
"""

from alma import ALMA

# agent -> (task_type, condition, strategy); each task_type is one the agent `can_learn`
TEAM_HEURISTICS = {
    "tech_lead": [
        (
            "team_standards",
            "Implementing user authentication or any other security-sensitive feature",
            "Use the team's shared auth library; never roll your own crypto",
        ),
        (
            "architecture",
            "Adding a new service or a new boundary between services",
            "Write a one-page design note and get it reviewed before coding",
        ),
    ],
    "senior_developer": [
        (
            "implementation_patterns",
            "Implementing user login or session handling",
            "Hash passwords with bcrypt and compare them in constant time",
        ),
        (
            "code_review",
            "Reviewing authentication code",
            "Check that every endpoint enforces authorization, not only that the user is logged in",
        ),
    ],
    "junior_developer": [
        (
            "debugging",
            "A user authentication test fails",
            "Reproduce the failure with a minimal test user before changing code",
        ),
    ],
}

alma = ALMA.from_config(".alma/config.yaml")

for agent, heuristics in TEAM_HEURISTICS.items():
    known = {h.strategy for h in alma.list_memories("heuristics", agent=agent, owner=agent).items}
    for task_type, condition, strategy in heuristics:
        if strategy in known:
            print(f"{agent} already knows: {strategy}")
        else:
            alma.add_heuristic(agent=agent, condition=condition, strategy=strategy, task_type=task_type)
            print(f"{agent} learned: {strategy}")
