// The simulated device itself, independent of transport: its behaviour, its power state (up, restarting,
// dead, offline) and the one management operation it runs at a time. A DeviceLink (MQTT or virtual)
// carries its traffic; the sequences in scripts.ts decide what it does.
import { EventEmitter } from 'node:events';
import { createStackClock, type ClockTimer, type StackClock } from '../clock/index.js';
import { NORMAL, resolveTimings, validateBehaviour, type DeviceBehaviour, type DeviceTimings } from './behaviour.js';
import { ANSWER_BUSY, DEVICE_METHODS } from './deviceManagement.js';
import { runDeviceMethod, type DevicePort } from './scripts.js';

/** Answers one method request on the link that delivered it. */
export type MethodAnswer = (status: number, payload: unknown) => Promise<void>;

/** What a link tells its device. */
export interface DeviceLinkHooks {
  /** A method request arrived (only for names in DEVICE_METHODS). */
  onMethod(methodName: string, payload: unknown, answer: MethodAnswer): void;
  /** The connection dropped without the device asking for it (network, hub). */
  onConnectionLost(error?: Error): void;
}

/** One device's connection to the hub. */
export interface DeviceLink {
  readonly transport: 'mqtt' | 'virtual';
  /** True from a successful open() until close() or a connection loss. */
  readonly isOpen: boolean;
  /** Connects as a freshly booted device: methods are deliverable and the twin fetched when this resolves. */
  open(): Promise<void>;
  /** Disconnects (Disconnected at the hub). Safe to call when already closed. */
  close(): Promise<void>;
  /** Sends a reported-properties patch; resolves on the hub's acknowledgement. */
  reportProperties(patch: Record<string, unknown>): Promise<void>;
}

export interface DeviceProgramOptions {
  deviceId: string;
  behaviour?: DeviceBehaviour;
  timings?: Partial<DeviceTimings>;
  /** Added to the host clock for the timestamps the device reports (a device with a wrong clock). */
  clockOffsetMs?: number;
  /**
   * The stack's clock (local/clock): reboot and firmware durations, backoffs and reported times. A running
   * sequence or connection attempt is work in flight on it, except while it sleeps. Default real time.
   */
  clock?: StackClock;
  /** Operational log; never receives keys or connection strings. */
  log?: (line: string) => void;
  /** How many acknowledged reported patches `reports` keeps (default 100). */
  reportHistoryLimit?: number;
}

/** A reported patch the hub acknowledged, stamped with the device clock. */
export interface ReportedPatchRecord {
  at: string;
  patch: Record<string, unknown>;
}

export type DevicePowerState = 'off' | 'connecting' | 'up' | 'restarting' | 'dead' | 'stopped';

/** Thrown into a running sequence when the device is stopped; ends it quietly. */
class DeviceStopped extends Error {
  constructor() {
    super('device stopped');
  }
}

const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5000;

export class DeviceProgram extends EventEmitter {
  readonly deviceId: string;
  readonly timings: DeviceTimings;
  /** Acknowledged reported patches, oldest first (bounded). */
  readonly reports: ReportedPatchRecord[] = [];
  /** Every direct method the device received, in order (what a test counts to prove at-most-once delivery). */
  readonly methodCalls: { methodName: string; at: string }[] = [];

  private readonly link: DeviceLink;
  private readonly log: (line: string) => void;
  private readonly clockOffsetMs: number;
  private readonly clock: StackClock;
  private readonly historyLimit: number;
  private currentBehaviour: DeviceBehaviour;
  private state: DevicePowerState = 'off';
  private operation: { methodName: string; done: Promise<void> } | undefined;
  private opening: Promise<void> | undefined;
  /** Bumped on every power change so a connect loop started earlier knows it is obsolete. */
  private powerEpoch = 0;
  private connectionCount = 0;
  private throttledReports = 0;
  private wakeConnectLoop: (() => void) | undefined;
  private readonly sleeps = new Set<{ timer: ClockTimer; reject: (e: Error) => void }>();

  constructor(options: DeviceProgramOptions, createLink: (hooks: DeviceLinkHooks) => DeviceLink) {
    super();
    this.deviceId = options.deviceId;
    this.currentBehaviour = validateBehaviour(options.behaviour ?? NORMAL);
    this.timings = resolveTimings(options.timings);
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.clock = options.clock ?? createStackClock('real');
    this.log = options.log ?? (() => undefined);
    this.historyLimit = options.reportHistoryLimit ?? 100;
    this.link = createLink({
      onMethod: (methodName, payload, answer) => this.onMethod(methodName, payload, answer),
      onConnectionLost: (error) => this.onConnectionLost(error),
    });
  }

  get transport(): 'mqtt' | 'virtual' { return this.link.transport; }
  get behaviour(): DeviceBehaviour { return this.currentBehaviour; }
  get powerState(): DevicePowerState { return this.state; }
  get connected(): boolean { return this.link.isOpen; }
  /** Successful connections so far (the first one, then one per restart or reconnection). */
  get connections(): number { return this.connectionCount; }
  /** Reported-property patches the hub throttled and the device sent again. */
  get throttledReportRetries(): number { return this.throttledReports; }
  /** The management method running now, if any. */
  get currentOperation(): string | undefined { return this.operation?.methodName; }

  /**
   * Powers the device on: connects unless its behaviour is `offline`. Resolves once connected (or left off);
   * rejects, leaving the device off, when this first connection fails. Later reconnections retry by themselves.
   */
  async start(): Promise<void> {
    if (this.state === 'stopped') throw new Error(`Device ${this.deviceId} was stopped`);
    if (this.currentBehaviour.kind === 'offline') return;
    await this.powerOn(false);
  }

  /**
   * Changes the behaviour for the next method. `offline` disconnects the device now; any other behaviour
   * powers on a device that is off (offline, or dead after `neverReturn`) as an operator power cycle would.
   */
  async setBehaviour(behaviour: DeviceBehaviour): Promise<void> {
    this.currentBehaviour = validateBehaviour(behaviour);
    if (this.state === 'stopped') return;
    if (behaviour.kind === 'offline') {
      this.powerOff('off');
      await this.link.close();
    } else if (this.state === 'off' || this.state === 'dead') {
      await this.powerOn();
    }
  }

  /** Resolves when no management operation is running. */
  async whenIdle(): Promise<void> {
    while (this.operation) await this.operation.done;
  }

  /** Ends everything: the running sequence, timers and the connection. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.powerOff('stopped');
    for (const sleep of this.sleeps) {
      sleep.timer.cancel();
      sleep.reject(new DeviceStopped());
    }
    this.sleeps.clear();
    await this.link.close();
    if (this.opening) await this.opening;
    await this.whenIdle();
    await this.link.close();
  }

  /** Received direct methods named `methodName` (all when omitted). */
  methodCount(methodName?: string): number {
    return methodName === undefined ? this.methodCalls.length : this.methodCalls.filter((c) => c.methodName === methodName).length;
  }

  private onMethod(methodName: string, payload: unknown, answer: MethodAnswer): void {
    if (this.state === 'stopped') return;
    this.methodCalls.push({ methodName, at: new Date(this.clock.now()).toISOString() });
    this.emit('method', methodName);
    if (!DEVICE_METHODS.includes(methodName)) return;
    if (this.operation) {
      void answer(409, { message: ANSWER_BUSY, operation: this.operation.methodName }).catch((e) => this.logFailure('answer', e));
      return;
    }
    const behaviour = this.currentBehaviour; // the behaviour at arrival holds for the whole sequence
    const done = this.clock.run(`device ${this.deviceId} ${methodName}`, () =>
      runDeviceMethod(methodName, payload, behaviour, this.timings, this.port(answer, behaviour)))
      .catch((e: unknown) => {
        // Stopping abandons whatever the sequence was waiting for; that is not a failure worth a log line.
        if (!(e instanceof DeviceStopped) && this.state !== 'stopped') this.logFailure(methodName, e);
      })
      .finally(() => {
        if (this.operation?.done === done) this.operation = undefined;
      });
    this.operation = { methodName, done };
  }

  private port(answer: MethodAnswer, behaviour: DeviceBehaviour): DevicePort {
    let answered = false;
    return {
      answer: async (status, payload) => {
        this.assertRunning();
        if (answered) throw new Error('method already answered');
        answered = true;
        await answer(status, payload);
      },
      reportProperties: async (patch) => {
        // A well-behaved device backs off and retries a throttled report (S1 allows 50 twin updates/s per hub):
        // dropping it would leave the service waiting for a completion that did happen.
        for (let attempt = 1; ; attempt++) {
          this.assertRunning();
          try {
            await this.link.reportProperties(patch);
            break;
          } catch (e) {
            if (!isThrottled(e) || attempt >= REPORT_MAX_ATTEMPTS) throw e;
            this.throttledReports += 1;
            await this.sleep(reportBackoffMs(attempt));
          }
        }
        this.recordReport(patch);
      },
      disconnect: async () => {
        this.assertRunning();
        // A device that never returns is dead; one that restarts will be back.
        this.powerOff(behaviour.kind === 'neverReturn' ? 'dead' : 'restarting');
        await this.link.close();
      },
      reconnect: async () => {
        this.assertRunning();
        if (this.currentBehaviour.kind === 'offline') throw new Error('device is offline; it stays down');
        await this.powerOn();
      },
      sleep: (ms) => this.sleep(ms),
      now: () => this.deviceTime(),
    };
  }

  /**
   * Connects; with `retry`, keeps trying with backoff (a booting device does) until connected, powered off or
   * stopped; without, the first failure leaves the device off and rejects.
   */
  private powerOn(retry = true): Promise<void> {
    if (this.link.isOpen) {
      this.state = 'up';
      return Promise.resolve();
    }
    if (this.opening) return this.opening;
    const epoch = ++this.powerEpoch;
    this.state = 'connecting';
    const opening = this.clock.run(`device ${this.deviceId} connecting`, async () => {
      let delay = RECONNECT_FIRST_DELAY_MS;
      while (epoch === this.powerEpoch) {
        try {
          await this.link.open();
          if (epoch !== this.powerEpoch) {
            await this.link.close(); // powered off while connecting
            return;
          }
          this.connectionCount++;
          this.state = 'up';
          return;
        } catch (e) {
          if (epoch !== this.powerEpoch) return;
          if (!retry) {
            this.state = 'off';
            throw e;
          }
          this.logFailure('connect', e);
          await this.backoff(delay);
          delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
        }
      }
    }).finally(() => {
      if (this.opening === opening) this.opening = undefined;
    });
    this.opening = opening;
    return opening;
  }

  /** Marks the new power state; a connect loop in progress sees the new epoch and gives up. The caller closes the link. */
  private powerOff(state: 'off' | 'restarting' | 'dead' | 'stopped'): void {
    this.powerEpoch++;
    this.state = state;
    this.wakeConnectLoop?.();
  }

  /** The connect loop's wait between attempts; cut short by any power change. */
  private backoff(ms: number): Promise<void> {
    return this.clock.idleWhile(new Promise<void>((resolve) => {
      const wake = (): void => {
        timer.cancel();
        this.wakeConnectLoop = undefined;
        resolve();
      };
      const timer = this.clock.setTimer(wake, ms);
      this.wakeConnectLoop = wake;
    }));
  }

  private onConnectionLost(error?: Error): void {
    this.log(`${this.deviceId}: connection lost${error ? `: ${error.message}` : ''}`);
    if (this.state !== 'up') return;
    // A running device whose connection drops reconnects by itself, as the SDK samples' devices do.
    void this.powerOn();
  }

  private sleep(ms: number): Promise<void> {
    if (this.state === 'stopped') return Promise.reject(new DeviceStopped());
    // Asleep (rebooting, downloading) the device has nothing in flight: virtual time may skip the wait.
    return this.clock.idleWhile(new Promise<void>((resolve, reject) => {
      const entry = {
        timer: this.clock.setTimer(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(entry);
    }));
  }

  private assertRunning(): void {
    if (this.state === 'stopped') throw new DeviceStopped();
  }

  private recordReport(patch: Record<string, unknown>): void {
    const record = { at: this.deviceTime(), patch };
    this.reports.push(record);
    this.emit('report', record);
    if (this.reports.length > this.historyLimit) this.reports.splice(0, this.reports.length - this.historyLimit);
  }

  /** The device's own clock: the stack's time plus its configured skew. */
  private deviceTime(): string {
    return new Date(this.clock.now() + this.clockOffsetMs).toISOString();
  }

  private logFailure(what: string, error: unknown): void {
    this.log(`${this.deviceId}: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Attempts for one reported-properties patch when the hub throttles it (about a minute of backoff in all). */
const REPORT_MAX_ATTEMPTS = 12;

/** 250 ms, 500 ms, 1 s … capped at 8 s, with ±25 % jitter so a throttled fleet does not retry in lockstep. */
function reportBackoffMs(attempt: number): number {
  const base = Math.min(250 * 2 ** (attempt - 1), 8000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** The hub's throttling answer: IoT Hub error 429001 (virtual link) or its message relayed by the device SDK (MQTT). */
function isThrottled(error: unknown): boolean {
  const e = error as { code?: unknown; errorCode?: unknown; message?: unknown } | null;
  if (e?.code === 429001 || e?.errorCode === 429001) return true;
  return typeof e?.message === 'string' && /throttl/i.test(e.message);
}
