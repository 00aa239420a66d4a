import { defineConfig } from 'tsup';

// esbuild's CommonJS output exposes every export through a getter (two, in
// fact: one per re-export layer), and the instrumentations read core's
// exports on every call (`import_core.SpanFinisher`, attribute names). Core
// exports only constants, functions and classes, so the values are copied
// once, after the module ran, into a plain object of data properties.
const PLAIN_CJS_EXPORTS =
  "module.exports = Object.defineProperty(Object.assign({}, module.exports), '__esModule', { value: true });";

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  footer: ({ format }) => (format === 'cjs' ? { js: PLAIN_CJS_EXPORTS } : undefined),
});
