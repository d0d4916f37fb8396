import type { Leases } from './cluster/leases'
import type { ResolvedOptions } from './config'
import type { Integrations } from './email/integrations'
import type { ServerMetrics } from './observability/metrics'
import type { ConnectionHub } from './realtime/connectionHub'
import type { LiveFeed } from './realtime/liveFeed'
import type { Presence } from './realtime/presence'
import type { TypingRelay } from './realtime/typingRelay'
import type { Accounts } from './services/accounts'
import type { Attachments } from './services/attachments'
import type { BrandingSettings } from './services/branding'
import type { Contacts } from './services/contacts'
import type { Conversations } from './services/conversations'
import type { MessageSearch } from './services/messageSearch'
import type { Messages } from './services/messages'
import type { Reactions } from './services/reactions'
import type { Database } from './storage/database'
import type { EventReader } from './storage/eventReader'
import type { EventRetention } from './storage/eventRetention'
import type { StorageHealth } from './storage/storageHealth'
import type { UnitOfWork } from './storage/unitOfWork'

/** Everything a route plugin may use; built once by buildServerContext. */
export interface ServerContext {
  options: ResolvedOptions
  /** Reads outside units of work. */
  db: Database
  /** Every change, and the events it causes. */
  unitOfWork: UnitOfWork
  /** The committed log as this node delivers it; its watermark bounds every replay. */
  feed: LiveFeed
  eventReader: EventReader
  retention: EventRetention
  accounts: Accounts
  branding: BrandingSettings
  conversations: Conversations
  messages: Messages
  reactions: Reactions
  attachments: Attachments
  search: MessageSearch
  contacts: Contacts
  integrations: Integrations
  hub: ConnectionHub
  presence: Presence
  typing: TypingRelay
  /** Which one-owner jobs this node runs. */
  leases: Leases
  metrics: ServerMetrics
  /** Whether writes fail for lack of space (/healthz, the storage_full answers). */
  storage: StorageHealth
  /** This node's id in a cluster; undefined on one node (SQLite). */
  nodeId: string | undefined
}
