import { app } from 'electron'

/**
 * Takes the single-instance lock. The first instance gets true and calls `onSecondInstance` with
 * the new launch's arguments whenever the app is launched again (to bring its window forward, and
 * on Windows and Linux to follow a tidings:// link passed there); a second instance gets false and
 * quits at once.
 */
export function claimSingleInstance(onSecondInstance: (argv: readonly string[]) => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  app.on('second-instance', (_event, argv: string[]) => onSecondInstance(argv ?? []))
  return true
}
