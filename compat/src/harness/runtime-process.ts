// Starts the real Runtime (`node packages/cli/dist/main.js runtime`) as a child process on OS-chosen ports and
// hands back what a black-box test, a benchmark or a reliability test needs: its ports, its logs, and a way to
// stop, kill and restart it on the same store.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Where the Runtime keeps its events: an embedded SQLite file under the data dir, memory, or a PostgreSQL database. */
export type RuntimeStore = 'sqlite' | 'memory' | { readonly postgres: string };

export interface StartRuntimeOptions {
  readonly store: RuntimeStore;
  /** The Runtime's `--data-dir`. A fresh temporary directory (removed by `dispose()`) when omitted. */
  readonly dataDir?: string;
  /** The Runtime's `--config-dir` (Dolittle 6.x `tenants.json` etc.). Omitted: the Runtime's defaults. */
  readonly configDir?: string;
  /** More CLI flags, appended after the ones the harness sets (so they win where the CLI lets the last one win). */
  readonly extraArgs?: readonly string[];
  /** Extra environment variables for the child, merged over this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--microservice-id`. */
  readonly microserviceId?: string;
  /** `--log-level`; `info` when omitted. */
  readonly logLevel?: string;
  /** Serve Prometheus metrics on an OS-chosen port (default) or turn them off. */
  readonly metrics?: boolean;
  /** How long to wait for the ready line; 20 s by default. */
  readonly readyTimeoutMs?: number;
  /** How long `stop()` waits for a clean exit before it kills the process and fails; 15 s by default. */
  readonly stopTimeoutMs?: number;
  /** The CLI entry point; `DOLITTLE_RUNTIME_CLI` or this repository's `packages/cli/dist/main.js` by default. */
  readonly cliPath?: string;
}

export interface RestartOptions {
  /**
   * Bind the same private, public and metrics ports again (default), so SDK clients built against the old address
   * reconnect by themselves. `false` lets the OS choose new ones.
   */
  readonly samePorts?: boolean;
}

/** What the Runtime announced on its ready line. */
export interface RuntimeReady {
  readonly line: string;
  readonly privateHost: string;
  readonly privatePort: number;
  readonly publicHost: string;
  readonly publicPort: number;
  readonly metricsHost: string | undefined;
  readonly metricsPort: number | undefined;
  readonly store: string;
  readonly tenants: readonly string[];
}

/** One JSON log line the Runtime wrote to stderr. */
export type RuntimeLogEntry = Readonly<Record<string, unknown>>;

export interface RuntimeProcess {
  /** The current child's pid (changes on restart). */
  readonly pid: number;
  readonly privatePort: number;
  readonly publicPort: number;
  readonly metricsPort: number | undefined;
  /** `localhost:<private port>`, what `withRuntimeOn` needs. */
  readonly address: string;
  readonly ready: RuntimeReady;
  readonly dataDir: string;
  readonly configDir: string | undefined;
  readonly store: RuntimeStore;
  readonly running: boolean;
  /** Everything the current and earlier children wrote to stderr (restarts are separated by a marker line). */
  stderr(): string;
  /** The stderr lines that parse as JSON objects. */
  logs(): RuntimeLogEntry[];
  /** SIGTERM, then wait for the exit; fails unless the Runtime exits with code 0. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the exit (a crash, as far as the Runtime can tell). Idempotent. */
  kill(): Promise<void>;
  /** Start a new child on the same data dir, config dir and store (stops the current one first if it runs). */
  restart(options?: RestartOptions): Promise<RuntimeProcess>;
  /** Stop (or kill, if stopping fails) and remove the data dir when the harness created it. */
  dispose(): Promise<void>;
}

export const developmentTenant = '445f8ea8-1a6f-40d7-b2fc-796dba92dc44';

const defaultReadyTimeoutMs = 20_000;
const defaultStopTimeoutMs = 15_000;
const maxStderrChars = 4_000_000;
const readyPrefix = 'Dolittle Runtime ready ';

/** Spawns the Runtime and resolves once it printed its ready line; rejects (with its stderr) if it does not. */
export async function startRuntimeProcess(options: StartRuntimeOptions): Promise<RuntimeProcess> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dolittle-compat-'));
  const handle = new RuntimeProcessHandle(options, dataDir, ownsDataDir);
  try {
    await handle.launch(undefined);
  } catch (error) {
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return handle;
}

/** The CLI flag value for a store. */
export function storeArgument(store: RuntimeStore): string {
  return typeof store === 'string' ? store : store.postgres;
}

/** Parses `Dolittle Runtime ready private=h:p public=h:p metrics=h:p|off store=… tenants=a,b`. */
export function parseReadyLine(line: string): RuntimeReady {
  const field = (name: string): string => {
    const match = new RegExp(`(?:^|\\s)${name}=(\\S*)`).exec(line);
    if (!match || match[1] === undefined) throw new Error(`the ready line has no ${name}=…: ${line}`);
    return match[1];
  };
  const endpoint = (name: string): { host: string; port: number } => {
    const value = field(name);
    const match = /^(.*):(\d+)$/.exec(value);
    if (!match || match[1] === undefined || match[2] === undefined) {
      throw new Error(`the ready line's ${name}=${value} is not <host>:<port>: ${line}`);
    }
    return { host: match[1], port: Number(match[2]) };
  };
  const privateEndpoint = endpoint('private');
  const publicEndpoint = endpoint('public');
  const metricsValue = field('metrics');
  const metrics = metricsValue === 'off' || metricsValue.endsWith(':off') ? undefined : endpoint('metrics');
  // The store description may contain spaces; it runs up to ` tenants=`.
  const storeMatch = /\sstore=(.*?)\s+tenants=/.exec(line);
  const tenants = field('tenants')
    .split(',')
    .map((tenant) => tenant.trim())
    .filter((tenant) => tenant.length > 0);
  return {
    line,
    privateHost: privateEndpoint.host,
    privatePort: privateEndpoint.port,
    publicHost: publicEndpoint.host,
    publicPort: publicEndpoint.port,
    metricsHost: metrics?.host,
    metricsPort: metrics?.port,
    store: storeMatch?.[1] ?? field('store'),
    tenants,
  };
}

/** The CLI the harness starts: `DOLITTLE_RUNTIME_CLI`, or this repository's `packages/cli/dist/main.js`. */
export function runtimeCliPath(): string {
  // compat/dist/harness/runtime-process.js → packages/cli/dist/main.js
  return process.env.DOLITTLE_RUNTIME_CLI ?? resolve(__dirname, '..', '..', '..', 'packages', 'cli', 'dist', 'main.js');
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A test process that dies must not leave Runtimes behind holding ports and database connections. */
function killChildrenOnExit(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const live of liveChildren) live.kill('SIGKILL');
  });
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

class RuntimeProcessHandle implements RuntimeProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<Exit> = Promise.resolve({ code: 0, signal: null });
  #ready: RuntimeReady | undefined;
  #stderr = '';
  #starts = 0;

  constructor(
    private readonly options: StartRuntimeOptions,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
  ) {}

  get pid(): number {
    return this.#child?.pid ?? -1;
  }
  get ready(): RuntimeReady {
    if (!this.#ready) throw new Error('the Runtime has not reported ready');
    return this.#ready;
  }
  get privatePort(): number {
    return this.ready.privatePort;
  }
  get publicPort(): number {
    return this.ready.publicPort;
  }
  get metricsPort(): number | undefined {
    return this.ready.metricsPort;
  }
  get address(): string {
    return `localhost:${this.privatePort}`;
  }
  get configDir(): string | undefined {
    return this.options.configDir;
  }
  get store(): RuntimeStore {
    return this.options.store;
  }
  get running(): boolean {
    const child = this.#child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  stderr(): string {
    return this.#stderr;
  }

  logs(): RuntimeLogEntry[] {
    const entries: RuntimeLogEntry[] = [];
    for (const line of this.#stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          entries.push(parsed as RuntimeLogEntry);
        }
      } catch {
        // Not every stderr line is a log entry (e.g. a Node warning); those stay in stderr().
      }
    }
    return entries;
  }

  async launch(ports: { privatePort: number; publicPort: number; metricsPort: number | undefined } | undefined) {
    const options = this.options;
    const metricsOn = options.metrics ?? true;
    const args = [
      options.cliPath ?? runtimeCliPath(),
      'runtime',
      '--private-port',
      String(ports?.privatePort ?? 0),
      '--public-port',
      String(ports?.publicPort ?? 0),
      '--metrics-port',
      metricsOn ? String(ports?.metricsPort ?? 0) : 'off',
      '--store',
      storeArgument(options.store),
      '--data-dir',
      this.dataDir,
      '--log-level',
      options.logLevel ?? 'info',
    ];
    if (options.configDir !== undefined) args.push('--config-dir', options.configDir);
    if (options.microserviceId !== undefined) args.push('--microservice-id', options.microserviceId);
    args.push(...(options.extraArgs ?? []));

    if (this.#starts > 0) this.#appendStderr(`\n----- restart #${this.#starts} -----\n`);
    this.#starts += 1;
    this.#ready = undefined;

    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    killChildrenOnExit(child);
    this.#exited = new Promise<Exit>((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.#appendStderr(chunk));

    const timeoutMs = options.readyTimeoutMs ?? defaultReadyTimeoutMs;
    const command = `node ${args.join(' ')}`;
    this.#ready = await new Promise<RuntimeReady>((resolveReady, rejectReady) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const fail = (what: string) =>
        settle(() => {
          child.kill('SIGKILL');
          rejectReady(new Error(`${what}\ncommand: ${command}\n--- stderr ---\n${this.#tail()}`));
        });
      const timer = setTimeout(
        () => fail(`the Runtime did not print its ready line within ${timeoutMs} ms`),
        timeoutMs,
      );
      child.once('error', (error) => fail(`could not start the Runtime: ${error.message}`));
      child.once('exit', (code, signal) =>
        fail(`the Runtime exited (code ${code}, signal ${signal}) before it printed its ready line`),
      );
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (!line.startsWith(readyPrefix)) return;
        try {
          const ready = parseReadyLine(line);
          settle(() => resolveReady(ready));
        } catch (error) {
          fail((error as Error).message);
        }
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return this.#expectCleanExit(await this.#exited);
    child.kill('SIGTERM');
    const timeoutMs = this.options.stopTimeoutMs ?? defaultStopTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.#exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await this.#exited;
      throw new Error(
        `the Runtime (pid ${child.pid}) did not exit within ${timeoutMs} ms of SIGTERM; killed it\n--- stderr ---\n${this.#tail()}`,
      );
    }
    this.#expectCleanExit(outcome);
  }

  async kill(): Promise<void> {
    if (this.running) this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  async restart(options: RestartOptions = {}): Promise<RuntimeProcess> {
    const previous = this.#ready;
    if (this.running) await this.stop();
    const samePorts = options.samePorts ?? true;
    await this.launch(
      samePorts && previous
        ? { privatePort: previous.privatePort, publicPort: previous.publicPort, metricsPort: previous.metricsPort }
        : undefined,
    );
    return this;
  }

  async dispose(): Promise<void> {
    try {
      await this.stop();
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  #expectCleanExit(exit: Exit): void {
    if (exit.code === 0) return;
    // A child we killed on purpose is not a failed stop.
    if (exit.signal === 'SIGKILL') return;
    throw new Error(
      `the Runtime (pid ${this.#child?.pid}) exited with code ${exit.code}, signal ${exit.signal} instead of 0\n--- stderr ---\n${this.#tail()}`,
    );
  }

  #appendStderr(chunk: string): void {
    this.#stderr += chunk;
    if (this.#stderr.length > maxStderrChars) this.#stderr = this.#stderr.slice(-maxStderrChars);
  }

  #tail(): string {
    return this.#stderr.slice(-8_000);
  }
}
