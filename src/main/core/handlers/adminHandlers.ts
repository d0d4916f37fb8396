import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { dayKey } from '../../../shared/time'
import { streamWhole } from '../wholeFile'
import type { CoreHandlers, CoreParts } from './types'

/**
 * What an administrator does from the settings window: people and roles, password resets,
 * invites and the audit log. The server decides who may (403 for anyone but an administrator).
 */
export function adminHandlers({ sessions, rest, branding, chooseSavePath }: CoreParts) {
  return {
    'admin/listUsers': () => sessions.authed(() => rest.adminUsers()),
    'admin/setRole': (body) => sessions.authed(() => rest.setRole(body.user_id, body.role)),
    'admin/deactivateUser': (body) => sessions.authed(() => rest.deactivateUser(body.user_id)),
    'admin/reactivateUser': (body) => sessions.authed(() => rest.reactivateUser(body.user_id)),
    'admin/signOutUser': (body) => sessions.authed(() => rest.signOutUser(body.user_id)),
    'admin/resetPassword': (body) => sessions.authed(() => rest.issuePasswordReset(body.user_id)),
    'admin/createInvite': (body) => sessions.authed(() => rest.createInvite(body)),
    'admin/listInvites': () => sessions.authed(() => rest.invites()),
    'admin/revokeInvite': (body) => sessions.authed(() => rest.revokeInvite(body.invite_id)),
    'admin/listAudit': (query) => sessions.authed(() => rest.audit(query)),
    // The file may be large: it goes from the response to the disk a chunk at a time, written
    // whole under a hidden name and renamed into place.
    'admin/exportAudit': (query) =>
      sessions.authed(async () => {
        const day = dayKey(Date.now(), branding.timezone)
        const target = await chooseSavePath(`tidings-audit-${day}.csv`)
        if (target === null) return { saved: false }
        const response = await rest.auditCsv(query)
        const body = response.body as WebReadableStream<Uint8Array> | null
        await streamWhole(target, body ? Readable.fromWeb(body) : Readable.from([]))
        return { saved: true }
      }),
  } satisfies Partial<CoreHandlers>
}
