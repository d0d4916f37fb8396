import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Message } from '../../shared/models'
import type { Draft, OutboxItem, OutboxStatus } from '../../shared/ipc'
import type { SecretStore } from './coreHost'

export const LOCAL_DB_FILE = 'tidings-local.db'

/**
 * Everything the client keeps on disk, in one SQLite file in the user data folder: small JSON
 * values (preferences, the signed-in user), secrets (the session token, encrypted with the OS
 * keychain; without one, kept in memory unless the user allows it on disk), the resume position of each account's event stream, the outbox
 * of sends that have not reached the server yet, and each account's composer drafts. WAL mode
 * makes each small write cheap and keeps the file consistent if the app is killed mid-write.
 */
export class LocalStore {
  private readonly db: Database.Database
  private readonly secrets: SecretStore
  /** Secrets may be written unencrypted when the OS has no keyring (the user said so). */
  private plainAllowed = false
  /** Secrets kept for this run only: no keyring, and no consent to write them unencrypted. */
  private readonly unsaved = new Map<string, string>()

  constructor(userDataDir: string, secrets: SecretStore) {
    mkdirSync(userDataDir, { recursive: true })
    this.db = new Database(join(userDataDir, LOCAL_DB_FILE))
    this.db.pragma('journal_mode = WAL')
    // NORMAL is durable across app crashes in WAL mode; only an OS crash may lose the last write.
    this.db.pragma('synchronous = NORMAL')
    this.secrets = secrets
    this.migrate()
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS secrets (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        encrypted INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS resume_positions (
        server_url TEXT NOT NULL,
        account_id INTEGER NOT NULL,
        last_event_id INTEGER NOT NULL,
        PRIMARY KEY (server_url, account_id)
      );
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        client_id TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL,
        conversation_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        message_json TEXT
      );
      CREATE INDEX IF NOT EXISTS outbox_by_account ON outbox (account, status, seq);
      CREATE TABLE IF NOT EXISTS drafts (
        account TEXT NOT NULL,
        conversation_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (account, conversation_id)
      );
    `)
    // Added with replies: an outbox from before them gains the column, its sends are not replies.
    const outboxColumns = this.db.pragma('table_info(outbox)') as { name: string }[]
    if (!outboxColumns.some((c) => c.name === 'reply_to_id')) {
      this.db.exec('ALTER TABLE outbox ADD COLUMN reply_to_id INTEGER')
    }
    // Added with attachments (a JSON array, null for none): older sends carry no files.
    if (!outboxColumns.some((c) => c.name === 'attachment_ids')) {
      this.db.exec('ALTER TABLE outbox ADD COLUMN attachment_ids TEXT')
    }
    // Added with threads: older sends are no thread replies.
    if (!outboxColumns.some((c) => c.name === 'thread_root_id')) {
      this.db.exec('ALTER TABLE outbox ADD COLUMN thread_root_id INTEGER')
      this.db.exec('ALTER TABLE outbox ADD COLUMN also_to_channel INTEGER NOT NULL DEFAULT 0')
    }
  }

  // ---- JSON values -------------------------------------------------------------------------

  getJson<T>(key: string): T | null {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as
      { value: string } | undefined
    if (!row) return null
    try {
      return JSON.parse(row.value) as T
    } catch {
      // A value we cannot read is treated as absent, so the caller falls back to defaults.
      return null
    }
  }

  setJson(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value))
  }

  deleteJson(key: string): void {
    this.db.prepare('DELETE FROM kv WHERE key = ?').run(key)
  }

  // ---- Secrets -----------------------------------------------------------------------------

  /** Whether secrets are encrypted at rest on this machine. */
  get secureStorage(): boolean {
    return this.secrets.available()
  }

  /**
   * Whether a secret may be written unencrypted when the OS offers no keyring (the user's
   * `unencrypted_sign_in`). Allowed, the secrets this run kept in memory are written; forbidden,
   * those on disk unencrypted are taken off it (and kept in memory for this run): without a
   * keyring the user then signs in at each start.
   */
  setPlainSecretsAllowed(allowed: boolean): void {
    this.plainAllowed = allowed
    if (allowed) {
      for (const [key, plain] of this.unsaved) this.writeSecret(key, plain)
      this.unsaved.clear()
      return
    }
    const rows = this.db.prepare('SELECT key, value FROM secrets WHERE encrypted = 0').all() as {
      key: string
      value: Buffer
    }[]
    for (const row of rows) this.unsaved.set(row.key, row.value.toString('utf8'))
    this.db.prepare('DELETE FROM secrets WHERE encrypted = 0').run()
  }

  /**
   * Keeps a secret: encrypted with the OS keyring when there is one; else unencrypted on disk
   * only if the user allowed it, and otherwise in memory, for this run.
   */
  setSecret(key: string, plain: string): void {
    if (!this.secrets.available() && !this.plainAllowed) {
      this.unsaved.set(key, plain)
      this.db.prepare('DELETE FROM secrets WHERE key = ?').run(key)
      return
    }
    this.unsaved.delete(key)
    this.writeSecret(key, plain)
  }

  private writeSecret(key: string, plain: string): void {
    const encrypted = this.secrets.available()
    const value = encrypted ? this.secrets.encrypt(plain) : Buffer.from(plain, 'utf8')
    this.db
      .prepare(
        `INSERT INTO secrets (key, value, encrypted) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, encrypted = excluded.encrypted`,
      )
      .run(key, value, encrypted ? 1 : 0)
  }

  /** The secret, or null when absent or no longer decryptable (e.g. the keychain was reset). */
  getSecret(key: string): string | null {
    const unsaved = this.unsaved.get(key)
    if (unsaved !== undefined) return unsaved
    const row = this.db.prepare('SELECT value, encrypted FROM secrets WHERE key = ?').get(key) as
      { value: Buffer; encrypted: number } | undefined
    if (!row) return null
    if (row.encrypted === 0) return this.plainAllowed ? row.value.toString('utf8') : null
    if (!this.secrets.available()) return null
    try {
      return this.secrets.decrypt(row.value)
    } catch {
      return null
    }
  }

  deleteSecret(key: string): void {
    this.unsaved.delete(key)
    this.db.prepare('DELETE FROM secrets WHERE key = ?').run(key)
  }

  // ---- Resume positions --------------------------------------------------------------------

  getResumePosition(serverUrl: string, accountId: number): number | null {
    const row = this.db
      .prepare('SELECT last_event_id FROM resume_positions WHERE server_url = ? AND account_id = ?')
      .get(serverUrl, accountId) as { last_event_id: number } | undefined
    return row ? row.last_event_id : null
  }

  setResumePosition(serverUrl: string, accountId: number, lastEventId: number): void {
    this.db
      .prepare(
        `INSERT INTO resume_positions (server_url, account_id, last_event_id) VALUES (?, ?, ?)
         ON CONFLICT(server_url, account_id) DO UPDATE SET last_event_id = excluded.last_event_id`,
      )
      .run(serverUrl, accountId, lastEventId)
  }

  clearResumePosition(serverUrl: string, accountId: number): void {
    this.db
      .prepare('DELETE FROM resume_positions WHERE server_url = ? AND account_id = ?')
      .run(serverUrl, accountId)
  }

  // ---- Outbox ------------------------------------------------------------------------------

  insertOutboxItem(account: string, item: OutboxItem): void {
    this.db
      .prepare(
        `INSERT INTO outbox (client_id, account, conversation_id, text, status, error, created_at, reply_to_id, attachment_ids, thread_root_id, also_to_channel, message_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        item.client_id,
        account,
        item.conversation_id,
        item.text,
        item.status,
        item.error,
        item.created_at,
        item.reply_to_id,
        item.attachment_ids.length > 0 ? JSON.stringify(item.attachment_ids) : null,
        item.thread_root_id,
        item.also_to_channel ? 1 : 0,
        item.message ? JSON.stringify(item.message) : null,
      )
  }

  updateOutboxItem(
    clientId: string,
    status: OutboxStatus,
    error: string | null,
    message: Message | null,
  ): void {
    this.db
      .prepare('UPDATE outbox SET status = ?, error = ?, message_json = ? WHERE client_id = ?')
      .run(status, error, message ? JSON.stringify(message) : null, clientId)
  }

  getOutboxItem(account: string, clientId: string): OutboxItem | null {
    const row = this.db
      .prepare('SELECT * FROM outbox WHERE account = ? AND client_id = ?')
      .get(account, clientId) as OutboxRow | undefined
    return row ? rowToItem(row) : null
  }

  /** The oldest pending send of the account: sends leave strictly in the order they were made. */
  nextPendingOutboxItem(account: string): OutboxItem | null {
    const row = this.db
      .prepare(`SELECT * FROM outbox WHERE account = ? AND status = 'pending' ORDER BY seq LIMIT 1`)
      .get(account) as OutboxRow | undefined
    return row ? rowToItem(row) : null
  }

  listOutboxItems(account: string): OutboxItem[] {
    const rows = this.db
      .prepare('SELECT * FROM outbox WHERE account = ? ORDER BY seq')
      .all(account) as OutboxRow[]
    return rows.map(rowToItem)
  }

  /** Forget delivered sends beyond the newest `keep`; the server has them in history anyway. */
  pruneSentOutboxItems(account: string, keep: number): void {
    this.db
      .prepare(
        `DELETE FROM outbox WHERE account = ? AND status = 'sent' AND seq NOT IN (
           SELECT seq FROM outbox WHERE account = ? AND status = 'sent' ORDER BY seq DESC LIMIT ?
         )`,
      )
      .run(account, account, keep)
  }

  // ---- Drafts ------------------------------------------------------------------------------

  /** The account's drafts, least recently changed first. */
  listDrafts(account: string): Draft[] {
    return this.db
      .prepare('SELECT conversation_id, text FROM drafts WHERE account = ? ORDER BY seq')
      .all(account) as Draft[]
  }

  /**
   * Writes changed drafts in one transaction, in the order given (later ones count as more
   * recently changed); a change without text deletes that conversation's draft.
   */
  writeDrafts(account: string, changes: { conversation_id: number; text?: string }[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO drafts (account, conversation_id, text, seq)
       VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM drafts WHERE account = ?))
       ON CONFLICT(account, conversation_id)
       DO UPDATE SET text = excluded.text, seq = excluded.seq`,
    )
    const remove = this.db.prepare('DELETE FROM drafts WHERE account = ? AND conversation_id = ?')
    this.db.transaction(() => {
      for (const change of changes) {
        if (change.text === undefined) remove.run(account, change.conversation_id)
        else upsert.run(account, change.conversation_id, change.text, account)
      }
    })()
  }

  clearDrafts(account: string): void {
    this.db.prepare('DELETE FROM drafts WHERE account = ?').run(account)
  }

  /** False once closed (the app stopping, or its server removed). */
  get isOpen(): boolean {
    return this.db.open
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

interface OutboxRow {
  client_id: string
  conversation_id: number
  text: string
  status: OutboxStatus
  error: string | null
  created_at: string
  reply_to_id: number | null
  attachment_ids: string | null
  thread_root_id: number | null
  also_to_channel: number
  message_json: string | null
}

function rowToItem(row: OutboxRow): OutboxItem {
  return {
    client_id: row.client_id,
    conversation_id: row.conversation_id,
    text: row.text,
    status: row.status,
    error: row.error,
    created_at: row.created_at,
    reply_to_id: row.reply_to_id,
    attachment_ids: row.attachment_ids ? (JSON.parse(row.attachment_ids) as number[]) : [],
    thread_root_id: row.thread_root_id,
    also_to_channel: row.also_to_channel === 1,
    message: row.message_json ? (JSON.parse(row.message_json) as Message) : null,
  }
}
