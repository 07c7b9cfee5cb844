import { defineConfig } from 'drizzle-kit';

// Each module owns its tables in its own schema.ts; migrations are generated SQL, committed.
export default defineConfig({
  dialect: 'postgresql',
  // The payments sandbox is a separate "channel company" with its own tables inside the module.
  schema: ['./src/modules/*/schema.ts', './src/modules/payments/sandbox/schema.ts'],
  out: './drizzle',
});
