// The tenant's branding: the name people see, a logo and an accent colour for the console.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../../plugins/auth';
import { errorResponses } from '../../schemas';

/** A data URL logo is stored inline, so it stays small: about 150 KB of image. */
export const LOGO_DATA_URL_MAX = 200_000;
const LOGO_URL_MAX = 2_048;

const isHttpsUrl = (s: string) => {
  try {
    return new URL(s).protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * An https URL, or a base64 data URL of a raster image or SVG. Logos are shown through <img>, where an
 * SVG's scripts never run.
 */
const LogoSchema = z
  .string()
  .trim()
  .refine((s) => s.startsWith('data:') || (s.length <= LOGO_URL_MAX && isHttpsUrl(s)), {
    message: `an https URL of at most ${LOGO_URL_MAX} characters, or a data URL`,
  })
  .refine(
    (s) => !s.startsWith('data:') || /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/.test(s),
    {
      message: 'a data URL must be a base64 PNG, JPEG, GIF, WebP or SVG image',
    },
  )
  .refine((s) => !s.startsWith('data:') || s.length <= LOGO_DATA_URL_MAX, {
    message: `a data URL logo is at most ${LOGO_DATA_URL_MAX} characters (about 150 KB): link a larger one by URL`,
  });

const ColorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a hex colour such as #2563eb');

const BrandingSchema = z
  .object({
    /** The tenant's display name (the tenant's name). */
    name: z.string(),
    logoUrl: z.string().nullable(),
    /** The console's accent colour; the theme's own when null. */
    color: z.string().nullable(),
  })
  .meta({
    id: 'Branding',
    examples: [{ name: 'Acme Dental', logoUrl: 'https://cdn.example.com/acme/logo.png', color: '#0f766e' }],
  });

const BrandingWriteSchema = z
  .object({
    name: z.string().trim().min(1, 'a name cannot be empty').max(100),
    logoUrl: LogoSchema.nullable().default(null),
    color: ColorSchema.nullable().default(null),
  })
  .meta({
    id: 'BrandingWrite',
    examples: [{ name: 'Acme Dental', logoUrl: 'https://cdn.example.com/acme/logo.png', color: '#0f766e' }],
  });

const toBranding = (t: { name: string; logoUrl: string | null; brandColor: string | null }) => ({
  name: t.name,
  logoUrl: t.logoUrl,
  color: t.brandColor,
});

const brandingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/branding',
    {
      // Every member sees the brand; members.read is the permission every built-in role holds.
      config: { permission: 'members.read' },
      schema: {
        tags: ['branding'],
        summary: "The tenant's name, logo and accent colour",
        response: { 200: BrandingSchema, ...errorResponses },
      },
    },
    async (request) => toBranding(await request.tenantDb.tenant.findFirstOrThrow({})),
  );

  app.put(
    '/branding',
    {
      config: { permission: 'settings.write' },
      schema: {
        tags: ['branding'],
        summary: "Replace the tenant's name, logo and accent colour",
        description: `\`logoUrl\` is an https URL or a base64 image data URL of at most ${LOGO_DATA_URL_MAX} characters; \`color\` is "#rrggbb". Null clears either.`,
        body: BrandingWriteSchema,
        response: { 200: BrandingSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = requirePrincipal(request);
      const before = await request.tenantDb.tenant.findFirstOrThrow({});
      const { name, logoUrl, color } = request.body;
      const row = await request.tenantDb.tenant.update({
        where: { id: tenantId },
        data: { name, logoUrl, brandColor: color?.toLowerCase() ?? null },
      });
      await request.audit('branding.updated', {
        targetType: 'tenant',
        targetId: tenantId,
        details: {
          ...(before.name !== name ? { name: { from: before.name, to: name } } : {}),
          ...(before.brandColor !== row.brandColor ? { color: { from: before.brandColor, to: row.brandColor } } : {}),
          // A data URL is too big for the log: say that the logo changed, and how it is given.
          ...(before.logoUrl !== logoUrl
            ? { logo: logoUrl === null ? 'removed' : logoUrl.startsWith('data:') ? 'uploaded' : logoUrl }
            : {}),
        },
      });
      return toBranding(row);
    },
  );
};

export default brandingRoutes;
