import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts' },
  // CommonJS, so the SDKs load through `require`, which the instrumentations
  // patch once register() has run (see src/main.ts). The dependencies stay
  // external; the simulated services (the project's test fakes) are bundled in.
  format: ['cjs'],
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  shims: true,
});
