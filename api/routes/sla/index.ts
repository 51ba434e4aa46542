import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { calendarRoutes } from './calendars';
import { conversationSlaRoutes } from './conversation';
import { escalationPolicyRoutes } from './escalation-policies';
import { onCallRoutes } from './on-call';
import { policyRoutes } from './policies';

/**
 * SLAs: business calendars, SLA policies, escalation ladders and on-call rotas (sla.read /
 * sla.write), and a conversation's live clocks (conversations.read).
 */
const slaRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(calendarRoutes);
  await app.register(policyRoutes);
  await app.register(escalationPolicyRoutes);
  await app.register(onCallRoutes);
  await app.register(conversationSlaRoutes);
};

export default slaRoutes;
