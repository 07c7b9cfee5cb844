import { Command } from 'commander';
import { ConfigError, describeConfig, loadConfig } from './config.js';
import { openConfiguredDatabase, startServer } from './server.js';
import { demoPassword, isEmpty, seedDemo } from './seed.js';
import {
  createOperator,
  findFirstOperator,
  insertApiKey,
  insertUser,
  systemContext,
  createMerchant,
  verifyAllAuditChains,
} from './modules/platform/index.js';

const program = new Command('memberplus').description('MemberPlus (会员+) — members from payments, for WeChat Pay / Alipay service providers');

interface JsonOption {
  json?: boolean;
}

function print(opts: JsonOption, data: unknown, text: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(data, null, 2) + '\n' : text() + '\n');
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>, migrate = true): Promise<T> {
  const config = loadConfig();
  const database = await openConfiguredDatabase(config);
  try {
    if (migrate) await database.migrate();
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function requireOperator(db: Parameters<typeof findFirstOperator>[0]) {
  const operator = await findFirstOperator(db);
  if (!operator) throw new Error('no operator yet: run `memberplus create-operator --name NAME` or `memberplus seed --demo`');
  return operator;
}

program
  .command('start')
  .description('migrate, seed demo data when the database is empty (--demo-if-empty), and serve API, docs and console')
  .option('--demo-if-empty', 'seed demo data when the database has no operator', false)
  .option('--json', 'print the startup summary as JSON')
  .action(async (opts: JsonOption & { demoIfEmpty: boolean }) => {
    const config = loadConfig();
    const database = await openConfiguredDatabase(config);
    await database.migrate();
    const seeded = opts.demoIfEmpty && (await isEmpty(database.db)) ? await seedDemo(database.db, { secretKey: config.secretKey }) : null;
    const server = await startServer(config, database);
    const summary = {
      url: server.url,
      console: `${server.url}/console/`,
      docs: `${server.url}/docs`,
      openapi: `${server.url}/openapi.json`,
      database: database.kind === 'pglite' ? `embedded PGlite at ${config.dataDir}/pglite` : 'PostgreSQL (DATABASE_URL)',
      demo: seeded ? { logins: seeded.logins.map(({ login, role }) => ({ login, role, password: demoPassword })), apiKey: seeded.apiKey } : null,
    };
    print(opts, summary, () =>
      [
        '',
        `  MemberPlus is running — ${summary.database}`,
        `  Console  ${summary.console}`,
        `  API docs ${summary.docs}`,
        `  OpenAPI  ${summary.openapi}`,
        ...(seeded
          ? ['', `  Demo logins (password ${demoPassword}):`, ...seeded.logins.map((l) => `    ${l.login.padEnd(10)} ${l.role}`), `  Demo API key (shown once): ${seeded.apiKey}`]
          : ['', '  Demo logins (if seeded earlier): operator / owner / manager / cashier, password ' + demoPassword]),
        '',
      ].join('\n'),
    );
    const shutdown = (signal: string) => {
      server.app.log.info({ signal }, 'shutting down');
      void server.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply database migrations')
  .option('--json')
  .action(async (opts: JsonOption) => {
    const kind = await withDatabase(async (d) => d.kind);
    print(opts, { migrated: true, database: kind }, () => `migrations applied (${kind})`);
  });

program
  .command('seed')
  .description('seed data')
  .requiredOption('--demo', 'seed the demo operator, merchant, stores, staff and API key')
  .option('--json')
  .action(async (opts: JsonOption) => {
    const seeded = await withDatabase(async ({ db }) => {
      if (!(await isEmpty(db))) throw new Error('the database already has an operator; demo data is seeded only into an empty database');
      return seedDemo(db, { secretKey: loadConfig().secretKey });
    });
    print(opts, seeded, () =>
      [`demo merchant ${seeded.merchantId}, stores ${seeded.storeIds.join(', ')}`, ...seeded.logins.map((l) => `login ${l.login} (${l.role}) password ${l.password}`), `API key: ${seeded.apiKey}`].join('\n'),
    );
  });

program
  .command('create-operator')
  .description('create the operator (服务商) and its first admin')
  .requiredOption('--name <name>')
  .option('--admin-login <login>', 'login of the operator admin')
  .option('--admin-password <password>')
  .option('--json')
  .action(async (opts: JsonOption & { name: string; adminLogin?: string; adminPassword?: string }) => {
    const result = await withDatabase(({ db }) =>
      db.transaction(async (tx) => {
        const operator = await createOperator(tx, opts.name);
        let adminId: string | null = null;
        if (opts.adminLogin) {
          if (!opts.adminPassword) throw new Error('--admin-password is required with --admin-login');
          adminId = await insertUser(tx, { login: opts.adminLogin, displayName: opts.adminLogin, password: opts.adminPassword, role: 'operator_admin', operatorId: operator.id });
        }
        return { operatorId: operator.id, adminId };
      }),
    );
    print(opts, result, () => `operator ${result.operatorId}${result.adminId ? `, admin ${result.adminId}` : ''}`);
  });

program
  .command('create-merchant')
  .description('onboard a merchant under the operator, optionally with its owner')
  .requiredOption('--name <name>')
  .option('--owner-login <login>')
  .option('--owner-password <password>')
  .option('--json')
  .action(async (opts: JsonOption & { name: string; ownerLogin?: string; ownerPassword?: string }) => {
    const merchant = await withDatabase(async ({ db }) => {
      const operator = await requireOperator(db);
      const owner = opts.ownerLogin ? { login: opts.ownerLogin, displayName: opts.ownerLogin, password: opts.ownerPassword ?? '' } : undefined;
      return createMerchant(db, systemContext(operator.id, null, 'cli'), { name: opts.name }, owner);
    });
    print(opts, { merchantId: merchant.id, ownerId: merchant.ownerId }, () => `merchant ${merchant.id}${merchant.ownerId ? `, owner ${merchant.ownerId}` : ''}`);
  });

program
  .command('create-api-key')
  .description('create an API key for a merchant (--merchant) or for the operator (--operator); the secret is printed once')
  .option('--merchant <id>')
  .option('--operator', 'an operator key')
  .option('--name <name>', 'key name', 'cli key')
  .option('--scopes <scopes>', 'comma separated scopes', '*')
  .option('--json')
  .action(async (opts: JsonOption & { merchant?: string; operator?: boolean; name: string; scopes: string }) => {
    if (!opts.merchant === !opts.operator) throw new Error('give exactly one of --merchant ID or --operator');
    const created = await withDatabase(async ({ db }) => {
      const operator = await requireOperator(db);
      return insertApiKey(db, { operatorId: operator.id, merchantId: opts.merchant ?? null, name: opts.name, scopes: opts.scopes.split(',').map((s) => s.trim()), createdBy: 'cli' });
    });
    print(opts, { id: created.key.id, secret: created.secret, scopes: created.key.scopes }, () => `API key ${created.key.id}\nsecret (shown once): ${created.secret}`);
  });

const auditCommand = program.command('audit').description('audit log tools');
auditCommand
  .command('verify')
  .description('verify every audit hash chain; exits 1 and names the first broken link if any')
  .option('--json')
  .action(async (opts: JsonOption) => {
    const results = await withDatabase(({ db }) => verifyAllAuditChains(db));
    const broken = results.filter((r) => !r.ok);
    print(opts, { ok: broken.length === 0, chains: results }, () =>
      results.map((r) => `${r.ok ? 'ok    ' : 'BROKEN'} ${r.chainId} (${r.entries} entries)${r.firstBreak ? ` first break: ${r.firstBreak.kind} at seq ${r.firstBreak.seq}` : ''}`).join('\n') || 'no audit entries yet',
    );
    if (broken.length) process.exitCode = 1;
  });

program
  .command('config')
  .description('print the effective configuration (secrets masked)')
  .action(() => {
    process.stdout.write(JSON.stringify(describeConfig(loadConfig()), null, 2) + '\n');
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`memberplus: ${message}\n`);
  process.exit(1);
});
