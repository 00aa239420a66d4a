import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `agentburn` bin; esbuild keeps the hashbang of src/cli.ts at the top of dist/cli.js.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
