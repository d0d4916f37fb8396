import { describe, expect, it } from 'vitest'
import { SessionCache } from '../../server/services/sessionCache'

const alice = { id: 1, username: 'alice', display_name: 'Alice', role: 'member' as const }

describe('SessionCache', () => {
  it('answers a remembered session until it expires, then forgets it', () => {
    const cache = new SessionCache()
    cache.remember('hash-a', alice, 1_000)
    expect(cache.userFor('hash-a', 999)).toEqual(alice)
    expect(cache.userFor('hash-a', 1_000)).toBeUndefined()
    // Expired entries are dropped, not only hidden.
    expect(cache.userFor('hash-a', 0)).toBeUndefined()
  })

  it('forgets a logged-out token and a changed user', () => {
    const cache = new SessionCache()
    cache.remember('hash-a', alice, 10_000)
    cache.remember('hash-b', alice, 10_000)
    cache.forgetToken('hash-a')
    expect(cache.userFor('hash-a', 0)).toBeUndefined()
    expect(cache.userFor('hash-b', 0)).toEqual(alice)
    // A profile change: the session stays, its user is read again from the database.
    cache.forgetUser(alice.id)
    expect(cache.userFor('hash-b', 0)).toBeUndefined()
    expect(cache.user(alice.id)).toBeUndefined()
  })

  it('keeps at most 50,000 sessions, dropping the oldest first', () => {
    const cache = new SessionCache()
    for (let i = 0; i <= 50_000; i++) cache.remember(`hash-${i}`, alice, 10_000)
    expect(cache.userFor('hash-0', 0)).toBeUndefined()
    expect(cache.userFor('hash-1', 0)).toEqual(alice)
    expect(cache.userFor('hash-50000', 0)).toEqual(alice)
  })
})
