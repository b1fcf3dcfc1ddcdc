"""`alma agents`, `alma stats`, `alma forget`: a project's agents and their memories, through the service when
one is known, else from the database."""

from __future__ import annotations

import click

from app.cli.context import run, service_for
from app.models import Agent, AgentStats, ForgetRequest, ForgetResult
from app.settings import Settings


@click.command("agents")
@click.argument("project_id")
def agents_command(project_id: str) -> None:
    """The agents of PROJECT_ID: whose memories each reads, and who reads its."""
    if (service := service_for(Settings())) is not None:
        agents = [
            Agent.model_validate(agent) for agent in service.call("GET", f"/v1/projects/{project_id}/agents").json()
        ]
    else:
        agents = run(lambda context: context.projects.projects.list_agents(project_id))
    for agent in agents:
        reads = ", ".join(agent.reads_from) or "only its own"
        click.echo(f"{agent.name:<24} reads {reads}; read by {len(agent.read_by)}")
    if not agents:
        click.echo(f"Project {project_id} has no agents: apply its config with `alma config apply FILE`.")


@click.command("stats")
@click.argument("project_id")
@click.argument("agent")
def stats_command(project_id: str, agent: str) -> None:
    """AGENT's own memories per kind, and what each granted source lets it read."""
    if (service := service_for(Settings())) is not None:
        answer = service.call("GET", f"/v1/projects/{project_id}/agents/{agent}/stats").json()
        stats = AgentStats.model_validate(answer)
    else:
        stats = run(lambda context: context.projects.stats(project_id, agent))
    click.echo(f"{stats.agent}: own " + ", ".join(f"{kind} {count}" for kind, count in stats.own.items()))
    for source, counts in sorted(stats.readable.items()):
        click.echo(f"  reads {source}: " + (", ".join(f"{kind} {n}" for kind, n in counts.items()) or "nothing yet"))


@click.command("forget")
@click.argument("project_id")
@click.option("--agent", default=None, help="Only this agent's memories [default: every agent's].")
@click.option(
    "--older-than-days", type=click.IntRange(0, 36_500), default=None, help="Remove outcomes older than this."
)
@click.option("--below-confidence", type=click.FloatRange(0, 1), default=None, help="Remove heuristics below this.")
def forget_command(
    project_id: str, agent: str | None, older_than_days: int | None, below_confidence: float | None
) -> None:
    """Remove old outcomes and weak heuristics of PROJECT_ID (of one agent, or of all)."""
    request = ForgetRequest(agent=agent, older_than_days=older_than_days, below_confidence=below_confidence)
    if (service := service_for(Settings())) is not None:
        body = request.model_dump(exclude_none=True)
        result = ForgetResult.model_validate(
            service.call("POST", f"/v1/projects/{project_id}/forget", json=body).json()
        )
    else:
        result = run(lambda context: context.projects.forget(project_id, request))
    click.echo(
        f"Removed {result.outcomes_removed} outcomes and {result.heuristics_removed} heuristics of {project_id}."
    )
