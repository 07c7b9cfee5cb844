import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp, sessionCookie, type App } from '../../src/http/app.js';
import { demoPassword, seedDemo, type DemoSeed } from '../../src/seed.js';
import { freshDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  readonly app: App;
  readonly database: TestDatabase;
  readonly config: Config;
  readonly demo: DemoSeed;
  /** Logs in through the API and returns the Cookie header for the session. */
  login(login: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    {
      MEMBERPLUS_SECRET_KEY: 'test-secret-key-test-secret-key-test-secret',
      LOG_LEVEL: 'silent',
      MEMBERPLUS_DATA_DIR: '.tmp/test-data',
      MEMBERPLUS_CONFIG: '',
      // Tests' receivers listen on 127.0.0.1; the private-target guard has its own test.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      ...overrides,
    },
    process.cwd(),
  );
}

/** Boots the real app on a fresh database with the demo tenant (the same seed as `npm start`). */
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const config = testConfig(overrides);
  const demo = await seedDemo(database.db, { secretKey: config.secretKey });
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  return {
    app,
    database,
    config,
    demo,
    async login(login, password = demoPassword) {
      const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { login, password } });
      if (response.statusCode !== 200) throw new Error(`login ${login} failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === sessionCookie);
      return `${sessionCookie}=${cookie!.value}`;
    },
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json<T>();
}
