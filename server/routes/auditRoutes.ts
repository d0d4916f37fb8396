import { Readable, pipeline } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { stringify } from 'csv-stringify'
import { DateTime } from 'luxon'
import { AuditExportQuery, AuditQuery } from '../../src/shared/api'
import { AUDIT_CSV_COLUMNS, AUDIT_KIND_LABELS } from '../../src/shared/audit'
import type { AuditEntry } from '../../src/shared/models'
import type { ServerContext } from '../context'
import { adminOnly } from '../http/authentication'
import { ok } from '../http/httpError'

/**
 * The audit log, for administrators: read a page at a time, or exported whole as CSV. There is
 * no route that changes or deletes an entry (the retention sweep alone removes old ones).
 */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: ServerContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', adminOnly(ctx))

  app.get('/admin/audit', { schema: { querystring: AuditQuery } }, async (request) => {
    const { before, limit, ...filter } = request.query
    return ok(await ctx.audit.page(filter, before, limit))
  })

  // Streamed: read from the database a chunk at a time and written as it goes, so an export of
  // the whole log holds one chunk in memory, not the log.
  app.get(
    '/admin/audit.csv',
    { schema: { querystring: AuditExportQuery } },
    async (request, reply) => {
      const zone = ctx.branding.timezone
      const csv = stringify({
        header: true,
        columns: [...AUDIT_CSV_COLUMNS],
        // A spreadsheet opens it as UTF-8, and no cell is taken for a formula (=, +, -, @).
        bom: true,
        escape_formulas: true,
      })
      const rows = Readable.from(csvRows(ctx.audit.entries(request.query), zone))
      pipeline(rows, csv, (error) => {
        if (error) request.log.error({ err: error }, 'audit export failed')
      })
      const day = DateTime.now().setZone(zone).toISODate()
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tidings-audit-${day}.csv"`)
        .send(csv)
    },
  )
}

/** One CSV record per entry, its time in UTC and in the organization's zone. */
async function* csvRows(
  entries: AsyncIterable<AuditEntry>,
  zone: string,
): AsyncGenerator<Record<(typeof AUDIT_CSV_COLUMNS)[number], string>> {
  for await (const entry of entries) {
    yield {
      time_utc: entry.at,
      time_local: DateTime.fromISO(entry.at, { zone: 'utc' }).setZone(zone).toISO() ?? entry.at,
      event: AUDIT_KIND_LABELS[entry.kind] ?? entry.kind,
      kind: entry.kind,
      actor_username: entry.actor?.username ?? '',
      actor_name: entry.actor?.display_name ?? '',
      target_username: entry.target?.username ?? '',
      target_name: entry.target?.display_name ?? '',
      address: entry.address ?? '',
      details: Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details) : '',
    }
  }
}
