import type { CoreHandlers, CoreParts } from './types'

/** Files: uploads before a send, reads for display, saves through main's dialog. */
export function attachmentHandlers({ sessions }: CoreParts) {
  return {
    'attachments/upload': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.upload(body))
    },
    'attachments/read': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.read(body))
    },
    'attachments/save': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.save(body))
    },
  } satisfies Partial<CoreHandlers>
}
