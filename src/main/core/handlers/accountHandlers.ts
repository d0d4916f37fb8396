import type { CreatedPlatformAccount, PlatformAccount } from '../../../shared/models'
import type { CoreHandlers, CoreParts } from './types'

/** Connected mail accounts (the settings window's). */
export function accountHandlers({ sessions, rest, publishAccount }: CoreParts) {
  return {
    'accounts/list': () => sessions.authed(() => rest.accounts()),
    'accounts/connectEmail': (body) =>
      sessions.authed(async () => {
        const created = await rest.createAccount({ platform: 'email', ...body })
        return publishAccount(withoutBridgeSecret(created))
      }),
    'accounts/disconnect': (body) =>
      sessions.authed(async () => {
        // The server also announces it (account_disconnected), which every window applies.
        publishAccount(await rest.deleteAccount(body.account_id))
      }),
    'accounts/sync': (body) =>
      sessions.authed(async () => publishAccount(await rest.syncAccount(body.account_id))),
  } satisfies Partial<CoreHandlers>
}

/** The bridge secret is for bridge processes; an email account never needs it in a window. */
function withoutBridgeSecret(created: CreatedPlatformAccount): PlatformAccount {
  const { bridge_secret: _secret, ...account } = created
  return account
}
