import { describe, expect, it } from 'vitest'
import type { Conversation, Message } from '../../src/shared/models'
import { pinnedFirst, sortConversations } from '../../src/renderer/src/stores/conversations'

function conversation(id: number, lastAt: string): Conversation {
  const at = '2026-11-01T00:00:00.000Z'
  const last: Message = {
    id: id * 10,
    conversation_id: id,
    created_at: lastAt,
  } as Message
  return {
    id,
    title: `Group ${id}`,
    kind: 'group',
    platform: 'tidings',
    created_by: 1,
    created_at: at,
    updated_at: at,
    members: [],
    last_message: last,
    unread_count: 0,
  }
}

describe('the conversation list order (pinned first)', () => {
  // Activity: 4 newest, then 2, 3, 1 oldest.
  const byId = Object.fromEntries(
    [
      conversation(1, '2026-11-02T08:00:00.000Z'),
      conversation(2, '2026-11-05T08:00:00.000Z'),
      conversation(3, '2026-11-04T08:00:00.000Z'),
      conversation(4, '2026-11-06T08:00:00.000Z'),
    ].map((c) => [c.id, c]),
  )
  const order = sortConversations(byId)

  it('is activity order with no pins', () => {
    expect(order).toEqual([4, 2, 3, 1])
    expect(pinnedFirst(order, [])).toEqual({ pinned: [], rest: [4, 2, 3, 1] })
  })

  it('puts the pinned ones first in pin order, whatever their activity, then the rest by activity', () => {
    expect(pinnedFirst(order, [1, 4])).toEqual({ pinned: [1, 4], rest: [2, 3] })
    expect(pinnedFirst(order, [4, 1])).toEqual({ pinned: [4, 1], rest: [2, 3] })
    // New activity in an unpinned one reorders the rest only.
    const busier = {
      ...byId,
      3: conversation(3, '2026-11-07T08:00:00.000Z'),
    }
    expect(pinnedFirst(sortConversations(busier), [1, 4])).toEqual({
      pinned: [1, 4],
      rest: [3, 2],
    })
  })

  it('leaves out pins of conversations not in the list, and repeats', () => {
    expect(pinnedFirst(order, [9, 2, 2])).toEqual({ pinned: [2], rest: [4, 3, 1] })
  })
})
