import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

// Configuration is read and validated once at start. Environment wins over the optional JSON file
// (MEMBERPLUS_CONFIG, or ./memberplus.config.json). Secrets are listed so they never reach a log.
const ConfigSchema = Type.Object(
  {
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
    HOST: Type.String({ default: '127.0.0.1' }),
    DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    MEMBERPLUS_DATA_DIR: Type.String({ default: './data' }),
    PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
    LOG_LEVEL: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    MEMBERPLUS_SECRET_KEY: Type.Optional(Type.String({ minLength: 32 })),
    BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
    SESSION_TTL_HOURS: Type.Integer({ minimum: 1, default: 12 }),
    LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
    LOGIN_LOCK_MINUTES: Type.Integer({ minimum: 1, default: 15 }),
    WEBHOOK_WORKER: Type.Boolean({ default: true }),
    /** Let webhooks reach private, loopback and link-local addresses (development; receivers inside the operator's network). */
    WEBHOOK_ALLOW_PRIVATE_TARGETS: Type.Boolean({ default: false }),
    /** Days a finished domain event (with its webhook deliveries and attempts) is kept. */
    EVENT_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
    /** Counter 付款码 while the buyer is still confirming: how often and how far apart to query before reversing. */
    PAYMENTS_POLL_ATTEMPTS: Type.Integer({ minimum: 0, maximum: 60, default: 6 }),
    PAYMENTS_POLL_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5000 }),
    /** Unpaid orders (QR, pay page) expire and are closed after this long. */
    PAYMENTS_ORDER_TTL_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  },
  { additionalProperties: false },
);

export type RawConfig = Static<typeof ConfigSchema>;

export interface Config extends RawConfig {
  readonly dataDir: string;
  readonly publicUrl: string;
  readonly secretKey: string;
}

export const secretConfigKeys: readonly (keyof RawConfig)[] = ['DATABASE_URL', 'MEMBERPLUS_SECRET_KEY'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): Record<string, unknown> {
  const file = env.MEMBERPLUS_CONFIG ?? path.join(cwd, 'memberplus.config.json');
  if (!existsSync(file)) {
    if (env.MEMBERPLUS_CONFIG) throw new ConfigError(`MEMBERPLUS_CONFIG: file not found: ${file}`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

// The embedded default must run with no setup, so a secret key is generated once into the data
// folder; production sets MEMBERPLUS_SECRET_KEY.
function ensureSecretKey(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const fromFile = readConfigFile(env, cwd);
  const keys = Object.keys(ConfigSchema.properties);
  const unknownInFile = Object.keys(fromFile).filter((k) => !keys.includes(k));
  if (unknownInFile.length) throw new ConfigError(`unknown configuration keys: ${unknownInFile.join(', ')}`);
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, merged));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length) {
    const lines = errors.map((e) => `${e.path.slice(1) || '(root)'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const raw = withDefaults as RawConfig;
  const dataDir = path.resolve(cwd, raw.MEMBERPLUS_DATA_DIR);
  return {
    ...raw,
    dataDir,
    publicUrl: (raw.PUBLIC_URL ?? `http://${raw.HOST === '0.0.0.0' ? '127.0.0.1' : raw.HOST}:${raw.PORT}`).replace(/\/$/, ''),
    secretKey: raw.MEMBERPLUS_SECRET_KEY ?? ensureSecretKey(dataDir),
  };
}

export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'secretKey' || (secretConfigKeys as readonly string[]).includes(key)) {
      if (value !== undefined) shown[key] = '***';
    } else shown[key] = value;
  }
  return shown;
}
