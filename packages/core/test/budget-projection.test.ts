import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { chatBodyAdapter, projectTokens } from '../src/budget/projection';

const require = createRequire(import.meta.url);
/** gpt-tokenizer's chat encoder: the count the API bills for a chat prompt (message framing and reply priming included). */
const { encodeChat } = require('gpt-tokenizer/model/gpt-4o') as {
  encodeChat: (messages: Array<{ role: string; content: string }>) => number[];
};

const project = (body: unknown, model: string, provider: string) =>
  projectTokens({ body, model, adapter: chatBodyAdapter('max_tokens', provider), defaultMaxOutputTokens: 4096 })
    .inputTokens;

const PROSE =
  'A coding agent loops: it writes a function, runs the tests, reads the failure and tries again. ' +
  'Each turn re-sends the whole conversation, so the prompt grows with every iteration.';
const CODE = [
  'export function parseCsv(text: string): string[][] {',
  "  return text.split('\\n').filter(Boolean).map((line) => line.split(','));",
  '}',
].join('\n');

describe('input estimate', () => {
  const openaiPrompts: Array<[string, Array<{ role: string; content: string }>]> = [
    ['one short message', [{ role: 'user', content: 'Say hello.' }]],
    [
      'system and prose',
      [
        { role: 'system', content: 'You are a careful senior engineer.' },
        { role: 'user', content: PROSE },
      ],
    ],
    [
      'a code turn',
      [
        { role: 'user', content: 'Fix this function.' },
        { role: 'assistant', content: CODE },
        { role: 'user', content: 'The test says: expected 3 columns, got 2.' },
      ],
    ],
  ];
  for (const [name, messages] of openaiPrompts) {
    it(`openai-estimate-never-below-the-billed-count-and-within-2x: ${name}`, () => {
      const billed = encodeChat(messages).length;
      const estimate = project({ model: 'gpt-4o-mini', messages }, 'gpt-4o-mini', 'openai');
      expect(estimate).toBeGreaterThanOrEqual(billed);
      expect(estimate).toBeLessThanOrEqual(2 * billed);
    });
  }

  it('anthropic-size-bound-brackets-the-documented-count-of-a-basic-message', () => {
    // Anthropic's token-counting docs: this request counts 14 input tokens.
    // Bound: 3 request + "You are a scientist" ceil(19/2) = 10 + 3 framing + "user" 2 + "Hello, Claude" 7 = 25.
    const estimate = project(
      {
        model: 'claude-sonnet-4-5',
        system: 'You are a scientist',
        messages: [{ role: 'user', content: 'Hello, Claude' }],
      },
      'claude-sonnet-4-5',
      'anthropic',
    );
    expect(estimate).toBe(25);
    expect(estimate).toBeGreaterThanOrEqual(14);
    expect(estimate).toBeLessThanOrEqual(2 * 14);
  });

  it('anthropic-size-bound-brackets-the-documented-count-of-a-tool-request', () => {
    // Anthropic's token-counting docs: this request with one tool counts 403 input tokens,
    // most of them the tool-use system prompt, which the bound adds as 400.
    const estimate = project(
      {
        model: 'claude-sonnet-4-5',
        tools: [
          {
            name: 'get_weather',
            description: 'Get the current weather in a given location',
            input_schema: {
              type: 'object',
              properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
              required: ['location'],
            },
          },
        ],
        messages: [{ role: 'user', content: "What's the weather like in San Francisco?" }],
      },
      'claude-sonnet-4-5',
      'anthropic',
    );
    expect(estimate).toBeGreaterThanOrEqual(403);
    expect(estimate).toBeLessThanOrEqual(2 * 403);
  });

  it('special-token-text-in-a-prompt-is-counted-not-thrown-on', () => {
    // o200k: "hi <|endoftext|> there" is 9 tokens as plain text; + 3 request + 3 message + "user" 1.
    const estimate = project(
      { messages: [{ role: 'user', content: 'hi <|endoftext|> there' }] },
      'gpt-4o-mini',
      'openai',
    );
    expect(estimate).toBe(16);
  });

  it('an-image-counts-its-allowance-not-its-base64-bytes', () => {
    const data = 'A'.repeat(400_000);
    const estimate = project(
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }],
          },
        ],
      },
      'claude-haiku-4-5',
      'anthropic',
    );
    // 3 request + 3 message + "user" 2 + 3 part + 2,500 image allowance.
    expect(estimate).toBe(2511);
  });

  it('gemini-and-converse-images-count-their-allowance-and-raw-bytes-their-size', () => {
    const adapter = { input: (body: unknown[]) => body };
    const tokens = (parts: unknown[]) =>
      projectTokens({ body: parts, model: 'gemini-2.5-flash', adapter, defaultMaxOutputTokens: 0 }).inputTokens;
    // 3 request + 3 part + 2,500 image allowance; the base64 data is not read.
    expect(tokens([{ inlineData: { mimeType: 'image/png', data: 'A'.repeat(400_000) } }])).toBe(2506);
    expect(tokens([{ fileData: { mimeType: 'image/jpeg', fileUri: 'gs://b/x.jpg' } }])).toBe(2506);
    expect(tokens([{ image: { format: 'png', source: { bytes: new Uint8Array(400_000) } } }])).toBe(2506);
    // A PDF given as bytes: 3 request + 3 block + 3 document + "pdf" 2 + 3 source + 1,000 bytes / 2.
    expect(tokens([{ document: { format: 'pdf', source: { bytes: new Uint8Array(1000) } } }])).toBe(514);
  });

  it('output-cap-falls-back-to-the-default-and-embeddings-have-none', () => {
    const chat = projectTokens({
      body: { messages: [] },
      model: 'gpt-4o-mini',
      adapter: chatBodyAdapter('max_completion_tokens', 'openai'),
      defaultMaxOutputTokens: 1234,
    });
    expect(chat).toMatchObject({ outputTokens: 1234 });
    const legacy = projectTokens({
      body: { messages: [], max_tokens: 50 },
      model: 'gpt-4o-mini',
      adapter: chatBodyAdapter('max_completion_tokens', 'openai'),
      defaultMaxOutputTokens: 1234,
    });
    expect(legacy).toMatchObject({ outputTokens: 50 });
    const embeddings = projectTokens({
      body: { input: 'x' },
      model: 'text-embedding-3-small',
      adapter: chatBodyAdapter(undefined, 'openai'),
      defaultMaxOutputTokens: 1234,
    });
    expect(embeddings).toMatchObject({ outputTokens: 0 });
  });
});
