// Prisma 7 CLI configuration, used for `prisma generate` only: migrations are applied by
// scripts/lib/migrate.ts (see README, "Database migrations").
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
