/**
 * The permission matrix, as data. Every /v1 route declares the one permission it needs
 * (`config: { permission }`); a principal holds a set of permissions from its role (users) or its
 * scopes (API keys). Nothing else decides access.
 */
export const PERMISSIONS = [
  'flows.read',
  'flows.write',
  'flows.publish',
  'runs.read',
  'runs.write',
  'contacts.read',
  'contacts.write',
  'contacts.delete',
  'contacts.import',
  'contacts.export',
  'segments.read',
  'segments.write',
  'webhooks.read',
  'webhooks.write',
  'members.read',
  'members.write',
  'roles.write',
  'api_keys.read',
  'api_keys.write',
  'audit.read',
  'audit.export',
  'settings.write',
  'channels.read',
  'channels.write',
  'conversations.read',
  'conversations.reply',
  'conversations.assign',
  'calls.read',
  'calls.write',
  'voice_agents.read',
  'voice_agents.write',
  'numbers.read',
  'numbers.write',
  'campaigns.read',
  'campaigns.write',
  'campaigns.launch',
  /** Business calendars, SLA policies, escalation policies and on-call rotas. */
  'sla.read',
  'sla.write',
  /** Acknowledge, reassign and resolve escalations. */
  'escalations.read',
  'escalations.write',
  /** Knowledge sources, search and ask. */
  'knowledge.read',
  'knowledge.write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const all = [...PERMISSIONS];
const read = PERMISSIONS.filter((p) => p.endsWith('.read'));

export const BUILT_IN_ROLES = ['owner', 'admin', 'manager', 'agent', 'analyst', 'developer'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

export const ROLE_PERMISSIONS: Record<BuiltInRole, readonly Permission[]> = {
  owner: all,
  // Admins run the tenant but cannot hand out ownership (enforced on role changes).
  admin: all,
  // Managers run the work, not the tenant: no members, roles, keys, webhooks, settings or audit export.
  manager: all.filter(
    (p) =>
      ![
        'members.write',
        'roles.write',
        'api_keys.read',
        'api_keys.write',
        'webhooks.write',
        'settings.write',
        'audit.export',
        'channels.write',
        'numbers.write',
      ].includes(p),
  ),
  agent: [
    'flows.read',
    'runs.read',
    'runs.write',
    'contacts.read',
    'contacts.write',
    'segments.read',
    'members.read',
    'channels.read',
    'conversations.read',
    'conversations.reply',
    'conversations.assign',
    'calls.read',
    'calls.write',
    'voice_agents.read',
    'numbers.read',
    'campaigns.read',
    'sla.read',
    'escalations.read',
    'escalations.write',
    'knowledge.read',
  ],
  analyst: [...read.filter((p) => p !== 'api_keys.read'), 'contacts.export', 'audit.export'],
  developer: [
    'flows.read',
    'flows.write',
    'runs.read',
    'runs.write',
    'contacts.read',
    'contacts.write',
    'segments.read',
    'webhooks.read',
    'webhooks.write',
    'api_keys.read',
    'api_keys.write',
    'members.read',
    'channels.read',
    'channels.write',
    'conversations.read',
    'conversations.reply',
    'calls.read',
    'calls.write',
    'voice_agents.read',
    'voice_agents.write',
    'numbers.read',
    'campaigns.read',
    'sla.read',
    'escalations.read',
    'knowledge.read',
    'knowledge.write',
  ],
};

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

/** Permissions of a built-in role, or of a custom role's stored list. API key scopes may be "*". */
export function expandPermissions(granted: readonly string[]): Set<Permission> {
  if (granted.includes('*')) return new Set(PERMISSIONS);
  return new Set(granted.filter(isPermission));
}

export function isBuiltInRole(role: string): role is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(role);
}
