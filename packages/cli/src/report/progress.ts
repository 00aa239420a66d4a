/** What the progress line writes to: a terminal, or anything shaped like one in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface Progress {
  update(bytesRead: number): void;
  /** Clears the line (before other output, and at the end); the next update draws it again. */
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/**
 * A one-line percentage of bytes read, redrawn only when the whole percent
 * changes (at most 101 writes, whatever the file size). Off unless `stream`
 * is a terminal and the size is known, so pipes and logs stay clean.
 */
export function createProgress(stream: ProgressStream, totalBytes: number | undefined, label: string): Progress {
  if (!stream.isTTY || !totalBytes) return NO_PROGRESS;
  let shown = -1;
  return {
    update(bytesRead) {
      const percent = Math.min(100, Math.floor((bytesRead / totalBytes) * 100));
      if (percent === shown) return;
      shown = percent;
      stream.write(`\r\x1b[K${label}: ${percent}% (${mib(bytesRead)} of ${mib(totalBytes)})`);
    },
    done() {
      if (shown >= 0) stream.write('\r\x1b[K');
      shown = -1;
    },
  };
}
