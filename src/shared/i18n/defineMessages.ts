import type { MessageDescriptor } from '@formatjs/intl'

/** A message of the catalog: its id (area.thing), its English, and a word for translators. */
export type CatalogMessage = MessageDescriptor & { id: string; defaultMessage: string }

/**
 * A module's messages, by key. FormatJS finds the catalog's messages by this function's name
 * (`formatjs extract` and the lint rules), so every message of the app is declared through it (or
 * inline in `formatMessage` / `<FormattedMessage>`). Unlike FormatJS's own `defineMessages`, it
 * asks for an explicit id and English text, and types each message as a plain descriptor, so any
 * formatter takes it with its values (FormatJS types an untyped message as taking none).
 */
export function defineMessages<const T extends Record<string, CatalogMessage>>(
  messages: T,
): { readonly [K in keyof T]: CatalogMessage } {
  return messages
}
