import { describe, expect, it } from 'vitest'
import type { NotificationSubject } from '../../src/shared/notificationPolicy'
import { translatorFor } from '../../src/shared/i18n/translator'
import { burstOfOne, notificationWords } from '../../src/shared/notificationText'

const EN = translatorFor('en')

/**
 * The one wording of news (main's native notifications add the time and keep the text to one
 * line: tests/main/core/nativeNotifications.test.ts; the toasts show these words as they are).
 */

function message(change: Partial<Extract<NotificationSubject, { kind: 'message' }>> = {}) {
  return {
    kind: 'message' as const,
    message_id: 70,
    conversation_id: 7,
    conversation_title: null,
    sender_name: 'Jane',
    text: 'Lunch at noon?\nBring the plan.',
    timestamp: '2026-01-15T15:30:00Z',
    mentions_me: false,
    thread_root_id: null,
    ...change,
  }
}

describe('notification words', () => {
  it('names the sender, and the conversation when it has a name', () => {
    expect(notificationWords(burstOfOne(message()), 'full', EN)).toEqual({
      title: 'Jane',
      body: 'Lunch at noon?\nBring the plan.',
    })
    expect(
      notificationWords(burstOfOne(message({ conversation_title: 'Launch plan' })), 'full', EN),
    ).toEqual({ title: 'Jane in Launch plan', body: 'Lunch at noon?\nBring the plan.' })
  })

  it('says who mentioned the user, and where', () => {
    const mention = message({ conversation_title: 'Launch plan', mentions_me: true })
    expect(burstOfOne(mention).mention).toBe(mention)
    expect(notificationWords(burstOfOne(mention), 'sender_only', EN)).toEqual({
      title: 'Jane mentioned you in Launch plan',
      body: 'New message',
    })
    expect(
      notificationWords(burstOfOne({ ...mention, conversation_title: null }), 'full', EN),
    ).toEqual({ title: 'Jane mentioned you', body: 'Lunch at noon?\nBring the plan.' })
  })

  it('shows neither who nor what with hidden privacy: the app over the kind of news', () => {
    for (const subject of [
      message(),
      message({ conversation_title: 'Launch', mentions_me: true }),
    ]) {
      expect(notificationWords(burstOfOne(subject), 'hidden', EN)).toEqual({
        title: 'Tidings',
        body: 'New message',
      })
    }
  })

  it('shapes only the sender’s text with `fit`', () => {
    const upper = (text: string) => text.toUpperCase()
    expect(notificationWords(burstOfOne(message()), 'full', EN, upper)).toEqual({
      title: 'Jane',
      body: 'LUNCH AT NOON?\nBRING THE PLAN.',
    })
    expect(notificationWords(burstOfOne(message()), 'sender_only', EN, upper).body).toBe(
      'New message',
    )
  })
})
