import type { UserRef } from '../../src/shared/models'

/**
 * A user as a list names them, from the columns of a left join on users: null when the row names
 * nobody (or nobody who exists).
 */
export function userRef(
  id: number | null,
  username: string | null | undefined,
  displayName: string | null | undefined,
): UserRef | null {
  if (id === null || username == null || displayName == null) return null
  return { id, username, display_name: displayName }
}
