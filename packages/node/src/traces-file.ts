import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';

/** The local trace file, relative to the working directory. Its folder carries a `.gitignore` of `*`. */
export const DEFAULT_TRACES_FILE = join('.agentburn', 'traces.jsonl');
/** The file is rotated before it grows past this (32 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Rotated files kept (`traces.1.jsonl` newest ... `traces.4.jsonl` oldest); 160 MiB in all by default. */
export const DEFAULT_MAX_ROTATED_FILES = 4;

/** A rotation lock older than this was left by a process that died mid-rotation. */
const STALE_LOCK_MS = 10_000;
const NEWLINE = 0x0a;

export interface OTLPFileTraceExporterOptions {
  /** Relative paths resolve against the working directory; folders are created. Default `DEFAULT_TRACES_FILE`. */
  path?: string;
  /** Rotate before the file grows past this many bytes. Default `DEFAULT_MAX_FILE_BYTES`. */
  maxFileBytes?: number;
  /** Rotated files kept next to the current one; older ones are deleted. Default `DEFAULT_MAX_ROTATED_FILES`. */
  maxRotatedFiles?: number;
  /** Print the file's path on stderr at the first line written. Default false. */
  announce?: boolean;
}

/**
 * Appends spans as OTLP JSON lines: one ExportTraceServiceRequest per line,
 * serialised by the OpenTelemetry OTLP transformer, the format of the
 * collector's file exporter (and what `agentburn report` reads).
 *
 * Each batch is one `write` to a file opened for appending, so several
 * processes can share the file without interleaving lines. Writes are
 * synchronous: once `export` returns, the line is in the file, and a flush
 * at exit needs nothing more. A failed write (read-only folder, full disk)
 * is said once; the spans are counted, reported at shutdown, and tracing
 * goes on. The export still reports success so the SDK does not repeat the
 * message for every batch.
 */
export class OTLPFileTraceExporter implements SpanExporter {
  /** Absolute path of the current file. */
  readonly path: string;
  private readonly maxFileBytes: number;
  private readonly maxRotatedFiles: number;
  private readonly announce: boolean;
  private fd: number | undefined;
  private inode: number | undefined;
  private announced = false;
  private warned = false;
  private lostSpans = 0;
  private stopped = false;

  constructor(options: OTLPFileTraceExporterOptions = {}) {
    this.path = resolve(options.path ?? DEFAULT_TRACES_FILE);
    this.maxFileBytes = Math.max(1, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.maxRotatedFiles = Math.max(0, Math.floor(options.maxRotatedFiles ?? DEFAULT_MAX_ROTATED_FILES));
    this.announce = options.announce ?? false;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the traces file exporter is shut down') });
      return;
    }
    try {
      const body = JsonTraceSerializer.serializeRequest(spans);
      if (body) this.append(body);
    } catch (err) {
      this.lose(spans.length, err);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    this.close();
    if (this.lostSpans > 0) {
      diag.warn(`agentburn: ${this.lostSpans} spans not written to ${displayPath(this.path)}`);
    }
    return Promise.resolve();
  }

  /** One write per line: the serialised request and its newline together. */
  private append(body: Uint8Array): void {
    const line = Buffer.allocUnsafe(body.length + 1);
    line.set(body);
    line[body.length] = NEWLINE;
    let fd = this.open();
    if (this.wantsRotation(fd, line.length)) {
      this.rotate(line.length);
      fd = this.open();
    }
    const written = writeSync(fd, line);
    if (written < line.length) {
      // A disk that filled mid-line: end the stub so the next line starts whole.
      try {
        writeSync(fd, line.subarray(line.length - 1));
      } catch {}
      throw Object.assign(new Error(`short write (${written} of ${line.length} bytes)`), { code: 'ENOSPC' });
    }
    if (this.announce && !this.announced) {
      this.announced = true;
      process.stderr.write(
        `agentburn: traces written to ${displayPath(this.path)}; 'npx agentburn report' sums them, ` +
          `'npx agentburn report --html report.html' draws them\n`,
      );
    }
  }

  /** The open file, reopened when another process rotated it away. */
  private open(): number {
    if (this.fd !== undefined) {
      if (inodeOf(this.path) === this.inode) return this.fd;
      this.close();
    }
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true });
    // A folder of our own name is ours: keep it out of the user's commits, as tool caches do.
    if (basename(dir) === '.agentburn') {
      try {
        writeFileSync(join(dir, '.gitignore'), '*\n', { flag: 'wx' });
      } catch {}
    }
    const fd = openSync(this.path, 'a', 0o600);
    this.fd = fd;
    this.inode = fstatSync(fd).ino;
    return fd;
  }

  private close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {}
    this.fd = undefined;
    this.inode = undefined;
  }

  private wantsRotation(fd: number, adding: number): boolean {
    const stats = fstatSync(fd);
    // Only regular files rotate (a FIFO or /dev/null stays what it is).
    return stats.isFile() && stats.size > 0 && stats.size + adding > this.maxFileBytes;
  }

  /**
   * Shifts `traces.N.jsonl` up by one (dropping the oldest) and moves the
   * current file to `traces.1.jsonl`, under a lock file so that two
   * processes do not rotate at once. A process still appending to the old
   * file writes into `traces.1.jsonl` until its next line reopens: nothing
   * is lost but the oldest file.
   */
  private rotate(adding: number): void {
    const lock = `${this.path}.lock`;
    if (!takeLock(lock)) return; // another process is rotating; the next line looks again
    try {
      let size: number;
      try {
        size = statSync(this.path).size;
      } catch {
        return; // rotated away meanwhile
      }
      if (size === 0 || size + adding <= this.maxFileBytes) return;
      if (this.maxRotatedFiles === 0) unlinkSync(this.path);
      else {
        for (let i = this.maxRotatedFiles - 1; i >= 1; i--)
          renameIfExists(rotatedPath(this.path, i), rotatedPath(this.path, i + 1));
        renameSync(this.path, rotatedPath(this.path, 1));
      }
    } finally {
      try {
        unlinkSync(lock);
      } catch {}
      this.close();
    }
  }

  private lose(spans: number, err: unknown): void {
    this.lostSpans += spans;
    this.close();
    if (this.warned) return;
    this.warned = true;
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as NodeJS.ErrnoException)?.code;
    const reason = code && !message.startsWith(code) ? `${code}: ${message}` : message;
    diag.warn(
      `agentburn: cannot write traces to ${displayPath(this.path)} (${reason}); ` +
        'tracing goes on, and the spans not written are counted at shutdown',
    );
  }
}

/** `traces.jsonl` -> `traces.2.jsonl`. */
export function rotatedPath(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.${n}${ext}`;
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, 'wx'));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      try {
        if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
        unlinkSync(lock);
      } catch {}
    }
  }
  return false;
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Relative to the working directory when inside it, as a user would type it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
