import { useMemo } from 'react';
import { z } from 'zod';
import { BusinessCalendarSchema } from '../../../../flow/business-calendar';
import { EscalationPolicySchema } from '../../../../flow/escalation';
import { SlaPolicySchema } from '../../../../flow/sla';
import type { Request } from '../../api-client';
import { type Member, MemberSchema } from '../schemas';
import { useSession } from '../session';

// The settings APIs as the browser reads them (api/routes/{channels,members,api-keys,sla,webhooks,
// audit,auth,onboarding,branding}): dates are ISO strings; write bodies are the API's own schemas.

const id = encodeURIComponent;
const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const Nothing = z.null();

export const ChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  provider: z.string(),
  config: z.record(z.string(), z.unknown()),
  hasCredentials: z.boolean(),
  status: z.enum(['unverified', 'connected', 'error', 'disabled']),
  statusDetail: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  webhooks: z.record(z.string(), z.string()),
  createdAt: z.string(),
});
export type Channel = z.infer<typeof ChannelSchema>;
export interface ChannelWrite {
  name: string;
  kind: string;
  provider: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

export const InvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Invitation = z.infer<typeof InvitationSchema>;

export const RoleSchema = z.object({
  id: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  permissions: z.array(z.string()),
});
export type Role = z.infer<typeof RoleSchema>;
const RolesSchema = z.object({ items: z.array(RoleSchema), permissions: z.array(z.string()) });
export type Roles = z.infer<typeof RolesSchema>;

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
const NewApiKeySchema = ApiKeySchema.extend({ token: z.string() });

const Stamps = { id: z.string(), createdAt: z.string(), updatedAt: z.string() };
export const SlaPolicyOutSchema = z.object({ ...SlaPolicySchema.shape, ...Stamps });
export type SlaPolicyOut = z.infer<typeof SlaPolicyOutSchema>;
export type SlaPolicyWrite = z.input<typeof SlaPolicySchema>;

export const CalendarOutSchema = z.object({
  ...Stamps,
  name: z.string(),
  team: z.string().nullable(),
  definition: BusinessCalendarSchema,
});
export type CalendarOut = z.infer<typeof CalendarOutSchema>;
export interface CalendarWrite {
  name: string;
  team: string | null;
  definition: z.input<typeof BusinessCalendarSchema>;
}
const CalendarPreviewSchema = z.object({
  businessMinutes: z.number(),
  openAtFrom: z.boolean(),
  timeZone: z.string(),
  intervals: z.array(z.object({ from: z.string(), to: z.string(), minutes: z.number() })),
});
export type CalendarPreview = z.infer<typeof CalendarPreviewSchema>;

export const LadderOutSchema = z.object({ ...EscalationPolicySchema.shape, ...Stamps });
export type LadderOut = z.infer<typeof LadderOutSchema>;
export type LadderWrite = z.input<typeof EscalationPolicySchema>;

export const WebhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
});
export type Webhook = z.infer<typeof WebhookSchema>;
const NewWebhookSchema = WebhookSchema.extend({ secret: z.string() });

export const DeliverySchema = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.string(),
  attempts: z.number(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.unknown(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export interface AuditFilter {
  action?: string;
  actorId?: string;
}

export const ChecklistSchema = z.object({
  steps: z.array(
    z.object({
      step: z.string(),
      label: z.string(),
      status: z.enum(['pending', 'done', 'skipped']),
      at: z.string().nullable(),
    }),
  ),
  done: z.number(),
  total: z.number(),
  complete: z.boolean(),
  dismissed: z.boolean(),
});
export type Checklist = z.infer<typeof ChecklistSchema>;

export const BrandingSchema = z.object({
  name: z.string(),
  logoUrl: z.string().nullable(),
  color: z.string().nullable(),
});
export type Branding = z.infer<typeof BrandingSchema>;

const TokensSchema = z.object({
  accessToken: z.string(),
  user: z.object({ id: z.string(), email: z.string(), name: z.string(), twoFactor: z.boolean() }),
});
export type Tokens = z.infer<typeof TokensSchema>;
const TotpSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() });
export type TotpSetup = z.infer<typeof TotpSetupSchema>;

const query = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
};

export function createSettingsApi(request: Request) {
  return {
    channels: () => request('GET', '/v1/channels', Items(ChannelSchema)),
    createChannel: (body: ChannelWrite) => request('POST', '/v1/channels', ChannelSchema, body),
    testChannel: (channelId: string) => request('POST', `/v1/channels/${id(channelId)}/test`, ChannelSchema),
    setChannelEnabled: (channelId: string, enabled: boolean) =>
      request('PATCH', `/v1/channels/${id(channelId)}`, ChannelSchema, { enabled }),
    deleteChannel: (channelId: string) => request('DELETE', `/v1/channels/${id(channelId)}`, Nothing),

    members: () => request('GET', '/v1/members', Items(MemberSchema)),
    setMemberRole: (memberId: string, role: string) =>
      request('PATCH', `/v1/members/${id(memberId)}`, MemberSchema, { role }),
    removeMember: (memberId: string) => request('DELETE', `/v1/members/${id(memberId)}`, Nothing),
    invitations: () => request('GET', '/v1/invitations', Items(InvitationSchema)),
    invite: (email: string, role: string) => request('POST', '/v1/invitations', InvitationSchema, { email, role }),
    revokeInvitation: (invitationId: string) => request('DELETE', `/v1/invitations/${id(invitationId)}`, Nothing),
    roles: () => request('GET', '/v1/roles', RolesSchema),
    createRole: (name: string, permissions: string[]) =>
      request('POST', '/v1/roles', RoleSchema, { name, permissions }),
    /** `roleId` is the listed id (`custom:<uuid>`); the route takes the uuid. */
    deleteRole: (roleId: string) => request('DELETE', `/v1/roles/${id(roleId.replace(/^custom:/, ''))}`, Nothing),

    apiKeys: () => request('GET', '/v1/api-keys', Items(ApiKeySchema)),
    createApiKey: (body: { name: string; scopes: string[]; expiresAt?: string }) =>
      request('POST', '/v1/api-keys', NewApiKeySchema, body),
    revokeApiKey: (keyId: string) => request('DELETE', `/v1/api-keys/${id(keyId)}`, Nothing),

    slaPolicies: () => request('GET', '/v1/sla-policies', Items(SlaPolicyOutSchema)),
    saveSlaPolicy: (policyId: string | null, body: SlaPolicyWrite) =>
      policyId
        ? request('PUT', `/v1/sla-policies/${id(policyId)}`, SlaPolicyOutSchema, body)
        : request('POST', '/v1/sla-policies', SlaPolicyOutSchema, body),
    deleteSlaPolicy: (policyId: string) => request('DELETE', `/v1/sla-policies/${id(policyId)}`, Nothing),

    calendars: () => request('GET', '/v1/business-calendars', Items(CalendarOutSchema)),
    saveCalendar: (calendarId: string | null, body: CalendarWrite) =>
      calendarId
        ? request('PUT', `/v1/business-calendars/${id(calendarId)}`, CalendarOutSchema, body)
        : request('POST', '/v1/business-calendars', CalendarOutSchema, body),
    deleteCalendar: (calendarId: string) => request('DELETE', `/v1/business-calendars/${id(calendarId)}`, Nothing),
    previewCalendar: (calendarId: string) =>
      request('GET', `/v1/business-calendars/${id(calendarId)}/preview`, CalendarPreviewSchema),

    ladders: () => request('GET', '/v1/escalation-policies', Items(LadderOutSchema)),
    saveLadder: (ladderId: string | null, body: LadderWrite) =>
      ladderId
        ? request('PUT', `/v1/escalation-policies/${id(ladderId)}`, LadderOutSchema, body)
        : request('POST', '/v1/escalation-policies', LadderOutSchema, body),
    deleteLadder: (ladderId: string) => request('DELETE', `/v1/escalation-policies/${id(ladderId)}`, Nothing),

    webhooks: () => request('GET', '/v1/webhooks?limit=200', Page(WebhookSchema)),
    createWebhook: (url: string, events: string[]) =>
      request('POST', '/v1/webhooks', NewWebhookSchema, { url, events }),
    setWebhookActive: (webhookId: string, active: boolean) =>
      request('PATCH', `/v1/webhooks/${id(webhookId)}`, WebhookSchema, { active }),
    deleteWebhook: (webhookId: string) => request('DELETE', `/v1/webhooks/${id(webhookId)}`, Nothing),
    testWebhook: (webhookId: string) => request('POST', `/v1/webhooks/${id(webhookId)}/test`, DeliverySchema),
    deliveries: (webhookId: string) =>
      request('GET', `/v1/webhooks/${id(webhookId)}/deliveries?limit=50`, Page(DeliverySchema)),
    redeliver: (deliveryId: string) =>
      request('POST', `/v1/webhook-deliveries/${id(deliveryId)}/replay`, DeliverySchema),

    audit: (filter: AuditFilter, cursor: string | undefined, limit = 25) =>
      request('GET', `/v1/audit${query({ ...filter, cursor, limit: String(limit) })}`, Page(AuditEntrySchema)),

    onboarding: () => request('GET', '/v1/onboarding', ChecklistSchema),
    skipStep: (step: string) => request('POST', `/v1/onboarding/steps/${id(step)}/skip`, ChecklistSchema),

    branding: () => request('GET', '/v1/branding', BrandingSchema),
    saveBranding: (body: Branding) => request('PUT', '/v1/branding', BrandingSchema, body),

    /** Two-factor is per person: these take a user's own access token, never the console's API key. */
    login: (email: string, password: string, totpCode?: string) =>
      request('POST', '/v1/auth/login', TokensSchema, { email, password, ...(totpCode ? { totpCode } : {}) }),
  };
}
export type SettingsApi = ReturnType<typeof createSettingsApi>;

/** Two-factor calls made with a signed-in user's access token. */
export function createTwoFactorApi(request: Request) {
  return {
    setup: () => request('POST', '/v1/auth/2fa/setup', TotpSetupSchema),
    enable: (code: string) =>
      request('POST', '/v1/auth/2fa/enable', z.object({ backupCodes: z.array(z.string()) }), { code }),
    disable: (password: string, code: string) => request('POST', '/v1/auth/2fa/disable', Nothing, { password, code }),
  };
}

export function useSettingsApi(): SettingsApi {
  const { request } = useSession();
  return useMemo(() => createSettingsApi(request), [request]);
}

export { type Member, MemberSchema };
