import { resolve } from 'node:path'
import { defineMessages } from '../../shared/i18n/defineMessages'
import { app, dialog, type BrowserWindow } from 'electron'
import { DEEP_LINK_SCHEME } from '../../shared/deepLinks'
import type { Translator } from '../../shared/i18n/translator'
import type { LinkPrefill } from '../../shared/ipc'
import { needsUnencryptedConfirmation } from '../../shared/serverAddress'

const messages = defineMessages({
  addServer: { id: 'deepLink.addServer.confirm', defaultMessage: 'Add server' },
  cancel: { id: 'deepLink.addServer.cancel', defaultMessage: 'Cancel' },
  question: { id: 'deepLink.addServer.question', defaultMessage: 'Add {to} to Tidings?' },
  inviteDetail: {
    id: 'deepLink.addServer.inviteDetail',
    defaultMessage:
      'The invite link you opened is for the server at {to}, which is not in your list. Adding it shows its registration form; your other servers stay signed in, and Settings can remove it again.',
  },
  resetDetail: {
    id: 'deepLink.addServer.resetDetail',
    defaultMessage:
      'The password reset link you opened is for the server at {to}, which is not in your list. Adding it shows its form to set a new password; your other servers stay signed in, and Settings can remove it again.',
  },
  unencryptedWarning: {
    id: 'deepLink.addServer.unencryptedWarning',
    defaultMessage:
      'Warning: this server is not encrypted (http://), so anyone on the network between can read your password and your messages. Add it only if you trust that network.',
  },
  ok: { id: 'deepLink.notice.ok', defaultMessage: 'OK' },
})

/**
 * The Electron side of `tidings://` links (what they do is src/main/core/deepLinks.ts): the
 * protocol registration, macOS's `open-url` and the dialogs.
 * Windows and Linux pass a link in argv: at a cold start (process.argv) or, when Tidings already
 * runs, to the first instance's `second-instance` event (singleInstance.ts).
 */

export interface ProtocolClientOptions {
  isPackaged: boolean
  /** TIDINGS_REGISTER_PROTOCOL=1: a development run registers itself too (Electron + app path). */
  registerInDevelopment: boolean
  /** process.execPath and process.argv[1] (the app folder) of a development run. */
  execPath: string
  appArg: string | undefined
}

/**
 * Makes this app the OS handler of tidings:// links. The installers register it too
 * (electron-builder.yml `protocols`: Info.plist, the NSIS registry keys, the .desktop MimeType);
 * this covers a portable copy and repairs a registration another app took. A development run
 * does not register unless asked, so that it never takes links from the installed app.
 */
export function registerProtocolClient(options: ProtocolClientOptions): boolean {
  if (options.isPackaged) {
    if (app.isDefaultProtocolClient(DEEP_LINK_SCHEME)) return true
    return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)
  }
  if (!options.registerInDevelopment || options.appArg === undefined) return false
  return app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, options.execPath, [
    resolve(options.appArg),
  ])
}

/**
 * macOS delivers links as `open-url`, at a cold start before the app is ready: this must be
 * listened to from the start of main. Returns the unsubscribe.
 */
export function listenForOpenUrl(receive: (url: string) => void): () => void {
  const listener = (event: { preventDefault(): void }, url: string) => {
    event.preventDefault()
    receive(url)
  }
  app.on('open-url', listener)
  return () => {
    app.removeListener('open-url', listener)
  }
}

/** The question's detail for each form a link fills in (separate sentences, not an ICU select). */
const DETAIL = {
  register: messages.inviteDetail,
  password_reset: messages.resetDetail,
} satisfies Record<LinkPrefill['form'], object>

/** Asks before adding a link's server; true only on "Add server". */
export async function confirmAddServer(
  parent: BrowserWindow | null,
  request: { to: string; form: LinkPrefill['form'] },
  { t }: Translator,
): Promise<boolean> {
  const options = {
    type: 'question' as const,
    buttons: [t(messages.addServer), t(messages.cancel)],
    defaultId: 1,
    cancelId: 1,
    message: t(messages.question, { to: request.to }),
    detail:
      t(DETAIL[request.form], { to: request.to }) +
      (needsUnencryptedConfirmation(request.to) ? `\n\n${t(messages.unencryptedWarning)}` : ''),
  }
  const { response } = parent
    ? await dialog.showMessageBox(parent, options)
    : await dialog.showMessageBox(options)
  return response === 0
}

/** A notice about a link, next to the window; not waited for. */
export function showLinkNotice(
  parent: BrowserWindow | null,
  message: string,
  { t }: Translator,
): void {
  const options = { type: 'info' as const, buttons: [t(messages.ok)], message }
  const shown = parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options)
  shown.catch((error: unknown) => console.error('Could not show a link notice', error))
}
