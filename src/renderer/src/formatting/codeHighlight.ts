import { toJsxRuntime } from 'hast-util-to-jsx-runtime'
import { common, createLowlight } from 'lowlight'
import type { ReactNode } from 'react'
import { Fragment, jsx, jsxs } from 'react/jsx-runtime'

/**
 * Syntax highlighting of fenced code blocks: highlight.js's common languages (about 35: the C
 * family, Go, Java, JavaScript and TypeScript, Python, Rust, shell, SQL, JSON, YAML, XML and
 * HTML, diff, Markdown…) through lowlight, whose result is a syntax tree turned into React
 * elements here: no HTML string ever reaches the page. This module is loaded on demand (see
 * CodeBlock), so windows without code never load the grammars.
 */
const lowlight = createLowlight(common)

/** The code as highlighted React elements, or null for a language it does not know. */
export function highlightCode(language: string, code: string): ReactNode | null {
  if (!lowlight.registered(language)) return null
  return toJsxRuntime(lowlight.highlight(language, code), { Fragment, jsx, jsxs })
}
