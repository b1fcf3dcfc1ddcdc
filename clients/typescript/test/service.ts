/**
 * A real ALMA service for the tests: `alma serve` on its embedded PostgreSQL in a fresh temporary directory,
 * started before a test file and stopped (with its database) after it.
 *
 * ALMA_SERVE_COMMAND names the command (words split on spaces; `serve` is appended). Its default is the
 * repository's `.venv/bin/alma`.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** clients/typescript (this file runs from build/test/). */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = resolve(PACKAGE_DIR, '..', '..');

const STARTUP_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 15_000;
const LOG_TAIL_CHARS = 8_000;

export interface RunningService {
  baseUrl: string;
  port: number;
  dataDir: string;
  /** The service's output so far (its tail), for failure messages. */
  log(): string;
  /** Stop the service and its embedded PostgreSQL, and remove its data directory. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** The port to listen on; a free one when absent. A busy port is waited for, a while. */
  port?: number;
  /** More settings for the service (`ALMA_*`). */
  env?: Record<string, string>;
}

/** Start `alma serve` and wait until GET /health answers. */
export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const servicePort = options.port ?? (await freePort());
  const portDeadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await portIsFree(servicePort))) {
    if (Date.now() > portDeadline) {
      throw new Error(`Port ${servicePort} is in use; stop whatever listens there and run the tests again.`);
    }
    await sleep(500);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'alma-ts-test-'));
  const [command, ...args] = serveCommand();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ALMA_DATA_DIR: dataDir,
    ALMA_PORT: String(servicePort),
    ALMA_HOST: '127.0.0.1',
    ALMA_EMBEDDER: 'hashing',
    ...options.env,
  };
  delete env['ALMA_DATABASE_URL'];

  // Run inside the data directory so that no `.env` file of the caller's directory is read.
  const child = spawn(command as string, [...args, 'serve'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-LOG_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const service: RunningService = {
    baseUrl: `http://127.0.0.1:${servicePort}`,
    port: servicePort,
    dataDir,
    log: () => output,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
      await stopEmbeddedPostgres(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      await service.stop();
      throw new Error(
        `The ALMA service (${[command, ...args, 'serve'].join(' ')}) did not start: ` +
          `${spawnError?.message ?? `it exited with ${child.exitCode ?? child.signalCode}`}. ` +
          `Set ALMA_SERVE_COMMAND to the \`alma\` command if it lives elsewhere.\n${output}`,
      );
    }
    if (await answersHealth(service.baseUrl)) return service;
    await sleep(250);
  }
  await service.stop();
  throw new Error(`The ALMA service did not answer ${service.baseUrl}/health within ${STARTUP_TIMEOUT_MS} ms.\n${output}`);
}

/** The command that runs the service, as words. */
export function serveCommand(): string[] {
  const configured = process.env['ALMA_SERVE_COMMAND']?.trim();
  if (configured) return configured.split(/\s+/);
  return [join(REPO_DIR, '.venv', 'bin', 'alma')];
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

async function answersHealth(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(SHUTDOWN_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The embedded PostgreSQL runs detached from the service; stop it by the pid it wrote in its data directory. */
async function stopEmbeddedPostgres(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'pgdata', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgres(pid)) return;
  try {
    process.kill(pid, 'SIGINT'); // PostgreSQL's "fast" shutdown
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
  while (Date.now() < deadline && isAlive(pid)) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Guards against a stale pid file whose number now belongs to another process (checked where /proc exists). */
function isPostgres(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self')) return true;
  return existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes('postgres');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
