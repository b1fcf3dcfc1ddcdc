"""The mutual-consent rule over HTTP: the guide's example and every pattern it names."""

import yaml

from tests.helpers import ALICE_BOB_CHARLIE, EXAMPLE_CONFIG, Api, guide_example

TEAM = ["tech_lead", "senior_developer", "junior_developer", "qa_engineer"]


async def learn_one_each(api: Api, agents: list[str]) -> None:
    for agent in agents:
        await api.learn(agent, "Implement user authentication", f"{agent}'s way to authenticate users")


async def apply_and_learn_one_each(api: Api, config: str) -> None:
    """Apply a config with `agents:` at the top, then have each of its agents, in order, learn one memory."""
    await api.apply(config)
    await learn_one_each(api, list(yaml.safe_load(config)["agents"]))


async def test_junior_reads_its_own_and_senior_and_lead_memories_tagged_shared_from(api: Api):
    await apply_and_learn_one_each(api, EXAMPLE_CONFIG.read_text())

    slice_ = await api.retrieve("junior_developer", "Implement user authentication", top_k=10)

    origins = {item["agent"]: item["metadata"] for item in slice_["outcomes"]}
    assert origins == {
        "junior_developer": {},
        "senior_developer": {"shared_from": "senior_developer"},
        "tech_lead": {"shared_from": "tech_lead"},
    }


async def test_qa_engineer_reads_only_the_tech_lead(api: Api):
    await apply_and_learn_one_each(api, EXAMPLE_CONFIG.read_text())
    assert await api.owners("qa_engineer") == {"qa_engineer", "tech_lead"}


async def test_senior_does_not_read_the_junior_who_inherits_from_it(api: Api):
    await apply_and_learn_one_each(api, EXAMPLE_CONFIG.read_text())
    assert await api.owners("senior_developer") == {"senior_developer", "tech_lead"}
    assert await api.owners("tech_lead") == {"tech_lead"}


async def test_charlie_cannot_read_alice_without_share_with(api: Api):
    await apply_and_learn_one_each(api, ALICE_BOB_CHARLIE)
    assert await api.owners("bob") == {"alice", "bob"}
    assert await api.owners("charlie") == {"charlie"}


async def test_include_shared_false_returns_only_own_memories(api: Api):
    await apply_and_learn_one_each(api, EXAMPLE_CONFIG.read_text())
    slice_ = await api.retrieve("junior_developer", "authentication", include_shared=False, top_k=10)
    assert [item["agent"] for item in slice_["outcomes"]] == ["junior_developer"]
    assert slice_["outcomes"][0]["metadata"] == {}


async def test_expertise_hierarchy_shares_down_to_each_generalist(api: Api):
    await apply_and_learn_one_each(
        api,
        """
agents:
  domain_expert:
    can_learn: [deep_domain_knowledge]
    share_with: [generalist_1, generalist_2]
  generalist_1:
    inherit_from: [domain_expert]
  generalist_2:
    inherit_from: [domain_expert]
""",
    )
    assert await api.owners("generalist_1") == {"generalist_1", "domain_expert"}
    assert await api.owners("generalist_2") == {"generalist_2", "domain_expert"}
    assert await api.owners("domain_expert") == {"domain_expert"}


async def test_team_structure_with_peer_sharing(api: Api):
    await apply_and_learn_one_each(
        api,
        """
agents:
  team_lead:
    share_with: [member_1, member_2, member_3]
  member_1:
    inherit_from: [team_lead]
    share_with: [member_2, member_3]
  member_2:
    inherit_from: [team_lead, member_1]
    share_with: [member_1, member_3]
  member_3:
""",
    )
    # member_1 does not inherit from member_2, so member_2's sharing moves nothing to it.
    assert await api.owners("member_1") == {"member_1", "team_lead"}
    assert await api.owners("member_2") == {"member_2", "team_lead", "member_1"}
    # member_3 is shared with by everyone but inherits from no one.
    assert await api.owners("member_3") == {"member_3"}


async def test_mentor_mentee_is_one_way(api: Api):
    await apply_and_learn_one_each(
        api,
        """
agents:
  mentor:
    share_with: [mentee]
  mentee:
    inherit_from: [mentor]
""",
    )
    assert await api.owners("mentee") == {"mentee", "mentor"}
    assert await api.owners("mentor") == {"mentor"}


async def test_inheritance_is_not_transitive(api: Api):
    await apply_and_learn_one_each(
        api,
        """
agents:
  lead:
    share_with: [middle]
  middle:
    inherit_from: [lead]
    share_with: [leaf]
  leaf:
    inherit_from: [middle]
""",
    )
    assert await api.owners("leaf") == {"leaf", "middle"}


async def test_learning_is_stored_under_own_id_and_shared_with_no_one_without_share_with(api: Api):
    await api.apply(
        guide_example("nested")
        .replace("    # QA learns from tech lead", "    # QA also tries to read the junior\n")
        .replace("        - tech_lead\n\n", "        - tech_lead\n        - junior_developer\n\n", 1)
    )
    stored = await api.learn("junior_developer", "Fixed null pointer bug", "Added null checks before dereferencing")
    assert stored["outcome"]["agent"] == "junior_developer"
    for reader in ("tech_lead", "senior_developer", "qa_engineer"):
        assert "junior_developer" not in await api.owners(reader, "null pointer bug")
    assert await api.owners("junior_developer", "null pointer bug") == {"junior_developer"}


async def test_reapplying_config_without_share_with_revokes_on_next_retrieve(api: Api):
    config = guide_example("nested")
    await api.apply(config)
    await learn_one_each(api, TEAM)
    assert "senior_developer" in await api.owners("junior_developer")

    revoked = config.replace("      share_with:\n        - junior_developer\n", "")
    result = await api.apply(revoked)

    assert {"reader": "junior_developer", "source": "senior_developer"} in result["grants_revoked"]
    assert await api.owners("junior_developer") == {"junior_developer", "tech_lead"}


async def test_projects_are_isolated_even_with_the_same_agent_names(api: Api):
    config = EXAMPLE_CONFIG.read_text().replace('  project_id: "my-team"\n', "")
    await api.apply(config, project="my-team")
    await api.apply(config, project="other-team")
    await learn_one_each(api, TEAM)
    other = Api(api.client, "other-team")
    await other.learn("tech_lead", "Implement user authentication", "other team's secret")

    mine = await api.retrieve("junior_developer", "authentication", top_k=100)
    theirs = await other.retrieve("junior_developer", "authentication", top_k=100)

    assert "other team's secret" not in str(mine)
    assert [item["strategy_used"] for item in theirs["outcomes"]] == ["other team's secret"]
