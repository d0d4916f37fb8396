import type { CoreHandlers, CoreParts } from './types'

/**
 * Files: uploads before a send, reads for display, saves through main's dialog; link previews'
 * images (read the same way) and their removal.
 */
export function attachmentHandlers({ sessions, rest }: CoreParts) {
  return {
    'attachments/upload': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.upload(body))
    },
    'attachments/read': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.read(body))
    },
    'previews/image': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.linkPreviewImage(body))
    },
    'previews/remove': (body) => sessions.authed(() => rest.removeLinkPreview(body.message_id)),
    'attachments/save': (body) => {
      const { attachments } = sessions.require()
      return sessions.authed(() => attachments.save(body))
    },
  } satisfies Partial<CoreHandlers>
}
