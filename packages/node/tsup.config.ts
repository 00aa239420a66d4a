import { defineConfig } from 'tsup';

// `dist` is emptied by the build script: the three bundles build in parallel, so none may clean.
const common = { sourcemap: true, clean: false, target: 'node20', shims: true } as const;

export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'], dts: true },
  // The --import entry awaits the loader hook at top level, which only an ES module can.
  { ...common, entry: { register: 'src/register-esm.ts' }, format: ['esm'] },
  { ...common, entry: { register: 'src/register-cjs.ts' }, format: ['cjs'] },
]);
