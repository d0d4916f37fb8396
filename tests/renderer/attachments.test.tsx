import { beforeEach, describe, expect, it } from 'vitest'
import { EN, renderWithIntl } from './intl'
import { DEFAULT_TIME_LOCALE } from '../../src/shared/time'
import type { Attachment } from '../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { MessageRow } from '../../src/renderer/src/components/MessageRow'
import { resetUserData } from '../../src/renderer/src/actions/userData'
import { buildThread, useMessages } from '../../src/renderer/src/stores/messages'
import {
  attachmentsPreview,
  humanSize,
  usePendingAttachments,
} from '../../src/renderer/src/stores/pendingAttachments'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { useSession } from '../../src/renderer/src/stores/session'
import { JANE, ME, installFakeTidings, message, type FakeTidings } from './fakeTidings'

// Attachments in the renderer: the composer's pending files (uploaded as they are added, the
// errors they show), the send's attachment_ids, and how a message shows its files.

let fake: FakeTidings

const PNG: Attachment = { id: 5, name: 'cat.png', mime: 'image/png', size: 2048 }
const PDF: Attachment = { id: 6, name: 'plan.pdf', mime: 'application/pdf', size: 3_500_000 }

beforeEach(() => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
})

/** Resolves once no file of the conversation is uploading. */
async function settled(conversationId: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const files = usePendingAttachments.getState().byConversation[conversationId] ?? []
    if (files.every((f) => f.status !== 'uploading')) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('uploads did not settle')
}

describe('pending attachments', () => {
  it('uploads each file as it is added, with its bytes and type', async () => {
    fake.handlers['attachments/upload'] = (request) => {
      const { name, mime, data } = request as { name: string; mime: string; data: Uint8Array }
      return { id: name === 'cat.png' ? 5 : 6, name, mime, size: data.byteLength }
    }
    usePendingAttachments
      .getState()
      .add(10, [
        new File([new Uint8Array([1, 2, 3])], 'cat.png', { type: 'image/png' }),
        new File(['%PDF'], 'plan.pdf', { type: 'application/pdf' }),
      ])
    expect(usePendingAttachments.getState().byConversation[10]?.map((f) => f.status)).toEqual([
      'uploading',
      'uploading',
    ])
    await settled(10)
    const files = usePendingAttachments.getState().byConversation[10]!
    expect(files.map((f) => [f.status, f.attachment?.id])).toEqual([
      ['ready', 5],
      ['ready', 6],
    ])
    const [first] = fake.callsTo('attachments/upload') as { data: Uint8Array; mime: string }[]
    expect([...first!.data]).toEqual([1, 2, 3])
    expect(first!.mime).toBe('image/png')
  })

  it('says which file is too large and what the limit is; says when a connection is needed', async () => {
    fake.handlers['attachments/upload'] = (request) => {
      const { name } = request as { name: string }
      throw Object.assign(
        new Error(
          name === 'big.iso'
            ? 'The file is larger than the limit of 25 MiB (26214400 bytes).'
            : 'Attachments need a connection.',
        ),
        { code: name === 'big.iso' ? 'payload_too_large' : 'offline' },
      )
    }
    usePendingAttachments
      .getState()
      .add(10, [new File(['x'], 'big.iso'), new File(['y'], 'note.txt')])
    await settled(10)
    expect(usePendingAttachments.getState().byConversation[10]?.map((f) => f.error)).toEqual([
      'big.iso is too large. The file is larger than the limit of 25 MiB (26214400 bytes).',
      'Attachments need a connection.',
    ])
  })

  it('takes at most ten files per message', async () => {
    fake.handlers['attachments/upload'] = () => PNG
    const files = Array.from({ length: 11 }, (_, i) => new File(['x'], `f${i}.txt`))
    usePendingAttachments.getState().add(10, files)
    await settled(10)
    const pending = usePendingAttachments.getState().byConversation[10]!
    expect(pending.filter((f) => f.status === 'ready')).toHaveLength(10)
    expect(pending.at(-1)?.error).toBe('At most 10 files per message.')
    expect(fake.callsTo('attachments/upload')).toHaveLength(10)
  })

  it('sends the ids of uploaded files, with or without text', async () => {
    fake.handlers['messages/send'] = (request) => ({
      ...(request as object),
      client_id: 'cid-1',
      status: 'pending',
      error: null,
      created_at: '2026-01-15T16:00:00Z',
      reply_to_id: null,
      attachment_ids: [5],
      message: null,
    })
    await useMessages.getState().send(10, '', undefined, [5])
    await useMessages.getState().send(10, 'just text')
    expect(fake.callsTo('messages/send')).toEqual([
      { conversation_id: 10, text: '', attachment_ids: [5] },
      { conversation_id: 10, text: 'just text' },
    ])
  })
})

describe('a message with files', () => {
  function rowHtml(attachments: Attachment[] | undefined, text: string): string {
    const stored = { ...message(1, 10, JANE, text), ...(attachments ? { attachments } : {}) }
    useMessages.getState().upsert(stored)
    const { threads, outbox } = useMessages.getState()
    const entry = buildThread(threads[10], outbox, 10, ME.id).find((e) => e.id === 1)!
    return renderWithIntl(
      <MessageRow
        conversationId={10}
        entry={entry}
        zone="UTC"
        clock="24h"
        locale={DEFAULT_TIME_LOCALE}
        receipt={null}
      />,
    )
  }

  it('shows an image as a thumbnail to save and another file as a card with its size', () => {
    const html = rowHtml([PNG, PDF], '')
    expect(html).toContain('aria-label="Attachments"')
    expect(html).toContain('aria-label="Save cat.png (2.0 KB)"')
    expect(html).toContain('data-testid="attachment-card"')
    expect(html).toContain('plan.pdf')
    expect(html).toContain('3.3 MB')
    expect(html).toContain('aria-label="Save plan.pdf"')
    // Files alone: no empty text paragraph.
    expect(html).not.toContain('message__text')
  })

  it('shows nothing of files for a text message', () => {
    const html = rowHtml(undefined, 'Hello')
    expect(html).not.toContain('Attachments')
    expect(html).toContain('Hello')
  })
})

describe('sizes and previews', () => {
  it('reads as people read them', () => {
    expect(humanSize(512, EN)).toBe('512 B')
    expect(humanSize(2048, EN)).toBe('2.0 KB')
    expect(humanSize(25 * 1024 * 1024, EN)).toBe('25 MB')
    expect(attachmentsPreview([PNG], EN)).toBe('Photo')
    expect(attachmentsPreview([PNG, PNG], EN)).toBe('2 photos')
    expect(attachmentsPreview([PDF], EN)).toBe('📎 plan.pdf')
    expect(attachmentsPreview([PNG, PDF], EN)).toBe('📎 2 files')
  })
})
