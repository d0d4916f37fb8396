import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DRAFT_WRITE_DELAY_MS, Drafts, MAX_DRAFTS_PER_ACCOUNT } from '../../../src/main/core/drafts'
import { LocalStore } from '../../../src/main/core/localStore'
import { fakeSecretStore } from './support/fakeSecretStore'
import { ManualClock } from './support/manualClock'

/** The drafts of one account against the real local store, on a clock the test moves. */
describe('drafts: when they reach the disk', () => {
  let dir: string
  let store: LocalStore
  let clock: ManualClock
  const ACCOUNT = 'http://127.0.0.1:1#1'

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-drafts-'))
    store = new LocalStore(dir, fakeSecretStore())
    clock = new ManualClock()
  })
  afterEach(() => {
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes a moment after typing, once for a burst of changes, not per keystroke', () => {
    const drafts = new Drafts(store, ACCOUNT, clock)
    let writes = 0
    const write = store.writeDrafts.bind(store)
    store.writeDrafts = (...args) => {
      writes += 1
      write(...args)
    }
    for (const text of ['h', 'he', 'hel', 'hell', 'hello']) {
      drafts.set(3, text)
      clock.advance(50)
    }
    expect(store.listDrafts(ACCOUNT)).toEqual([])
    expect(drafts.list()).toEqual([{ conversation_id: 3, text: 'hello' }])
    clock.advance(DRAFT_WRITE_DELAY_MS)
    expect(writes).toBe(1)
    expect(store.listDrafts(ACCOUNT)).toEqual([{ conversation_id: 3, text: 'hello' }])
    // Nothing changed since: no more writes, however long it waits.
    clock.advance(DRAFT_WRITE_DELAY_MS * 5)
    expect(writes).toBe(1)
  })

  it('writes at once on flush and on close, and deletes what was emptied', () => {
    const drafts = new Drafts(store, ACCOUNT, clock)
    drafts.set(3, 'first')
    drafts.flush()
    expect(store.listDrafts(ACCOUNT)).toEqual([{ conversation_id: 3, text: 'first' }])
    drafts.set(3, '   ')
    drafts.set(4, 'second')
    drafts.close()
    expect(store.listDrafts(ACCOUNT)).toEqual([{ conversation_id: 4, text: 'second' }])
    expect(clock.pendingTimers).toBe(0)
  })

  it('loads what was written, in the order the drafts were last changed', () => {
    const first = new Drafts(store, ACCOUNT, clock)
    first.set(1, 'one')
    first.set(2, 'two')
    first.set(3, 'three')
    first.flush()
    // Changed in one batch: 2, then 1, then 2 again, so 2 is the most recent.
    first.set(2, 'two, changed')
    first.set(1, 'one, changed')
    first.set(2, 'two, changed last')
    first.close()
    const again = new Drafts(store, ACCOUNT, clock)
    expect(again.list()).toEqual([
      { conversation_id: 2, text: 'two, changed last' },
      { conversation_id: 1, text: 'one, changed' },
      { conversation_id: 3, text: 'three' },
    ])
  })

  it('clears memory and disk at once, leaving nothing to be written later', () => {
    const drafts = new Drafts(store, ACCOUNT, clock)
    const other = new Drafts(store, 'http://127.0.0.1:1#2', clock)
    drafts.set(1, 'written')
    other.set(1, 'someone else’s')
    drafts.flush()
    other.flush()
    drafts.set(2, 'pending')
    drafts.clear()
    clock.advance(DRAFT_WRITE_DELAY_MS * 2)
    expect(drafts.list()).toEqual([])
    expect(store.listDrafts(ACCOUNT)).toEqual([])
    expect(store.listDrafts('http://127.0.0.1:1#2')).toEqual([
      { conversation_id: 1, text: 'someone else’s' },
    ])
  })

  it('keeps at most MAX_DRAFTS_PER_ACCOUNT, dropping the least recently changed', () => {
    const drafts = new Drafts(store, ACCOUNT, clock)
    for (let id = 1; id <= MAX_DRAFTS_PER_ACCOUNT; id++) drafts.set(id, `draft ${id}`)
    drafts.flush()
    // Conversation 1 is changed again, so 2 is now the oldest and makes room.
    drafts.set(1, 'draft 1 again')
    drafts.set(MAX_DRAFTS_PER_ACCOUNT + 1, 'one too many')
    drafts.flush()
    const ids = store.listDrafts(ACCOUNT).map((d) => d.conversation_id)
    expect(ids).toHaveLength(MAX_DRAFTS_PER_ACCOUNT)
    expect(ids).not.toContain(2)
    expect(ids.slice(-2)).toEqual([1, MAX_DRAFTS_PER_ACCOUNT + 1])
  })
})
