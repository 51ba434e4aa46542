import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ApiConfigSchema } from '../../api/config';
import { WorkerConfigSchema } from '../../worker/config';
import { repoRoot } from '../helpers/processes';

// No Docker engine runs here, so the compose file is checked against the app's own configuration.
const ServiceSchema = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  ports: z.array(z.string()).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.string() }))]).optional(),
});
const compose = z
  .object({ services: z.record(z.string(), ServiceSchema) })
  .parse(parse(readFileSync(`${repoRoot}docker-compose.yml`, 'utf8'), { merge: true }));
const service = (name: string) => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no "${name}" service`);
  return s;
};
const dependsOn = (name: string) => {
  const d = service(name).depends_on;
  return Array.isArray(d) ? d : Object.keys(d ?? {});
};

describe('docker-compose.yml', () => {
  it('has the production topology', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker']),
    );
  });

  it('gives the API exactly the settings its config schema reads, and valid ones', () => {
    const env = service('api').environment ?? {};
    const known = Object.keys(ApiConfigSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    const config = ApiConfigSchema.parse(withRequiredFilled(env));
    expect(service('api').ports).toContain(`${config.PORT}:${config.PORT}`);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('gives the worker the settings its config schema reads', () => {
    const env = service('worker').environment ?? {};
    const known = Object.keys(WorkerConfigSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    WorkerConfigSchema.parse(withRequiredFilled(env));
    // Secrets are never baked into the compose file: they must come from the environment.
    expect(String(env.SWITCHBOARD_ENCRYPTION_KEYS)).toMatch(/^\$\{SWITCHBOARD_ENCRYPTION_KEYS:\?/);
  });

  it('points the app at the services that exist, and runs migrations first', () => {
    const env = service('api').environment ?? {};
    const db = new URL(String(env.DATABASE_URL).replace('${POSTGRES_PASSWORD:-switchboard}', 'x'));
    expect(compose.services[db.hostname]).toBeDefined();
    const [temporalHost, temporalPort] = String(env.TEMPORAL_ADDRESS).split(':');
    expect(compose.services[temporalHost ?? '']).toBeDefined();
    expect(service('temporal').ports).toContain(`${temporalPort}:${temporalPort}`);
    expect(dependsOn('api')).toContain('migrate');
    expect(dependsOn('worker')).toContain('migrate');
    expect(service('migrate').command?.join(' ')).toContain('db-migrate');
  });

  it('runs entry points that exist in the repository', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const script = service(name).command?.find((part) => /\.(ts|mjs)$/.test(part));
      expect(script, name).toBeDefined();
      expect(() => readFileSync(`${repoRoot}${script}`)).not.toThrow();
    }
  });
});

/** The environment as compose would pass it, with each required `${NAME:?…}` given a valid value. */
function withRequiredFilled(env: Record<string, unknown>): Record<string, string> {
  const sample = (name: string) =>
    name === 'SWITCHBOARD_ENCRYPTION_KEYS'
      ? Buffer.alloc(32).toString('base64')
      : name === 'SWITCHBOARD_PUBLIC_URL'
        ? 'https://switchboard.example.com'
        : 'x'.repeat(48);
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/^\$\{(\w+):\?.*\}$/, (_m, name: string) => sample(name)),
    ]),
  );
}
