/**
 * What the tests of @agentburn/node in child processes share: the fixture
 * apps, a fake OpenAI server answering with known usage, a price file that
 * makes the numbers independent of the catalogue, and a fresh OTLP receiver
 * per test. The built package (dist) is what runs: build first.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type FakeOpenAIServer, startOpenAIServer } from '../fakes/openai-server';
import { spawnNode } from './node-process';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test', 'register-fixtures');

/** Whether packages/node/dist exists; without it the tests are skipped with a word saying why. */
export const nodePackageBuilt = existsSync(join(root, 'packages', 'node', 'dist', 'register.js'));

/** 1000 input tokens x $1/Mtok + 500 output tokens x $2/Mtok = $0.001 + $0.001 = $0.002 per call. */
export const PRICES = { 'my-model': { input_mtok: 1, output_mtok: 2 } };
export const USAGE = { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 };

/** Node's flag that loads the package as `node --import @agentburn/node/register` users do. */
export const IMPORT_REGISTER = ['--import', '@agentburn/node/register'];

/** Runs `node ...args` in the fixtures folder with only `env` of ours. */
export function spawnFixture(args: string[], env: Record<string, string>): ReturnType<typeof spawnNode> {
  return spawnNode(args, env, fixtures);
}

/** A port that was free a moment ago: connections to it are refused. */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface RegisterHarness {
  /** The fake OpenAI server, reset before each test to answer with {@link USAGE}. */
  readonly openai: FakeOpenAIServer;
  /** A fresh OTLP/HTTP receiver for each test. */
  readonly receiver: OtlpReceiver;
  /** A scratch folder, removed after the suite. */
  readonly dir: string;
  /** {@link PRICES} as a price file in `dir`. */
  readonly pricesFile: string;
  /** The child's environment: the fake server's URL and the price file, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** {@link env} exporting to the receiver, as service `fixture`. */
  withEndpoint(extra?: Record<string, string>): Record<string, string>;
}

/** Sets up the servers around each test of the calling `describe` (call it there); the fields are valid in tests. */
export function useRegisterHarness(dirPrefix: string): RegisterHarness {
  let openai: FakeOpenAIServer;
  let receiver: OtlpReceiver;
  let dir: string;
  let pricesFile: string;

  beforeAll(async () => {
    openai = await startOpenAIServer();
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
    pricesFile = join(dir, 'prices.json');
    writeFileSync(pricesFile, JSON.stringify(PRICES));
  });
  afterAll(async () => {
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    openai.reset();
    openai.defaults.chatUsage = USAGE;
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const env = (extra: Record<string, string> = {}) => ({
    OPENAI_BASE_URL: openai.url,
    AGENTBURN_PRICES_FILE: pricesFile,
    ...extra,
  });
  return {
    get openai() {
      return openai;
    },
    get receiver() {
      return receiver;
    },
    get dir() {
      return dir;
    },
    get pricesFile() {
      return pricesFile;
    },
    env,
    withEndpoint: (extra = {}) =>
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'fixture', ...extra }),
  };
}
