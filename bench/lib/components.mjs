// Where a call's CPU goes, by component, from a CPU profile of the calls.
//
// CPU time per call moves by 30 % or more between processes of one variant
// on a shared machine, which hides differences of a few microseconds. The
// shares of one profile do not move that way: each component is counted in
// samples relative to the samples of the host's own work (the SDK, the
// fake's transport and the bench loop), which is the same in every variant,
// and then converted to microseconds at the uninstrumented call's speed.

/** Runs `run()` under the V8 sampling profiler; returns samples per component. */
export async function profileComponents(run, classify) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await run();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return countByComponent(profile, classify);
}

// A builtin (Promise.then, Map.set, ...) is charged to the JavaScript that called it.
const isBuiltin = (frame) => (frame.url === '' || frame.url.startsWith('node:')) && !frame.functionName.startsWith('(');

function countByComponent(profile, classify) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const samplesAt = new Map();
  for (const id of profile.samples) samplesAt.set(id, (samplesAt.get(id) ?? 0) + 1);
  const counts = {};
  for (const [id, samples] of samplesAt) {
    let at = id;
    for (let depth = 0; depth < 256 && isBuiltin(nodes.get(at).callFrame) && parents.has(at); depth++) {
      at = parents.get(at);
    }
    const frame = nodes.get(at).callFrame;
    if (frame.functionName === '(idle)') continue; // waiting is not CPU
    const component = frame.functionName === '(garbage collector)' ? 'gc' : (classify(frame.url) ?? 'other');
    counts[component] = (counts[component] ?? 0) + samples;
  }
  return counts;
}

/**
 * Microseconds per call by component for each variant: each process's
 * counts relative to its `host` samples, averaged over processes, at the
 * speed of `baseline` whose median CPU per call is `baselineUs`.
 */
export function componentTable(countsByVariant, baselineUs) {
  const ratios = {};
  for (const [variant, processes] of Object.entries(countsByVariant)) {
    const sums = {};
    for (const counts of processes) {
      for (const [component, samples] of Object.entries(counts)) {
        sums[component] = (sums[component] ?? 0) + samples / counts.host / processes.length;
      }
    }
    ratios[variant] = sums;
  }
  const baselineUnits = Object.values(ratios.baseline).reduce((a, b) => a + b, 0);
  const usPerUnit = baselineUs / baselineUnits;
  return Object.fromEntries(
    Object.entries(ratios).map(([variant, sums]) => [
      variant,
      Object.fromEntries(Object.entries(sums).map(([component, ratio]) => [component, ratio * usPerUnit])),
    ]),
  );
}
