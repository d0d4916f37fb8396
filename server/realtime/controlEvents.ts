import { CloseCode } from '../../src/shared/closeCodes'
import type { ControlEvent } from '../storage/eventSink'
import type { ConnectionHub } from './connectionHub'

/** What control events change on a node. */
export interface ControlTargets {
  hub: ConnectionHub
  accounts: {
    forgetSessions(tokenHashes: readonly string[]): void
    forgetUser(userId: number): void
    forgetDeactivated(userId: number): void
  }
  branding: { load(): Promise<unknown> }
  /** The message retention sweep: runs now where its lease is held (not before start-up). */
  retentionSweep: { runNow(): void } | undefined
  integrations:
    | {
        mailQueued(accountId: number, messageId: number): void
        mailAccountChanged(
          accountId: number,
          change: 'created' | 'updated' | 'removed' | 'sync',
        ): void
      }
    | undefined
  reportError(error: unknown): void
}

/**
 * Applies a control event to this node (see storage/eventSink's ControlEvent): forgets revoked
 * sessions and closes their sockets (4001, never to be resumed with that token), forgets a
 * changed user, shuts a deactivated account out (every session and socket), reads the branding
 * again, sweeps expired messages now (where that job runs), or sends a queued mail if this node
 * runs its account's mail.
 */
export function applyControl(targets: ControlTargets, control: ControlEvent): void {
  switch (control.kind) {
    case 'sessions_revoked':
      targets.accounts.forgetSessions(control.token_hashes)
      targets.hub.closeSessions(
        control.user_id,
        new Set(control.token_hashes),
        CloseCode.Unauthorized,
        control.reason,
      )
      return
    case 'user_changed':
      targets.accounts.forgetUser(control.user_id)
      return
    case 'user_deactivated':
      targets.accounts.forgetDeactivated(control.user_id)
      targets.hub.closeUser(control.user_id, CloseCode.Unauthorized, 'account deactivated')
      return
    case 'branding_changed':
      targets.branding.load().catch(targets.reportError)
      return
    case 'message_retention_changed':
      targets.retentionSweep?.runNow()
      return
    case 'mail_queued':
      targets.integrations?.mailQueued(control.account_id, control.message_id)
      return
    case 'mail_account':
      targets.integrations?.mailAccountChanged(control.account_id, control.change)
      return
  }
}
