#!/usr/bin/env node
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/infra.mjs';
// npm run db:generate — regenerates the Prisma client in generated/prisma.
import { ensurePrismaClient } from './lib/prepare.mjs';

rmSync(join(root, 'generated', 'prisma'), { recursive: true, force: true });
ensurePrismaClient((m) => process.stderr.write(`[db:generate] ${m}\n`));
