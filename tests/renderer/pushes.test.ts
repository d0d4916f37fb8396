import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EN } from './intl'
import type { ConnectionState } from '../../src/shared/ipc'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { resetUserData } from '../../src/renderer/src/actions/userData'
import { initMainWindow } from '../../src/renderer/src/actions/windowWiring'
import { notifyTyping } from '../../src/renderer/src/stores/typing'
import { useBranding } from '../../src/renderer/src/stores/branding'
import { useConnection } from '../../src/renderer/src/stores/connection'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { useMessages } from '../../src/renderer/src/stores/messages'
import { usePreferences } from '../../src/renderer/src/stores/preferences'
import { useSession } from '../../src/renderer/src/stores/session'
import { MAX_TOASTS, TOAST_DURATION_MS, useToasts } from '../../src/renderer/src/stores/toasts'
import { TYPING_EXPIRY_MS, typingText, useTyping } from '../../src/renderer/src/stores/typing'
import {
  JANE,
  ME,
  SESSION,
  conversation,
  event,
  installFakeTidings,
  message,
  until,
  type FakeTidings,
} from './fakeTidings'

let fake: FakeTidings

beforeEach(() => {
  fake = installFakeTidings()
  useSession.setState({ session: null, busy: false, error: null })
  resetUserData()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('main window wiring', () => {
  it('loads on start and applies every push', async () => {
    let conversations = [conversation(10, [JANE])]
    Object.assign(fake.handlers, {
      'session/get': () => SESSION,
      'connection/get': (): ConnectionState => ({
        status: 'connected',
        next_attempt_at: null,
        attempt: 0,
        last_error: null,
      }),
      'branding/get': () => ({ timezone: 'Europe/London', organization_name: 'Acme' }),
      'settings/get': () => DEFAULT_PREFERENCES,
      'conversations/list': () => conversations,
      'users/list': () => [{ ...JANE, online: true }],
      'outbox/list': () => [],
      'conversations/focus': () => undefined,
      'messages/history': () => ({ messages: [], next_before: null }),
      'messages/markRead': () => undefined,
    })
    const stop = initMainWindow()
    await until(() => useConversations.getState().loaded)
    expect(useSession.getState().session?.user?.id).toBe(ME.id)
    await until(() => useBranding.getState().branding.timezone === 'Europe/London')
    expect(useConnection.getState().state.status).toBe('connected')

    fake.push('connection/state', {
      status: 'reconnecting',
      next_attempt_at: '2026-01-15T15:30:05Z',
      attempt: 2,
      last_error: 'closed',
    })
    expect(useConnection.getState().state.status).toBe('reconnecting')
    fake.push('settings/changed', { ...DEFAULT_PREFERENCES, clock: '24h' })
    expect(usePreferences.getState().prefs.clock).toBe('24h')
    fake.push('branding/changed', { timezone: 'Asia/Tokyo', organization_name: 'Acme' })
    expect(useBranding.getState().branding.timezone).toBe('Asia/Tokyo')

    fake.emit(
      event('message_received', {
        conversation_id: 10,
        conversation_title: null,
        sender_name: 'Jane',
        message: message(1, 10, JANE, 'pushed'),
      }),
    )
    expect(useConversations.getState().byId[10]?.unread_count).toBe(1)

    fake.push('outbox/changed', {
      client_id: 'x1',
      conversation_id: 10,
      text: 'mine',
      status: 'sent',
      error: null,
      created_at: '2026-01-15T15:31:00Z',
      message: message(2, 10, ME, 'mine', '2026-01-15T15:31:00Z', 'x1'),
    })
    expect(useMessages.getState().threads[10]?.messages.map((m) => m.id)).toEqual([1, 2])
    expect(useConversations.getState().byId[10]?.last_message?.id).toBe(2)

    fake.push('navigation/openConversation', { conversation_id: 10 })
    expect(useConversations.getState().activeId).toBe(10)
    await until(() => fake.callsTo('conversations/focus').length === 1)

    conversations = [conversation(10, [JANE]), conversation(11, [JANE])]
    fake.push('events/resync', { reason: 'retention' })
    await until(() => useConversations.getState().order.length === 2)

    fake.push('session/changed', { ...SESSION, user: null })
    await until(() => useConversations.getState().order.length === 0)
    expect(useSession.getState().session?.user).toBeNull()

    stop()
    fake.push('settings/changed', { ...DEFAULT_PREFERENCES, clock: '12h' })
    expect(usePreferences.getState().prefs.clock).toBe('24h')
  })
})

describe('toasts', () => {
  const input = (n: number) => ({
    kind: 'message_received' as const,
    title: `t${n}`,
    body: 'b',
    conversation_id: 10,
    timestamp: '2026-01-15T15:30:00Z',
  })

  it('keeps at most five, dropping the oldest', () => {
    vi.useFakeTimers()
    useToasts.getState().reset()
    for (let i = 1; i <= 7; i++) useToasts.getState().push(input(i))
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['t3', 't4', 't5', 't6', 't7'])
    expect(MAX_TOASTS).toBe(5)
  })

  it('dismisses after five seconds, but not while hovered', () => {
    vi.useFakeTimers()
    useToasts.getState().reset()
    const a = useToasts.getState().push(input(1))
    const b = useToasts.getState().push(input(2))
    vi.advanceTimersByTime(2_000)
    useToasts.getState().pause(b)
    vi.advanceTimersByTime(TOAST_DURATION_MS)
    expect(useToasts.getState().toasts.map((t) => t.id)).toEqual([b])
    expect(useToasts.getState().toasts[0]?.paused).toBe(true)
    expect(a).not.toBe(b)
    // After the pointer leaves, the remaining three seconds run.
    useToasts.getState().resume(b)
    vi.advanceTimersByTime(2_900)
    expect(useToasts.getState().toasts).toHaveLength(1)
    vi.advanceTimersByTime(200)
    expect(useToasts.getState().toasts).toHaveLength(0)
  })

  it('dismisses on request', () => {
    useToasts.getState().reset()
    const id = useToasts.getState().push(input(1))
    useToasts.getState().dismiss(id)
    expect(useToasts.getState().toasts).toHaveLength(0)
  })
})

describe('typing', () => {
  it('expires a typing notice that is not refreshed', () => {
    vi.useFakeTimers()
    useTyping.getState().reset()
    useTyping.getState().set(10, JANE.id, 'Jane', true)
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1_000)
    useTyping.getState().set(10, JANE.id, 'Jane', true) // refreshed
    vi.advanceTimersByTime(TYPING_EXPIRY_MS - 1_000)
    expect(useTyping.getState().byConversation[10]?.[JANE.id]).toBeDefined()
    vi.advanceTimersByTime(1_001)
    expect(useTyping.getState().byConversation[10]).toBeUndefined()
  })

  it('describes who is typing', () => {
    const e = (name: string) => ({ user_id: 1, display_name: name, expires_at: 0 })
    expect(typingText([], EN)).toBe('')
    expect(typingText([e('Jane')], EN)).toBe('Jane is typing…')
    expect(typingText([e('Jane'), e('Bob')], EN)).toBe('Bob and Jane are typing…')
    expect(typingText([e('A'), e('B'), e('C')], EN)).toBe('Several people are typing…')
  })

  it('throttles outgoing typing notices', () => {
    fake.handlers['typing/set'] = () => undefined
    notifyTyping(10, true, 1_000)
    notifyTyping(10, true, 1_500)
    notifyTyping(10, true, 2_999)
    notifyTyping(10, true, 3_000)
    notifyTyping(10, false, 3_100)
    notifyTyping(10, false, 3_200)
    expect(fake.callsTo('typing/set')).toEqual([
      { conversation_id: 10, is_typing: true },
      { conversation_id: 10, is_typing: true },
      { conversation_id: 10, is_typing: false },
    ])
  })
})

describe('preferences and branding', () => {
  it('shows a change at once and reverts it when main rejects it', async () => {
    usePreferences.setState({ prefs: DEFAULT_PREFERENCES })
    fake.handlers['settings/set'] = () => {
      throw new Error('disk full')
    }
    const pending = usePreferences.getState().update({ clock: '24h' })
    expect(usePreferences.getState().prefs.clock).toBe('24h')
    expect(await pending).toBe(false)
    expect(usePreferences.getState().prefs.clock).toBe('12h')
    expect(usePreferences.getState().error).toBe('disk full')
  })

  it('saves the organization timezone through branding/set', async () => {
    fake.handlers['branding/set'] = (request) => ({
      timezone: (request as { timezone: string }).timezone,
      organization_name: 'Acme',
    })
    expect(await useBranding.getState().save('America/New_York')).toBe(true)
    expect(useBranding.getState().branding.timezone).toBe('America/New_York')
  })
})
