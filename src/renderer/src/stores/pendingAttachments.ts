import { create } from 'zustand'
import { Limits } from '../../../shared/limits'
import type { Attachment } from '../../../shared/models'
import { ipc, errorMessage } from '../ipcClient'

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
        name: file.name || 'file',
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
        name: file.name || 'file',
        size: file.size,
        status: i < room ? 'uploading' : 'failed',
        attachment: null,
        error: i < room ? null : `At most ${Limits.maxAttachmentsPerMessage} files per message.`,
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
  if (code === 'payload_too_large') return `${name} is too large. ${errorMessage(error)}`
  return errorMessage(error)
}

/** "12 KB", "3.4 MB": sizes as people read them (1 KB = 1024 bytes, as file managers show). */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

/** Raster images the thread shows inline (the server serves only these as images). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
])

/** What a conversation list shows for a message that is only files. */
export function attachmentsPreview(attachments: readonly Attachment[]): string {
  const first = attachments[0]
  if (!first) return ''
  if (attachments.every((a) => INLINE_IMAGE_TYPES.has(a.mime))) {
    return attachments.length === 1 ? 'Photo' : `${attachments.length} photos`
  }
  return attachments.length === 1 ? `📎 ${first.name}` : `📎 ${attachments.length} files`
}
