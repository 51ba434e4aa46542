import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { contactActivityRoutes } from './activity';
import { contactCrudRoutes } from './crud';
import { contactFieldRoutes } from './fields';
import { leadStageRoutes } from './lead-stages';
import { contactStateRoutes } from './state';

export { ContactSchema } from '../../contacts/model';
export { ContactInputSchema, ContactPatchSchema } from './crud';

/** Contacts (CRUD, state, notes, timeline, merge), custom field definitions and the lead pipeline. */
export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(contactCrudRoutes);
  await app.register(contactStateRoutes);
  await app.register(contactActivityRoutes);
  await app.register(contactFieldRoutes);
  await app.register(leadStageRoutes);
};
