"""The guide's "Learning Still Respects Scope": a junior's lesson is stored under its own id.

Run from this folder against a running service (`alma serve`, or ALMA_URL=...).
"""

from alma import ALMA

alma = ALMA.from_config(".alma/config.yaml")

# Junior learns from their experience
alma.learn(
    agent="junior_developer",
    task="Fixed null pointer bug",
    outcome="success",
    strategy_used="Added null checks before dereferencing"
)

# This memory belongs to junior_developer
# It will be shared with NO ONE (junior has no share_with)

# Check both: the lesson is junior_developer's own, and no other agent reads junior_developer's memories
lesson = alma.retrieve(task="Fixed null pointer bug", agent="junior_developer", top_k=1).outcomes[0]
print(f"Stored under: {lesson.agent}")
print(f"Read by: {', '.join(alma.get_agent('junior_developer').read_by) or 'no one'}")
