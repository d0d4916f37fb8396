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
    reply_to: null,
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

  it('asks for the server count when a read ends inside the loaded count', () => {
    const unread = new UnreadCounts()
    unread.load([conversation(1, 3, 30)])
    // Which of the three counted messages are left is not known here: ask the server.
    expect(unread.readUpTo(1, 10)).toBe(true)
    expect(unread.of(1)).toBe(3)
    unread.reloadConversation(conversation(1, 2, 30))
    expect(unread.of(1)).toBe(2)
    // Read to the end: nothing left, no need to ask.
    expect(unread.readUpTo(1, 30)).toBe(false)
    expect(unread.of(1)).toBe(0)
  })

  it('asks for the server count when a counted message is deleted, never guessing', () => {
    const unread = new UnreadCounts()
    unread.load([conversation(1, 1, 30)])
    // Message 10 may have been read already, or be the user's own: the count stays as loaded.
    expect(unread.messageDeleted(1, 10)).toBe(true)
    expect(unread.messageDeleted(1, 10)).toBe(true)
    expect(unread.of(1)).toBe(1)
    unread.reloadConversation(conversation(1, 0, 30))
    expect(unread.of(1)).toBe(0)
    // Nothing counted is left to delete, and a live message is counted here by id.
    expect(unread.messageDeleted(1, 20)).toBe(false)
    unread.messageReceived(message(31))
    expect(unread.messageDeleted(1, 31)).toBe(false)
    expect(unread.total()).toBe(0)
  })

  it('keeps live messages newer than a reloaded conversation and ignores one the user left', () => {
    const unread = new UnreadCounts()
    unread.load([conversation(1, 1, 30), conversation(2, 1, 25)])
    unread.messageReceived(message(31))
    unread.messageReceived(message(32))
    unread.reloadConversation(conversation(1, 2, 31))
    expect(unread.of(1)).toBe(3)
    unread.removeConversation(2)
    unread.reloadConversation(conversation(2, 4, 25))
    expect(unread.total()).toBe(3)
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
