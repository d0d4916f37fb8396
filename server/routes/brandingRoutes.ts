import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BrandingBody } from '../../src/shared/api'
import type { ServerContext } from '../context'
import { auditOrigin } from '../http/auditOrigin'
import { authenticate, requireAdmin } from '../http/authentication'
import { badRequest, ok } from '../http/httpError'
import { isValidTimezone, zoneName } from '../services/branding'

/** The organization's branding settings; the timezone is what every client formats times in. */
export const brandingRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.get('/branding', async () => ok(ctx.branding.get()))

  app.put(
    '/branding',
    { onRequest: authenticate(ctx), schema: { body: BrandingBody } },
    async (request) => {
      requireAdmin(request)
      const { organization_name } = request.body
      if (!isValidTimezone(request.body.timezone)) {
        throw badRequest(
          `"${request.body.timezone}" is not an IANA timezone (for example "America/New_York").`,
          'invalid_timezone',
        )
      }
      const timezone = zoneName(request.body.timezone)
      const before = ctx.branding.get()
      const changed = timezone !== before.timezone
      const renamed =
        organization_name !== undefined && organization_name !== before.organization_name
      const branding = await ctx.unitOfWork.run(async (tx) => {
        const updated = await ctx.branding.set(
          tx,
          organization_name ? { timezone, organization_name } : { timezone },
        )
        if (changed) {
          tx.events.emit(
            'system_notification',
            {
              kind: 'timezone_changed',
              title: 'Timezone changed',
              body: `Times are now shown in ${timezone}.`,
              level: 'info',
              timezone,
            },
            await ctx.accounts.activeUserIds(tx),
          )
          await ctx.audit.append(tx, {
            kind: 'timezone_changed',
            ...auditOrigin(request),
            details: { from: before.timezone, to: timezone },
          })
        }
        if (renamed) {
          await ctx.audit.append(tx, {
            kind: 'organization_renamed',
            ...auditOrigin(request),
            details: { from: before.organization_name, to: organization_name },
          })
        }
        return updated
      })
      return ok(branding)
    },
  )
}
