// Per-call cost of two or more modes in one process: blocks of calls rotate
// between the modes, so every median shares the same warm-up. The cost is
// the process's CPU time (user + system) per call, averaged over a block: on
// a shared machine it moves far less with other work than wall time does.
import { median } from './measure.mjs';

/**
 * `modes`: { name: { setUp() } }, the first one the baseline. Runs one warm-up
 * block per mode, then blocks of `block` calls per mode until `total` calls
 * each. Returns { name: { medianUs, overheadUs } }: the median over blocks of
 * CPU µs per call, and its difference from the baseline's.
 */
export async function rotateModes({ modes, call, total, block = 50, afterRound = () => {} }) {
  const names = Object.keys(modes);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const run = async (name, record) => {
    modes[name].setUp();
    const start = process.cpuUsage();
    for (let i = 0; i < block; i++) await call();
    const { user, system } = process.cpuUsage(start);
    if (record) samples[name].push((user + system) / block);
  };
  for (const name of names) await run(name, false);
  for (let done = 0; done < total; done += block) {
    for (const name of names) await run(name, true);
    afterRound();
  }
  const base = median(samples[names[0]]);
  return Object.fromEntries(
    names.map((name) => [name, { medianUs: median(samples[name]), overheadUs: median(samples[name]) - base }]),
  );
}

/** Prints the rows of one result table: `| label | kind | CPU µs per call | overhead µs |`. */
export function printRows(labels, kind, results) {
  const [baseline] = Object.keys(labels);
  for (const [name, label] of Object.entries(labels)) {
    const r = results[name];
    console.log(
      `| ${label} | ${kind} | ${r.medianUs.toFixed(1)} | ${name === baseline ? '-' : r.overheadUs.toFixed(1)} |`,
    );
  }
}
