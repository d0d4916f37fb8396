import { create } from 'zustand'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Translator } from '../../../shared/i18n/translator'
import { Limits } from '../../../shared/limits'
import type { Attachment } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'
import { translate } from './locale'

const messages = defineMessages({
  tooMany: {
    id: 'attachments.error.tooMany',
    defaultMessage: 'At most {max} files per message.',
  },
  tooLarge: {
    id: 'attachments.error.tooLarge',
    defaultMessage: '{name} is too large. {reason}',
    description: 'reason: the server’s words, e.g. "The file is larger than the limit of 25 MB."',
  },
  unnamed: {
    id: 'attachments.unnamed',
    defaultMessage: 'file',
    description: 'The name of a file that came without one (a pasted image)',
  },
  bytes: { id: 'fileSize.bytes', defaultMessage: '{size} B' },
  kilobytes: { id: 'fileSize.kilobytes', defaultMessage: '{size} KB' },
  megabytes: { id: 'fileSize.megabytes', defaultMessage: '{size} MB' },
  gigabytes: { id: 'fileSize.gigabytes', defaultMessage: '{size} GB' },
  photos: {
    id: 'attachments.preview.photos',
    defaultMessage: '{count, plural, one {Photo} other {# photos}}',
    description: 'The conversation list’s preview of a message that is only images',
  },
  files: {
    id: 'attachments.preview.files',
    defaultMessage: '{count, plural, one {# file} other {# files}}',
  },
})

/** A file added to a composer: uploading as soon as it is added, then ready to be sent. */
export interface PendingAttachment {
  key: string
  name: string
  size: number
  status: 'uploading' | 'ready' | 'failed'
  attachment: Attachment | null
  error: string | null
}

interface PendingAttachmentsStore {
  byConversation: Record<number, PendingAttachment[]>
  /** Adds files to a conversation's composer and uploads each at once. */
  add(conversationId: number, files: readonly File[]): void
  remove(conversationId: number, key: string): void
  /** After a send: the composer starts empty. */
  clear(conversationId: number): void
  /** Sign-out: nothing of the previous user's composers stays. */
  reset(): void
}

let nextKey = 0

export const usePendingAttachments = create<PendingAttachmentsStore>()((set, get) => {
  const patch = (conversationId: number, key: string, change: Partial<PendingAttachment>) =>
    set((s) => ({
      byConversation: {
        ...s.byConversation,
        [conversationId]: (s.byConversation[conversationId] ?? []).map((p) =>
          p.key === key ? { ...p, ...change } : p,
        ),
      },
    }))

  async function upload(conversationId: number, key: string, file: File): Promise<void> {
    try {
      const data = new Uint8Array(await file.arrayBuffer())
      const attachment = await ipc()['attachments/upload']({
        conversation_id: conversationId,
        name: file.name || translate(messages.unnamed),
        mime: file.type,
        data,
      })
      patch(conversationId, key, { status: 'ready', attachment })
    } catch (error) {
      patch(conversationId, key, { status: 'failed', error: uploadError(file.name, error) })
    }
  }

  return {
    byConversation: {},
    add: (conversationId, files) => {
      const current = get().byConversation[conversationId] ?? []
      const room = Limits.maxAttachmentsPerMessage - current.length
      const added = files.map((file, i): PendingAttachment => ({
        key: `a${(nextKey += 1)}`,
        name: file.name || translate(messages.unnamed),
        size: file.size,
        status: i < room ? 'uploading' : 'failed',
        attachment: null,
        error:
          i < room ? null : translate(messages.tooMany, { max: Limits.maxAttachmentsPerMessage }),
      }))
      set((s) => ({
        byConversation: { ...s.byConversation, [conversationId]: [...current, ...added] },
      }))
      added.forEach((pending, i) => {
        if (pending.status === 'uploading') void upload(conversationId, pending.key, files[i]!)
      })
    },
    remove: (conversationId, key) =>
      set((s) => ({
        byConversation: {
          ...s.byConversation,
          [conversationId]: (s.byConversation[conversationId] ?? []).filter((p) => p.key !== key),
        },
      })),
    reset: () => set({ byConversation: {} }),
    clear: (conversationId) =>
      set((s) => {
        const byConversation = { ...s.byConversation }
        delete byConversation[conversationId]
        return { byConversation }
      }),
  }
})

/** What a failed upload shows next to its file. */
function uploadError(name: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'payload_too_large') {
    return translate(messages.tooLarge, { name, reason: errorMessage(error) })
  }
  return errorMessage(error)
}

/**
 * "12 KB", "3.4 MB" ("3,4 MB" in German): sizes as people read them (1 KB = 1024 bytes, as file
 * managers show).
 */
export function humanSize(bytes: number, { t, intl }: Translator): string {
  if (bytes < 1024) return t(messages.bytes, { size: intl.formatNumber(bytes) })
  const units = [messages.kilobytes, messages.megabytes, messages.gigabytes]
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const digits = value < 10 ? 1 : 0
  const size = intl.formatNumber(value, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
  return t(units[unit]!, { size })
}

/** Raster images the thread shows inline (the server serves only these as images). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
])

/** The sign of a file in a preview, in every language. */
const FILE_SIGN = '📎'

/** What a conversation list shows for a message that is only files. */
export function attachmentsPreview(attachments: readonly Attachment[], { t }: Translator): string {
  const first = attachments[0]
  if (!first) return ''
  const count = attachments.length
  if (attachments.every((a) => INLINE_IMAGE_TYPES.has(a.mime))) return t(messages.photos, { count })
  return `${FILE_SIGN} ${count === 1 ? first.name : t(messages.files, { count })}`
}
