/**
 * The `exec:` driver: a vendor driver in its own process, spoken to over stdin/stdout with the
 * protocol of spec/driver-protocol.md (frames: framing.ts; headers and tensors: protocol.ts).
 *
 * Fault isolation: each case runs under a time budget (default 10 s), a (re)started process under
 * its own hello budget (default 5 s, never more than the case budget). When the process crashes,
 * hangs past the budget, or writes a frame that cannot be decoded or breaks the protocol, the
 * request in progress fails with a DriverFaultError naming the cause (exit code and signal, the
 * budget, the stdout byte offset of the bad frame), and the next request starts a fresh process
 * (with a new handshake). After HELLO_FAILURE_LIMIT starts in a row that fail, the driver is
 * declared unavailable (unavailable()): the runner records every remaining case at once.
 *
 * Process hygiene: the driver runs in its own process group (session); on a fault, an exit, a
 * restart and at close the whole group is terminated — SIGTERM, then SIGKILL after KILL_GRACE_MS —
 * and the stdio pipes are destroyed, so that descendants holding them cannot keep the host alive.
 * Should the host itself exit or be signalled, every live group is killed first.
 *
 * What the process writes to stderr is kept in bounded logs (bounded-log.ts), per case and per run,
 * and handed to the runner per case (case-hooks.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Model } from '../../model/model.js';
import type { FeatureLevel, OperandTypeName } from '../../model/operand-types.js';
import type { Violation } from '../../model/violation.js';
import { DriverFaultError, type CaseDiagnostics, type CaseHooks, type DriverFault, type DriverFaultKind, type DriverUnavailable } from '../case-hooks.js';
import type { Capabilities, Driver, DriverStatus, ExecuteResult, InputValue, PrepareResult } from '../driver.js';
import { BoundedLog } from './bounded-log.js';
import { encodeFrame, FrameDecoder, FrameError, type Frame } from './framing.js';
import { checkHeader, decodeOutputs, encodeExecute, encodePrepare, PROTOCOL_VERSION, type MessageType, type WireOutput } from './protocol.js';

export const DEFAULT_CASE_TIMEOUT_MS = 10_000;
export const DEFAULT_HELLO_TIMEOUT_MS = 5_000;
/** Starts (spawn + hello) in a row that may fail before the driver is declared unavailable. */
export const HELLO_FAILURE_LIMIT = 2;
/** Between SIGTERM and SIGKILL of the driver's process group. */
export const KILL_GRACE_MS = 500;
/** After the kill: how long the stdio pipes may stay open (held by a process that left the group). */
const PIPE_DRAIN_MS = 300;
/** Per-case stderr kept in the report (the head and the tail of longer output). */
export const STDERR_LIMIT = 16 * 1024;
/** Per-run stderr kept (its tail explains a driver that never started). */
export const RUN_STDERR_LIMIT = 64 * 1024;
const HOST_VERSION = '0.1.0';

/** Options of {@link ExecDriver} (and of `createDriver('exec:…', options)`). */
export interface ExecDriverOptions {
  /** argv of the driver (no shell), or a command line split with splitCommandLine. */
  command: string | readonly string[];
  /** Budget of one case (prepare, execute, release), ms. Default 10 s. */
  timeoutMs?: number;
  /** Budget of a (re)started process to answer hello, ms; not part of a case's budget. Default 5 s, at most timeoutMs. */
  helloTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL of the process group, ms. Default KILL_GRACE_MS. */
  killGraceMs?: number;
  /** Working directory of the driver process (default: the host's). */
  cwd?: string;
  /** Environment of the driver process (default: the host's). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ExecPrepared {
  /** Process instance the handle belongs to. */
  instance: number;
  handle: number;
  model: Model;
}

/**
 * Splits a command line into argv the way a POSIX shell would for words: whitespace separates,
 * '…' and "…" quote, backslash escapes (outside single quotes). No expansion of any kind.
 *
 * @example
 * ```ts
 * import { splitCommandLine } from 'nnlstm/node';
 * splitCommandLine(`python3 'my driver.py' --dev "npu 0"`); // ['python3', 'my driver.py', '--dev', 'npu 0']
 * ```
 */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in command line: ${line}`);
  if (inWord) out.push(cur);
  return out;
}

interface Pending {
  type: MessageType;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
}

interface HelloInfo {
  name: string;
  version: string;
  operations: string[];
  operandTypes: OperandTypeName[];
  featureLevel: number;
  notes: string[];
}

function exitDescription(code: number | null, signal: string | null): string {
  if (signal) return `killed by signal ${signal}`;
  if (code !== null) return `exit code ${code}`;
  return 'no exit status';
}

/** Process groups of the live driver sessions, killed should the host exit or be signalled. */
const liveGroups = new Set<Session>();
const HOST_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killLiveGroups(): void {
  for (const s of liveGroups) s.signalGroup('SIGKILL');
}

function onHostSignal(sig: NodeJS.Signals): void {
  killLiveGroups();
  unwatchHost();
  // Nobody else handles it: let the signal do what it would have done without us.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function watchHost(s: Session): void {
  if (liveGroups.size === 0) {
    process.on('exit', killLiveGroups);
    for (const sig of HOST_SIGNALS) process.on(sig, onHostSignal);
  }
  liveGroups.add(s);
}

function unwatchHost(s?: Session): void {
  if (s) liveGroups.delete(s);
  else liveGroups.clear();
  if (liveGroups.size > 0) return;
  process.off('exit', killLiveGroups);
  for (const sig of HOST_SIGNALS) process.off(sig, onHostSignal);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Whether process group `pgid` has a member that has not exited, as far as /proc tells (Linux):
 * kill(-pgid, 0) also counts zombies, and orphans that have exited may wait seconds for a busy
 * init to reap them. Undefined when /proc cannot be read.
 */
function groupHasLiveMember(pgid: number): boolean | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue; // it just ended
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') return true;
  }
  return false;
}

/** One driver process and its process group. */
class Session {
  readonly child: ChildProcess;
  private readonly decoder = new FrameDecoder();
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** The first fault; once set the session is dead. */
  fault: Omit<DriverFault, 'message' | 'exitCode' | 'signal' | 'instance'> & { why: string } | undefined;
  exit: { code: number | null; signal: string | null } | undefined;
  closed = false;
  private readonly closeWaiters: (() => void)[] = [];
  hello: HelloInfo | undefined;
  private termination: Promise<void> | undefined;
  /** The group is known empty: never signal its id again (it could be reused). */
  private groupGone = false;

  constructor(
    readonly instance: number,
    argv: readonly string[],
    opts: ExecDriverOptions,
    onStderr: (b: Buffer) => void,
    private readonly killGraceMs: number,
  ) {
    // detached: the driver leads a new process group (and session), which terminate() signals whole.
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (this.child.pid !== undefined) watchHost(this);
    this.child.stderr!.on('data', onStderr);
    this.child.stdin!.on('error', () => undefined); // EPIPE after a crash: the exit tells the story
    this.child.stdout!.on('data', (b: Buffer) => this.onData(b));
    this.child.stdout!.on('end', () => {
      const err = this.decoder.end();
      if (err) this.setFault('malformed-frame', err.message, err.offset);
      else if (this.pending.size > 0) this.setFault('crash', 'closed its stdout');
    });
    this.child.on('error', (e) => {
      this.setFault('spawn', `cannot run the driver: ${e.message}`);
      this.onClose();
    });
    this.child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      // The driver's descendants go with it (they may hold its stdout open).
      void this.terminate();
    });
    this.child.on('close', (code, signal) => {
      this.exit ??= { code, signal };
      this.onClose();
    });
  }

  get alive(): boolean {
    return this.fault === undefined && !this.closed && this.termination === undefined;
  }

  /** The phase of the oldest request in flight. */
  private phase(): string {
    const first = this.pending.values().next();
    return first.done ? 'idle' : first.value.type;
  }

  setFault(kind: DriverFaultKind, why: string, offset?: number, timeoutMs?: number): void {
    if (this.fault) return;
    this.fault = { kind, phase: this.phase(), why, ...(offset !== undefined ? { offset } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    void this.terminate();
  }

  /** Whether a process of the group still runs. */
  private groupAlive(): boolean {
    if (!this.signalGroup(0)) return false;
    return groupHasLiveMember(this.child.pid!) ?? true;
  }

  /** Sends `sig` to the driver's process group; false when the group is gone. */
  signalGroup(sig: NodeJS.Signals | 0): boolean {
    const pid = this.child.pid;
    if (pid === undefined || this.groupGone) return false;
    try {
      process.kill(-pid, sig);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') return true;
      this.groupGone = true;
      return false;
    }
  }

  /**
   * Ends the process group: SIGTERM, SIGKILL after the grace period if any member is left, then
   * (once the pipes are closed, or after a short wait) the stdio streams destroyed. Idempotent;
   * every request in flight is rejected by the end.
   */
  terminate(): Promise<void> {
    this.termination ??= this.runTermination();
    return this.termination;
  }

  private async runTermination(): Promise<void> {
    if (this.signalGroup('SIGTERM')) {
      const until = performance.now() + this.killGraceMs;
      while (this.groupAlive() && performance.now() < until) await sleep(20);
      if (this.groupAlive() && this.signalGroup('SIGKILL')) await sleep(20);
    }
    await this.waitClosed(PIPE_DRAIN_MS);
    // Whatever still holds the pipes (a process that left the group) no longer holds the host.
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) s?.destroy();
    this.child.unref();
    unwatchHost(this);
    this.onClose();
  }

  /** The fault as reported, with the exit status known by now. */
  describeFault(): DriverFault {
    const f = this.fault ?? { kind: 'crash' as const, phase: this.phase(), why: '' };
    const code = this.exit?.code ?? null;
    const signal = this.exit?.signal ?? null;
    const status = exitDescription(code, signal);
    const killed = signal === 'SIGKILL' || signal === 'SIGTERM';
    let message: string;
    switch (f.kind) {
      case 'spawn':
        message = f.why;
        break;
      case 'timeout':
        message = `driver timed out during ${f.phase}: no answer within ${f.timeoutMs} ms; killed (${status})`;
        break;
      case 'crash':
        message = `driver process ended during ${f.phase} (${status})`;
        break;
      case 'malformed-frame':
        message = `malformed frame from the driver at stdout byte offset ${f.offset} during ${f.phase}: ${f.why}; driver ${killed ? `killed (${status})` : `ended (${status})`}`;
        break;
      case 'protocol':
        message = `protocol violation by the driver at stdout byte offset ${f.offset} during ${f.phase}: ${f.why}; driver killed`;
        break;
    }
    const out: DriverFault = { kind: f.kind, phase: f.phase, message, exitCode: code, signal, instance: this.instance };
    if (f.offset !== undefined) out.offset = f.offset;
    if (f.timeoutMs !== undefined) out.timeoutMs = f.timeoutMs;
    return out;
  }

  private onData(b: Buffer): void {
    if (this.fault) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(b);
    } catch (e) {
      if (e instanceof FrameError) this.setFault('malformed-frame', e.message, e.offset);
      else this.setFault('malformed-frame', (e as Error).message, this.decoder.received);
      return;
    }
    for (const f of frames) {
      if (this.fault) return;
      const id = f.header['id'];
      const type = f.header['type'];
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (!p) {
        this.setFault('protocol', `frame #${f.index} (type ${JSON.stringify(type)}, id ${JSON.stringify(id)}) answers no request in flight`, f.offset);
        return;
      }
      if (type !== p.type) {
        this.setFault('protocol', `frame #${f.index} answers request ${String(id)} (${p.type}) with type ${JSON.stringify(type)}`, f.offset);
        return;
      }
      const bad = checkHeader(p.type, 'Response', f.header);
      if (bad) {
        this.setFault('protocol', `frame #${f.index} ${p.type} response header: ${bad}`, f.offset);
        return;
      }
      this.pending.delete(id as number);
      p.resolve(f);
    }
  }

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.size > 0 && !this.fault) this.setFault('crash', 'process ended');
    const err = () => new DriverFaultError(this.describeFault());
    for (const p of this.pending.values()) p.reject(err());
    this.pending.clear();
    for (const w of this.closeWaiters.splice(0)) w();
  }

  /** Resolves once the process and its pipes are closed, or after `ms`. */
  waitClosed(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.closeWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends one request and waits for its response until `deadline` (performance.now() ms). */
  async request(type: MessageType, build: (id: number) => { header: Record<string, unknown>; payload?: Buffer }, deadline: number): Promise<Frame> {
    if (!this.alive) throw new DriverFaultError(this.describeFault());
    // The budget as the caller set it (encoding a large model is host time, not driver time).
    const budget = Math.max(0, deadline - performance.now());
    const id = this.nextId++;
    const { header, payload } = build(id);
    const response = new Promise<Frame>((resolve, reject) => this.pending.set(id, { type, resolve, reject }));
    this.child.stdin!.write(encodeFrame(header, payload));
    const timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      // terminate() (and the close it waits for) rejects every request in flight once the group is
      // gone: the exit status and the last stderr are known by then.
      this.setFault('timeout', 'no answer', undefined, Math.round(budget));
    }, budget);
    try {
      return await response;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * An out-of-process vendor driver behind the `Driver` interface: spawns `command` (no shell) and speaks
 * the protocol of spec/driver-protocol.md over its stdin/stdout. Each case runs under `timeoutMs`; a crash,
 * hang or bad frame fails the case in progress as `error` (with the cause and the driver's stderr) and the
 * next case starts a fresh process. Always {@link ExecDriver.close} it: that terminates its process group.
 *
 * @example
 * ```ts
 * import { runConformance, formatSummary } from 'nnlstm';
 * import { ExecDriver } from 'nnlstm/node';
 * import { suiteCases } from 'nnlstm/suite';
 * const driver = new ExecDriver({ command: ['python3', 'my_driver.py'], timeoutMs: 5000 });
 * try {
 *   console.log(formatSummary(await runConformance(driver, suiteCases())));
 * } finally {
 *   await driver.close();
 * }
 * ```
 */
export class ExecDriver implements Driver<ExecPrepared>, CaseHooks {
  readonly name: string;
  private readonly argv: string[];
  private readonly timeoutMs: number;
  private readonly helloTimeoutMs: number;
  private session: Session | undefined;
  private instances = 0;
  private caseDeadline: number | undefined;
  private caseFault: DriverFault | undefined;
  /** stderr since the previous case ended (it goes with the next case). */
  private readonly caseStderr = new BoundedLog(STDERR_LIMIT / 2, STDERR_LIMIT / 2);
  private readonly runStderr = new BoundedLog(RUN_STDERR_LIMIT / 2, RUN_STDERR_LIMIT / 2);
  /** stderr of the session being started (its tail explains a failed start). */
  private readonly startStderr = new BoundedLog(0, 2048);
  private inflight: Promise<void> | undefined;
  private startFailures = 0;
  private started = 0;
  private down: DriverUnavailable | undefined;

  constructor(private readonly opts: ExecDriverOptions) {
    this.argv = typeof opts.command === 'string' ? splitCommandLine(opts.command) : [...opts.command];
    if (this.argv.length === 0) throw new Error('exec driver: empty command');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
    this.helloTimeoutMs = Math.min(opts.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS, this.timeoutMs);
    this.name = `exec:${typeof opts.command === 'string' ? opts.command : opts.command.join(' ')}`;
  }

  /** How many driver processes were started (1 + restarts). */
  get processCount(): number {
    return this.instances;
  }

  /** Everything the driver wrote to stderr during the run, bounded (head and tail). */
  stderrText(): string {
    return this.runStderr.text();
  }

  /** Set once HELLO_FAILURE_LIMIT starts in a row failed; the driver is not started again. */
  unavailable(): DriverUnavailable | undefined {
    return this.down;
  }

  private deadline(): number {
    return this.caseDeadline ?? performance.now() + this.timeoutMs;
  }

  private noteFault(e: unknown): never {
    if (e instanceof DriverFaultError) this.caseFault ??= e.fault;
    throw e;
  }

  private onStderr(b: Buffer): void {
    this.caseStderr.write(b);
    this.runStderr.write(b);
    this.startStderr.write(b);
  }

  /** The live session, starting (and handshaking with) a new process when needed. */
  private async live(): Promise<Session> {
    if (this.inflight) await this.inflight;
    if (this.session?.alive) return this.session;
    if (this.down) throw new DriverFaultError(this.down.fault);
    // A restart: the previous process group is gone before the next one starts.
    if (this.session) await this.session.terminate();
    this.startStderr.reset();
    const s = new Session(++this.instances, this.argv, this.opts, (b) => this.onStderr(b), this.opts.killGraceMs ?? KILL_GRACE_MS);
    this.session = s;
    try {
      await this.handshake(s);
    } catch (e) {
      if (e instanceof DriverFaultError) this.startFailed(s, e.fault);
      throw e;
    }
    this.startFailures = 0;
    this.started++;
    // A case's budget counts from a ready driver: a restart does not eat into it.
    if (this.caseDeadline !== undefined) this.caseDeadline = performance.now() + this.timeoutMs;
    return s;
  }

  private async handshake(s: Session): Promise<void> {
    const f = await s.request(
      'hello',
      (id) => ({ header: { type: 'hello', id, protocol: [PROTOCOL_VERSION], host: { name: 'nnlstm', version: HOST_VERSION } } }),
      performance.now() + this.helloTimeoutMs,
    );
    const h = f.header as {
      status: string;
      message?: string;
      protocol?: number;
      driver?: { name: string; version: string };
      capabilities?: { operations: string[]; operandTypes: OperandTypeName[]; featureLevel: number; notes?: string[] };
    };
    if (h.status !== 'OK' || h.protocol !== PROTOCOL_VERSION || !h.driver || !h.capabilities) {
      s.setFault('protocol', h.status !== 'OK' ? `hello refused: ${h.status}: ${h.message ?? ''}` : `driver speaks protocol ${String(h.protocol)}, the host ${PROTOCOL_VERSION}`, f.offset);
      await s.terminate();
      throw new DriverFaultError(s.describeFault());
    }
    s.hello = { name: h.driver.name, version: h.driver.version, ...h.capabilities, notes: h.capabilities.notes ?? [] };
  }

  /** Counts a failed start; after HELLO_FAILURE_LIMIT in a row the driver is unavailable. */
  private startFailed(s: Session, fault: DriverFault): void {
    if (++this.startFailures < HELLO_FAILURE_LIMIT) return;
    const what = this.started === 0 ? 'driver never started' : 'driver stopped answering';
    const tries = this.started === 0 ? `${this.startFailures} starts in a row failed` : `${this.startFailures} restarts in a row failed after ${this.started} good start(s)`;
    const last = lastLine(this.startStderr.text());
    this.down = {
      kind: this.started === 0 ? 'never-started' : 'stopped-answering',
      message: `${what}: ${tries}; the last: ${fault.message}${last ? `; its stderr ends: ${JSON.stringify(last)}` : ''}`,
      fault: { ...fault, instance: s.instance },
    };
  }

  async capabilities(): Promise<Capabilities> {
    const s = await this.live();
    const h = s.hello!;
    return {
      name: h.name,
      version: h.version,
      operations: h.operations as Capabilities['operations'],
      operandTypes: h.operandTypes,
      featureLevel: h.featureLevel as FeatureLevel,
      notes: [...h.notes, `exec protocol ${PROTOCOL_VERSION}: ${this.argv.join(' ')}`],
    };
  }

  async prepare(model: Model): Promise<PrepareResult<ExecPrepared>> {
    try {
      const s = await this.live();
      const f = await s.request('prepare', (id) => encodePrepare(id, model), this.deadline());
      const h = f.header as { status: string; message?: string; prepared?: number; violations?: { rule: string; operandIndex?: number; message?: string }[] };
      if (h.status === 'OK') return { ok: true, prepared: { instance: s.instance, handle: h.prepared!, model } };
      const violations: Violation[] | undefined = h.violations?.map((v) => ({
        rule: v.rule,
        message: v.message ?? '',
        ...(v.operandIndex !== undefined ? { operandIndex: v.operandIndex } : {}),
      })) as Violation[] | undefined;
      return {
        ok: false,
        status: mapStatus(h.status),
        message: h.message ?? '',
        ...(violations ? { violations } : {}),
        ...(h.status === 'UNAVAILABLE' ? { unsupported: true } : {}),
      };
    } catch (e) {
      return this.noteFault(e);
    }
  }

  async execute(prepared: ExecPrepared, inputs: InputValue[]): Promise<ExecuteResult> {
    try {
      const s = await this.live();
      if (s.instance !== prepared.instance) {
        return { ok: false, status: 'OP_FAILED', message: `the prepared model belonged to driver process #${prepared.instance}, which has ended` };
      }
      const f = await s.request('execute', (id) => encodeExecute(id, prepared.handle, prepared.model, inputs), this.deadline());
      const h = f.header as { status: string; message?: string; outputs?: WireOutput[] };
      if (h.status !== 'OK') return { ok: false, status: mapStatus(h.status), message: statusMessage(h.status, h.message) };
      return { ok: true, outputs: decodeOutputs(prepared.model, h.outputs!, f.payload) };
    } catch (e) {
      return this.noteFault(e);
    }
  }

  release(prepared: ExecPrepared): void {
    const s = this.session;
    if (!s?.alive || s.instance !== prepared.instance) return;
    const p = s
      .request('release', (id) => ({ header: { type: 'release', id, prepared: prepared.handle } }), this.deadline())
      .then(
        () => undefined,
        (e: unknown) => {
          if (e instanceof DriverFaultError) this.caseFault ??= e.fault;
        },
      );
    const tracked: Promise<void> = p.finally(() => {
      if (this.inflight === tracked) this.inflight = undefined;
    });
    this.inflight = tracked;
  }

  /** Runner hook: a case starts (its time budget begins). */
  beginCase(): void {
    this.caseDeadline = performance.now() + this.timeoutMs;
    this.caseFault = undefined;
  }

  /** Runner hook: a case ended; its stderr and fault, if any, for the case result. */
  async endCase(): Promise<CaseDiagnostics | undefined> {
    if (this.inflight) await this.inflight;
    // Let stderr that was written before the last response reach us (separate pipes).
    await new Promise((r) => setImmediate(r));
    this.caseDeadline = undefined;
    const diag: CaseDiagnostics = {};
    if (this.caseStderr.written > 0) diag.stderr = this.caseStderr.text();
    this.caseStderr.reset();
    if (this.caseFault) diag.fault = this.caseFault;
    this.caseFault = undefined;
    return diag.stderr !== undefined || diag.fault !== undefined ? diag : undefined;
  }

  /** Shuts the driver down (shutdown, then end of input); its process group is terminated in any case. */
  async close(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
    const s = this.session;
    this.session = undefined;
    if (!s) return;
    if (s.alive) {
      try {
        await s.request('shutdown', (id) => ({ header: { type: 'shutdown', id } }), performance.now() + 2000);
        s.child.stdin!.end();
        await s.waitClosed(2000);
      } catch {
        /* terminated below */
      }
    }
    await s.terminate();
  }
}

function mapStatus(s: string): DriverStatus {
  switch (s) {
    case 'BAD_DATA':
    case 'OP_FAILED':
    case 'UNAVAILABLE':
    case 'UNEXPECTED_NULL':
    case 'OUTPUT_INSUFFICIENT_SIZE':
      return s;
    default:
      return 'OP_FAILED';
  }
}

function statusMessage(status: string, message: string | undefined): string {
  const m = message ?? '';
  return mapStatus(status) === status ? m : `${status}: ${m}`;
}

/** The last non-empty line of `text`, at most 200 characters. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const l = lines.at(-1) ?? '';
  return l.length > 200 ? `…${l.slice(-200)}` : l;
}
