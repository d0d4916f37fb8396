import type { Leases } from './cluster/leases'
import type { ResolvedOptions } from './config'
import type { Integrations } from './email/integrations'
import type { ServerMetrics } from './observability/metrics'
import type { ConnectionHub } from './realtime/connectionHub'
import type { LiveFeed } from './realtime/liveFeed'
import type { Presence } from './realtime/presence'
import type { TypingRelay } from './realtime/typingRelay'
import type { Accounts } from './services/accounts'
import type { AuditLog } from './services/auditLog'
import type { Attachments } from './services/attachments'
import type { BrandingSettings } from './services/branding'
import type { Contacts } from './services/contacts'
import type { DataExport } from './services/dataExport'
import type { Invites } from './services/invites'
import type { Conversations } from './services/conversations'
import type { MessageRetention } from './services/messageRetention'
import type { MessageSearch } from './services/messageSearch'
import type { Messages } from './services/messages'
import type { LastSeen } from './services/lastSeen'
import type { PasswordResets } from './services/passwordResets'
import type { Reactions } from './services/reactions'
import type { Threads } from './services/threads'
import type { LinkPreviews } from './services/linkPreviews'
import type { UserAdministration } from './services/userAdministration'
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
  /** How long events are kept for resume. */
  retention: EventRetention
  /** How long messages and their files are kept (the admin's policy), and its sweep. */
  messageRetention: MessageRetention
  accounts: Accounts
  /** What administrators did and what happened to accounts' security (append-only). */
  audit: AuditLog
  invites: Invites
  passwordResets: PasswordResets
  /** Roles, deactivation, signing someone out everywhere. */
  userAdministration: UserAdministration
  /** When each user was last seen (their connections coming and going). */
  lastSeen: LastSeen
  branding: BrandingSettings
  conversations: Conversations
  messages: Messages
  reactions: Reactions
  threads: Threads
  linkPreviews: LinkPreviews
  attachments: Attachments
  search: MessageSearch
  /** A user's own data as a streamed ZIP. */
  dataExport: DataExport
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
