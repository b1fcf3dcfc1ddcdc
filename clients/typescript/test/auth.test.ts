/** API keys against a live service that requires them: the key goes as `Authorization: Bearer`, refusals are typed. */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';

import { ALMA, ForbiddenError, ScopeViolationError, UnauthorizedError } from 'alma-memory';

import { rejection } from './assertions.js';
import { guideConfig, uniqueProjectId } from './fixtures.js';
import { type RunningService, startService } from './service.js';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;

let service: RunningService;

before(async () => {
  service = await startService({ env: { ALMA_REQUIRE_AUTH: 'true', ALMA_OPERATOR_KEY: OPERATOR_KEY } });
});

after(async () => {
  await service?.stop();
});

/** POST with a key, outside the SDK: creating projects and keys is the operator's and admin's business. */
async function post(path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  assert.equal(response.status, 201, JSON.stringify(answer));
  return answer;
}

/** A project made with the operator key, configured as the guide's team, and its admin key. */
async function projectWithAdminKey(label: string): Promise<{ projectId: string; adminKey: string }> {
  const projectId = uniqueProjectId(label);
  const created = await post('/v1/projects', OPERATOR_KEY, { project_id: projectId });
  const adminKey = (created['admin_key'] as { key: string }).key;
  await new ALMA({ baseUrl: service.baseUrl, projectId, apiKey: adminKey }).applyConfig(guideConfig(projectId));
  return { projectId, adminKey };
}

it('an admin key acts as any agent; no key or an unknown one is an UnauthorizedError', async () => {
  const { projectId, adminKey } = await projectWithAdminKey('admin');
  const admin = new ALMA({ baseUrl: service.baseUrl, projectId, apiKey: adminKey });

  const learned = await admin.learn({ agent: 'tech_lead', task: 'Design auth', outcome: 'success', strategyUsed: 'OAuth2', taskType: 'architecture' });
  const memories = await admin.retrieve({ query: 'auth', agent: 'junior_developer' });
  const anonymous = await rejection(new ALMA({ baseUrl: service.baseUrl, projectId }).retrieve({ query: 'auth', agent: 'junior_developer' }));
  const unknown = await rejection(
    new ALMA({ baseUrl: service.baseUrl, projectId, apiKey: `alma_${'0'.repeat(12)}_unknown` }).agents(),
  );

  assert.equal(learned.outcome.agent, 'tech_lead');
  assert.equal(memories.outcomes[0]?.metadata.shared_from, 'tech_lead');
  assert.ok(anonymous instanceof UnauthorizedError, String(anonymous));
  assert.equal(anonymous.status, 401);
  assert.ok(unknown instanceof UnauthorizedError, String(unknown));
});

it('an agent key acts only as its agent: as another one it is a ForbiddenError, not a scope violation', async () => {
  const { projectId, adminKey } = await projectWithAdminKey('agent-key');
  const created = await post(`/v1/projects/${projectId}/keys`, adminKey, { role: 'agent', agent: 'junior_developer' });
  const junior = new ALMA({ baseUrl: service.baseUrl, projectId, apiKey: created['key'] as string });

  const own = await junior.retrieve({ query: 'auth', agent: 'junior_developer' });
  const refused = await rejection(junior.retrieve({ query: 'auth', agent: 'tech_lead' }));

  assert.equal(own.agent, 'junior_developer');
  assert.ok(refused instanceof ForbiddenError, String(refused));
  assert.ok(!(refused instanceof ScopeViolationError));
  assert.equal(refused.slug, 'forbidden');
});
