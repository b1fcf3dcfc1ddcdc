"""The guide's team as a crew whose memory is kept in ALMA: each crew agent remembers and recalls through its
own view of the crew's memory, so the junior recalls its own lessons and those senior_developer and tech_lead
share with it, never qa_engineer's.

Run from this folder against a running service (`alma serve`, or ALMA_URL=...), with the extra installed:
pip install -e '../clients/python[crewai]'. No LLM is called: every memory names its categories and importance,
and the recall is shallow. Running it again adds nothing twice.
"""

from alma import ALMA
from alma.integrations.crewai import ALMAStorage, agent_scope
from crewai import Agent, Crew, Task
from crewai.memory.unified_memory import Memory

alma = ALMA.from_config(".alma/config.yaml")
storage = ALMAStorage(alma)  # roles map to agent ids: "Senior Developer" -> senior_developer
memory = Memory(storage=storage, embedder=storage.embedder, root_scope="/crew/dev-team")

# role -> (a category within the agent's can_learn, what it learned)
LESSONS = {
    "Tech Lead": ("team_standards", "Use the team's shared auth library; never roll your own crypto"),
    "Senior Developer": ("implementation_patterns", "Hash passwords with bcrypt and compare them in constant time"),
    "Junior Developer": ("debugging", "Reproduce a failing user authentication with a minimal test user"),
    "QA Engineer": ("testing_strategies", "Test expired and revoked tokens"),  # shares with no one
}

# Each crew agent reads and writes through its own view; the crew saves task results there too.
agents = {
    role: Agent(
        role=role,
        goal="Ship user authentication",
        backstory=f"The team's {role.lower()}.",
        memory=memory.scope(agent_scope(role)),
        llm="gpt-4o-mini",  # only called when the crew runs
    )
    for role in LESSONS
}
crew = Crew(
    agents=list(agents.values()),
    tasks=[Task(description="Implement user authentication", expected_output="Code", agent=agents["Junior Developer"])],
    memory=memory,
)

for role, (category, lesson) in LESSONS.items():
    if not any(record.content == lesson for record in memory.list_records(scope=agent_scope(role))):
        agents[role].memory.remember(lesson, categories=[category], importance=0.8)

for match in agents["Junior Developer"].memory.recall("Implement user authentication", depth="shallow"):
    origin = match.record.metadata.get("shared_from")
    print(f"[From {origin}] {match.record.content}" if origin else f"[Own] {match.record.content}")

memory.close()
