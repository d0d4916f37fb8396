import { join } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'

/**
 * CoreHost.chooseSavePath: the native save dialog, in the Downloads folder with the file's name,
 * attached to the main window when there is one. Null when the user cancels.
 */
export function saveDialog(parent: () => BrowserWindow | null) {
  return async (fileName: string): Promise<string | null> => {
    const options = { defaultPath: join(app.getPath('downloads'), fileName) }
    const window = parent()
    const result = window
      ? await dialog.showSaveDialog(window, options)
      : await dialog.showSaveDialog(options)
    return result.canceled || !result.filePath ? null : result.filePath
  }
}
