import { beforeEach, describe, expect, it } from 'vitest'
import { renderWithIntl } from './intl'
import { DEFAULT_TIME_LOCALE } from '../../src/shared/time'
import type { OutboxItem } from '../../src/shared/ipc'
import { Limits } from '../../src/shared/limits'
import type { ReplyPreview } from '../../src/shared/models'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { MessageRow } from '../../src/renderer/src/components/MessageRow'
import { openConversation, showMessage } from '../../src/renderer/src/actions/navigation'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { buildThread, useMessages, type ThreadEntry } from '../../src/renderer/src/stores/messages'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { currentQuote, quoteOf, useReplies } from '../../src/renderer/src/stores/replies'
import { useSearch } from '../../src/renderer/src/stores/search'
import { useSession } from '../../src/renderer/src/stores/session'
import {
  JANE,
  ME,
  SESSION,
  conversation,
  installFakeTidings,
  message,
  type FakeTidings,
} from './fakeTidings'

// Replies in the renderer: the draft of the composer, the quote a reply shows (the loaded
// original's current state first), the send's reply_to_id, and the quote's jump to the original.

let fake: FakeTidings

beforeEach(async () => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  fake.handlers['conversations/list'] = () => [conversation(10, [JANE]), conversation(20, [JANE])]
  fake.handlers['users/list'] = () => [{ ...JANE, online: true }]
  fake.handlers['outbox/list'] = () => []
  fake.handlers['conversations/focus'] = () => undefined
  fake.handlers['messages/markRead'] = () => undefined
  fake.handlers['messages/history'] = () => ({ messages: [], next_before: null })
  await applySession(SESSION)
})

const original = message(5, 10, JANE, 'Lunch at noon?')
const sentQuote: ReplyPreview = {
  id: 5,
  sender_id: JANE.id,
  sender_name: JANE.display_name,
  text: 'Lunch at noon?',
  deleted: false,
}

describe('the quote of a reply', () => {
  it('is built like the server’s: the external sender’s name, the start of the text', () => {
    const long = { ...original, text: 'x'.repeat(Limits.replyPreviewChars + 20) }
    expect(quoteOf(long).text).toHaveLength(Limits.replyPreviewChars)
    const email = { ...original, external_sender: { handle: 'c@example.test', name: 'Carol' } }
    expect(quoteOf(email).sender_name).toBe('Carol')
    expect(quoteOf({ ...original, text: '', deleted_at: '2026-01-15T16:00:00Z' })).toEqual({
      ...sentQuote,
      text: '',
      deleted: true,
    })
  })

  it('follows the loaded original, and falls back to the quote the server sent', () => {
    const edited = { ...original, text: 'Lunch at one?', edited_at: '2026-01-15T16:00:00Z' }
    expect(currentQuote(5, sentQuote, () => edited)).toEqual({
      ...sentQuote,
      text: 'Lunch at one?',
    })
    expect(currentQuote(5, sentQuote, () => undefined)).toEqual(sentQuote)
    expect(currentQuote(null, null, () => edited)).toBeNull()
  })

  it('shows in the thread rows of stored replies and of replies still in the outbox', () => {
    const reply = { ...message(6, 10, ME, 'Yes!'), reply_to: sentQuote }
    const far = { ...message(7, 10, ME, 'That one'), reply_to: { ...sentQuote, id: 2 } }
    useMessages.getState().upsert(original)
    useMessages.getState().upsert(reply)
    useMessages.getState().upsert(far)
    const pending: OutboxItem = {
      client_id: 'cid-r',
      conversation_id: 10,
      text: 'Me too',
      status: 'pending',
      error: null,
      created_at: '2026-01-15T16:10:00Z',
      reply_to_id: 5,
      attachment_ids: [],
      thread_root_id: null,
      also_to_channel: false,
      message: null,
    }
    useMessages.getState().applyOutbox(pending)
    // The original is deleted later: the rows say so though the replies' copies do not.
    useMessages
      .getState()
      .upsert({ ...original, text: '', deleted_at: '2026-01-15T16:20:00Z' }, false)
    const rows = buildThread(
      useMessages.getState().threads[10],
      useMessages.getState().outbox,
      10,
      ME.id,
    )
    const deletedQuote = { ...sentQuote, text: '', deleted: true }
    expect(rows.map((r) => [r.text, r.reply_to])).toEqual([
      ['', null],
      ['Yes!', deletedQuote],
      // Not loaded: the server's quote.
      ['That one', { ...sentQuote, id: 2 }],
      ['Me too', deletedQuote],
    ])
  })

  it('renders above the text, and says so when the original was deleted', () => {
    const entry: ThreadEntry = {
      key: 'k',
      id: 6,
      sender_id: JANE.id,
      sender_name: JANE.display_name,
      text: 'Yes!',
      created_at: '2026-01-15T16:00:00Z',
      edited_at: null,
      deleted_at: null,
      reply_to: sentQuote,
      own: false,
      status: null,
      error: null,
      client_id: 'c',
      message: { ...message(6, 10, JANE, 'Yes!'), reply_to: sentQuote },
    }
    const render = (e: ThreadEntry) =>
      renderWithIntl(
        <MessageRow
          conversationId={10}
          entry={e}
          zone="UTC"
          clock="24h"
          locale={DEFAULT_TIME_LOCALE}
          receipt={null}
        />,
      )
    const html = render(entry)
    expect(html).toContain('data-testid="reply-quote"')
    expect(html).toContain('Lunch at noon?')
    expect(html.indexOf('reply-quote')).toBeLessThan(html.indexOf('Yes!'))
    expect(html).toContain('data-testid="reply-message"')
    expect(render({ ...entry, reply_to: { ...sentQuote, text: '', deleted: true } })).toContain(
      'Original message deleted',
    )
    expect(render({ ...entry, reply_to: null })).not.toContain('reply-quote')
  })
})

describe('replying', () => {
  it('sends reply_to_id with a reply only', async () => {
    let n = 0
    fake.handlers['messages/send'] = (request) => ({
      ...(request as { conversation_id: number; text: string }),
      client_id: `cid-${++n}`,
      status: 'pending',
      error: null,
      created_at: '2026-01-15T16:00:00Z',
      reply_to_id: (request as { reply_to_id?: number }).reply_to_id ?? null,
      message: null,
    })
    await useMessages.getState().send(10, 'a reply', 5)
    await useMessages.getState().send(10, 'not a reply')
    expect(fake.callsTo('messages/send')).toEqual([
      { conversation_id: 10, text: 'a reply', reply_to_id: 5 },
      { conversation_id: 10, text: 'not a reply' },
    ])
  })

  it('keeps the draft in its conversation only: opening another one cancels it', async () => {
    await openConversation(10)
    useReplies.getState().start(original)
    expect(useReplies.getState().draft).toEqual({ conversationId: 10, quote: sentQuote })
    await openConversation(10)
    expect(useReplies.getState().draft?.conversationId).toBe(10)
    await openConversation(20)
    expect(useReplies.getState().draft).toBeNull()
    useReplies.getState().start(message(8, 20, JANE, 'Hi'))
    resetUserData()
    expect(useReplies.getState().draft).toBeNull()
  })

  it('jumps to the original through the search jump: the thread brings it into view', () => {
    showMessage(10, 5)
    expect(useSearch.getState().target).toEqual({ conversationId: 10, messageId: 5, shown: false })
  })
})
