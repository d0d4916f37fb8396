import { describe, expect, it } from 'vitest'
import {
  isDoNotDisturbActive,
  notificationSubject,
  suppressionReason,
  type NotificationContext,
} from '../../src/shared/notificationPolicy'
import type { AnyTidingsEvent } from '../../src/shared/events'
import type { Message } from '../../src/shared/models'
import { DEFAULT_PREFERENCES, type DoNotDisturb } from '../../src/shared/preferences'

const MESSAGE: Message = {
  id: 10,
  conversation_id: 7,
  sender_id: 2,
  sender_name: 'Jane',
  client_id: 'c-1',
  text: 'hello',
  created_at: '2026-01-15T15:30:00Z',
  edited_at: null,
  deleted_at: null,
  reply_to: null,
}

function envelope<E extends AnyTidingsEvent>(type: E['type'], data: E['data']): AnyTidingsEvent {
  return {
    type,
    id: 5,
    timestamp: '2026-01-15T15:30:00Z',
    timezone: 'UTC',
    data,
  } as AnyTidingsEvent
}

const received = envelope('message_received', {
  conversation_id: 7,
  conversation_title: null,
  sender_name: 'Jane',
  message: MESSAGE,
})

const email = envelope('email_received', {
  account_id: 3,
  conversation_id: 9,
  message_id: 88,
  from: 'ann@example.com',
  from_name: 'Ann Example',
  subject: 'Invoice',
  state: 'received',
  // The full record is not read by the policy.
  email: {} as never,
})

function accountEvent(type: 'account_connected' | 'account_disconnected'): AnyTidingsEvent {
  return envelope(type, {
    account_id: 3,
    platform: 'email',
    display_name: 'Work mail',
    state: type === 'account_connected' ? 'connected' : 'error',
    reason: type === 'account_connected' ? null : 'password refused',
    account: {} as never,
  })
}

function context(overrides: Partial<NotificationContext> = {}): NotificationContext {
  return {
    preferences: structuredClone(DEFAULT_PREFERENCES),
    focusedConversationId: null,
    windowFocused: false,
    timezone: 'America/New_York',
    now: Date.parse('2026-01-15T15:30:00Z'),
    ...overrides,
  }
}

describe('which events are worth a notification', () => {
  it('notifies new messages, emails, disconnected accounts and system notices', () => {
    expect(notificationSubject(received)?.kind).toBe('message')
    expect(
      notificationSubject(
        envelope('system_notification', {
          kind: 'broadcast',
          title: 'T',
          body: 'B',
          level: 'info',
        }),
      )?.kind,
    ).toBe('system')
    expect(notificationSubject(email)).toMatchObject({
      kind: 'email',
      message_id: 88,
      from: 'Ann Example',
      subject: 'Invoice',
      conversation_id: 9,
    })
    expect(notificationSubject(accountEvent('account_disconnected'))).toMatchObject({
      kind: 'account_disconnected',
      account: 'Work mail',
      reason: 'password refused',
    })
  })

  it('stays quiet for contact changes, connected or removed accounts and the stream bookkeeping', () => {
    expect(
      notificationSubject(
        envelope('contact_updated', {
          kind: 'profile',
          action: 'updated',
          user: { id: 2, username: 'jane', display_name: 'Jane', role: 'member' },
        }),
      ),
    ).toBeNull()
    expect(notificationSubject(accountEvent('account_connected'))).toBeNull()
    // Removed by its owner: nothing the user needs to be told.
    expect(
      notificationSubject(
        envelope('account_disconnected', {
          account_id: 3,
          platform: 'email',
          display_name: 'Work mail',
          state: 'disconnected',
          reason: 'Removed by its owner.',
          account: {} as never,
        }),
      ),
    ).toBeNull()
    expect(
      notificationSubject(
        envelope('message_sent', {
          conversation_id: 7,
          conversation_title: null,
          sender_name: 'Me',
          message: MESSAGE,
        }),
      ),
    ).toBeNull()
    expect(
      notificationSubject(
        envelope('typing_indicator', {
          conversation_id: 7,
          user_id: 2,
          display_name: 'Jane',
          is_typing: true,
        }),
      ),
    ).toBeNull()
  })
})

describe('suppression', () => {
  const subject = notificationSubject(received)!

  it('lets a message through by default', () => {
    expect(suppressionReason(subject, context())).toBeNull()
  })

  it('suppresses the conversation open in the focused window, and only then', () => {
    expect(
      suppressionReason(subject, context({ focusedConversationId: 7, windowFocused: true })),
    ).toBe('conversation_in_view')
    // Open but the window is in the background: the user is not looking.
    expect(suppressionReason(subject, context({ focusedConversationId: 7 }))).toBeNull()
    // Focused window showing another conversation.
    expect(
      suppressionReason(subject, context({ focusedConversationId: 8, windowFocused: true })),
    ).toBeNull()
  })

  it('suppresses muted conversations and everything when notifications are off', () => {
    const muted = context()
    muted.preferences.muted_conversation_ids = [3, 7]
    expect(suppressionReason(subject, muted)).toBe('muted')
    const off = context()
    off.preferences.notifications_enabled = false
    expect(suppressionReason(subject, off)).toBe('notifications_off')
  })

  it('lets a message that mentions the user through a mute, but not through the rest', () => {
    const mention = envelope('message_received', {
      conversation_id: 7,
      conversation_title: null,
      sender_name: 'Jane',
      message: { ...MESSAGE, text: 'can you check, @Alice?' },
    })
    expect(notificationSubject(mention, 'alice')).toMatchObject({ mentions_me: true })
    expect(notificationSubject(mention, 'bob')).toMatchObject({ mentions_me: false })
    expect(notificationSubject(received, 'alice')).toMatchObject({ mentions_me: false })
    const muted = context()
    muted.preferences.muted_conversation_ids = [7]
    expect(suppressionReason(notificationSubject(mention, 'alice')!, muted)).toBeNull()
    expect(suppressionReason(notificationSubject(mention, 'bob')!, muted)).toBe('muted')
    const dnd = context()
    dnd.preferences.dnd = { ...dnd.preferences.dnd, mode: 'on' }
    expect(suppressionReason(notificationSubject(mention, 'alice')!, dnd)).toBe('do_not_disturb')
    expect(
      suppressionReason(
        notificationSubject(mention, 'alice')!,
        context({ focusedConversationId: 7, windowFocused: true }),
      ),
    ).toBe('conversation_in_view')
  })

  it('suppresses during do-not-disturb', () => {
    const dnd = context()
    dnd.preferences.dnd = { ...dnd.preferences.dnd, mode: 'on' }
    expect(suppressionReason(subject, dnd)).toBe('do_not_disturb')
  })

  it('holds an in-app toast to the conversation rules only: mutes and the conversation in view', () => {
    // Notifications off and do-not-disturb are about the OS's notifications.
    const quiet = context()
    quiet.preferences.notifications_enabled = false
    quiet.preferences.dnd = { ...quiet.preferences.dnd, mode: 'on' }
    expect(suppressionReason(subject, quiet, 'native')).toBe('notifications_off')
    expect(suppressionReason(subject, quiet, 'in_app')).toBeNull()
    const muted = context()
    muted.preferences.muted_conversation_ids = [7]
    expect(suppressionReason(subject, muted, 'in_app')).toBe('muted')
    expect(
      suppressionReason(
        subject,
        context({ focusedConversationId: 7, windowFocused: true }),
        'in_app',
      ),
    ).toBe('conversation_in_view')
  })
})

describe('do-not-disturb', () => {
  const base: DoNotDisturb = {
    mode: 'off',
    until: null,
    schedule_start: '22:00',
    schedule_end: '07:00',
  }
  const at = (iso: string) => Date.parse(iso)

  it('is off, on, or on until an instant', () => {
    expect(isDoNotDisturbActive(base, at('2026-01-15T03:00:00Z'), 'UTC')).toBe(false)
    expect(isDoNotDisturbActive({ ...base, mode: 'on' }, at('2026-01-15T12:00:00Z'), 'UTC')).toBe(
      true,
    )
    const until = { ...base, mode: 'until' as const, until: '2026-01-15T13:00:00Z' }
    expect(isDoNotDisturbActive(until, at('2026-01-15T12:59:59Z'), 'UTC')).toBe(true)
    expect(isDoNotDisturbActive(until, at('2026-01-15T13:00:00Z'), 'UTC')).toBe(false)
  })

  it('reads a schedule that wraps midnight in the organization timezone', () => {
    const schedule = { ...base, mode: 'schedule' as const }
    // 22:00-07:00 in New York (UTC-5 in January) is 03:00-12:00 UTC.
    const ny = 'America/New_York'
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T02:59:00Z'), ny)).toBe(false)
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T03:00:00Z'), ny)).toBe(true)
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T05:00:00Z'), ny)).toBe(true)
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T11:59:00Z'), ny)).toBe(true)
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T12:00:00Z'), ny)).toBe(false)
    // The same instant is daytime in Tokyo.
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T05:00:00Z'), 'Asia/Tokyo')).toBe(false)
  })

  it('reads a same-day schedule and treats an empty window as off', () => {
    const lunch = {
      ...base,
      mode: 'schedule' as const,
      schedule_start: '12:00',
      schedule_end: '13:30',
    }
    expect(isDoNotDisturbActive(lunch, at('2026-01-15T12:45:00Z'), 'UTC')).toBe(true)
    expect(isDoNotDisturbActive(lunch, at('2026-01-15T13:30:00Z'), 'UTC')).toBe(false)
    expect(isDoNotDisturbActive(lunch, at('2026-01-15T11:00:00Z'), 'UTC')).toBe(false)
    const empty = { ...lunch, schedule_end: '12:00' }
    expect(isDoNotDisturbActive(empty, at('2026-01-15T12:00:00Z'), 'UTC')).toBe(false)
  })

  it('uses UTC when the organization timezone is unknown', () => {
    const schedule = { ...base, mode: 'schedule' as const }
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T23:00:00Z'), 'Not/AZone')).toBe(true)
    expect(isDoNotDisturbActive(schedule, at('2026-01-15T08:00:00Z'), 'Not/AZone')).toBe(false)
  })
})

describe('system notices', () => {
  it('announces broadcasts but applies timezone changes silently', () => {
    const notice = (kind: 'broadcast' | 'timezone_changed') =>
      envelope('system_notification', { kind, title: 'T', body: 'B', level: 'info' })
    expect(notificationSubject(notice('broadcast'))).not.toBeNull()
    expect(notificationSubject(notice('timezone_changed'))).toBeNull()
  })
})
