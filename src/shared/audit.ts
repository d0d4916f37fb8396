/**
 * The kinds of audit log entries (GET /admin/audit): what an administrator did, and what happened
 * to an account's security. The server appends them; nothing edits or deletes one through the
 * API (docs/protocol.md, "Audit log"). Their order here is the order the settings window lists
 * them in its filter.
 */
export const AUDIT_KINDS = [
  // Administrators' actions.
  'invite_created',
  'invite_revoked',
  'role_changed',
  'user_deactivated',
  'user_reactivated',
  'password_reset_issued',
  'sessions_revoked',
  'timezone_changed',
  'organization_renamed',
  'retention_changed',
  'broadcast_sent',
  // Security events of an account.
  'user_registered',
  'signed_in',
  'sign_in_failed',
  'signed_out',
  'password_changed',
  'password_reset_used',
  'other_devices_signed_out',
] as const

export type AuditKind = (typeof AUDIT_KINDS)[number]

export function isAuditKind(value: unknown): value is AuditKind {
  return typeof value === 'string' && (AUDIT_KINDS as readonly string[]).includes(value)
}

/** What an entry is called in the settings window and the CSV export. */
export const AUDIT_KIND_LABELS: Readonly<Record<AuditKind, string>> = {
  invite_created: 'Invite created',
  invite_revoked: 'Invite revoked',
  role_changed: 'Role changed',
  user_deactivated: 'Account deactivated',
  user_reactivated: 'Account reactivated',
  password_reset_issued: 'Password reset issued',
  sessions_revoked: 'Signed out everywhere by an administrator',
  timezone_changed: 'Time zone changed',
  organization_renamed: 'Organization renamed',
  retention_changed: 'Message retention changed',
  broadcast_sent: 'Announcement sent',
  user_registered: 'Account created',
  signed_in: 'Signed in',
  sign_in_failed: 'Failed sign-in',
  signed_out: 'Signed out (token revoked)',
  password_changed: 'Password changed',
  password_reset_used: 'Password reset with a code',
  other_devices_signed_out: 'Signed out other devices',
}

/**
 * Details an entry carries besides its actor and target (a role's old and new value, the zone,
 * the username a failed sign-in tried): flat, so that they fit one CSV cell as JSON.
 */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>

/**
 * The columns of the CSV export (GET /admin/audit.csv), in order: the header row. Times are in
 * UTC and in the organization's zone (with its offset); `event` is the kind's label, `details`
 * the entry's details as JSON.
 */
export const AUDIT_CSV_COLUMNS = [
  'time_utc',
  'time_local',
  'event',
  'kind',
  'actor_username',
  'actor_name',
  'target_username',
  'target_name',
  'address',
  'details',
] as const
