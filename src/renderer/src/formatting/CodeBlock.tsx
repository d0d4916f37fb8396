import { useEffect, useState, type ReactNode } from 'react'
import { useIntl } from 'react-intl'
import type * as CodeHighlight from './codeHighlight'

type Highlighter = typeof CodeHighlight

let loading: Promise<Highlighter> | null = null
/** The highlighter, loaded with its grammars the first time a code block names a language. */
function loadHighlighter(): Promise<Highlighter> {
  return (loading ??= import('./codeHighlight'))
}

/**
 * Highlighted blocks already made, by language and code: a virtualized thread mounts a row again
 * each time it scrolls back into view, and highlighting is the costly part.
 */
const made = new Map<string, ReactNode>()
const MADE_MAX = 200

function highlighted(highlighter: Highlighter, language: string, code: string): ReactNode | null {
  const key = `${language}\n${code}`
  if (made.has(key)) return made.get(key) ?? null
  const nodes = highlighter.highlightCode(language, code)
  if (made.size >= MADE_MAX) made.delete(made.keys().next().value!)
  made.set(key, nodes)
  return nodes
}

/**
 * A fenced code block: the code as written at once, highlighted when the fence names a language
 * highlight.js knows (```ts), as soon as the highlighter has loaded. It scrolls sideways rather
 * than wrapping, and takes focus so that the keyboard can scroll it too.
 */
export function CodeBlock({ language, code }: { language: string | null; code: string }) {
  const [nodes, setNodes] = useState<ReactNode | null>(null)
  const intl = useIntl()

  useEffect(() => {
    if (!language) return
    let live = true
    void loadHighlighter().then((highlighter) => {
      if (live) setNodes(highlighted(highlighter, language, code))
    })
    return () => {
      live = false
    }
  }, [language, code])

  return (
    // Code reads left to right, even in a message written right to left.
    <pre
      className="code-block"
      dir="ltr"
      tabIndex={0}
      role="group"
      aria-label={
        language
          ? intl.formatMessage(
              { id: 'codeBlock.labelWithLanguage', defaultMessage: 'Code ({language})' },
              { language },
            )
          : intl.formatMessage({ id: 'codeBlock.label', defaultMessage: 'Code' })
      }
      data-testid="code-block"
      data-language={language ?? undefined}
      data-highlighted={nodes !== null || undefined}
    >
      <code className={nodes !== null ? 'hljs' : undefined}>{nodes ?? code}</code>
    </pre>
  )
}
