/**
 * The ALMA client: one method per use case of the HTTP API, for one project.
 *
 * Options are camelCase and sent in snake_case; memory items and agents come back exactly as the service
 * sends them (snake_case: `strategy_used`, `metadata.shared_from`); the envelopes the SDK builds around
 * them (`RetrieveResult`, `LearnResult`, ...) are camelCase.
 */

import { ValidationError } from './errors.js';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, Http, type QueryValue } from './http.js';
import type {
  Agent,
  AgentStats,
  ALMAOptions,
  AntiPattern,
  AntiPatternOptions,
  ConfigApplied,
  DomainKnowledge,
  DomainKnowledgeOptions,
  ForgetOptions,
  ForgetResult,
  Grant,
  Heuristic,
  HeuristicOptions,
  LearnBulkOptions,
  LearnBulkResult,
  LearnOptions,
  LearnResult,
  ListMemoriesOptions,
  MemoryByKind,
  MemoryItem,
  MemoryKind,
  MemoryPage,
  MemoryRef,
  Outcome,
  Preference,
  PreferenceOptions,
  RequestOptions,
  RetrieveOptions,
  RetrieveResult,
  UpdateMemoryOptions,
} from './types.js';

/** A client of one ALMA project. */
export class ALMA {
  readonly projectId: string;
  readonly #http: Http;
  readonly #projectPath: string;

  constructor(options: ALMAOptions) {
    if (!options || typeof options.projectId !== 'string' || options.projectId === '') {
      throw new TypeError('ALMA needs a projectId, e.g. new ALMA({ baseUrl, projectId: "my-team" }).');
    }
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:$/.test(parseUrl(baseUrl)?.protocol ?? '')) {
      throw new TypeError(`ALMA's baseUrl must be an http(s) URL such as ${DEFAULT_BASE_URL}; got ${options.baseUrl}.`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new TypeError(`ALMA's timeoutMs must be a number of milliseconds >= 0 (0 waits forever); got ${timeoutMs}.`);
    }
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new TypeError('No fetch is available: use Node.js 18 or newer, or pass one as the `fetch` option.');
    }
    this.projectId = options.projectId;
    this.#projectPath = `/v1/projects/${encodeURIComponent(options.projectId)}`;
    this.#http = new Http({
      baseUrl,
      apiKey: options.apiKey,
      timeoutMs,
      // Called unbound, the global fetch of some runtimes throws "Illegal invocation".
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    });
  }

  /** The service's URL, without a trailing slash. */
  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  // --- config and agents -------------------------------------------------------------------------

  /**
   * Apply a whole config (the ALMA YAML file's text, or the same as an object); its agents replace the project's.
   * A config whose `agents:` is empty is refused unless `allowRemoveAll` is set: it would remove every agent.
   */
  async applyConfig(
    config: string | Record<string, unknown>,
    options?: RequestOptions & { allowRemoveAll?: boolean },
  ): Promise<ConfigApplied> {
    const body =
      typeof config === 'string'
        ? { text: config, contentType: 'application/yaml' }
        : { json: config };
    const query = options?.allowRemoveAll ? { allow_remove_all: true } : undefined;
    const wire = await this.#http.send<ConfigAppliedWire>({ method: 'PUT', path: this.#path('config'), query, ...body, options });
    return {
      projectId: wire.project_id,
      projectCreated: wire.project_created,
      created: wire.created,
      updated: wire.updated,
      removed: wire.removed,
      unchanged: wire.unchanged,
      grantsAdded: wire.grants_added,
      grantsRevoked: wire.grants_revoked,
      grants: wire.grants,
      keysRevoked: wire.keys_revoked ?? [],
      warnings: wire.warnings,
      notes: wire.notes,
    };
  }

  /** The project's agents, each with the sources it may read (`reads_from`) and its readers (`read_by`). */
  async agents(options?: RequestOptions): Promise<Agent[]> {
    return this.#http.send<Agent[]>({ method: 'GET', path: this.#path('agents'), options });
  }

  /** One agent of the project and its grants. */
  async getAgent(agent: string, options?: RequestOptions): Promise<Agent> {
    return this.#http.send<Agent>({ method: 'GET', path: this.#path('agents', agent), options });
  }

  /** How many memories of each kind the agent owns, may read per source, and inherits. */
  async stats(agent: string, options?: RequestOptions): Promise<AgentStats> {
    return this.#http.send<AgentStats>({ method: 'GET', path: this.#path('agents', agent, 'stats'), options });
  }

  // --- retrieving --------------------------------------------------------------------------------

  /** The agent's memories relevant to `query` and, with `includeShared`, those its sources share with it. */
  async retrieve(retrieve: RetrieveOptions, options?: RequestOptions): Promise<RetrieveResult> {
    const wire = await this.#sendOptions<RetrieveWire>('retrieve', retrieve, options);
    return {
      projectId: wire.project_id,
      agent: wire.agent,
      query: wire.query,
      topK: wire.top_k,
      includeShared: wire.include_shared,
      tookMs: wire.took_ms,
      heuristics: items(wire.heuristics),
      outcomes: items(wire.outcomes),
      domainKnowledge: items(wire.domain_knowledge),
      antiPatterns: items(wire.anti_patterns),
      preferences: items(wire.preferences),
      prompt: wire.prompt ?? null,
    };
  }

  // --- learning and writing ----------------------------------------------------------------------

  /** Record a task outcome under the learning agent's own id. */
  async learn(learn: LearnOptions, options?: RequestOptions): Promise<LearnResult> {
    const wire = await this.#sendOptions<LearnWire>('learn', learn, options);
    return toLearnResult(wire);
  }

  /** Record many outcomes and domain facts at once: all are stored, or none. */
  async learnBulk(bulk: LearnBulkOptions, options?: RequestOptions): Promise<LearnBulkResult> {
    const wire = await this.#http.send<{ outcomes?: LearnWire[]; domain_knowledge?: DomainKnowledge[] }>({
      method: 'POST',
      path: this.#path('learn', 'bulk'),
      json: {
        outcomes: (bulk.outcomes ?? []).map(toWire),
        domain_knowledge: (bulk.domainKnowledge ?? []).map(toWire),
      },
      options,
    });
    return {
      outcomes: (wire.outcomes ?? []).map(toLearnResult),
      domainKnowledge: items(wire.domain_knowledge),
    };
  }

  /** Store a heuristic (a strategy that works under a condition) under the agent's id. */
  async addHeuristic(heuristic: HeuristicOptions, options?: RequestOptions): Promise<Heuristic> {
    return this.#create<Heuristic>('heuristics', heuristic, options);
  }

  /** Store a domain fact under the agent's id. */
  async addDomainKnowledge(knowledge: DomainKnowledgeOptions, options?: RequestOptions): Promise<DomainKnowledge> {
    return this.#create<DomainKnowledge>('domain-knowledge', knowledge, options);
  }

  /** Store an anti-pattern (what not to do, and why) under the agent's id. */
  async addAntiPattern(antiPattern: AntiPatternOptions, options?: RequestOptions): Promise<AntiPattern> {
    return this.#create<AntiPattern>('anti-patterns', antiPattern, options);
  }

  /** Store a user's preference under the agent's id. */
  async addPreference(preference: PreferenceOptions, options?: RequestOptions): Promise<Preference> {
    return this.#create<Preference>('preferences', preference, options);
  }

  // --- reading, changing, forgetting -------------------------------------------------------------

  /** One memory, if `agent` may read it. */
  async getMemory<K extends MemoryKind>(ref: MemoryRef<K>, options?: RequestOptions): Promise<MemoryByKind[K]> {
    const item = await this.#http.send<MemoryByKind[K]>({
      method: 'GET',
      path: this.#path('memories', ref.kind, String(ref.id)),
      query: { agent: ref.agent },
      options,
    });
    return withMetadata(item);
  }

  /** A page of the memories of one kind that `agent` may read, newest first. */
  async listMemories<K extends MemoryKind>(
    list: ListMemoriesOptions<K>,
    options?: RequestOptions,
  ): Promise<MemoryPage<MemoryByKind[K]>> {
    const { kind, ...filters } = list;
    const page = await this.#http.send<MemoryPage<MemoryByKind[K]>>({
      method: 'GET',
      path: this.#path('memories', kind),
      query: toWire(filters) as Record<string, QueryValue>,
      options,
    });
    return { ...page, items: items(page.items) };
  }

  /** Change fields of a memory `agent` owns; answers the changed memory. */
  async updateMemory<K extends MemoryKind>(update: UpdateMemoryOptions<K>, options?: RequestOptions): Promise<MemoryByKind[K]> {
    const item = await this.#http.send<MemoryByKind[K]>({
      method: 'PATCH',
      path: this.#path('memories', update.kind, String(update.id)),
      json: { agent: update.agent, ...toWire(update.changes) },
      options,
    });
    return withMetadata(item);
  }

  /** Delete a memory `agent` owns. */
  async deleteMemory(ref: MemoryRef, options?: RequestOptions): Promise<void> {
    await this.#http.send<undefined>({
      method: 'DELETE',
      path: this.#path('memories', ref.kind, String(ref.id)),
      query: { agent: ref.agent },
      options,
    });
  }

  /** Remove old or weak memories (of one agent, or of all); answers how many went. */
  async forget(forget: ForgetOptions = {}, options?: RequestOptions): Promise<ForgetResult> {
    const wire = await this.#sendOptions<{ outcomes_removed: number; heuristics_removed: number }>('forget', forget, options);
    return { outcomesRemoved: wire.outcomes_removed, heuristicsRemoved: wire.heuristics_removed };
  }

  async #create<T extends MemoryItem>(kind: MemoryKind, fields: object, options: RequestOptions | undefined): Promise<T> {
    const item = await this.#sendOptions<T>(kind, fields, options);
    return withMetadata(item);
  }

  /** POST camelCase options as the service's snake_case body; a ValidationError then names the options as
   * the caller wrote them (`topK`), keeping the service's name as `wireField`. */
  async #sendOptions<T>(path: string, fields: object, options: RequestOptions | undefined): Promise<T> {
    try {
      return await this.#http.send<T>({ method: 'POST', path: this.#path(path), json: toWire(fields), options });
    } catch (error) {
      if (error instanceof ValidationError) error.nameFieldsAs(sdkNames(fields));
      throw error;
    }
  }

  #path(...segments: string[]): string {
    return `${this.#projectPath}/${segments.map(encodeURIComponent).join('/')}`;
  }
}

// --- the wire format ---------------------------------------------------------------------------------

interface RetrieveWire {
  project_id: string;
  agent: string;
  query: string;
  top_k: number;
  include_shared: boolean;
  took_ms: number;
  heuristics?: Heuristic[];
  outcomes?: Outcome[];
  domain_knowledge?: DomainKnowledge[];
  anti_patterns?: AntiPattern[];
  preferences?: Preference[];
  prompt?: string | null;
}

interface ConfigAppliedWire {
  project_id: string;
  project_created: boolean;
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  grants_added: Grant[];
  grants_revoked: Grant[];
  grants: Grant[];
  keys_revoked?: string[];
  warnings: string[];
  notes: string[];
}

/** `{outcome, heuristic, anti_pattern}`; services before that shape answer the stored outcome alone. */
type LearnWire = { outcome: Outcome; heuristic?: Heuristic | null; anti_pattern?: AntiPattern | null } | Outcome;

function toLearnResult(wire: LearnWire): LearnResult {
  if ('outcome' in wire && typeof wire.outcome === 'object' && wire.outcome !== null) {
    return {
      outcome: withMetadata(wire.outcome),
      heuristic: wire.heuristic ? withMetadata(wire.heuristic) : null,
      antiPattern: wire.anti_pattern ? withMetadata(wire.anti_pattern) : null,
    };
  }
  return { outcome: withMetadata(wire as Outcome), heuristic: null, antiPattern: null };
}

/** The options object with snake_case keys and without undefined values. */
function wireName(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function toWire(options: object): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) wire[wireName(key)] = value;
  }
  return wire;
}

/** The caller's option names by the service's names of them, for those that differ. */
function sdkNames(options: object): Record<string, string> {
  return Object.fromEntries(
    Object.keys(options)
      .filter((key) => wireName(key) !== key)
      .map((key) => [wireName(key), key]),
  );
}

function items<T extends MemoryItem>(list: T[] | undefined): T[] {
  return (list ?? []).map(withMetadata);
}

/** Every item has `metadata`, so `item.metadata.shared_from` is safe even if a service leaves it out. */
function withMetadata<T extends MemoryItem>(item: T): T {
  return item.metadata ? item : { ...item, metadata: {} };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
