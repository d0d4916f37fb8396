import type { User } from '../../shared/models'
import type { LocalStore } from './localStore'

/**
 * Versions with one server kept its data in the app's local store, filed under the server's
 * address: the session (token and user), the stream's resume position, the outbox and the
 * drafts. A server's own store, when it is first made, takes over what is there for its address,
 * so a user who updates stays signed in with their unsent messages and drafts; the app's store
 * then forgets what was copied (the outbox's sent messages too; unsent ones are left behind
 * unread). A token the OS keychain cannot decrypt now is left where it is: that user signs in
 * again. (The bundled server was filed under its port, new at each start, so nothing of it
 * could be restored anyway.)
 */
export function takeOverLegacyServerData(from: LocalStore, to: LocalStore, address: string): void {
  const tokenKey = `session.token:${address}`
  const userKey = `session.user:${address}`
  const user = from.getJson<User>(userKey)
  if (user === null) return
  const token = from.getSecret(tokenKey)
  if (token !== null) {
    to.setSecret(tokenKey, token)
    from.deleteSecret(tokenKey)
  }
  to.setJson(userKey, user)
  const account = `${address}#${user.id}`
  const position = from.getResumePosition(address, user.id)
  if (position !== null) to.setResumePosition(address, user.id, position)
  for (const item of from.listOutboxItems(account)) to.insertOutboxItem(account, item)
  const drafts = from.listDrafts(account)
  if (drafts.length > 0) to.writeDrafts(account, drafts)
  from.deleteJson(userKey)
  from.clearResumePosition(address, user.id)
  from.clearDrafts(account)
  from.pruneSentOutboxItems(account, 0)
}
