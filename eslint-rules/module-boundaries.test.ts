import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from './module-boundaries.js';

// RuleTester declares its cases through the test framework's globals; hand it vitest's.
RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });
const root = '/repo';
const at = (file: string) => `${root}/${file}`;

tester.run('module-boundaries', rule, {
  valid: [
    { name: 'another module through its door', filename: at('src/modules/membership/checkout.ts'), code: "import { authorize } from '../platform/index.js';" },
    { name: 'own internals', filename: at('src/modules/membership/checkout.ts'), code: "import { points } from './schema.js'; import { x } from './ledger/lots.js';" },
    { name: 'kernel and db are shared', filename: at('src/modules/membership/checkout.ts'), code: "import { newId } from '../../kernel/ids.js'; import type { Db } from '../../db/client.js';" },
    { name: 'routes may use fastify and the route kit', filename: at('src/modules/membership/routes.ts'), code: "import type { FastifyInstance } from 'fastify'; import { StrictObject } from '../../http/route-kit.js';" },
    { name: '*-routes.ts is a route file', filename: at('src/modules/payments/notify-routes.ts'), code: "import { sendProblem } from '../../http/problem.js'; import fp from 'fastify-plugin';" },
    { name: 'sandbox servers are HTTP code', filename: at('src/modules/payments/channels/sandbox/gateway.ts'), code: "import Fastify from 'fastify';" },
    { name: 'h5 page servers are HTTP code', filename: at('src/modules/membership/h5/card.ts'), code: "import type { FastifyReply } from 'fastify';" },
    { name: 'tests may boot the app', filename: at('src/modules/payments/notify.test.ts'), code: "import { buildApp } from '../../http/app.js';" },
    { name: 'tests in a module test folder', filename: at('src/modules/payments/test/flow.ts'), code: "import { buildApp } from '../../../http/app.js';" },
    { name: 'domain file may import route-kit types', filename: at('src/modules/platform/index.ts'), code: "import type { ModuleDeps } from '../../http/route-kit.js';" },
    { name: 'files outside src/modules are not checked', filename: at('src/seed.ts'), code: "import { merchants } from './modules/platform/schema.js';" },
    { name: 'dynamic import through the door', filename: at('src/modules/identity/resolve.ts'), code: "const m = await import('../membership/index.js');" },
    { name: 'dynamic import with a computed specifier is not judged', filename: at('src/modules/identity/resolve.ts'), code: 'const m = await import(name);' },
    { name: 'a package that merely starts with fastify', filename: at('src/modules/identity/resolve.ts'), code: "import x from 'fastify-like';" },
  ],
  invalid: [
    {
      name: 'static import of another module internals',
      filename: at('src/modules/membership/checkout.ts'),
      code: "import { users } from '../platform/schema.js';",
      errors: [{ messageId: 'internals', data: { specifier: '../platform/schema.js', target: 'src/modules/platform', file: 'src/modules/platform/schema.ts' } }],
    },
    {
      name: 'type-only import of internals still couples the modules',
      filename: at('src/modules/membership/routes.ts'),
      code: "import type { Store } from '../platform/tenancy.js';",
      errors: [{ messageId: 'internals' }],
    },
    {
      name: 'export-from of internals',
      filename: at('src/modules/membership/index.ts'),
      code: "export { hashPassword } from '../platform/secrets.js'; export * from '../platform/roles.js';",
      errors: [{ messageId: 'internals' }, { messageId: 'internals' }],
    },
    {
      name: 'dynamic import of internals, string and template literal',
      filename: at('src/modules/identity/nested/deep/resolve.ts'),
      code: "await import('../../../payments/channels/adapter.js'); await import(`../../../payments/orders.js`);",
      errors: [{ messageId: 'internals' }, { messageId: 'internals' }],
    },
    {
      name: 'typeof import() of internals',
      filename: at('src/modules/identity/resolve.ts'),
      code: "type T = typeof import('../platform/staff.js');",
      errors: [{ messageId: 'internals' }],
    },
    {
      name: 'a nested index.ts is not the door',
      filename: at('src/modules/identity/resolve.ts'),
      code: "import { x } from '../payments/channels/index.js';",
      errors: [{ messageId: 'internals' }],
    },
    {
      name: 'domain file imports fastify',
      filename: at('src/modules/membership/points-ledger.ts'),
      code: "import type { FastifyRequest } from 'fastify'; import cookie from '@fastify/cookie';",
      errors: [{ messageId: 'fastify' }, { messageId: 'fastify' }],
    },
    {
      name: 'domain file imports src/http',
      filename: at('src/modules/membership/points-ledger.ts'),
      code: "import { accessOf } from '../../http/route-kit.js'; import type { App } from '../../http/app.js';",
      errors: [{ messageId: 'http' }, { messageId: 'http' }],
    },
    {
      name: 'inline type specifiers still load the module under verbatimModuleSyntax',
      filename: at('src/modules/membership/points-ledger.ts'),
      code: "import { type ModuleDeps } from '../../http/route-kit.js';",
      errors: [{ messageId: 'http' }],
    },
  ],
});
