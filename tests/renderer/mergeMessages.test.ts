import { describe, expect, it } from 'vitest'
import type { Message } from '../../src/shared/models'
import { mergeMessages } from '../../src/renderer/src/stores/messages'

// mergeMessages takes shortcuts for appends, prepends and single updates; every result must be
// what the plain merge gives: one copy per id, ascending, the later state of a message kept
// (deleted beats edited beats original; on a tie the incoming copy).

function message(id: number, state: 'original' | 'edited' | 'deleted', stamp = 0): Message {
  return {
    id,
    conversation_id: 1,
    sender_id: 1,
    sender_name: 'Alice',
    client_id: `c${id}`,
    text: state === 'deleted' ? '' : `${state} ${id}`,
    created_at: new Date(Date.UTC(2026, 0, 1) + id * 1000).toISOString(),
    edited_at: state === 'original' ? null : new Date(Date.UTC(2026, 1, 1) + stamp).toISOString(),
    deleted_at: state === 'deleted' ? new Date(Date.UTC(2026, 2, 1)).toISOString() : null,
    reply_to: null,
  }
}

function referenceMerge(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map<number, Message>()
  for (const m of current) byId.set(m.id, m)
  for (const m of incoming) {
    const known = byId.get(m.id)
    if (!known) byId.set(m.id, m)
    else if (known.deleted_at && !m.deleted_at) byId.set(m.id, known)
    else if (!known.deleted_at && m.deleted_at) byId.set(m.id, m)
    else byId.set(m.id, (known.edited_at ?? '') > (m.edited_at ?? '') ? known : m)
  }
  return [...byId.values()].sort((a, b) => a.id - b.id)
}

function seeded(seed: number) {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

describe('mergeMessages', () => {
  it('appends a live message, prepends an older page, replaces one known message', () => {
    const current = [message(10, 'original'), message(11, 'original'), message(12, 'original')]
    expect(mergeMessages(current, [message(13, 'original')]).map((m) => m.id)).toEqual([
      10, 11, 12, 13,
    ])
    expect(
      mergeMessages(current, [message(3, 'original'), message(7, 'original')]).map((m) => m.id),
    ).toEqual([3, 7, 10, 11, 12])
    const edited = mergeMessages(current, [message(11, 'edited', 5)])
    expect(edited.map((m) => m.text)).toEqual(['original 10', 'edited 11', 'original 12'])
    expect(current[1]!.text).toBe('original 11')
    // A stale copy (the original arriving after the deletion) does not undo the deletion.
    const deleted = mergeMessages(edited, [message(11, 'deleted')])
    expect(mergeMessages(deleted, [message(11, 'original')])[1]!.deleted_at).not.toBeNull()
  })

  it('matches the plain merge for random lists, ordered or not, overlapping or not', () => {
    const random = seeded(7)
    const states = ['original', 'edited', 'deleted'] as const
    const pick = () => states[Math.floor(random() * 3)]!
    for (let round = 0; round < 2_000; round += 1) {
      const ids = new Set<number>()
      const size = Math.floor(random() * 20)
      while (ids.size < size) ids.add(1 + Math.floor(random() * 60))
      const current = [...ids].sort((a, b) => a - b).map((id) => message(id, pick(), round))
      const shape = random()
      let incomingIds: number[]
      if (shape < 0.25) incomingIds = [61 + Math.floor(random() * 5)]
      else if (shape < 0.5) incomingIds = [1 + Math.floor(random() * 60)]
      else {
        const count = 1 + Math.floor(random() * 10)
        incomingIds = Array.from({ length: count }, () => 1 + Math.floor(random() * 70))
        if (random() < 0.7) incomingIds = [...new Set(incomingIds)].sort((a, b) => a - b)
      }
      const incoming = incomingIds.map((id) => message(id, pick(), Math.floor(random() * 3)))
      expect(mergeMessages(current, incoming)).toEqual(referenceMerge(current, incoming))
    }
  })
})
