import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_COMPUTE_CPU_USED_AVG,
  ATTR_COMPUTE_CPU_USED_MAX,
  ATTR_COMPUTE_MEMORY_USED_MAX_MIB,
  ATTR_COMPUTE_SAMPLES,
  ENV_SANDBOX_SAMPLE_SECONDS,
} from '../semconv';
import { type Clock, scheduleAt } from './clock';

/** One reading of a sandbox's use, as the provider reports it. */
export interface UsageSample {
  /** When the provider took it (ms since the epoch). */
  atMs: number;
  /** CPU in use, in vCPUs (a fully busy 2-vCPU sandbox: 2). */
  cpuUsedVcpu: number;
  memoryUsedMib: number;
}

/** Samples are never asked for more often than this. */
const MIN_SAMPLE_SECONDS = 1;

/** The malformed environment value already said: every sandbox instrumentation reads the variable. */
let badEnvValueSaid: string | undefined;

/**
 * Seconds between usage samples: the option when given, else
 * `AGENTBURN_SANDBOX_SAMPLE_SECONDS`; 0 means off (the default). A value
 * that is not a non-negative number is reported through `warn` (a bad
 * environment value once per process, however many instrumentations read
 * it) and leaves sampling off: configuration never stops the host.
 */
export function usageSampleSeconds(option: number | undefined, warn: (message: string) => void): number {
  if (option !== undefined) {
    if (typeof option === 'number' && Number.isFinite(option) && option >= 0) return clampSeconds(option);
    warn(`sampleUsageEverySeconds must be a non-negative number of seconds; usage sampling is off`);
    return 0;
  }
  const raw = typeof process === 'undefined' ? undefined : process.env[ENV_SANDBOX_SAMPLE_SECONDS];
  if (raw === undefined || raw.trim() === '') return 0;
  const value = Number(raw.trim());
  if (Number.isFinite(value) && value >= 0) return clampSeconds(value);
  if (badEnvValueSaid !== raw) {
    badEnvValueSaid = raw;
    warn(`${ENV_SANDBOX_SAMPLE_SECONDS} must be a non-negative number of seconds; usage sampling is off`);
  }
  return 0;
}

function clampSeconds(seconds: number): number {
  return seconds === 0 ? 0 : Math.max(MIN_SAMPLE_SECONDS, seconds);
}

export interface UsageSamplerOptions {
  clock: Clock;
  /** Time between two requests for one sandbox. */
  everyMs: number;
  /**
   * Asks the provider for the samples of `id` taken after `sinceMs`. The
   * caller runs it outside the user's trace, with tracing suppressed.
   */
  fetch(id: string, sinceMs: number): Promise<UsageSample[]>;
  /** Receives each request's settled promise, so callers can wait for them (tests, flush). */
  track?(request: Promise<unknown>): void;
  onError?(error: unknown): void;
}

interface Watch {
  sinceMs: number;
  samples: number;
  cpuSum: number;
  cpuMax: number;
  memoryMax: number;
  cancel: () => void;
}

/**
 * Polls the use of the sandboxes that are running, at most once per period
 * each, one request at a time per sandbox, on timers that never keep the
 * process alive. `stop` returns what was observed, as interval attributes.
 */
export class UsageSampler {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly options: UsageSamplerOptions) {}

  /** Starts sampling `id`, counting samples taken after `sinceMs` (the interval's start). */
  start(id: string, sinceMs: number): void {
    if (this.watches.has(id)) return;
    const watch: Watch = { sinceMs, samples: 0, cpuSum: 0, cpuMax: 0, memoryMax: 0, cancel: noop };
    this.watches.set(id, watch);
    this.schedule(id, watch);
  }

  /** Stops sampling `id`; the observed use as attributes (none when `id` was not sampled). */
  stop(id: string): Attributes {
    const watch = this.watches.get(id);
    if (!watch) return {};
    this.watches.delete(id);
    watch.cancel();
    const attributes: Attributes = { [ATTR_COMPUTE_SAMPLES]: watch.samples };
    if (watch.samples > 0) {
      attributes[ATTR_COMPUTE_CPU_USED_AVG] = round3(watch.cpuSum / watch.samples);
      attributes[ATTR_COMPUTE_CPU_USED_MAX] = round3(watch.cpuMax);
      attributes[ATTR_COMPUTE_MEMORY_USED_MAX_MIB] = Math.round(watch.memoryMax);
    }
    return attributes;
  }

  private schedule(id: string, watch: Watch): void {
    const { clock, everyMs } = this.options;
    watch.cancel = scheduleAt(clock, clock.now() + everyMs, () => this.poll(id, watch));
  }

  private poll(id: string, watch: Watch): void {
    if (this.watches.get(id) !== watch) return;
    let request: Promise<void>;
    try {
      request = Promise.resolve(this.options.fetch(id, watch.sinceMs)).then((samples) => this.add(watch, samples));
    } catch (error) {
      request = Promise.reject(error);
    }
    const settled = request
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        // The next request only once this one is answered: a slow provider is never asked twice at once.
        if (this.watches.get(id) === watch) this.schedule(id, watch);
      });
    this.options.track?.(settled);
  }

  private add(watch: Watch, samples: readonly UsageSample[]): void {
    if (!Array.isArray(samples)) return;
    for (const sample of [...samples].sort((a, b) => a.atMs - b.atMs)) {
      if (!(sample.atMs > watch.sinceMs) || !Number.isFinite(sample.cpuUsedVcpu)) continue;
      watch.sinceMs = sample.atMs;
      watch.samples++;
      watch.cpuSum += sample.cpuUsedVcpu;
      watch.cpuMax = Math.max(watch.cpuMax, sample.cpuUsedVcpu);
      if (Number.isFinite(sample.memoryUsedMib)) watch.memoryMax = Math.max(watch.memoryMax, sample.memoryUsedMib);
    }
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function noop(): void {}
