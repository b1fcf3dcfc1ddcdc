/** What the tests arrange through the public API: the guide's team on a fresh project, and its memories. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ALMA, type Heuristic } from 'alma-memory';

import { REPO_DIR } from './service.js';

export const GUIDE_CONFIG_PATH = join(REPO_DIR, 'examples', '.alma', 'config.yaml');
export const GUIDE_AGENTS = ['junior_developer', 'qa_engineer', 'senior_developer', 'tech_lead'];

/** The guide's complete example config as it is (project `my-team`). */
export function guideConfigText(): string {
  return readFileSync(GUIDE_CONFIG_PATH, 'utf8');
}

/** The guide's complete example config naming `projectId` instead of `my-team` (the service refuses a mismatch). */
export function guideConfig(projectId: string): string {
  const pattern = /^(\s*project_id:\s*).*$/m;
  const text = guideConfigText();
  if (!pattern.test(text)) throw new Error(`${GUIDE_CONFIG_PATH} has no project_id line to replace.`);
  return text.replace(pattern, `$1"${projectId}"`);
}

/** A project id no other test uses. */
export function uniqueProjectId(label: string): string {
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return `ts-${label}`.slice(0, 48) + `-${suffix}`;
}

/** A client of a fresh project holding the guide's team. */
export async function guideTeam(baseUrl: string, label: string): Promise<ALMA> {
  const projectId = uniqueProjectId(label);
  const alma = new ALMA({ baseUrl, projectId });
  await alma.applyConfig(guideConfig(projectId));
  return alma;
}

export const STRATEGIES = {
  tech_lead: 'Issue short-lived signed tokens and rotate refresh tokens',
  senior_developer: 'Hash passwords with a slow salted hash before storing them',
  junior_developer: 'Log the parsed auth header while debugging login failures',
} as const;

export interface TeamHeuristics {
  techLead: Heuristic;
  senior: Heuristic;
  junior: Heuristic;
}

/** One authentication heuristic each for tech_lead, senior_developer and junior_developer, within their scopes. */
export async function seedHeuristics(alma: ALMA): Promise<TeamHeuristics> {
  const techLead = await alma.addHeuristic({
    agent: 'tech_lead',
    condition: 'designing authentication for a service',
    strategy: STRATEGIES.tech_lead,
    taskType: 'architecture',
    confidence: 0.9,
  });
  const senior = await alma.addHeuristic({
    agent: 'senior_developer',
    condition: 'implementing authentication storage',
    strategy: STRATEGIES.senior_developer,
    taskType: 'implementation_patterns',
    confidence: 0.8,
  });
  const junior = await alma.addHeuristic({
    agent: 'junior_developer',
    condition: 'debugging authentication failures',
    strategy: STRATEGIES.junior_developer,
    taskType: 'debugging',
    confidence: 0.6,
  });
  return { techLead, senior, junior };
}
