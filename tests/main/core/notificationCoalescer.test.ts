import { describe, expect, it } from 'vitest'
import { NotificationCoalescer } from '../../../src/main/core/notificationCoalescer'
import type { NotificationSubject } from '../../../src/main/core/notificationPolicy'
import type { NotificationBurst } from '../../../src/main/core/notificationText'
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
  }
}

function setup() {
  const clock = new ManualClock()
  const bursts: NotificationBurst[] = []
  const coalescer = new NotificationCoalescer({
    emit: (burst) => bursts.push(burst),
    windowMs: 1500,
    clock,
  })
  return { clock, bursts, coalescer }
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
})
