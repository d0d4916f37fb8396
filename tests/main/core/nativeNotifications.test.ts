import { translatorFor } from '../../../src/shared/i18n/translator'
import { describe, expect, it } from 'vitest'
import {
  composeNotification,
  formatNotificationTime,
  type TextOptions,
} from '../../../src/main/core/nativeNotifications'
import type { NotificationSubject } from '../../../src/shared/notificationPolicy'
import { notificationTag, type NotificationBurst } from '../../../src/shared/notificationText'

const AT = '2026-01-15T15:30:00Z'

function message(overrides: Partial<Extract<NotificationSubject, { kind: 'message' }>> = {}) {
  return {
    kind: 'message' as const,
    message_id: 70,
    conversation_id: 7,
    conversation_title: null,
    sender_name: 'Jane Doe',
    text: 'Lunch at noon?',
    timestamp: AT,
    mentions_me: false,
    thread_root_id: null,
    ...overrides,
  }
}

function burst(
  subject: NotificationSubject,
  count = 1,
  senders = ['Jane Doe'],
  mention: NotificationSubject | null = null,
): NotificationBurst {
  return { tag: notificationTag(subject), latest: subject, count, senders, mention }
}

const OPTIONS: TextOptions = {
  privacy: 'full',
  clock: '12h',
  timezone: 'America/New_York',
  sound: true,
  translator: translatorFor('en'),
}

describe('notification time', () => {
  it('shows the time in the organization timezone with its abbreviation', () => {
    expect(formatNotificationTime(AT, 'America/New_York', '12h')).toBe('10:30 AM EST')
    expect(formatNotificationTime(AT, 'America/New_York', '24h')).toBe('10:30 EST')
    expect(formatNotificationTime(AT, 'America/Los_Angeles', '12h')).toBe('7:30 AM PST')
    expect(formatNotificationTime(AT, 'Asia/Tokyo', '24h')).toBe('00:30 GMT+9')
    expect(formatNotificationTime(AT, 'Asia/Kolkata', '12h')).toBe('9:00 PM GMT+5:30')
    expect(formatNotificationTime(AT, 'UTC', '24h')).toBe('15:30 UTC')
  })

  it('follows a daylight saving change', () => {
    // US clocks jump from 2:00 EST to 3:00 EDT on 8 March 2026 (07:00 UTC).
    expect(formatNotificationTime('2026-03-08T06:30:00Z', 'America/New_York', '12h')).toBe(
      '1:30 AM EST',
    )
    expect(formatNotificationTime('2026-03-08T07:30:00Z', 'America/New_York', '12h')).toBe(
      '3:30 AM EDT',
    )
    expect(formatNotificationTime('2026-07-01T15:30:00Z', 'America/New_York', '24h')).toBe(
      '11:30 EDT',
    )
  })

  it('falls back to UTC for a zone it does not know', () => {
    expect(formatNotificationTime(AT, 'Mars/Olympus_Mons', '12h')).toBe('3:30 PM UTC')
    expect(formatNotificationTime(AT, '', '24h')).toBe('15:30 UTC')
  })
})

describe('notification words', () => {
  it('names the sender and shows the text with the time (full privacy)', () => {
    const request = composeNotification(burst(message()), OPTIONS)
    expect(request).toEqual({
      tag: 'conversation:7',
      title: 'Jane Doe',
      body: '10:30 AM EST · Lunch at noon?',
      conversation_id: 7,
      silent: false,
    })
  })

  it('names the conversation of a group message', () => {
    const request = composeNotification(
      burst(message({ conversation_title: 'Launch plan' })),
      OPTIONS,
    )
    expect(request.title).toBe('Jane Doe in Launch plan')
  })

  it('says who mentioned the user, and where, above the text or the burst', () => {
    const mention = message({ conversation_title: 'Launch plan', text: '@alice ship it?' })
    const single = composeNotification(burst(mention, 1, ['Jane Doe'], mention), OPTIONS)
    expect(single.title).toBe('Jane Doe mentioned you in Launch plan')
    expect(single.body).toBe('10:30 AM EST · @alice ship it?')
    const direct = message({ text: '@alice?' })
    expect(composeNotification(burst(direct, 1, ['Jane Doe'], direct), OPTIONS).title).toBe(
      'Jane Doe mentioned you',
    )
    // An older mention names a burst whose newest message is not one.
    const later = message({ conversation_title: 'Launch plan', sender_name: 'Bob' })
    const gathered = composeNotification(burst(later, 2, ['Jane Doe', 'Bob'], mention), OPTIONS)
    expect(gathered.title).toBe('Jane Doe mentioned you in Launch plan')
    expect(gathered.body).toBe('10:30 AM EST · 2 new messages from Jane Doe and Bob')
    // Hidden privacy tells nobody over the shoulder who called whom.
    const hidden = composeNotification(burst(mention, 1, ['Jane Doe'], mention), {
      ...OPTIONS,
      privacy: 'hidden',
    })
    expect(hidden.title).toBe('Tidings')
  })

  it('hides the text with sender_only privacy', () => {
    const request = composeNotification(burst(message()), { ...OPTIONS, privacy: 'sender_only' })
    expect(request.title).toBe('Jane Doe')
    expect(request.body).toBe('10:30 AM EST · New message')
    expect(request.body).not.toContain('Lunch')
  })

  it('reveals neither sender nor text with hidden privacy', () => {
    const request = composeNotification(burst(message({ conversation_title: 'Launch plan' })), {
      ...OPTIONS,
      privacy: 'hidden',
    })
    expect(request.title).toBe('Tidings')
    expect(request.body).toBe('New message')
    expect(JSON.stringify(request)).not.toMatch(/Jane|Lunch|Launch/)
  })

  it('summarizes a burst as "3 new messages from Jane"', () => {
    const request = composeNotification(burst(message(), 3, ['Jane Doe']), {
      ...OPTIONS,
      clock: '24h',
      timezone: 'Europe/Paris',
    })
    expect(request.title).toBe('Jane Doe')
    expect(request.body).toBe('16:30 GMT+1 · 3 new messages from Jane Doe')
    expect(request.tag).toBe('conversation:7')
  })

  it('lists several senders of a group burst under the conversation title', () => {
    const subject = message({ conversation_title: 'Launch plan', sender_name: 'Bob' })
    const two = composeNotification(burst(subject, 2, ['Jane Doe', 'Bob']), OPTIONS)
    expect(two.title).toBe('Launch plan')
    expect(two.body).toBe('10:30 AM EST · 2 new messages from Jane Doe and Bob')
    const many = composeNotification(burst(subject, 6, ['Jane', 'Bob', 'Ann', 'Li']), OPTIONS)
    expect(many.body).toBe('10:30 AM EST · 6 new messages from Jane, Bob and 2 others')
    const hidden = composeNotification(burst(subject, 6, ['Jane', 'Bob']), {
      ...OPTIONS,
      privacy: 'hidden',
    })
    expect(hidden.body).toBe('6 new messages')
  })

  it('is silent when sounds are off', () => {
    expect(composeNotification(burst(message()), { ...OPTIONS, sound: false }).silent).toBe(true)
  })

  it('shortens long text to one line', () => {
    const request = composeNotification(burst(message({ text: `a\n${'b'.repeat(500)}` })), OPTIONS)
    expect(request.body).not.toContain('\n')
    expect(request.body.length).toBeLessThan(230)
    expect(request.body.endsWith('…')).toBe(true)
  })

  it('words system notices, emails and disconnected accounts', () => {
    const system = composeNotification(
      burst(
        {
          kind: 'system',
          event_id: 41,
          title: 'Maintenance',
          body: 'Tonight at 22:00',
          level: 'warning',
          timestamp: AT,
        },
        1,
        [],
      ),
      OPTIONS,
    )
    expect(system).toMatchObject({
      tag: 'system:41',
      title: 'Maintenance',
      body: '10:30 AM EST · Tonight at 22:00',
      conversation_id: null,
    })
    const email = composeNotification(
      burst(
        {
          kind: 'email',
          message_id: 88,
          conversation_id: null,
          from: 'Ann',
          subject: 'Invoice',
          timestamp: AT,
        },
        1,
        ['Ann'],
      ),
      OPTIONS,
    )
    expect(email).toMatchObject({ tag: 'email', title: 'Ann', body: '10:30 AM EST · Invoice' })
    const account = composeNotification(
      burst(
        {
          kind: 'account_disconnected',
          account: 'Work mail',
          reason: 'password changed',
          timestamp: AT,
        },
        1,
        [],
      ),
      { ...OPTIONS, privacy: 'sender_only' },
    )
    expect(account).toMatchObject({
      title: 'Account disconnected',
      body: '10:30 AM EST · Work mail was disconnected',
    })
  })
})
