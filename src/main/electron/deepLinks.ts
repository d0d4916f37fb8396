import { resolve } from 'node:path'
import { defineMessages } from '../../shared/i18n/defineMessages'
import { app, dialog, type BrowserWindow } from 'electron'
import { DEEP_LINK_SCHEME, isDeepLinkArg } from '../../shared/deepLinks'
import type { Translator } from '../../shared/i18n/translator'
import type { LinkPrefill } from '../../shared/ipc'

const messages = defineMessages({
  switchAndRestart: { id: 'deepLink.switch.confirm', defaultMessage: 'Switch and restart' },
  cancel: { id: 'deepLink.switch.cancel', defaultMessage: 'Cancel' },
  question: { id: 'deepLink.switch.question', defaultMessage: 'Switch Tidings to {to}?' },
  detailFromServer: {
    id: 'deepLink.switch.detailFromServer',
    defaultMessage:
      'The invite link you opened is for the server at {to}. Tidings now uses {from}. Switching restarts Tidings and opens the registration form for that server; Settings can switch back at any time.',
  },
  detailFromBuiltIn: {
    id: 'deepLink.switch.detailFromBuiltIn',
    defaultMessage:
      'The invite link you opened is for the server at {to}. Tidings now uses its built-in server. Switching restarts Tidings and opens the registration form for that server; Settings can switch back at any time.',
  },
  resetDetailFromServer: {
    id: 'deepLink.switch.resetDetailFromServer',
    defaultMessage:
      'The password reset link you opened is for the server at {to}. Tidings now uses {from}. Switching restarts Tidings and opens the form to set a new password for that server; Settings can switch back at any time.',
  },
  resetDetailFromBuiltIn: {
    id: 'deepLink.switch.resetDetailFromBuiltIn',
    defaultMessage:
      'The password reset link you opened is for the server at {to}. Tidings now uses its built-in server. Switching restarts Tidings and opens the form to set a new password for that server; Settings can switch back at any time.',
  },
  ok: { id: 'deepLink.notice.ok', defaultMessage: 'OK' },
})

/**
 * The Electron side of `tidings://` links (what they do is src/main/core/deepLinks.ts): the
 * protocol registration, macOS's `open-url`, the dialogs, and the restart onto another server.
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

/** The question's detail for each form a link fills in: from a remote server, from the built-in one. */
const DETAIL = {
  register: { fromServer: messages.detailFromServer, fromBuiltIn: messages.detailFromBuiltIn },
  password_reset: {
    fromServer: messages.resetDetailFromServer,
    fromBuiltIn: messages.resetDetailFromBuiltIn,
  },
} satisfies Record<LinkPrefill['form'], object>

/** Asks before switching servers for a link; true only on "Switch and restart". */
export async function confirmServerSwitch(
  parent: BrowserWindow | null,
  request: { from: string | null; to: string; form: LinkPrefill['form'] },
  { t }: Translator,
): Promise<boolean> {
  const options = {
    type: 'question' as const,
    buttons: [t(messages.switchAndRestart), t(messages.cancel)],
    defaultId: 1,
    cancelId: 1,
    message: t(messages.question, { to: request.to }),
    detail:
      request.from === null
        ? t(DETAIL[request.form].fromBuiltIn, { to: request.to })
        : t(DETAIL[request.form].fromServer, { to: request.to, from: request.from }),
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

/** The arguments of a restart that opens `link`: this launch's, without the link it came with. */
export function relaunchArgs(argv: readonly string[], link: string): string[] {
  return [...argv.slice(1).filter((arg) => !isDeepLinkArg(arg)), link]
}

/** Restarts the app with `link` among its arguments (after the new server was saved). */
export function relaunchWithLink(link: string): void {
  app.relaunch({ args: relaunchArgs(process.argv, link) })
  app.quit()
}
