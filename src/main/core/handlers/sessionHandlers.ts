import type { CoreHandlers, CoreParts } from './types'

/**
 * Signing in, up and out; the password (a reset code too) and the user's other devices; the export
 * of the user's data; the form a link fills in; the connection state.
 */
export function sessionHandlers({ sessions, rest, connectionState, linkForms }: CoreParts) {
  return {
    'session/get': async () => {
      // While signed out, ask again: the bundled server may not have been up at start.
      if (!sessions.current) await sessions.refreshAuthStatus()
      return sessions.state()
    },
    'session/register': (body) => sessions.register(body),
    'session/login': (body) => sessions.login(body.username, body.password),
    'session/logout': () => sessions.signOut(),
    'session/resetPassword': (body) => sessions.resetPassword(body),
    'links/takePrefill': () => linkForms.take(),
    // The passwords go to the server only: never stored, never logged. A wrong current password
    // is a 403 (wrong_password), so authed() keeps the session for another try.
    'session/changePassword': (body) => sessions.authed(() => rest.changePassword(body)),
    'session/signOutOthers': () => sessions.authed(() => rest.signOutOthers()),
    'session/exportData': () => {
      const { dataExport } = sessions.require()
      return sessions.authed(() => dataExport.save())
    },
    'connection/get': () => connectionState(),
  } satisfies Partial<CoreHandlers>
}
