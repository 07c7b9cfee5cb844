import { defineConfig } from 'drizzle-kit';

// Each module owns its tables in its own schema.ts; migrations are generated SQL, committed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/modules/*/schema.ts',
  out: './drizzle',
});
