/**
 * What the SDK does on the wire and when the wire fails: request shapes, problem details to error classes,
 * no answer (unreachable, timeout, abort). A small local HTTP server plays the service where the real one
 * cannot be made to answer that way (a 401, a 503, a hung connection).
 */

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, describe, it } from 'node:test';

import * as sdk from 'alma-memory';
import { ALMA } from 'alma-memory';

import { rejectionReason } from './assertions.js';
import { freePort } from './service.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Reply {
  status?: number;
  contentType?: string;
  body?: unknown;
  /** Never answer. */
  hang?: boolean;
}

interface Stub {
  baseUrl: string;
  requests: Recorded[];
  close(): Promise<void>;
}

const stubs: Stub[] = [];

after(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
});

/** A local HTTP server that records each request and answers what `reply` says. */
async function stub(reply: (request: Recorded) => Reply): Promise<Stub> {
  const requests: Recorded[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      const answer = reply(recorded);
      if (answer.hang) return;
      const status = answer.status ?? 200;
      if (answer.body === undefined) {
        response.writeHead(status).end();
        return;
      }
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const contentType = answer.contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json');
      response.writeHead(status, { 'content-type': contentType }).end(text);
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const running: Stub = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
  stubs.push(running);
  return running;
}

function problem(status: number, slug: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status,
    body: { type: `urn:alma:problem:${slug}`, title: slug, status, detail: `detail of ${slug}`, instance: '/v1/x', ...extra },
  };
}

const RETRIEVE_ANSWER = {
  project_id: 'p',
  agent: 'junior_developer',
  query: 'q',
  top_k: 3,
  include_shared: true,
  took_ms: 1.5,
  heuristics: [],
  outcomes: [],
  domain_knowledge: [],
  anti_patterns: [],
  preferences: [],
};

const OUTCOME = {
  id: 7,
  agent: 'junior_developer',
  task: 'Fixed null pointer bug',
  task_type: 'debugging',
  success: true,
  strategy_used: 'Added null checks before dereferencing',
  duration_ms: null,
  error_message: null,
  feedback: null,
  created_at: '2026-01-01T00:00:00Z',
};

describe('no answer', () => {
  it('a closed port is a ServiceUnreachableError naming the URL and suggesting alma serve', async () => {
    const port = await freePort();
    const alma = new ALMA({ baseUrl: `http://127.0.0.1:${port}`, projectId: 'my-team' });

    const error = await rejectionReason(alma.retrieve({ query: 'q', agent: 'junior_developer' }));

    assert.ok(error instanceof sdk.ServiceUnreachableError, String(error));
    assert.ok(error instanceof sdk.ALMAError);
    assert.equal(error.status, 0);
    assert.ok(error.message.includes(`http://127.0.0.1:${port}`), error.message);
    assert.ok(error.message.includes('alma serve'), error.message);
    assert.equal(error.url, `http://127.0.0.1:${port}/v1/projects/my-team/retrieve`);
    assert.ok(error.cause, 'the network error is kept as the cause');
  });

  it('a service that does not answer in time is a RequestTimeoutError', async () => {
    const hung = await stub(() => ({ hang: true }));
    const alma = new ALMA({ baseUrl: hung.baseUrl, projectId: 'p', timeoutMs: 200 });

    const started = Date.now();
    const error = await rejectionReason(alma.agents());

    assert.ok(error instanceof sdk.RequestTimeoutError, String(error));
    assert.equal(error.timeoutMs, 200);
    assert.equal(error.status, 0);
    assert.match(error.message, /200 ms/);
    assert.ok(Date.now() - started < 5_000);
  });

  it('a per-call timeoutMs overrides the client one', async () => {
    const hung = await stub(() => ({ hang: true }));
    const alma = new ALMA({ baseUrl: hung.baseUrl, projectId: 'p', timeoutMs: 60_000 });

    const error = await rejectionReason(alma.stats('junior_developer', { timeoutMs: 100 }));

    assert.ok(error instanceof sdk.RequestTimeoutError, String(error));
    assert.equal(error.timeoutMs, 100);
  });

  it("the caller's abort rejects with the signal's reason, not a timeout", async () => {
    const hung = await stub(() => ({ hang: true }));
    const alma = new ALMA({ baseUrl: hung.baseUrl, projectId: 'p' });
    const controller = new AbortController();
    const reason = new Error('the user went away');
    setTimeout(() => controller.abort(reason), 50);

    const error = await rejectionReason(alma.agents({ signal: controller.signal }));

    assert.equal(error, reason);
  });
});

describe('requests', () => {
  it('retrieve sends camelCase options as snake_case JSON, leaves unset ones out, and sends the key', async () => {
    const service = await stub(() => ({ body: RETRIEVE_ANSWER }));
    const alma = new ALMA({ baseUrl: `${service.baseUrl}/`, projectId: 'my-team', apiKey: 'secret-key' });

    const result = await alma.retrieve({ query: 'q', agent: 'junior_developer', topK: 3, includeShared: false, userId: 'alice' });

    const [sent] = service.requests;
    assert.ok(sent);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/v1/projects/my-team/retrieve');
    assert.equal(sent.headers['authorization'], 'Bearer secret-key');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(sent.body), {
      query: 'q',
      agent: 'junior_developer',
      top_k: 3,
      include_shared: false,
      user_id: 'alice',
    });
    assert.equal(result.topK, 3);
    assert.equal(result.tookMs, 1.5);
    assert.deepEqual(result.domainKnowledge, []);
    assert.equal(result.prompt, null);
  });

  it('applyConfig sends YAML text as application/yaml, and an object as JSON', async () => {
    const applied = {
      project_id: 'p',
      project_created: true,
      created: ['a'],
      updated: [],
      removed: [],
      unchanged: [],
      grants_added: [],
      grants_revoked: [],
      grants: [],
      warnings: [],
      notes: [],
    };
    const service = await stub(() => ({ body: applied }));
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

    const result = await alma.applyConfig('agents:\n  a: {}\n');
    await alma.applyConfig({ agents: { a: {} } });

    const [yaml, json] = service.requests;
    assert.equal(yaml?.method, 'PUT');
    assert.equal(yaml?.headers['content-type'], 'application/yaml');
    assert.equal(yaml?.body, 'agents:\n  a: {}\n');
    assert.equal(json?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(json?.body ?? ''), { agents: { a: {} } });
    assert.equal(result.projectCreated, true);
    assert.deepEqual(result.created, ['a']);
  });

  it('memory calls put the agent in the query or body, filters in snake_case, ids and names escaped', async () => {
    const item = { id: 5, agent: 'a', created_at: '2026-01-01T00:00:00Z', metadata: {}, pattern: 'p', why_bad: 'w' };
    const service = await stub((request) => {
      if (request.method === 'DELETE') return { status: 204 };
      if (request.method === 'GET' && request.url.includes('?agent=a&')) return { body: { items: [item], total: 1, limit: 10, offset: 0 } };
      if (request.url.endsWith('/forget')) return { body: { outcomes_removed: 2, heuristics_removed: 3 } };
      return { body: item };
    });
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'team one' });

    await alma.getMemory({ kind: 'anti-patterns', id: 5, agent: 'a' });
    const page = await alma.listMemories({ kind: 'anti-patterns', agent: 'a', taskType: 'debugging', limit: 10 });
    await alma.updateMemory({ kind: 'anti-patterns', id: 5, agent: 'a', changes: { whyBad: 'worse', betterAlternative: 'better' } });
    await alma.deleteMemory({ kind: 'anti-patterns', id: 5, agent: 'a' });
    const forgotten = await alma.forget({ olderThanDays: 30 });
    await alma.stats('a/b');

    assert.deepEqual(
      service.requests.map((request) => `${request.method} ${request.url}`),
      [
        'GET /v1/projects/team%20one/memories/anti-patterns/5?agent=a',
        'GET /v1/projects/team%20one/memories/anti-patterns?agent=a&task_type=debugging&limit=10',
        'PATCH /v1/projects/team%20one/memories/anti-patterns/5',
        'DELETE /v1/projects/team%20one/memories/anti-patterns/5?agent=a',
        'POST /v1/projects/team%20one/forget',
        'GET /v1/projects/team%20one/agents/a%2Fb/stats',
      ],
    );
    assert.deepEqual(JSON.parse(service.requests[2]?.body ?? ''), { agent: 'a', why_bad: 'worse', better_alternative: 'better' });
    assert.deepEqual(JSON.parse(service.requests[4]?.body ?? ''), { older_than_days: 30 });
    assert.equal(page.total, 1);
    assert.equal(page.items[0]?.why_bad, 'w');
    assert.deepEqual(forgotten, { outcomesRemoved: 2, heuristicsRemoved: 3 });
  });

  it('learn accepts both answers: {outcome, heuristic, anti_pattern} and the bare stored outcome', async () => {
    const heuristic = { id: 1, agent: 'junior_developer', created_at: 'x', metadata: {}, condition: 'c', strategy: 's' };
    let shape: 'new' | 'old' = 'new';
    const service = await stub(() => ({
      status: 201,
      body: shape === 'new' ? { outcome: { ...OUTCOME, metadata: {} }, heuristic, anti_pattern: null } : OUTCOME,
    }));
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });
    const learn = {
      agent: 'junior_developer',
      task: 'Fixed null pointer bug',
      outcome: 'success',
      strategyUsed: 'Added null checks before dereferencing',
      durationMs: 5,
    } as const;

    const current = await alma.learn(learn);
    shape = 'old';
    const older = await alma.learn(learn);

    assert.deepEqual(JSON.parse(service.requests[0]?.body ?? ''), {
      agent: 'junior_developer',
      task: 'Fixed null pointer bug',
      outcome: 'success',
      strategy_used: 'Added null checks before dereferencing',
      duration_ms: 5,
    });
    assert.equal(current.outcome.id, 7);
    assert.equal(current.heuristic?.strategy, 's');
    assert.equal(current.antiPattern, null);
    assert.equal(older.outcome.strategy_used, 'Added null checks before dereferencing');
    assert.deepEqual(older.outcome.metadata, {});
    assert.equal(older.heuristic, null);
    assert.equal(older.antiPattern, null);
  });
});

describe('problem details', () => {
  const cases: Array<[Reply, new (...args: never[]) => sdk.ALMAError]> = [
    [problem(401, 'unauthorized'), sdk.UnauthorizedError],
    [problem(403, 'forbidden'), sdk.ForbiddenError],
    [problem(403, 'scope-violation'), sdk.ScopeViolationError],
    [problem(403, 'not-owner'), sdk.NotOwnerError],
    [problem(404, 'memory-not-found'), sdk.MemoryNotFoundError],
    [problem(413, 'request-entity-too-large'), sdk.PayloadTooLargeError],
    [problem(422, 'invalid-input', { errors: [{ field: 'embedding', message: 'expected 384 dimensions' }] }), sdk.ValidationError],
    [problem(400, 'malformed-request'), sdk.ValidationError],
    [problem(503, 'database-unavailable'), sdk.ServiceUnavailableError],
    [{ status: 502, contentType: 'text/html', body: '<html>Bad gateway</html>' }, sdk.ServiceUnavailableError],
  ];

  for (const [reply, errorClass] of cases) {
    it(`${reply.status} ${JSON.stringify(reply.body).slice(0, 60)} is a ${errorClass.name}`, async () => {
      const service = await stub(() => reply);
      const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

      const error = await rejectionReason(alma.agents());

      assert.ok(error instanceof errorClass, `${String(error)} is not a ${errorClass.name}`);
      assert.ok(error instanceof sdk.ALMAError);
      assert.equal(error.status, reply.status);
      assert.equal(error.method, 'GET');
      if (typeof reply.body === 'object') {
        assert.deepEqual(error.problem, reply.body);
        assert.equal(error.detail, (reply.body as { detail: string }).detail);
      } else {
        assert.match(error.detail, /Bad gateway/);
      }
    });
  }

  it('ScopeViolationError and NotOwnerError are ForbiddenErrors; ValidationError carries the field errors', async () => {
    const service = await stub(() =>
      problem(422, 'validation-error', { errors: [{ field: 'top_k', message: 'Input should be greater than or equal to 1' }] }),
    );
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

    const error = await rejectionReason(alma.retrieve({ query: 'q', agent: 'a', topK: 0 }));

    assert.ok(error instanceof sdk.ValidationError);
    assert.deepEqual(error.errors, [{ field: 'topK', wireField: 'top_k', message: 'Input should be greater than or equal to 1' }]);
    assert.equal(error.slug, 'validation-error');
    assert.ok(Object.create(sdk.ScopeViolationError.prototype) instanceof sdk.ForbiddenError);
    assert.ok(Object.create(sdk.NotOwnerError.prototype) instanceof sdk.ForbiddenError);
  });

  it('agent-not-found carries the agent and the known agents', async () => {
    const service = await stub(() => problem(404, 'agent-not-found', { agent: 'bob', known_agents: ['alice', 'charlie'] }));
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

    const error = await rejectionReason(alma.getAgent('bob'));

    assert.ok(error instanceof sdk.AgentNotFoundError);
    assert.equal(error.agent, 'bob');
    assert.deepEqual(error.knownAgents, ['alice', 'charlie']);
    assert.equal(error.name, 'AgentNotFoundError');
  });

  it('a path the service does not have says the service may be older than the SDK', async () => {
    const service = await stub(() => problem(404, 'route-not-found', { detail: "Not Found. See /docs for the API's paths." }));
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

    const error = await rejectionReason(alma.addHeuristic({ agent: 'a', condition: 'c', strategy: 's' }));

    assert.ok(error instanceof sdk.ALMAError);
    assert.match(error.message, /POST \/v1\/projects\/p\/heuristics/);
    assert.match(error.message, /older than this SDK/);
  });

  it('a successful answer that is not JSON is an ALMAError asking whether baseUrl is right', async () => {
    const service = await stub(() => ({ contentType: 'text/html', body: '<html>hello</html>' }));
    const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'p' });

    const error = await rejectionReason(alma.agents());

    assert.ok(error instanceof sdk.ALMAError);
    assert.equal(error.constructor, sdk.ALMAError);
    assert.match(error.message, /baseUrl/);
  });
});

describe('constructor', () => {
  it('refuses a missing projectId, a baseUrl that is not http(s) and a negative timeout', () => {
    assert.throws(() => new ALMA({ baseUrl: 'http://localhost:8765', projectId: '' }), TypeError);
    assert.throws(() => new ALMA({ baseUrl: 'localhost:8765', projectId: 'p' }), /baseUrl/);
    assert.throws(() => new ALMA({ baseUrl: 'http://localhost:8765', projectId: 'p', timeoutMs: -1 }), /timeoutMs/);
  });

  it('defaults to the service default address and keeps a path prefix', () => {
    assert.equal(new ALMA({ projectId: 'p' }).baseUrl, 'http://localhost:8765');
    assert.equal(new ALMA({ baseUrl: 'https://example.test/alma/', projectId: 'p' }).baseUrl, 'https://example.test/alma');
  });
});
