import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` runs the command; bin/agentburn.js (committed, so npm links it before a build) loads dist/cli.js.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
