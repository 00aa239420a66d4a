import { expect, it } from 'vitest';
import { defaultInstrumentations } from '../src/instrumentations';

it('registers-an-instrumentation-for-every-installed-sdk', () => {
  // The repository installs every SDK we instrument, so each instrumentation is chosen.
  const instrumentations = defaultInstrumentations();
  const names = instrumentations.map((instrumentation) => instrumentation.instrumentationName);
  expect(names).toEqual([
    '@agentburn/instrumentation-openai',
    '@agentburn/instrumentation-anthropic',
    '@agentburn/instrumentation-e2b',
    '@agentburn/instrumentation-google-genai',
    '@agentburn/instrumentation-bedrock',
    '@agentburn/instrumentation-daytona',
    '@agentburn/instrumentation-vercel-sandbox',
  ]);
  for (const instrumentation of instrumentations) instrumentation.disable();
});
