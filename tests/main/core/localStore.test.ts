import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LOCAL_DB_FILE, LocalStore } from '../../../src/main/core/localStore'
import type { OutboxItem } from '../../../src/shared/ipc'
import { fakeSecretStore } from './support/fakeSecretStore'

function item(clientId: string, text: string): OutboxItem {
  return {
    client_id: clientId,
    conversation_id: 3,
    text,
    status: 'pending',
    error: null,
    created_at: '2026-01-15T15:30:00Z',
    reply_to_id: null,
    attachment_ids: [],
    thread_root_id: null,
    also_to_channel: false,
    message: null,
  }
}

describe('local store', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tidings-local-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  function rawSecrets(): { key: string; value: Buffer; encrypted: number }[] {
    const db = new Database(join(dir, LOCAL_DB_FILE), { readonly: true })
    try {
      return db.prepare('SELECT key, value, encrypted FROM secrets').all() as never
    } finally {
      db.close()
    }
  }

  it('uses WAL mode', () => {
    const store = new LocalStore(dir, fakeSecretStore())
    store.close()
    const db = new Database(join(dir, LOCAL_DB_FILE), { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('encrypts secrets when the OS offers secure storage', () => {
    const secrets = fakeSecretStore(true)
    const store = new LocalStore(dir, secrets)
    store.setSecret('token', 'tok-123')
    expect(store.getSecret('token')).toBe('tok-123')
    expect(store.secureStorage).toBe(true)
    store.close()
    const [row] = rawSecrets()
    expect(row?.encrypted).toBe(1)
    expect(row?.value.toString('utf8')).not.toContain('tok-123')
  })

  it('keeps no secret on disk without secure storage (only for this run) unless allowed', () => {
    const store = new LocalStore(dir, fakeSecretStore(false))
    store.setSecret('token', 'tok-123')
    expect(store.secureStorage).toBe(false)
    expect(store.getSecret('token')).toBe('tok-123')
    expect(rawSecrets()).toEqual([])
    store.close()
    // The next start has none: the user signs in again.
    const next = new LocalStore(dir, fakeSecretStore(false))
    expect(next.getSecret('token')).toBeNull()
    next.close()
  })

  it('keeps a secret unencrypted on disk once the user allows it, and takes it off when not', () => {
    const store = new LocalStore(dir, fakeSecretStore(false))
    store.setSecret('token', 'tok-123')
    // Allowed later in the run: the secret held in memory is written.
    store.setPlainSecretsAllowed(true)
    expect(rawSecrets()).toEqual([{ key: 'token', value: Buffer.from('tok-123'), encrypted: 0 }])
    store.setSecret('token', 'tok-456')
    expect(rawSecrets()[0]?.value.toString()).toBe('tok-456')
    // Withdrawn: off the disk at once, still signed in for this run.
    store.setPlainSecretsAllowed(false)
    expect(rawSecrets()).toEqual([])
    expect(store.getSecret('token')).toBe('tok-456')
    store.deleteSecret('token')
    expect(store.getSecret('token')).toBeNull()
    store.close()
  })

  it('takes an unencrypted secret an older version left off the disk unless allowed', () => {
    const older = new LocalStore(dir, fakeSecretStore(false))
    older.setPlainSecretsAllowed(true)
    older.setSecret('token', 'tok-123')
    older.close()
    const allowed = new LocalStore(dir, fakeSecretStore(false))
    allowed.setPlainSecretsAllowed(true)
    expect(allowed.getSecret('token')).toBe('tok-123')
    allowed.close()
    const store = new LocalStore(dir, fakeSecretStore(false))
    expect(store.getSecret('token')).toBeNull()
    store.setPlainSecretsAllowed(false)
    expect(rawSecrets()).toEqual([])
    store.close()
  })

  it('treats an encrypted secret it can no longer decrypt as absent', () => {
    const first = new LocalStore(dir, fakeSecretStore(true))
    first.setSecret('token', 'tok-123')
    first.close()
    const later = new LocalStore(dir, fakeSecretStore(false))
    expect(later.getSecret('token')).toBeNull()
    later.close()
  })

  it('keeps the resume position per server and account across reopen', () => {
    const store = new LocalStore(dir, fakeSecretStore())
    store.setResumePosition('http://a', 1, 10)
    store.setResumePosition('http://a', 1, 42)
    store.setResumePosition('http://b', 1, 7)
    store.close()
    const reopened = new LocalStore(dir, fakeSecretStore())
    expect(reopened.getResumePosition('http://a', 1)).toBe(42)
    expect(reopened.getResumePosition('http://b', 1)).toBe(7)
    expect(reopened.getResumePosition('http://a', 2)).toBeNull()
    reopened.close()
  })

  it('hands out pending sends in creation order, per account', () => {
    const store = new LocalStore(dir, fakeSecretStore())
    store.insertOutboxItem('acct-1', item('c1', 'first'))
    store.insertOutboxItem('acct-2', item('x1', 'other account'))
    store.insertOutboxItem('acct-1', item('c2', 'second'))
    expect(store.nextPendingOutboxItem('acct-1')?.client_id).toBe('c1')
    store.updateOutboxItem('c1', 'failed', 'nope', null)
    expect(store.nextPendingOutboxItem('acct-1')?.client_id).toBe('c2')
    expect(store.listOutboxItems('acct-1').map((i) => [i.client_id, i.status, i.error])).toEqual([
      ['c1', 'failed', 'nope'],
      ['c2', 'pending', null],
    ])
    expect(store.getOutboxItem('acct-2', 'c1')).toBeNull()
    store.close()
  })

  it('prunes old delivered sends but keeps pending and failed ones', () => {
    const store = new LocalStore(dir, fakeSecretStore())
    for (let i = 0; i < 5; i++) {
      store.insertOutboxItem('a', item(`s${i}`, `t${i}`))
      store.updateOutboxItem(`s${i}`, 'sent', null, null)
    }
    store.insertOutboxItem('a', item('p', 'pending'))
    store.pruneSentOutboxItems('a', 2)
    expect(store.listOutboxItems('a').map((i) => i.client_id)).toEqual(['s3', 's4', 'p'])
    store.close()
  })

  it('keeps what a send replies to across reopen, and opens an outbox from before replies', () => {
    // The outbox table as it was before replies: no reply_to_id column, one pending send.
    const old = new Database(join(dir, LOCAL_DB_FILE))
    old.exec(`CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, account TEXT NOT NULL,
      conversation_id INTEGER NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
      created_at TEXT NOT NULL, message_json TEXT)`)
    old
      .prepare(
        `INSERT INTO outbox (client_id, account, conversation_id, text, status, created_at)
         VALUES ('old', 'a', 3, 'queued before the upgrade', 'pending', '2026-01-15T15:00:00Z')`,
      )
      .run()
    old.close()

    const store = new LocalStore(dir, fakeSecretStore())
    store.insertOutboxItem('a', { ...item('reply', 'a reply'), reply_to_id: 41 })
    store.close()
    const reopened = new LocalStore(dir, fakeSecretStore())
    expect(reopened.listOutboxItems('a').map((i) => [i.client_id, i.reply_to_id])).toEqual([
      ['old', null],
      ['reply', 41],
    ])
    reopened.close()
  })

  it('keeps the files a send carries across reopen; an outbox from before them has none', () => {
    // The outbox table as replies left it: no attachment_ids column, one pending send.
    const old = new Database(join(dir, LOCAL_DB_FILE))
    old.exec(`CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, account TEXT NOT NULL,
      conversation_id INTEGER NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
      created_at TEXT NOT NULL, message_json TEXT, reply_to_id INTEGER)`)
    old
      .prepare(
        `INSERT INTO outbox (client_id, account, conversation_id, text, status, created_at)
         VALUES ('old', 'a', 3, 'queued before the upgrade', 'pending', '2026-01-15T15:00:00Z')`,
      )
      .run()
    old.close()

    const store = new LocalStore(dir, fakeSecretStore())
    store.insertOutboxItem('a', { ...item('files', ''), attachment_ids: [7, 9] })
    store.close()
    const reopened = new LocalStore(dir, fakeSecretStore())
    expect(reopened.listOutboxItems('a').map((i) => [i.client_id, i.attachment_ids])).toEqual([
      ['old', []],
      ['files', [7, 9]],
    ])
    reopened.close()
  })

  it('keeps the thread a send replies in across reopen; an outbox from before threads has none', () => {
    // The outbox table as attachments left it: no thread columns, one pending send.
    const old = new Database(join(dir, LOCAL_DB_FILE))
    old.exec(`CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, account TEXT NOT NULL,
      conversation_id INTEGER NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, error TEXT,
      created_at TEXT NOT NULL, message_json TEXT, reply_to_id INTEGER, attachment_ids TEXT)`)
    old
      .prepare(
        `INSERT INTO outbox (client_id, account, conversation_id, text, status, created_at)
         VALUES ('old', 'a', 3, 'queued before the upgrade', 'pending', '2026-01-15T15:00:00Z')`,
      )
      .run()
    old.close()

    const store = new LocalStore(dir, fakeSecretStore())
    store.insertOutboxItem('a', { ...item('in-thread', 'Yes'), thread_root_id: 41 })
    store.insertOutboxItem('a', {
      ...item('to-channel', 'Also here'),
      thread_root_id: 41,
      also_to_channel: true,
    })
    store.close()
    const reopened = new LocalStore(dir, fakeSecretStore())
    expect(
      reopened.listOutboxItems('a').map((i) => [i.client_id, i.thread_root_id, i.also_to_channel]),
    ).toEqual([
      ['old', null, false],
      ['in-thread', 41, false],
      ['to-channel', 41, true],
    ])
    reopened.close()
  })
})
