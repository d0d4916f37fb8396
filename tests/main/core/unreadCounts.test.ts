import { describe, expect, it } from 'vitest'
import { UnreadCounts } from '../../../src/main/core/unreadCounts'
import type { Conversation, Message } from '../../../src/shared/models'

function message(id: number, conversationId = 1): Message {
  return {
    id,
    conversation_id: conversationId,
    sender_id: 2,
    sender_name: 'Jane',
    client_id: `c${id}`,
    text: `m${id}`,
    created_at: '2026-01-15T15:30:00Z',
    edited_at: null,
    deleted_at: null,
  }
}

function conversation(id: number, unread: number, lastMessageId: number | null): Conversation {
  return {
    id,
    title: null,
    kind: 'direct',
    platform: 'tidings',
    created_by: 2,
    created_at: '2026-01-15T15:30:00Z',
    updated_at: '2026-01-15T15:30:00Z',
    members: [],
    last_message: lastMessageId === null ? null : message(lastMessageId, id),
    unread_count: unread,
  }
}

describe('unread counts', () => {
  it('does not count a replayed message the REST load already counted (load first)', () => {
    const unread = new UnreadCounts()
    unread.load([conversation(1, 3, 30)])
    for (const id of [10, 20, 30]) unread.messageReceived(message(id))
    expect(unread.total()).toBe(3)
    unread.messageReceived(message(40))
    expect(unread.total()).toBe(4)
  })

  it('does not count a replayed message the REST load already counted (events first)', () => {
    const unread = new UnreadCounts()
    for (const id of [10, 20, 30]) unread.messageReceived(message(id))
    expect(unread.total()).toBe(3)
    unread.load([conversation(1, 3, 30)])
    expect(unread.total()).toBe(3)
  })

  it("clears on the user's own read receipts, fully or up to a message", () => {
    const unread = new UnreadCounts()
    unread.load([conversation(1, 2, 20), conversation(2, 1, 25)])
    unread.messageReceived(message(31))
    unread.messageReceived(message(32))
    expect(unread.total()).toBe(5)
    unread.readUpTo(1, 31)
    expect(unread.of(1)).toBe(1)
    unread.readUpTo(1, 32)
    expect(unread.of(1)).toBe(0)
    expect(unread.total()).toBe(1)
  })

  it('forgets deleted messages and conversations the user left', () => {
    const unread = new UnreadCounts()
    unread.messageReceived(message(5, 1))
    unread.messageReceived(message(6, 2))
    unread.messageDeleted(1, 5)
    expect(unread.of(1)).toBe(0)
    unread.removeConversation(2)
    expect(unread.total()).toBe(0)
  })
})
