import { describe, expect, it } from 'vitest'
import { NotificationCoalescer } from '../../../src/main/core/notificationCoalescer'
import type { NotificationSubject } from '../../../src/shared/notificationPolicy'
import type { NotificationBurst } from '../../../src/shared/notificationText'
import { ManualClock } from './support/manualClock'

let nextMessageId = 1

function message(conversationId: number, sender: string, text: string): NotificationSubject {
  return {
    kind: 'message',
    message_id: nextMessageId++,
    conversation_id: conversationId,
    conversation_title: null,
    sender_name: sender,
    text,
    timestamp: '2026-01-15T15:30:00Z',
    mentions_me: false,
    thread_root_id: null,
  }
}

function setup(stillNews?: (subject: NotificationSubject) => boolean) {
  const clock = new ManualClock()
  const bursts: NotificationBurst[] = []
  const coalescer = new NotificationCoalescer({
    emit: (burst) => bursts.push(burst),
    stillNews,
    windowMs: 1500,
    clock,
  })
  return { clock, bursts, coalescer }
}

function messageId(subject: NotificationSubject): number {
  if (subject.kind !== 'message') throw new Error('not a message')
  return subject.message_id
}

describe('notification coalescing', () => {
  it('turns a burst from one conversation into one notification', () => {
    const { clock, bursts, coalescer } = setup()
    coalescer.add('conversation:7', message(7, 'Jane', 'one'))
    clock.advance(400)
    coalescer.add('conversation:7', message(7, 'Jane', 'two'))
    clock.advance(400)
    coalescer.add('conversation:7', message(7, 'Jane', 'three'))
    expect(bursts).toHaveLength(0)
    clock.advance(700)
    expect(bursts).toHaveLength(1)
    expect(bursts[0]).toMatchObject({ tag: 'conversation:7', count: 3, senders: ['Jane'] })
    expect(bursts[0]?.latest).toMatchObject({ text: 'three' })
  })

  it('keeps conversations apart', () => {
    const { clock, bursts, coalescer } = setup()
    coalescer.add('conversation:7', message(7, 'Jane', 'a'))
    coalescer.add('conversation:8', message(8, 'Bob', 'b'))
    coalescer.add('conversation:7', message(7, 'Ann', 'c'))
    clock.advance(1500)
    expect(bursts.map((b) => [b.tag, b.count, b.senders])).toEqual([
      ['conversation:7', 2, ['Jane', 'Ann']],
      ['conversation:8', 1, ['Bob']],
    ])
  })

  it('starts a new burst (same tag) after the window closed', () => {
    const { clock, bursts, coalescer } = setup()
    coalescer.add('conversation:7', message(7, 'Jane', 'a'))
    clock.advance(1500)
    coalescer.add('conversation:7', message(7, 'Jane', 'b'))
    clock.advance(1500)
    expect(bursts.map((b) => [b.tag, b.count])).toEqual([
      ['conversation:7', 1],
      ['conversation:7', 1],
    ])
  })

  it('drops a burst whose conversation was opened meanwhile', () => {
    const { clock, bursts, coalescer } = setup()
    coalescer.add('conversation:7', message(7, 'Jane', 'a'))
    coalescer.discard('conversation:7')
    clock.advance(5000)
    expect(bursts).toHaveLength(0)
    expect(clock.pendingTimers).toBe(0)
  })

  it('names the newest message of a burst that mentions the user', () => {
    const { clock, bursts, coalescer } = setup()
    const first = message(7, 'Jane', '@alice look')
    const mention = { ...first, mentions_me: true }
    coalescer.add('conversation:7', message(7, 'Jane', 'hi'))
    coalescer.add('conversation:7', mention)
    coalescer.add('conversation:7', message(7, 'Bob', 'and this'))
    coalescer.add('conversation:8', message(8, 'Bob', 'elsewhere'))
    clock.advance(1500)
    expect(bursts.map((b) => [b.tag, b.count, b.mention])).toEqual([
      ['conversation:7', 3, mention],
      ['conversation:8', 1, null],
    ])
  })

  it('counts an imported email once although it arrives as two events', () => {
    const { clock, bursts, coalescer } = setup()
    const asMessage: NotificationSubject = {
      kind: 'message',
      message_id: 500,
      conversation_id: 9,
      conversation_title: 'Invoice',
      sender_name: 'Ann Example',
      text: 'Please find attached',
      timestamp: '2026-01-15T15:30:00Z',
      mentions_me: false,
      thread_root_id: null,
    }
    const asEmail: NotificationSubject = {
      kind: 'email',
      message_id: 500,
      conversation_id: 9,
      from: 'Ann Example',
      subject: 'Invoice',
      timestamp: '2026-01-15T15:30:00Z',
    }
    coalescer.add('conversation:9', asMessage)
    coalescer.add('conversation:9', asEmail)
    clock.advance(1500)
    expect(bursts).toHaveLength(1)
    expect(bursts[0]).toMatchObject({
      count: 1,
      senders: ['Ann Example'],
      latest: { kind: 'email' },
    })
  })

  it('shows only what is still news when the window closes, and nothing if none is', () => {
    const read = new Set<number>()
    const { clock, bursts, coalescer } = setup(
      (subject) => subject.kind !== 'message' || !read.has(subject.message_id),
    )
    const first = message(7, 'Ann', 'one')
    coalescer.add('conversation:7', first)
    coalescer.add('conversation:7', message(7, 'Jane', 'two'))
    coalescer.add('conversation:8', message(8, 'Bob', 'elsewhere'))
    // Read on another device while the burst gathered.
    read.add(messageId(first))
    read.add(nextMessageId - 1)
    clock.advance(1500)
    expect(bursts).toHaveLength(1)
    expect(bursts[0]).toMatchObject({
      tag: 'conversation:7',
      count: 1,
      senders: ['Jane'],
      latest: { text: 'two' },
    })
  })

  it('leaves out a message deleted while its burst gathered, and drops a burst left empty', () => {
    const { clock, bursts, coalescer } = setup()
    const kept = message(7, 'Jane', 'hello')
    const oops = message(7, 'Ann', 'oops wrong chat')
    const alone = message(8, 'Bob', 'only one')
    coalescer.add('conversation:7', kept)
    coalescer.add('conversation:7', oops)
    coalescer.add('conversation:8', alone)
    coalescer.messageDeleted(messageId(oops))
    coalescer.messageDeleted(messageId(oops))
    coalescer.messageDeleted(messageId(alone))
    expect(coalescer.pendingTags).toEqual(['conversation:7'])
    expect(clock.pendingTimers).toBe(1)
    clock.advance(1500)
    expect(bursts).toHaveLength(1)
    expect(bursts[0]).toMatchObject({ count: 1, senders: ['Jane'], latest: { text: 'hello' } })
  })

  it('shows the words of a message edited while its burst gathered', () => {
    const { clock, bursts, coalescer } = setup()
    const subject = message(7, 'Jane', 'meet at 5')
    coalescer.add('conversation:7', subject)
    coalescer.messageEdited(messageId(subject), 'meet at 6')
    coalescer.messageEdited(nextMessageId + 100, 'not in any burst')
    clock.advance(1500)
    expect(bursts[0]).toMatchObject({ count: 1, latest: { text: 'meet at 6' } })
  })
})
