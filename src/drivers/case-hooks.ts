/**
 * Optional per-case hooks a driver may implement on top of the Driver interface (driver.ts).
 * The conformance runner calls beginCase before a case's prepare and endCase after its release;
 * an out-of-process driver (exec:) uses them for the case's time budget, to hand back what the
 * driver process wrote to stderr during the case, and the fault (crash, hang, bad frame) that
 * ended it. After each case the runner asks unavailable(): a driver that can no longer be started
 * ends the run, every remaining case recorded as an error with that cause.
 */

export type DriverFaultKind = 'spawn' | 'crash' | 'timeout' | 'malformed-frame' | 'protocol';

/** Why an out-of-process driver failed during a case (the driver is restarted for the next one). */
export interface DriverFault {
  /** `spawn` (could not start), `crash` (exited or was signalled), `timeout`, `malformed-frame` (a frame that cannot be decoded) or `protocol` (a decoded frame that breaks spec/driver-protocol.md). */
  kind: DriverFaultKind;
  /** The request in progress: hello, prepare, execute, release, shutdown. */
  phase: string;
  /** One line, as shown in the report. */
  message: string;
  /** Exit code of the driver process, when it exited by itself (null: still running, killed, or unknown). */
  exitCode: number | null;
  /** Signal that ended the process (SIGKILL after a timeout or a bad frame; SIGSEGV, SIGABRT, … after a crash). */
  signal: string | null;
  /** Byte offset in the driver's stdout of the offending frame (malformed-frame, protocol). */
  offset?: number;
  /** The budget that ran out (timeout). */
  timeoutMs?: number;
  /** Which driver process (1 = the first; a restart increments it). */
  instance: number;
}

export interface CaseDiagnostics {
  /** What the driver process wrote to stderr since the previous case ended (capped). */
  stderr?: string;
  fault?: DriverFault;
}

/** A driver that cannot be started any more (its starts failed HELLO_FAILURE_LIMIT times in a row). */
export interface DriverUnavailable {
  /** never-started: no process ever answered hello; stopped-answering: one did, then restarts failed. */
  kind: 'never-started' | 'stopped-answering';
  /** One line for people, starting "driver never started" or "driver stopped answering". */
  message: string;
  /** The fault of the last failed start. */
  fault: DriverFault;
}

export interface CaseHooks {
  beginCase?(id: string): void | Promise<void>;
  endCase?(id: string): CaseDiagnostics | undefined | Promise<CaseDiagnostics | undefined>;
  /** Set once the driver cannot run any further case; the runner then ends the run. */
  unavailable?(): DriverUnavailable | undefined;
}

/** Thrown by an out-of-process driver's verbs when the process failed; the runner records `error`. */
export class DriverFaultError extends Error {
  override readonly name = 'DriverFaultError';
  constructor(readonly fault: DriverFault) {
    super(fault.message);
  }
}
