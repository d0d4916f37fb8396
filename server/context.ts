import type { ResolvedOptions } from './config'
import type { Database } from './db/database'
import type { ConnectionHub } from './realtime/connectionHub'
import type { EventLog } from './realtime/eventLog'
import type { Presence } from './realtime/presence'
import type { UnitOfWork } from './realtime/unitOfWork'
import type { Accounts } from './services/accounts'
import type { Attachments } from './services/attachments'
import type { BrandingSettings } from './services/branding'
import type { Conversations } from './services/conversations'
import type { MessageSearch } from './services/messageSearch'
import type { Messages } from './services/messages'
import type { Reactions } from './services/reactions'

/** Everything a route plugin may use; built once by startServer. */
export interface ServerContext {
  options: ResolvedOptions
  db: Database
  accounts: Accounts
  branding: BrandingSettings
  conversations: Conversations
  messages: Messages
  reactions: Reactions
  attachments: Attachments
  search: MessageSearch
  eventLog: EventLog
  unitOfWork: UnitOfWork
  hub: ConnectionHub
  presence: Presence
  /** Highest event id removed by retention: resuming from below it needs a resync. */
  retentionFloor: () => number
}
