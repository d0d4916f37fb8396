import { resolve } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'
import { DEEP_LINK_SCHEME } from '../../shared/deepLinks'
import type { LinkPrefill } from '../../shared/ipc'
import { needsUnencryptedConfirmation } from '../../shared/serverAddress'

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

/** What the link fills in once its server is shown, as the question words it. */
const OPENS: Record<LinkPrefill['form'], { link: string; form: string }> = {
  register: { link: 'invite link', form: 'its registration form' },
  password_reset: { link: 'password reset link', form: 'its form to set a new password' },
}

/** Asks before adding a link's server; true only on "Add server". */
export async function confirmAddServer(
  parent: BrowserWindow | null,
  request: { to: string; form: LinkPrefill['form'] },
): Promise<boolean> {
  const opens = OPENS[request.form]
  const options = {
    type: 'question' as const,
    buttons: ['Add server', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
    message: `Add ${request.to} to Tidings?`,
    detail:
      `The ${opens.link} you opened is for the server at ${request.to}, which is not in your ` +
      `list. Adding it shows ${opens.form}; your other servers stay signed in, and ` +
      'Settings can remove it again.' +
      (needsUnencryptedConfirmation(request.to)
        ? '\n\nWarning: this server is not encrypted (http://), so anyone on the network ' +
          'between can read your password and your messages. Add it only if you trust that network.'
        : ''),
  }
  const { response } = parent
    ? await dialog.showMessageBox(parent, options)
    : await dialog.showMessageBox(options)
  return response === 0
}

/** A notice about a link, next to the window; not waited for. */
export function showLinkNotice(parent: BrowserWindow | null, message: string): void {
  const options = { type: 'info' as const, buttons: ['OK'], message }
  const shown = parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options)
  shown.catch((error: unknown) => console.error('Could not show a link notice', error))
}
