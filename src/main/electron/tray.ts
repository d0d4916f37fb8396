import { defineMessages } from '../../shared/i18n/defineMessages'
import { Menu, Tray, nativeImage } from 'electron'
import type { MenuItemConstructorOptions } from 'electron'
import { connectionStatusText } from '../../shared/connectionText'
import type { Translator } from '../../shared/i18n/translator'
import type { ConnectionStatus } from '../../shared/ipc'
import type { DoNotDisturb } from '../../shared/preferences'
import { trayStateFor } from './paths'
import type { TrayState } from './paths'

export interface AppTrayOptions {
  /** The interface's language at start (setTranslator follows a change). */
  translator: Translator
  iconPath(state: TrayState): string
  onOpen(): void
  onSettings(): void
  onDoNotDisturb(enabled: boolean): void
  onQuit(): void
}

export interface AppTray {
  setConnection(status: ConnectionStatus): void
  setUnread(count: number): void
  setDoNotDisturb(enabled: boolean): void
  /** The language changed: the menu and tooltip are worded again. */
  setTranslator(translator: Translator): void
  destroy(): void
}

const messages = defineMessages({
  open: { id: 'tray.open', defaultMessage: 'Open Tidings' },
  settings: { id: 'tray.settings', defaultMessage: 'Settings…' },
  doNotDisturb: { id: 'tray.doNotDisturb', defaultMessage: 'Do not disturb' },
  quit: { id: 'tray.quit', defaultMessage: 'Quit Tidings' },
  tooltip: {
    id: 'tray.tooltip',
    defaultMessage: 'Tidings ({status})',
    description: 'The tray icon’s tooltip; status: "Connected", "Offline"…',
  },
  tooltipUnread: {
    id: 'tray.tooltipUnread',
    defaultMessage:
      'Tidings: {count, plural, one {# unread message} other {# unread messages}} ({status})',
  },
})

/** The tray tooltip: product, unread count when any, and connection status. */
export function trayTooltip(
  status: ConnectionStatus,
  unread: number,
  translator: Translator,
): string {
  const values = { status: connectionStatusText(status, translator), count: unread }
  return translator.t(unread > 0 ? messages.tooltipUnread : messages.tooltip, values)
}

/** Whether do-not-disturb is switched on by hand right now (the tray checkbox). */
export function isDoNotDisturbOn(dnd: DoNotDisturb, now: Date = new Date()): boolean {
  if (dnd.mode === 'on') return true
  if (dnd.mode === 'until') return dnd.until !== null && Date.parse(dnd.until) > now.getTime()
  return false
}

/** The preferences change the tray checkbox makes; a schedule survives switching it off. */
export function doNotDisturbToggled(dnd: DoNotDisturb, enabled: boolean): DoNotDisturb {
  return enabled ? { ...dnd, mode: 'on', until: null } : { ...dnd, mode: 'off', until: null }
}

export function createAppTray(options: AppTrayOptions): AppTray {
  let status: ConnectionStatus = 'connecting'
  let unread = 0
  let dnd = false
  let translator = options.translator
  let shownState: TrayState | null = null
  const tray = new Tray(nativeImage.createFromPath(options.iconPath(trayStateFor(status))))
  shownState = trayStateFor(status)
  tray.on('click', () => options.onOpen())

  function template(): MenuItemConstructorOptions[] {
    const { t } = translator
    return [
      { id: 'open', label: t(messages.open), click: () => options.onOpen() },
      { id: 'settings', label: t(messages.settings), click: () => options.onSettings() },
      { type: 'separator' },
      {
        id: 'dnd',
        label: t(messages.doNotDisturb),
        type: 'checkbox',
        checked: dnd,
        click: (item) => options.onDoNotDisturb(item.checked),
      },
      { type: 'separator' },
      { id: 'quit', label: t(messages.quit), click: () => options.onQuit() },
    ]
  }

  function render(): void {
    if (tray.isDestroyed()) return
    const state = trayStateFor(status)
    if (state !== shownState) {
      tray.setImage(nativeImage.createFromPath(options.iconPath(state)))
      shownState = state
    }
    tray.setToolTip(trayTooltip(status, unread, translator))
    tray.setContextMenu(Menu.buildFromTemplate(template()))
  }

  render()

  return {
    setConnection(next) {
      status = next
      render()
    },
    setUnread(count) {
      unread = Math.max(0, count)
      render()
    },
    setDoNotDisturb(enabled) {
      dnd = enabled
      render()
    },
    setTranslator(next) {
      translator = next
      render()
    },
    destroy() {
      if (!tray.isDestroyed()) tray.destroy()
    },
  }
}
