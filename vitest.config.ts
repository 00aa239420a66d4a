import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@agentburn/core': pkg('core'),
      '@agentburn/instrumentation-openai': pkg('instrumentation-openai'),
      '@agentburn/instrumentation-anthropic': pkg('instrumentation-anthropic'),
      '@agentburn/instrumentation-e2b': pkg('instrumentation-e2b'),
      '@agentburn/instrumentation-google-genai': pkg('instrumentation-google-genai'),
      '@agentburn/instrumentation-bedrock': pkg('instrumentation-bedrock'),
      '@agentburn/instrumentation-daytona': pkg('instrumentation-daytona'),
      '@agentburn/instrumentation-vercel-sandbox': pkg('instrumentation-vercel-sandbox'),
      '@agentburn/node': pkg('node'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
