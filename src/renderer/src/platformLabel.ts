import type { Platform } from '../../shared/models'

/** How a platform is named on screen: "Email", "WhatsApp", "Telegram". */
export function platformLabel(platform: Platform): string {
  switch (platform) {
    case 'email':
      return 'Email'
    case 'whatsapp':
      return 'WhatsApp'
    case 'telegram':
      return 'Telegram'
    case 'tidings':
      return 'Tidings'
  }
}
