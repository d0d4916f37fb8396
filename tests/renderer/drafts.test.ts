import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Draft } from '../../src/shared/ipc'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import {
  applyEvent,
  applySession,
  resetUserData,
  setWindowFocused,
  signOut,
} from '../../src/renderer/src/stores/actions'
import {
  DRAFT_SAVE_DELAY_MS,
  draftPreview,
  hasDraft,
  useDrafts,
} from '../../src/renderer/src/stores/drafts'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { useSession } from '../../src/renderer/src/stores/session'
import {
  JANE,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  type FakeTidings,
} from './fakeTidings'

let fake: FakeTidings
let stored: Draft[]

function drafts(): Record<number, string> {
  return useDrafts.getState().byConversation
}

beforeEach(async () => {
  fake = installFakeTidings()
  stored = [
    { conversation_id: 10, text: 'see you at' },
    { conversation_id: 20, text: 'Dear all,\n\nAbout' },
  ]
  fake.handlers['drafts/list'] = () => stored
  fake.handlers['drafts/set'] = () => undefined
  fake.handlers['conversations/list'] = () => [conversation(10, [JANE]), conversation(20, [JANE])]
  fake.handlers['users/list'] = () => []
  fake.handlers['outbox/list'] = () => []
  fake.handlers['conversations/focus'] = () => undefined
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
  usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
  setWindowFocused(true)
  await applySession(SESSION)
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('drafts store', () => {
  it('restores the signed-in user’s drafts from main', () => {
    expect(drafts()).toEqual({ 10: 'see you at', 20: 'Dear all,\n\nAbout' })
  })

  it('keeps a change at once and saves it to main once typing pauses', () => {
    const store = useDrafts.getState()
    store.change(10, 'see you at n')
    store.change(10, 'see you at no')
    store.change(10, 'see you at noon')
    expect(drafts()[10]).toBe('see you at noon')
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS - 1)
    expect(fake.callsTo('drafts/set')).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fake.callsTo('drafts/set')).toEqual([{ conversation_id: 10, text: 'see you at noon' }])
  })

  it('saves at once on flush (leaving the conversation, closing the window)', () => {
    const store = useDrafts.getState()
    store.change(10, 'one')
    store.change(20, 'two')
    store.flush(10)
    expect(fake.callsTo('drafts/set')).toEqual([{ conversation_id: 10, text: 'one' }])
    store.flush()
    expect(fake.callsTo('drafts/set')).toEqual([
      { conversation_id: 10, text: 'one' },
      { conversation_id: 20, text: 'two' },
    ])
    // Nothing is waiting any more: neither the timers nor another flush save again.
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS * 2)
    store.flush()
    expect(fake.callsTo('drafts/set')).toHaveLength(2)
  })

  it('treats an emptied composer as no draft, and saves the deletion', () => {
    useDrafts.getState().change(10, '  \n')
    expect(10 in drafts()).toBe(false)
    expect(hasDraft(drafts()[10])).toBe(false)
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS)
    expect(fake.callsTo('drafts/set')).toEqual([{ conversation_id: 10, text: '' }])
  })

  it('drops the draft on send without saving the text again', () => {
    const store = useDrafts.getState()
    store.change(10, 'about to send')
    store.sent(10)
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS * 2)
    store.flush()
    expect(10 in drafts()).toBe(false)
    // Main dropped it with messages/send itself; a late save would bring it back.
    expect(fake.callsTo('drafts/set')).toEqual([])
  })

  it('lets text typed while the list loads win over main’s older copy', async () => {
    vi.useRealTimers()
    useDrafts.getState().change(10, 'newer')
    useDrafts.getState().change(20, '')
    await useDrafts.getState().load()
    expect(drafts()).toEqual({ 10: 'newer' })
  })

  it('forgets everything on sign-out, pending saves included', async () => {
    useDrafts.getState().change(10, 'private words')
    fake.handlers['session/logout'] = () => ({ ...SESSION, user: null })
    await signOut()
    expect(drafts()).toEqual({})
    vi.advanceTimersByTime(DRAFT_SAVE_DELAY_MS * 2)
    useDrafts.getState().flush()
    expect(fake.callsTo('drafts/set')).toEqual([])
  })

  it('forgets the draft of a conversation the user was removed from', () => {
    applyEvent(
      event('conversation_updated', {
        conversation: conversation(20, [JANE]),
        removed: true,
        change: 'members_removed',
      }),
    )
    expect(drafts()).toEqual({ 10: 'see you at' })
  })

  it('shows the list a one-line, bounded preview', () => {
    expect(draftPreview('Dear all,\n\n  About   the plan ')).toBe('Dear all, About the plan')
    expect(draftPreview('x'.repeat(10_000))).toHaveLength(120)
  })
})
