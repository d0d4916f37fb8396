import { defineMessages } from './defineMessages'

const messages = defineMessages({
  settings: {
    id: 'window.settings.title',
    defaultMessage: 'Tidings settings',
    description: 'The settings window’s title bar',
  },
})

/**
 * The settings window's title: main names the window when it opens, its page keeps the name in
 * the page's language after. (The main window is "Tidings" in every language.)
 */
export const SETTINGS_WINDOW_TITLE = messages.settings
