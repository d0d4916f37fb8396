import type {
  AppChannel,
  ConnectionState,
  InvokeRequest,
  InvokeResponse,
  ServerChannel,
} from '../../../shared/ipc'
import type { PlatformAccount } from '../../../shared/models'
import type { AccountSessions } from '../accountSession'
import type { BrandingState } from '../brandingState'
import type { LinkForms } from '../linkForms'
import type { LocaleState } from '../localeState'
import type { NotificationCentre } from '../notificationCentre'
import type { PreferenceChanges } from '../preferenceChanges'
import type { RestClient } from '../restClient'
import type { UnreadTracker } from '../unreadTracker'

/** The core's answer to one invoke channel (its request is already checked against its schema). */
export type Handler<C extends ServerChannel> = (
  request: InvokeRequest<C>,
) => Promise<InvokeResponse<C>> | InvokeResponse<C>

/**
 * One handler per channel a server's core answers: a channel of the IPC table without one (and
 * not answered by the window or the app) fails to compile.
 */
export type CoreHandlers = { [C in ServerChannel]: Handler<C> }

/** What the handlers work with: the core's parts. */
export interface CoreParts {
  rest: RestClient
  sessions: AccountSessions
  unread: UnreadTracker
  notifications: NotificationCentre
  preferences: PreferenceChanges
  branding: BrandingState
  locale: LocaleState
  connectionState(): ConnectionState
  /** Tells every window an account's latest state (connected, error, removed...). */
  publishAccount(account: PlatformAccount): PlatformAccount
  /** The form a link asked to fill in, held for the main window. */
  linkForms: LinkForms
  /** Asks the user where to save a file (CoreHost.chooseSavePath); null when cancelled. */
  chooseSavePath(fileName: string): Promise<string | null>
}

/** The answers the core gives for the whole app, whatever server is active (ServerCoordinator). */
export type AppHandlers = {
  [C in AppChannel]: (request: InvokeRequest<C>) => Promise<InvokeResponse<C>> | InvokeResponse<C>
}
