import { defineConfig } from 'tsup';

// `dist` is emptied by the build script: the three bundles build in parallel, so none may clean.
// __AGENTBURN_ESM__ tells the code which build it is (register() installs the ES module loader hook only from the ESM one).
const common = {
  sourcemap: true,
  clean: false,
  target: 'node20',
  shims: true,
  esbuildOptions(options: { define?: Record<string, string> }, context: { format: string }) {
    options.define = { ...options.define, __AGENTBURN_ESM__: String(context.format === 'esm') };
  },
} as const;

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true },
  // The --import entry awaits the loader hook at top level, which only an ES module can.
  { ...common, entry: { register: 'src/register-esm.ts' }, format: ['esm'] },
  { ...common, entry: { register: 'src/register-cjs.ts' }, format: ['cjs'] },
]);
