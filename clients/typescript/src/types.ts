/**
 * Types of what the service sends (memory items, agents: snake_case, exactly as on the wire) and of the
 * SDK's options and results (camelCase envelopes around those items), and the list of memory kinds.
 *
 * Not here: HTTP (http.ts) or the mapping between the two spellings (client.ts).
 */

/** What a task came to. */
export type OutcomeStatus = 'success' | 'failure';

/**
 * Every memory kind, in the service's order, spelt as in the API's paths: the one list of them, that every
 * other use derives from.
 */
export const MEMORY_KINDS = Object.freeze(['outcomes', 'heuristics', 'domain-knowledge', 'anti-patterns', 'preferences'] as const);

/** A memory kind, spelt as in the API's paths. */
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** `shared_from` names the owner when a memory is not the reader's own; own memories have no such key. */
export interface MemoryMetadata {
  shared_from?: string;
  [key: string]: unknown;
}

/** What every memory carries. `similarity` and `score` are present in a retrieve only. */
export interface MemoryItem {
  id: number;
  /** The agent that owns (learned) the memory. */
  agent: string;
  created_at: string;
  metadata: MemoryMetadata;
  similarity?: number | null;
  score?: number | null;
}

export interface Heuristic extends MemoryItem {
  condition: string;
  strategy: string;
  task_type: string | null;
  domain: string | null;
  confidence: number;
  occurrence_count: number;
  success_count: number;
  success_rate: number | null;
  last_validated: string;
  updated_at?: string;
}

export interface Outcome extends MemoryItem {
  task: string;
  task_type: string | null;
  success: boolean;
  strategy_used: string;
  duration_ms: number | null;
  error_message: string | null;
  feedback: string | null;
  domain?: string | null;
}

export interface DomainKnowledge extends MemoryItem {
  domain: string;
  fact: string;
  source: string | null;
  confidence: number;
  updated_at?: string;
}

export interface AntiPattern extends MemoryItem {
  pattern: string;
  why_bad: string;
  better_alternative: string | null;
  task_type: string | null;
  domain?: string | null;
  occurrence_count: number;
  last_seen: string;
  updated_at?: string;
}

export interface Preference extends MemoryItem {
  user_id: string;
  category: string;
  preference: string;
  source: string | null;
  updated_at?: string;
}

/** The item type of each memory kind. */
export interface MemoryByKind {
  heuristics: Heuristic;
  outcomes: Outcome;
  'domain-knowledge': DomainKnowledge;
  'anti-patterns': AntiPattern;
  preferences: Preference;
}

/** An agent as its project's config declares it, with the grants that config produces. */
export interface Agent {
  name: string;
  domain: string | null;
  can_learn: string[];
  cannot_learn: string[];
  share_with: string[];
  inherit_from: string[];
  min_occurrences_for_heuristic: number;
  /** Sources whose memories this agent may read (both sides consented). */
  reads_from: string[];
  /** Agents that may read this agent's memories. */
  read_by: string[];
}

/** The reader may read the source's memories. */
export interface Grant {
  reader: string;
  source: string;
}

/** Memory counts per kind. */
export type KindCounts = Record<string, number>;

export interface AgentStats {
  agent: string;
  own: KindCounts;
  /** Per source the agent may read, that source's counts. */
  readable: Record<string, KindCounts>;
  inherited: KindCounts;
}

// --- client options --------------------------------------------------------------------------------

export interface ALMAOptions {
  /** Where the service listens. Default `http://localhost:8765`. */
  baseUrl?: string;
  /** The project (tenant) every call acts on. */
  projectId: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the deployment requires keys. */
  apiKey?: string;
  /** How long one request may take, body included. Default 10 000; 0 waits forever. */
  timeoutMs?: number;
  /** A fetch implementation to use instead of the global one. */
  fetch?: typeof fetch;
}

/** Per-call settings, accepted as the last argument of every method. */
export interface RequestOptions {
  /** Aborting it aborts the request; the signal's reason is thrown as it is. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

// --- retrieve --------------------------------------------------------------------------------------

export interface RetrieveOptions {
  query: string;
  agent: string;
  /** How many memories of each kind (1-100). The service's default is 5. */
  topK?: number;
  /** Include what the agent's granted sources share with it. The service's default is true. */
  includeShared?: boolean;
  /** Also return this user's preferences. */
  userId?: string;
  /** The query's vector, if you embed yourself. */
  embedding?: number[];
  includePrompt?: boolean;
  maxPromptTokens?: number;
}

export interface RetrieveResult {
  projectId: string;
  agent: string;
  query: string;
  topK: number;
  includeShared: boolean;
  tookMs: number;
  heuristics: Heuristic[];
  outcomes: Outcome[];
  domainKnowledge: DomainKnowledge[];
  antiPatterns: AntiPattern[];
  preferences: Preference[];
  /** The memories rendered for a model's prompt, when asked for with `includePrompt`; otherwise null. */
  prompt: string | null;
}

// --- learning and writing --------------------------------------------------------------------------

export interface LearnOptions {
  agent: string;
  task: string;
  outcome: OutcomeStatus;
  strategyUsed: string;
  taskType?: string;
  durationMs?: number;
  errorMessage?: string;
  feedback?: string;
  domain?: string;
  embedding?: number[];
}

export interface LearnResult {
  /** The stored outcome. */
  outcome: Outcome;
  /** The heuristic the outcome created or strengthened, if any. */
  heuristic: Heuristic | null;
  /** The anti-pattern the outcome created or strengthened, if any. */
  antiPattern: AntiPattern | null;
}

export interface HeuristicOptions {
  agent: string;
  condition: string;
  strategy: string;
  taskType?: string;
  domain?: string;
  confidence?: number;
  embedding?: number[];
}

export interface DomainKnowledgeOptions {
  agent: string;
  domain: string;
  fact: string;
  source?: string;
  confidence?: number;
  embedding?: number[];
}

export interface AntiPatternOptions {
  agent: string;
  pattern: string;
  whyBad: string;
  betterAlternative?: string;
  taskType?: string;
  domain?: string;
  embedding?: number[];
}

export interface PreferenceOptions {
  agent: string;
  userId: string;
  category: string;
  preference: string;
  source?: string;
  embedding?: number[];
}

export interface LearnBulkOptions {
  outcomes?: LearnOptions[];
  domainKnowledge?: DomainKnowledgeOptions[];
}

export interface LearnBulkResult {
  outcomes: LearnResult[];
  domainKnowledge: DomainKnowledge[];
}

// --- reading, changing, forgetting -----------------------------------------------------------------

/** One memory, as seen by `agent`. */
export interface MemoryRef<K extends MemoryKind = MemoryKind> {
  kind: K;
  id: number;
  agent: string;
}

export interface ListMemoriesOptions<K extends MemoryKind = MemoryKind> {
  kind: K;
  /** The reader: the list holds what it may read. */
  agent: string;
  /** Only memories this agent owns. */
  owner?: string;
  taskType?: string;
  domain?: string;
  limit?: number;
  offset?: number;
}

export interface MemoryPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The fields a change may set, per kind (camelCase; sent in snake_case). Absent fields stay as they are. */
export interface MemoryChangesByKind {
  heuristics: Partial<{ condition: string; strategy: string; confidence: number; taskType: string; domain: string }>;
  outcomes: Partial<{ feedback: string; taskType: string; domain: string }>;
  'domain-knowledge': Partial<{ domain: string; fact: string; source: string; confidence: number }>;
  'anti-patterns': Partial<{
    pattern: string;
    whyBad: string;
    betterAlternative: string;
    taskType: string;
    domain: string;
  }>;
  preferences: Partial<{ category: string; preference: string; source: string }>;
}

export interface UpdateMemoryOptions<K extends MemoryKind = MemoryKind> extends MemoryRef<K> {
  changes: MemoryChangesByKind[K];
}

export interface ForgetOptions {
  /** Only this agent's memories; all agents' when absent. */
  agent?: string;
  olderThanDays?: number;
  belowConfidence?: number;
}

export interface ForgetResult {
  outcomesRemoved: number;
  heuristicsRemoved: number;
}

// --- config ----------------------------------------------------------------------------------------

/** What applying a config changed, and what in it will not work as its author may expect. */
export interface ConfigApplied {
  projectId: string;
  projectCreated: boolean;
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  grantsAdded: Grant[];
  grantsRevoked: Grant[];
  /** All grants between different agents after the apply. */
  grants: Grant[];
  /** Prefixes of the agent keys of removed agents, revoked by the apply. */
  keysRevoked: string[];
  /** Unknown keys, one-sided sharing, removed agents: what may not work as the file's author expects. */
  warnings: string[];
  notes: string[];
}
