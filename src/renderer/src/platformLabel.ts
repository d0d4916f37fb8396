import { defineMessages } from '../../shared/i18n/defineMessages'
import type { Translator } from '../../shared/i18n/translator'
import type { Platform } from '../../shared/models'

const messages = defineMessages({
  email: { id: 'platform.email', defaultMessage: 'Email' },
})

/**
 * How a platform is named on screen: "Email" (a word, translated: "E-Mail"), "WhatsApp",
 * "Telegram", "Tidings" (names, the same in every language).
 */
export function platformLabel(platform: Platform, { t }: Translator): string {
  switch (platform) {
    case 'email':
      return t(messages.email)
    case 'whatsapp':
      return 'WhatsApp'
    case 'telegram':
      return 'Telegram'
    case 'tidings':
      return 'Tidings'
  }
}
