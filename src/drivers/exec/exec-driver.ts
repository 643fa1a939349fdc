/**
 * The `exec:` driver: a vendor driver in its own process, spoken to over stdin/stdout with the
 * protocol of spec/driver-protocol.md (frames: framing.ts; headers and tensors: protocol.ts).
 *
 * Fault isolation: each case runs under a time budget (default 10 s). When the process crashes,
 * hangs past the budget, or writes a frame that cannot be decoded or breaks the protocol, the
 * request in progress fails with a DriverFaultError naming the cause (exit code and signal, the
 * budget, the stdout byte offset of the bad frame); the process is killed (SIGKILL) and the next
 * request starts a fresh one (with a new handshake). What the process writes to stderr is kept and
 * handed to the runner per case (case-hooks.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { Model } from '../../model/model.js';
import type { FeatureLevel, OperandTypeName } from '../../model/operand-types.js';
import type { Violation } from '../../model/violation.js';
import { DriverFaultError, type CaseDiagnostics, type CaseHooks, type DriverFault, type DriverFaultKind } from '../case-hooks.js';
import type { Capabilities, Driver, DriverStatus, ExecuteResult, InputValue, PrepareResult } from '../driver.js';
import { encodeFrame, FrameDecoder, FrameError, type Frame } from './framing.js';
import { checkHeader, decodeOutputs, encodeExecute, encodePrepare, PROTOCOL_VERSION, type MessageType, type WireOutput } from './protocol.js';

export const DEFAULT_CASE_TIMEOUT_MS = 10_000;
export const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
/** Per-case stderr kept in the report (the head and the tail of longer output). */
export const STDERR_LIMIT = 16 * 1024;
const HOST_VERSION = '0.1.0';

export interface ExecDriverOptions {
  /** argv of the driver (no shell), or a command line split with splitCommandLine. */
  command: string | readonly string[];
  /** Budget of one case (prepare, execute, release), ms. Default 10 s. */
  timeoutMs?: number;
  /** Budget of a (re)started process to answer hello, ms; not part of a case's budget. Default 10 s. */
  startupTimeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
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

/** One driver process. */
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

  constructor(
    readonly instance: number,
    argv: readonly string[],
    opts: ExecDriverOptions,
    onStderr: (s: string) => void,
  ) {
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const dec = new StringDecoder('utf8');
    this.child.stderr!.on('data', (b: Buffer) => onStderr(dec.write(b)));
    this.child.stderr!.on('end', () => onStderr(dec.end()));
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
    });
    this.child.on('close', (code, signal) => {
      this.exit ??= { code, signal };
      this.onClose();
    });
  }

  get alive(): boolean {
    return this.fault === undefined && !this.closed;
  }

  /** The phase of the oldest request in flight. */
  private phase(): string {
    const first = this.pending.values().next();
    return first.done ? 'idle' : first.value.type;
  }

  setFault(kind: DriverFaultKind, why: string, offset?: number, timeoutMs?: number): void {
    if (this.fault) return;
    this.fault = { kind, phase: this.phase(), why, ...(offset !== undefined ? { offset } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    this.kill();
  }

  kill(): void {
    if (this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** The fault as reported, with the exit status known by now. */
  describeFault(): DriverFault {
    const f = this.fault ?? { kind: 'crash' as const, phase: this.phase(), why: '' };
    const code = this.exit?.code ?? null;
    const signal = this.exit?.signal ?? null;
    const status = exitDescription(code, signal);
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
        message = `malformed frame from the driver at stdout byte offset ${f.offset} during ${f.phase}: ${f.why}; driver ${signal === 'SIGKILL' ? 'killed' : `ended (${status})`}`;
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
    const id = this.nextId++;
    const { header, payload } = build(id);
    const response = new Promise<Frame>((resolve, reject) => this.pending.set(id, { type, resolve, reject }));
    this.child.stdin!.write(encodeFrame(header, payload));
    const budget = Math.max(0, deadline - performance.now());
    const timer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      this.setFault('timeout', 'no answer', undefined, Math.round(budget));
      // onClose rejects every request in flight once the kill has landed (exit status and the last
      // stderr are known by then); should the close never come, give up waiting after a second.
      void this.waitClosed(1000).then(() => this.onClose());
    }, budget);
    try {
      return await response;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A driver process behind the Driver interface; see the file comment. */
export class ExecDriver implements Driver<ExecPrepared>, CaseHooks {
  readonly name: string;
  private readonly argv: string[];
  private readonly timeoutMs: number;
  private session: Session | undefined;
  private instances = 0;
  private caseDeadline: number | undefined;
  private caseFault: DriverFault | undefined;
  private stderrLog = '';
  private stderrMark = 0;
  private inflight: Promise<void> | undefined;

  constructor(private readonly opts: ExecDriverOptions) {
    this.argv = typeof opts.command === 'string' ? splitCommandLine(opts.command) : [...opts.command];
    if (this.argv.length === 0) throw new Error('exec driver: empty command');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
    this.name = `exec:${typeof opts.command === 'string' ? opts.command : opts.command.join(' ')}`;
  }

  /** How many driver processes were started (1 + restarts). */
  get processCount(): number {
    return this.instances;
  }

  private deadline(): number {
    return this.caseDeadline ?? performance.now() + this.timeoutMs;
  }

  private noteFault(e: unknown): never {
    if (e instanceof DriverFaultError) this.caseFault ??= e.fault;
    throw e;
  }

  /** The live session, starting (and handshaking with) a new process when needed. */
  private async live(): Promise<Session> {
    if (this.inflight) await this.inflight;
    if (this.session?.alive) return this.session;
    if (this.session) this.session.kill();
    const s = new Session(++this.instances, this.argv, this.opts, (t) => {
      this.stderrLog += t;
    });
    this.session = s;
    const f = await s.request(
      'hello',
      (id) => ({ header: { type: 'hello', id, protocol: [PROTOCOL_VERSION], host: { name: 'nnlstm', version: HOST_VERSION } } }),
      performance.now() + (this.opts.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS),
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
      await s.waitClosed(1000);
      throw new DriverFaultError(s.describeFault());
    }
    s.hello = { name: h.driver.name, version: h.driver.version, ...h.capabilities, notes: h.capabilities.notes ?? [] };
    // A case's budget counts from a ready driver: a restart does not eat into it.
    if (this.caseDeadline !== undefined) this.caseDeadline = performance.now() + this.timeoutMs;
    return s;
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

  beginCase(): void {
    this.caseDeadline = performance.now() + this.timeoutMs;
    this.caseFault = undefined;
    this.stderrLog = this.stderrLog.slice(this.stderrMark);
    this.stderrMark = 0;
  }

  async endCase(): Promise<CaseDiagnostics | undefined> {
    if (this.inflight) await this.inflight;
    // Let stderr that was written before the last response reach us (separate pipes).
    await new Promise((r) => setImmediate(r));
    this.caseDeadline = undefined;
    const diag: CaseDiagnostics = {};
    const text = this.stderrLog.slice(this.stderrMark);
    this.stderrMark = this.stderrLog.length;
    if (text.length > 0) diag.stderr = capText(text, STDERR_LIMIT);
    if (this.caseFault) diag.fault = this.caseFault;
    this.caseFault = undefined;
    return diag.stderr !== undefined || diag.fault !== undefined ? diag : undefined;
  }

  async close(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
    const s = this.session;
    this.session = undefined;
    if (!s || s.closed) return;
    if (s.alive) {
      try {
        await s.request('shutdown', (id) => ({ header: { type: 'shutdown', id } }), performance.now() + 2000);
        s.child.stdin!.end();
      } catch {
        /* killed below */
      }
    }
    await s.waitClosed(2000);
    s.kill();
    await s.waitClosed(1000);
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

/** `text` when short, else its head and tail with the number of characters left out. */
export function capText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const half = Math.floor(limit / 2);
  return `${text.slice(0, half)}\n[… ${text.length - 2 * half} characters omitted …]\n${text.slice(-half)}`;
}
