/**
 * Message formatting: Markdown as people type it in chat, one definition for everyone who reads a
 * message. The renderer shows it (react-markdown, given these same extensions); notifications,
 * the conversation list, reply quotes and the search index show `plainText`, so main, the renderer
 * and the server agree on what a message says. The wire carries the text as written.
 *
 * CommonMark (micromark, the parser react-markdown uses) with GFM strikethrough, minus what chat
 * text means otherwise: headings (`#1 priority`), thematic breaks and setext underlines (`---`),
 * code by indentation (pasted text), link reference definitions (which would hide a line), images
 * (the pages load no remote content) and raw HTML, which stays text as typed (`<b>` shows as
 * `<b>`). Bold, italic, strikethrough, inline code, fenced code blocks, block quotes, lists, links
 * with text and `<https://…>` autolinks remain.
 */
import { fromMarkdown, type Options } from 'mdast-util-from-markdown'
import { gfmStrikethroughFromMarkdown } from 'mdast-util-gfm-strikethrough'
import { gfmStrikethrough } from 'micromark-extension-gfm-strikethrough'
import type { Nodes, Root } from 'mdast'

type MicromarkExtension = NonNullable<Options['extensions']>[number]
type MdastExtension = NonNullable<Options['mdastExtensions']>[number]

/** The constructs of CommonMark that chat text leaves as text (micromark's names for them). */
const NOT_IN_CHAT: MicromarkExtension = {
  disable: {
    null: [
      'codeIndented',
      'definition',
      'headingAtx',
      'htmlFlow',
      'htmlText',
      'labelStartImage',
      'setextUnderline',
      'thematicBreak',
    ],
  },
}

/** The parser's syntax extensions, for `fromMarkdown` here and remark-parse in the renderer. */
export const CHAT_MICROMARK_EXTENSIONS: MicromarkExtension[] = [
  // `~~gone~~` only: a single tilde means "about" in chat ("~5 minutes").
  gfmStrikethrough({ singleTilde: false }),
  NOT_IN_CHAT,
]
export const CHAT_MDAST_EXTENSIONS: MdastExtension[] = [gfmStrikethroughFromMarkdown()]

/**
 * Characters without which a text holds no formatting: the markers of emphasis, strikethrough,
 * code and links, escapes and character references anywhere, and block markers (quotes, list
 * items, fences) at the start of a line. A text without any of them reads the same as plain text,
 * so readers may skip the parser (most chat messages).
 */
const MARKUP = /[*_~`[\]<\\&]|^[ \t]*(?:[>+-]|\d{1,9}[.)])/m

/** Whether `text` may be formatted; false means it is certainly plain. */
export function mayHaveMarkup(text: string): boolean {
  return MARKUP.test(text)
}

/** The syntax tree of a message, as the renderer's parser builds it (before its own plugins). */
export function parseChatMarkdown(text: string): Root {
  return fromMarkdown(text, {
    extensions: CHAT_MICROMARK_EXTENSIONS,
    mdastExtensions: CHAT_MDAST_EXTENSIONS,
  })
}

/**
 * The message as plain text, without its markup: what a notification, a preview, a reply quote or
 * a search snippet shows. Each paragraph, quote line, list item and code line keeps its own line;
 * a link shows its text; code shows as written.
 */
export function plainText(text: string): string {
  if (!mayHaveMarkup(text)) return text
  return textOf(parseChatMarkdown(text))
}

/** `plainText` on one line: a preview or a quote is a glimpse, line breaks only waste room. */
export function plainLine(text: string): string {
  return plainText(text).replace(/\s+/g, ' ').trim()
}

/**
 * The words of a message where a mention may stand, as the window shows them: each run of text on
 * its own line (`**@bob**` holds the run `@bob`), without code (an `@name` in code mentions nobody)
 * and without the text of links written as `[text](url)`, which link elsewhere.
 */
export function proseText(text: string): string {
  if (!mayHaveMarkup(text)) return text
  const runs: string[] = []
  const collect = (node: Nodes) => {
    if (node.type === 'text') runs.push(node.value)
    else if (node.type === 'link' || node.type === 'linkReference') return
    else if ('children' in node) node.children.forEach(collect)
  }
  collect(parseChatMarkdown(text))
  return runs.join('\n')
}

const BLOCK_TYPES = new Set(['root', 'blockquote', 'list', 'listItem'])

function textOf(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'code':
    case 'html':
      return node.value
    case 'break':
      return '\n'
    default:
      if (!('children' in node)) return ''
      return node.children.map(textOf).join(BLOCK_TYPES.has(node.type) ? '\n' : '')
  }
}
