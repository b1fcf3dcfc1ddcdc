/** The SDK against a live ALMA service on its real (embedded PostgreSQL) database, one fresh project per test. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  AgentNotFoundError,
  ALMA,
  ALMAError,
  ForbiddenError,
  MemoryNotFoundError,
  NotFoundError,
  NotOwnerError,
  ProjectNotFoundError,
  ScopeViolationError,
  ValidationError,
} from 'alma-memory';

import { rejection } from './assertions.js';
import {
  GUIDE_AGENTS,
  guideConfig,
  guideConfigText,
  guideTeam,
  seedHeuristics,
  STRATEGIES,
  uniqueProjectId,
} from './fixtures.js';
import { type RunningService, startService } from './service.js';

let service: RunningService;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

const team = (label: string) => guideTeam(service.baseUrl, label);

describe('applyConfig and agents', () => {
  it('applies the guide complete example and reports the grants it made', async () => {
    const projectId = uniqueProjectId('config');
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId });

    const applied = await alma.applyConfig(guideConfig(projectId));

    assert.equal(applied.projectId, projectId);
    assert.equal(applied.projectCreated, true);
    assert.deepEqual([...applied.created].sort(), GUIDE_AGENTS);
    assert.deepEqual(
      applied.grants.map((grant) => `${grant.reader}<-${grant.source}`).sort(),
      [
        'junior_developer<-senior_developer',
        'junior_developer<-tech_lead',
        'qa_engineer<-tech_lead',
        'senior_developer<-tech_lead',
      ],
    );
    assert.deepEqual(applied.grantsAdded.length, 4);
    assert.ok(applied.warnings.some((warning) => warning.includes('devops_engineer')), applied.warnings.join('; '));
  });

  it('applying the same config again changes nothing', async () => {
    const projectId = uniqueProjectId('reapply');
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId });
    await alma.applyConfig(guideConfig(projectId));

    const again = await alma.applyConfig(guideConfig(projectId));

    assert.equal(again.projectCreated, false);
    assert.deepEqual([...again.unchanged].sort(), GUIDE_AGENTS);
    assert.deepEqual(again.grantsAdded, []);
    assert.deepEqual(again.grantsRevoked, []);
  });

  it('refuses a config that names another project, as a ValidationError on project_id', async () => {
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: uniqueProjectId('mismatch') });

    const error = await rejection(alma.applyConfig(guideConfigText()));

    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.status, 422);
    assert.equal(error.slug, 'invalid-config');
    assert.ok(error.errors.some((fieldError) => fieldError.field === 'project_id'), JSON.stringify(error.errors));
  });

  it('refuses an empty agents section unless allowRemoveAll is set, then removes every agent', async () => {
    const alma = await team('remove-all');

    const error = await rejection(alma.applyConfig('agents: {}\n'));
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal((await alma.agents()).length, GUIDE_AGENTS.length);

    const applied = await alma.applyConfig('agents: {}\n', { allowRemoveAll: true });
    assert.deepEqual([...applied.removed].sort(), GUIDE_AGENTS);
    assert.deepEqual(applied.keysRevoked, []);
    assert.ok(applied.warnings.some((warning) => warning.startsWith('Removed agents:')), applied.warnings.join('; '));
    assert.deepEqual(await alma.agents(), []);
  });

  it('lists the agents with the sources each may read', async () => {
    const alma = await team('agents');

    const agents = await alma.agents();

    const readsFrom = Object.fromEntries(agents.map((agent) => [agent.name, [...agent.reads_from].sort()]));
    assert.deepEqual(readsFrom, {
      junior_developer: ['senior_developer', 'tech_lead'],
      qa_engineer: ['tech_lead'],
      senior_developer: ['tech_lead'],
      tech_lead: [],
    });
    const lead = await alma.getAgent('tech_lead');
    assert.deepEqual([...lead.read_by].sort(), ['junior_developer', 'qa_engineer', 'senior_developer']);
    assert.deepEqual(lead.can_learn, ['architecture', 'system_design', 'team_standards']);
  });
});

describe('retrieve', () => {
  it('junior_developer sees tech_lead and senior_developer heuristics tagged shared_from, its own untagged', async () => {
    const alma = await team('shared-heuristics');
    const seeded = await seedHeuristics(alma);

    const memories = await alma.retrieve({
      query: 'implement authentication',
      agent: 'junior_developer',
      topK: 10,
      includeShared: true,
    });

    const byId = new Map(memories.heuristics.map((heuristic) => [heuristic.id, heuristic]));
    assert.equal(byId.get(seeded.techLead.id)?.metadata.shared_from, 'tech_lead');
    assert.equal(byId.get(seeded.techLead.id)?.strategy, STRATEGIES.tech_lead);
    assert.equal(byId.get(seeded.senior.id)?.metadata.shared_from, 'senior_developer');
    const own = byId.get(seeded.junior.id);
    assert.ok(own, 'the junior developer sees its own heuristic');
    assert.equal(own.agent, 'junior_developer');
    assert.equal('shared_from' in own.metadata, false);
    assert.equal(memories.agent, 'junior_developer');
    assert.equal(memories.topK, 10);
    assert.equal(typeof memories.tookMs, 'number');
  });

  it('without includeShared the junior developer sees only its own heuristics', async () => {
    const alma = await team('own-only');
    const seeded = await seedHeuristics(alma);

    const memories = await alma.retrieve({ query: 'authentication', agent: 'junior_developer', topK: 10, includeShared: false });

    assert.deepEqual(
      memories.heuristics.map((heuristic) => heuristic.id),
      [seeded.junior.id],
    );
  });

  it('qa_engineer reads tech_lead but not senior_developer, who does not share with it', async () => {
    const alma = await team('qa-scope');
    const seeded = await seedHeuristics(alma);

    const memories = await alma.retrieve({ query: 'authentication', agent: 'qa_engineer', topK: 10 });

    const ids = memories.heuristics.map((heuristic) => heuristic.id);
    assert.ok(ids.includes(seeded.techLead.id), 'tech_lead shares with qa_engineer');
    assert.ok(!ids.includes(seeded.senior.id), 'senior_developer does not share with qa_engineer');
    assert.ok(!ids.includes(seeded.junior.id), 'junior_developer shares with no one');
  });

  it('outcomes learned by tech_lead and senior_developer reach the junior tagged shared_from', async () => {
    const alma = await team('shared-outcomes');
    await alma.learn({ agent: 'tech_lead', task: 'Design the login flow', outcome: 'success', strategyUsed: 'OAuth2 with PKCE', taskType: 'architecture' });
    await alma.learn({ agent: 'senior_developer', task: 'Implement the login form', outcome: 'success', strategyUsed: 'Signed cookies', taskType: 'code_review' });
    await alma.learn({ agent: 'junior_developer', task: 'Fix the login redirect', outcome: 'failure', strategyUsed: 'Hard-coded the URL', taskType: 'debugging' });

    const memories = await alma.retrieve({ query: 'login authentication', agent: 'junior_developer', topK: 10, includeShared: true });

    const origins = Object.fromEntries(
      memories.outcomes.map((outcome) => [outcome.strategy_used, outcome.metadata.shared_from ?? '(own)']),
    );
    assert.deepEqual(origins, {
      'OAuth2 with PKCE': 'tech_lead',
      'Signed cookies': 'senior_developer',
      'Hard-coded the URL': '(own)',
    });
    const own = memories.outcomes.find((outcome) => outcome.agent === 'junior_developer');
    assert.equal(own?.success, false);
  });

  it('includePrompt returns the slice as text for the agent context', async () => {
    const alma = await team('prompt');
    await seedHeuristics(alma);

    const withPrompt = await alma.retrieve({ query: 'authentication', agent: 'junior_developer', includePrompt: true });
    const without = await alma.retrieve({ query: 'authentication', agent: 'junior_developer' });

    assert.ok(withPrompt.prompt?.includes(STRATEGIES.tech_lead), String(withPrompt.prompt));
    assert.equal(without.prompt, null);
  });

  it('an unknown agent is an AgentNotFoundError listing the known agents', async () => {
    const alma = await team('unknown-agent');

    const error = await rejection(alma.retrieve({ query: 'anything', agent: 'devops_engineer' }));

    assert.ok(error instanceof AgentNotFoundError, String(error));
    assert.ok(error instanceof NotFoundError);
    assert.ok(error instanceof ALMAError);
    assert.equal(error.status, 404);
    assert.equal(error.agent, 'devops_engineer');
    assert.deepEqual([...error.knownAgents].sort(), GUIDE_AGENTS);
    assert.match(error.message, /devops_engineer/);
  });

  it('topK 0 is a ValidationError naming topK, as the caller wrote it', async () => {
    const alma = await team('top-k');

    const error = await rejection(alma.retrieve({ query: 'anything', agent: 'junior_developer', topK: 0 }));

    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.status, 422);
    assert.deepEqual(
      error.errors.map((fieldError) => [fieldError.field, fieldError.wireField]),
      [['topK', 'top_k']],
    );
    assert.match(error.detail, /top_k/);
    assert.match(error.message, /In this SDK: topK \(sent as top_k\)/);
  });

  it('a project that was never configured is a ProjectNotFoundError', async () => {
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: uniqueProjectId('missing') });

    const error = await rejection(alma.retrieve({ query: 'anything', agent: 'junior_developer' }));

    assert.ok(error instanceof ProjectNotFoundError, String(error));
    assert.equal(error.status, 404);
  });

  it('with userId the preferences of that user come back', async () => {
    const alma = await team('preferences');
    const stored = await alma.addPreference({
      agent: 'junior_developer',
      userId: 'alice',
      category: 'code_style',
      preference: 'Prefers early returns over nested conditions',
    });

    const memories = await alma.retrieve({ query: 'code style', agent: 'junior_developer', userId: 'alice' });

    assert.equal(stored.user_id, 'alice');
    assert.deepEqual(
      memories.preferences.map((preference) => preference.preference),
      ['Prefers early returns over nested conditions'],
    );
  });
});

describe('learn', () => {
  const NULL_POINTER_FIX = {
    agent: 'junior_developer',
    task: 'Fixed null pointer bug',
    outcome: 'success',
    strategyUsed: 'Added null checks before dereferencing',
    taskType: 'debugging',
  } as const;

  it('stores the outcome under the learning agent own id, shared with no one', async () => {
    const alma = await team('learn-own');

    const learned = await alma.learn({ ...NULL_POINTER_FIX, durationMs: 1200 });

    assert.equal(learned.outcome.agent, 'junior_developer');
    assert.equal(learned.outcome.success, true);
    assert.equal(learned.outcome.strategy_used, 'Added null checks before dereferencing');
    assert.equal(learned.outcome.duration_ms, 1200);
    assert.ok(learned.heuristic === null || typeof learned.heuristic.strategy === 'string');
    assert.ok(learned.antiPattern === null || typeof learned.antiPattern.pattern === 'string');

    const junior = await alma.retrieve({ query: 'null pointer bug', agent: 'junior_developer', topK: 10 });
    assert.deepEqual(
      junior.outcomes.map((outcome) => [outcome.id, outcome.metadata.shared_from]),
      [[learned.outcome.id, undefined]],
    );
    for (const reader of ['senior_developer', 'tech_lead', 'qa_engineer']) {
      const memories = await alma.retrieve({ query: 'null pointer bug', agent: reader, topK: 10, includeShared: true });
      assert.deepEqual(memories.outcomes, [], `${reader} must not see junior_developer's outcome`);
    }
  });

  it('repeated successes with one strategy become a heuristic, returned by the learn that made it', async () => {
    const alma = await team('learn-heuristic');

    const first = await alma.learn(NULL_POINTER_FIX);
    await alma.learn(NULL_POINTER_FIX);
    const third = await alma.learn(NULL_POINTER_FIX);

    assert.equal(first.heuristic, null);
    assert.equal(third.heuristic?.strategy, 'Added null checks before dereferencing');
    assert.equal(third.heuristic?.agent, 'junior_developer');
    assert.equal(third.heuristic?.occurrence_count, 3);
    assert.equal(third.antiPattern, null);
  });

  it('a write outside the agent can_learn is a ScopeViolationError', async () => {
    const alma = await team('scope');

    const error = await rejection(
      alma.learn({
        agent: 'junior_developer',
        task: 'Redesign the auth service',
        outcome: 'success',
        strategyUsed: 'Split it into two services',
        taskType: 'architecture',
      }),
    );

    assert.ok(error instanceof ScopeViolationError, String(error));
    assert.ok(error instanceof ForbiddenError);
    assert.equal(error.status, 403);
  });

  it('learnBulk stores every outcome and fact, under their own agents', async () => {
    const alma = await team('bulk');

    const stored = await alma.learnBulk({
      outcomes: [
        { agent: 'tech_lead', task: 'Pick a token store', outcome: 'success', strategyUsed: 'Redis with TTLs', taskType: 'system_design' },
        { agent: 'qa_engineer', task: 'Test token expiry', outcome: 'failure', strategyUsed: 'Sleep in the test', taskType: 'testing_strategies' },
      ],
      domainKnowledge: [{ agent: 'tech_lead', domain: 'architecture', fact: 'Tokens expire after 15 minutes' }],
    });

    assert.deepEqual(
      stored.outcomes.map((learned) => [learned.outcome.agent, learned.outcome.success]),
      [
        ['tech_lead', true],
        ['qa_engineer', false],
      ],
    );
    assert.deepEqual(
      stored.domainKnowledge.map((knowledge) => [knowledge.agent, knowledge.fact]),
      [['tech_lead', 'Tokens expire after 15 minutes']],
    );
  });
});

describe('memories', () => {
  it('addDomainKnowledge and addAntiPattern store items under the agent, which readers see tagged', async () => {
    const alma = await team('writes');

    const fact = await alma.addDomainKnowledge({ agent: 'tech_lead', domain: 'architecture', fact: 'Auth lives in the gateway', source: 'ADR-7' });
    const antiPattern = await alma.addAntiPattern({
      agent: 'tech_lead',
      pattern: 'Storing passwords in plain text',
      whyBad: 'One leak exposes every account',
      betterAlternative: 'A slow salted hash',
      taskType: 'architecture',
    });

    assert.equal(fact.agent, 'tech_lead');
    assert.equal(fact.source, 'ADR-7');
    assert.equal(antiPattern.why_bad, 'One leak exposes every account');
    assert.equal(antiPattern.better_alternative, 'A slow salted hash');
    const memories = await alma.retrieve({ query: 'authentication passwords', agent: 'junior_developer', topK: 10 });
    assert.deepEqual(
      memories.domainKnowledge.map((knowledge) => [knowledge.id, knowledge.metadata.shared_from]),
      [[fact.id, 'tech_lead']],
    );
    assert.deepEqual(
      memories.antiPatterns.map((item) => [item.id, item.metadata.shared_from]),
      [[antiPattern.id, 'tech_lead']],
    );
  });

  it('getMemory shows a reader a shared heuristic tagged; to an agent it is not shared with it does not exist', async () => {
    const alma = await team('get');
    const seeded = await seedHeuristics(alma);

    const shared = await alma.getMemory({ kind: 'heuristics', id: seeded.senior.id, agent: 'junior_developer' });
    const own = await alma.getMemory({ kind: 'heuristics', id: seeded.senior.id, agent: 'senior_developer' });
    const refused = await rejection(alma.getMemory({ kind: 'heuristics', id: seeded.senior.id, agent: 'qa_engineer' }));

    assert.equal(shared.strategy, STRATEGIES.senior_developer);
    assert.equal(shared.metadata.shared_from, 'senior_developer');
    assert.equal(own.metadata.shared_from, undefined);
    assert.ok(refused instanceof MemoryNotFoundError, String(refused));
  });

  it('listMemories pages what the agent may read, newest first, and filters by owner', async () => {
    const alma = await team('list');
    const seeded = await seedHeuristics(alma);

    const all = await alma.listMemories({ kind: 'heuristics', agent: 'junior_developer' });
    const firstPage = await alma.listMemories({ kind: 'heuristics', agent: 'junior_developer', limit: 2 });
    const lead = await alma.listMemories({ kind: 'heuristics', agent: 'junior_developer', owner: 'tech_lead' });

    assert.equal(all.total, 3);
    assert.deepEqual(
      all.items.map((heuristic) => heuristic.id),
      [seeded.junior.id, seeded.senior.id, seeded.techLead.id],
    );
    assert.equal(firstPage.items.length, 2);
    assert.equal(firstPage.limit, 2);
    assert.equal(firstPage.total, 3);
    assert.deepEqual(
      lead.items.map((heuristic) => [heuristic.id, heuristic.metadata.shared_from]),
      [[seeded.techLead.id, 'tech_lead']],
    );
  });

  it('updateMemory changes an own memory; changing another agent memory is a NotOwnerError', async () => {
    const alma = await team('update');
    const seeded = await seedHeuristics(alma);

    const changed = await alma.updateMemory({
      kind: 'heuristics',
      id: seeded.junior.id,
      agent: 'junior_developer',
      changes: { strategy: 'Reproduce the failure with a test first', confidence: 0.7 },
    });
    const refused = await rejection(
      alma.updateMemory({ kind: 'heuristics', id: seeded.techLead.id, agent: 'junior_developer', changes: { confidence: 0.1 } }),
    );

    assert.equal(changed.strategy, 'Reproduce the failure with a test first');
    assert.equal(changed.confidence, 0.7);
    assert.ok(refused instanceof NotOwnerError, String(refused));
    assert.equal(refused.status, 403);
  });

  it('deleteMemory removes an own memory; reading it then is a MemoryNotFoundError', async () => {
    const alma = await team('delete');
    const seeded = await seedHeuristics(alma);

    const refused = await rejection(alma.deleteMemory({ kind: 'heuristics', id: seeded.techLead.id, agent: 'junior_developer' }));
    await alma.deleteMemory({ kind: 'heuristics', id: seeded.junior.id, agent: 'junior_developer' });
    const gone = await rejection(alma.getMemory({ kind: 'heuristics', id: seeded.junior.id, agent: 'junior_developer' }));

    assert.ok(refused instanceof NotOwnerError, String(refused));
    assert.ok(gone instanceof MemoryNotFoundError, String(gone));
    assert.equal(gone.status, 404);
  });

  it('forget removes an agent heuristics below the confidence asked for, and no one else', async () => {
    const alma = await team('forget');
    const seeded = await seedHeuristics(alma);

    const removed = await alma.forget({ agent: 'junior_developer', belowConfidence: 0.95 });

    assert.deepEqual(removed, { outcomesRemoved: 0, heuristicsRemoved: 1 });
    const left = await alma.listMemories({ kind: 'heuristics', agent: 'junior_developer' });
    assert.deepEqual(
      left.items.map((heuristic) => heuristic.id).sort((a, b) => a - b),
      [seeded.techLead.id, seeded.senior.id].sort((a, b) => a - b),
    );
  });

  it('stats counts what an agent owns and what it inherits', async () => {
    const alma = await team('stats');
    await seedHeuristics(alma);

    const stats = await alma.stats('junior_developer');

    assert.equal(stats.agent, 'junior_developer');
    assert.equal(stats.own['heuristics'], 1);
    assert.equal(stats.inherited['heuristics'], 2);
    assert.equal(stats.readable['tech_lead']?.['heuristics'], 1);
    assert.equal(stats.readable['senior_developer']?.['heuristics'], 1);
  });
});
