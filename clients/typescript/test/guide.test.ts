/**
 * The guide's TypeScript snippet (examples/typescript/guide.ts), unchanged, against a live service on the
 * address it hard-codes: http://localhost:8765, project `my-team`, the guide's complete example config.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';

import { ALMA } from 'alma-memory';

import { guideConfigText, seedHeuristics, STRATEGIES } from './fixtures.js';
import { REPO_DIR, type RunningService, startService } from './service.js';

const GUIDE_PORT = 8765;
const EXAMPLE_DIR = join(REPO_DIR, 'examples', 'typescript');
const EXAMPLE_SCRIPT = join(EXAMPLE_DIR, 'dist', 'guide.js');

let service: RunningService;

before(async () => {
  service = await startService({ port: GUIDE_PORT });
});

after(async () => {
  await service?.stop();
});

it('the guide snippet prints what junior_developer learned from tech_lead and senior_developer, not its own', async () => {
  assert.ok(
    existsSync(EXAMPLE_SCRIPT),
    `${EXAMPLE_SCRIPT} is missing: build the example (npm run build:example in clients/typescript).`,
  );
  const alma = new ALMA({ baseUrl: service.baseUrl, projectId: 'my-team' });
  const applied = await alma.applyConfig(guideConfigText());
  assert.equal(applied.projectId, 'my-team');
  await seedHeuristics(alma);

  const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE_SCRIPT], { cwd: EXAMPLE_DIR, timeout: 30_000 });

  const lines = stdout.trim().split('\n').sort();
  assert.deepEqual(lines, [
    `Learned from senior_developer: ${STRATEGIES.senior_developer}`,
    `Learned from tech_lead: ${STRATEGIES.tech_lead}`,
  ]);
  assert.ok(!stdout.includes(STRATEGIES.junior_developer), 'the junior developer own heuristic is not "learned from" anyone');
});
