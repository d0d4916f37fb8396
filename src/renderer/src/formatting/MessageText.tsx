import { memo, useMemo, type ComponentProps } from 'react'
import Markdown, { type Components } from 'react-markdown'
import remarkBreaks from 'remark-breaks'
import type { Element, ElementContent } from 'hast'
import type { PluggableList } from 'unified'
import { isSafeExternalUrl } from '../../../shared/links'
import { mayHaveMarkup } from '../../../shared/markdown'
import { usernameKey } from '../../../shared/mentions'
import { LINK_OPTIONS, LinkifiedText, MentionChip } from '../components/LinkifiedText'
import type { MentionDirectory } from '../mentions'
import { CodeBlock } from './CodeBlock'
import { MENTION_PROPERTY, remarkChatSyntax, remarkLinksAndMentions } from './remarkChat'

interface Props {
  text: string
  /** The people @mentions resolve to. */
  mentions: MentionDirectory
}

/**
 * A message's text as its sender formatted it (src/shared/markdown.ts): bold, italic,
 * strikethrough, code and highlighted code blocks, quotes, lists and links, with @mentions and
 * web links as in plain text. React elements from a syntax tree (react-markdown), never HTML:
 * raw HTML in a message is not parsed, so it shows as typed. Text with no markup at all (most
 * messages) skips the parser.
 */
export const MessageText = memo(function MessageText({ text, mentions }: Props) {
  if (!mayHaveMarkup(text)) {
    // dir="auto": a message in Arabic or Hebrew reads right to left, aligned right.
    return (
      <p className="message__text" dir="auto">
        <LinkifiedText text={text} mentions={mentions} />
      </p>
    )
  }
  return <FormattedText text={text} mentions={mentions} />
})

function FormattedText({ text, mentions }: Props) {
  const remarkPlugins = useMemo(
    (): PluggableList => [remarkChatSyntax, remarkBreaks, [remarkLinksAndMentions, { mentions }]],
    [mentions],
  )
  const components = useMemo(() => formattedComponents(mentions), [mentions])
  return (
    <div className="message__text message__text--formatted" data-testid="formatted-text">
      <Markdown remarkPlugins={remarkPlugins} components={components}>
        {text}
      </Markdown>
    </div>
  )
}

/** How the elements of formatted text are shown where plain HTML would not do. */
function formattedComponents(mentions: MentionDirectory): Components {
  return {
    // Only what main will open in the system browser is a link (as in plain text); the address
    // is in the tooltip, since the text shown may be anything.
    a: ({ href, children }) =>
      href && isSafeExternalUrl(href) ? (
        <a
          href={href}
          title={href}
          target={LINK_OPTIONS.target as string}
          rel={LINK_OPTIONS.rel as string}
          className={LINK_OPTIONS.className as string}
        >
          {children}
        </a>
      ) : (
        <span>{children}</span>
      ),
    span: ({ node, children, ...props }) => {
      const username = node?.properties[MENTION_PROPERTY]
      const target = typeof username === 'string' ? mentions.get(usernameKey(username)) : undefined
      if (target) return <MentionChip text={String(children)} target={target} />
      return <span {...(props as ComponentProps<'span'>)}>{children}</span>
    },
    // Each paragraph and list by its own first letter (dir="auto" skips descendants that have
    // their own, so the blocks carry it, not the message around them): an Arabic line under an
    // English one reads right to left, and a list's bullets follow its first item.
    p: ({ node: _node, ...props }) => <p dir="auto" {...props} />,
    ul: ({ node: _node, ...props }) => <ul dir="auto" {...props} />,
    ol: ({ node: _node, ...props }) => <ol dir="auto" {...props} />,
    pre: ({ node }) => {
      const code = node?.children.find(isElement)
      return <CodeBlock language={languageOf(code)} code={textOf(code)} />
    },
  }
}

function isElement(node: ElementContent): node is Element {
  return node.type === 'element'
}

/** The language a fence names (```ts), which remark-rehype puts in a `language-` class. */
function languageOf(code: Element | undefined): string | null {
  const classes = code?.properties.className
  if (!Array.isArray(classes)) return null
  const named = classes.find((c) => String(c).startsWith('language-'))
  return named === undefined ? null : String(named).slice('language-'.length).toLowerCase()
}

function textOf(node: ElementContent | undefined): string {
  if (!node) return ''
  if (node.type === 'text') return node.value
  if (node.type === 'element') return node.children.map(textOf).join('')
  return ''
}
