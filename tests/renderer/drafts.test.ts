import { beforeEach, describe, expect, it } from 'vitest'
import type { Draft } from '../../src/shared/ipc'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { applyEvent } from '../../src/renderer/src/actions/applyEvent'
import { applySession, resetUserData, signOut } from '../../src/renderer/src/actions/userData'
import { setWindowFocused } from '../../src/renderer/src/actions/windowWiring'
import { draftPreview, hasDraft, useDrafts } from '../../src/renderer/src/stores/drafts'
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
})

describe('drafts store', () => {
  it('restores the signed-in user’s drafts from main', () => {
    expect(drafts()).toEqual({ 10: 'see you at', 20: 'Dear all,\n\nAbout' })
  })

  it('keeps each change here and hands it to main at once (main decides when to write)', () => {
    const store = useDrafts.getState()
    store.change(10, 'see you at n')
    store.change(10, 'see you at noon')
    // Unchanged text is not sent again.
    store.change(10, 'see you at noon')
    expect(drafts()[10]).toBe('see you at noon')
    expect(fake.callsTo('drafts/set')).toEqual([
      { conversation_id: 10, text: 'see you at n' },
      { conversation_id: 10, text: 'see you at noon' },
    ])
  })

  it('treats an emptied composer as no draft, and tells main to drop it', () => {
    useDrafts.getState().change(10, '  \n')
    expect(10 in drafts()).toBe(false)
    expect(hasDraft(drafts()[10])).toBe(false)
    expect(fake.callsTo('drafts/set')).toEqual([{ conversation_id: 10, text: '' }])
  })

  it('drops the draft on send without another call (main drops it with the send)', () => {
    useDrafts.getState().drop(10)
    expect(drafts()).toEqual({ 20: 'Dear all,\n\nAbout' })
    expect(fake.callsTo('drafts/set')).toEqual([])
  })

  it('lets text typed while the list loads win over main’s older copy', async () => {
    const loading = useDrafts.getState().load()
    useDrafts.getState().change(10, 'newer')
    useDrafts.getState().change(20, '')
    await loading
    expect(drafts()).toEqual({ 10: 'newer' })
    // The next load is main's word alone again.
    await useDrafts.getState().load()
    expect(drafts()).toEqual({ 10: 'see you at', 20: 'Dear all,\n\nAbout' })
  })

  it('forgets everything on sign-out, and a list answer for the previous user', async () => {
    let answer: (drafts: Draft[]) => void = () => undefined
    fake.handlers['drafts/list'] = () => new Promise<Draft[]>((resolve) => (answer = resolve))
    const late = useDrafts.getState().load()
    fake.handlers['session/logout'] = () => ({ ...SESSION, user: null })
    await signOut()
    expect(drafts()).toEqual({})
    answer(stored)
    await late
    expect(drafts()).toEqual({})
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
