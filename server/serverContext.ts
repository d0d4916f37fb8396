import fs from 'node:fs'
import path from 'node:path'
import type { ResolvedOptions } from './config'
import type { ServerContext } from './context'
import { Database } from './db/database'
import { ConnectionHub } from './realtime/connectionHub'
import { EventLog } from './realtime/eventLog'
import { Presence } from './realtime/presence'
import { UnitOfWork } from './realtime/unitOfWork'
import { Accounts } from './services/accounts'
import { Attachments } from './services/attachments'
import { BrandingSettings } from './services/branding'
import { Conversations } from './services/conversations'
import { MessageIndex } from './services/messageIndex'
import { MessageSearch } from './services/messageSearch'
import { Messages } from './services/messages'
import { Reactions } from './services/reactions'

/** The services over a data folder, wired, and the upkeep startServer schedules for them. */
export interface ServerServices {
  ctx: ServerContext
  /** The search index; startServer feeds it in the background. */
  messageIndex: MessageIndex
  /** Drops events older than the retention period and records the new floor. */
  prune(): void
}

/**
 * Opens the database in `options.dataDir` and wires every service a route may use, in one place,
 * so that a test needing a Fastify instance of its own (tests/server/handshakeRevocation.test.ts)
 * gets exactly the server's graph. Starts no timer and opens no port: startServer does that.
 */
export function buildServerContext(options: ResolvedOptions): ServerServices {
  fs.mkdirSync(options.dataDir, { recursive: true })
  const db = new Database(path.join(options.dataDir, 'tidings.db'))

  const branding = new BrandingSettings(db)
  const accounts = new Accounts(db, options.openRegistration)
  const conversations = new Conversations(db)
  const messages = new Messages(db, conversations)
  const messageIndex = new MessageIndex(db)
  messages.onChange((message) => messageIndex.changed(message))
  const search = new MessageSearch(db, messageIndex, conversations)
  const reactions = new Reactions(db, conversations, messages)
  const readFloor = () =>
    Number(
      db.first(db.q.selectFrom('settings').select('value').where('key', '=', 'retention_floor'))
        ?.value ?? 0,
    )
  let retentionFloor = readFloor()
  // Ids continue above the retention floor, so a fully pruned log never hands out old ids again.
  const eventLog = new EventLog(db, () => branding.timezone, retentionFloor)
  const hub = new ConnectionHub()
  const unitOfWork = new UnitOfWork(db, eventLog, hub, conversations)
  const presence = new Presence(
    hub,
    unitOfWork,
    (userId) => {
      const user = accounts.getUser(userId)
      return user && { ...user, online: true }
    },
    options.presenceGraceMs,
  )
  const attachments = new Attachments(
    db,
    options.dataDir,
    conversations,
    unitOfWork,
    options.attachmentMaxBytes,
  )
  attachments.prepare()
  messages.onAttachmentsReleased((ids) => attachments.removeFilesWhenCommitted(ids))

  const prune = () => {
    const floor = eventLog.prune(new Date(Date.now() - options.retentionMs).toISOString())
    if (floor > retentionFloor) {
      retentionFloor = floor
      db.run(
        db.q
          .insertInto('settings')
          .values({ key: 'retention_floor', value: String(floor) })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(floor) })),
      )
    }
  }

  const ctx: ServerContext = {
    options,
    db,
    accounts,
    branding,
    conversations,
    messages,
    reactions,
    attachments,
    search,
    eventLog,
    unitOfWork,
    hub,
    presence,
    retentionFloor: () => retentionFloor,
  }
  return { ctx, messageIndex, prune }
}
