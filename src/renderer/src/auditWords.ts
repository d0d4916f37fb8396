import type { AuditDetails, AuditKind } from '../../shared/audit'
import { defineMessages } from '../../shared/i18n/defineMessages'
import type { Translate } from '../../shared/i18n/translator'

/**
 * The audit log's words in the settings window: each kind's name, and the details' names and the
 * server's fixed values (a failed sign-in's reason, how an account was created). The CSV export
 * stays in English (AUDIT_KIND_LABELS, written by the server); anything the server adds later
 * that is not here shows as it came.
 */
const kinds = defineMessages({
  invite_created: { id: 'audit.kind.inviteCreated', defaultMessage: 'Invite created' },
  invite_revoked: { id: 'audit.kind.inviteRevoked', defaultMessage: 'Invite revoked' },
  role_changed: { id: 'audit.kind.roleChanged', defaultMessage: 'Role changed' },
  user_deactivated: { id: 'audit.kind.userDeactivated', defaultMessage: 'Account deactivated' },
  user_reactivated: { id: 'audit.kind.userReactivated', defaultMessage: 'Account reactivated' },
  password_reset_issued: {
    id: 'audit.kind.passwordResetIssued',
    defaultMessage: 'Password reset issued',
  },
  sessions_revoked: {
    id: 'audit.kind.sessionsRevoked',
    defaultMessage: 'Signed out everywhere by an administrator',
  },
  timezone_changed: { id: 'audit.kind.timezoneChanged', defaultMessage: 'Time zone changed' },
  organization_renamed: {
    id: 'audit.kind.organizationRenamed',
    defaultMessage: 'Organization renamed',
  },
  retention_changed: {
    id: 'audit.kind.retentionChanged',
    defaultMessage: 'Message retention changed',
  },
  broadcast_sent: { id: 'audit.kind.broadcastSent', defaultMessage: 'Announcement sent' },
  user_registered: { id: 'audit.kind.userRegistered', defaultMessage: 'Account created' },
  signed_in: { id: 'audit.kind.signedIn', defaultMessage: 'Signed in' },
  sign_in_failed: { id: 'audit.kind.signInFailed', defaultMessage: 'Failed sign-in' },
  signed_out: { id: 'audit.kind.signedOut', defaultMessage: 'Signed out (token revoked)' },
  password_changed: { id: 'audit.kind.passwordChanged', defaultMessage: 'Password changed' },
  password_reset_used: {
    id: 'audit.kind.passwordResetUsed',
    defaultMessage: 'Password reset with a code',
  },
  other_devices_signed_out: {
    id: 'audit.kind.otherDevicesSignedOut',
    defaultMessage: 'Signed out other devices',
  },
}) satisfies Record<AuditKind, object>

const detailNames = defineMessages({
  from: { id: 'audit.detail.from', defaultMessage: 'from' },
  to: { id: 'audit.detail.to', defaultMessage: 'to' },
  how: { id: 'audit.detail.how', defaultMessage: 'how' },
  username: { id: 'audit.detail.username', defaultMessage: 'username' },
  reason: { id: 'audit.detail.reason', defaultMessage: 'reason' },
  invite_id: { id: 'audit.detail.inviteId', defaultMessage: 'invite' },
  note: { id: 'audit.detail.note', defaultMessage: 'note' },
  expires_at: { id: 'audit.detail.expiresAt', defaultMessage: 'expires' },
  signed_out_sessions: {
    id: 'audit.detail.signedOutSessions',
    defaultMessage: 'sessions signed out',
  },
  title: { id: 'audit.detail.title', defaultMessage: 'title' },
  level: { id: 'audit.detail.level', defaultMessage: 'level' },
})

const detailValues = defineMessages({
  'first account': { id: 'audit.value.firstAccount', defaultMessage: 'first account' },
  invite: { id: 'audit.value.invite', defaultMessage: 'invite' },
  'open registration': {
    id: 'audit.value.openRegistration',
    defaultMessage: 'open registration',
  },
  'wrong password': { id: 'audit.value.wrongPassword', defaultMessage: 'wrong password' },
  'unknown username': { id: 'audit.value.unknownUsername', defaultMessage: 'unknown username' },
  'account deactivated': {
    id: 'audit.value.accountDeactivated',
    defaultMessage: 'account deactivated',
  },
  member: { id: 'audit.value.member', defaultMessage: 'member' },
  admin: { id: 'audit.value.admin', defaultMessage: 'admin' },
})

const detail = defineMessages({
  pair: {
    id: 'audit.detail',
    defaultMessage: '{name}: {value}',
    description: 'One detail of an audit log entry, e.g. "reason: wrong password"',
  },
})

/** What an entry of this kind is called. */
export function auditKindLabel(kind: AuditKind, t: Translate): string {
  return t(kinds[kind])
}

/**
 * An entry's details in a few words: "from: member, to: admin", "reason: wrong password"; an
 * instant (`expires_at`) as the window shows times (`formatTime`), a detail with no value left out.
 */
export function auditDetailsText(
  details: AuditDetails,
  t: Translate,
  formatTime: (iso: string) => string,
): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => {
      const name = Object.hasOwn(detailNames, key)
        ? t(detailNames[key as keyof typeof detailNames])
        : key.replace(/_/g, ' ')
      const raw = String(value)
      const shown =
        key.endsWith('_at') && typeof value === 'string' && !Number.isNaN(Date.parse(value))
          ? formatTime(value)
          : Object.hasOwn(detailValues, raw)
            ? t(detailValues[raw as keyof typeof detailValues])
            : raw
      return t(detail.pair, { name, value: shown })
    })
    .join(', ')
}
