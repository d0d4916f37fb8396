import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser'
import { printAST } from '@formatjs/icu-messageformat-parser/printer.js'

/**
 * The pseudo-locale's messages, made from the English ones: every letter accented ("Šéñð"), the
 * text about 40% longer (German and French run that much longer than English), and each message
 * in brackets, so that in a window running in it
 * - a string that is not accented did not come from the catalog (an unextracted string),
 * - a control that clips its label, or a row that overflows, shows where translations will break,
 * - a missing closing bracket shows text cut off.
 * Placeholders, plurals, selects and tags are kept as they are (only their text changes), so a
 * message formats with the same values as the English one.
 */

const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const ACCENTS = 'åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'
const ACCENTED = new Map([...PLAIN].map((letter, i) => [letter, [...ACCENTS][i]!]))

/** How much longer the pseudo text is than the English. */
export const PSEUDO_EXPANSION = 0.4

/** Words the text is lengthened with, accented like the rest. */
const FILLER = accent('one two three four five six seven eight nine ten ')

export const PSEUDO_OPEN = '['
export const PSEUDO_CLOSE = ']'

/** Every ASCII letter of `text` accented; everything else as it is. */
export function accent(text: string): string {
  return text.replace(/[A-Za-z]/g, (letter) => ACCENTED.get(letter) ?? letter)
}

/** One English message (ICU MessageFormat) as the pseudo-locale's. */
export function pseudoLocalizeMessage(message: string): string {
  const ast = parse(message)
  const extra = Math.max(2, Math.ceil(textLength(ast) * PSEUDO_EXPANSION))
  const padding = FILLER.repeat(Math.ceil(extra / FILLER.length))
    .slice(0, extra)
    .trimEnd()
  return printAST([literal(PSEUDO_OPEN), ...transform(ast), literal(` ${padding}${PSEUDO_CLOSE}`)])
}

/** A whole catalog (id → English message) as the pseudo-locale's. */
export function pseudoLocalizeCatalog(
  catalog: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(catalog).map(([id, message]) => [id, pseudoLocalizeMessage(message)]),
  )
}

function literal(value: string): MessageFormatElement {
  return { type: TYPE.literal, value }
}

function transform(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((element): MessageFormatElement => {
    switch (element.type) {
      case TYPE.literal:
        return { ...element, value: accent(element.value) }
      case TYPE.tag:
        return { ...element, children: transform(element.children) }
      case TYPE.plural:
      case TYPE.select:
        return {
          ...element,
          options: Object.fromEntries(
            Object.entries(element.options).map(([key, option]) => [
              key,
              { ...option, value: transform(option.value) },
            ]),
          ),
        } as MessageFormatElement
      default:
        return element
    }
  })
}

/** What a value in a message is counted as: a short name, a number or a time. */
const VALUE_LENGTH = 6

/**
 * The characters a message shows (of its longest branch, for plurals and selects), its values
 * counted as short ones: the lengthening is of the whole text, as a translation's would be.
 */
function textLength(elements: MessageFormatElement[]): number {
  let length = 0
  for (const element of elements) {
    if (element.type === TYPE.literal) length += element.value.length
    else if (element.type === TYPE.tag) length += textLength(element.children)
    else if (element.type === TYPE.plural || element.type === TYPE.select) {
      length += Math.max(0, ...Object.values(element.options).map((o) => textLength(o.value)))
    } else length += element.type === TYPE.pound ? 2 : VALUE_LENGTH
  }
  return length
}
