import type { Nodes, Parents, PhrasingContent, Root, Text } from 'mdast'
import { find } from 'linkifyjs'
import type { Processor } from 'unified'
import { CHAT_MDAST_EXTENSIONS, CHAT_MICROMARK_EXTENSIONS } from '../../../shared/markdown'
import { LINK_OPTIONS } from '../components/LinkifiedText'
import { splitMentions, type MentionDirectory } from '../mentions'

/** The property that marks a mention's span for MessageText's components (`data-mention`). */
export const MENTION_PROPERTY = 'dataMention'

/**
 * remark-parse reads the chat's Markdown (src/shared/markdown.ts): the same syntax extensions as
 * `plainText`, so what the window shows and what a notification says come from one parse.
 */
export function remarkChatSyntax(this: Processor) {
  // The keys remark-parse reads (as remark-gfm sets them).
  const data = this.data() as {
    micromarkExtensions?: unknown[]
    fromMarkdownExtensions?: unknown[]
  }
  ;(data.micromarkExtensions ??= []).push(...CHAT_MICROMARK_EXTENSIONS)
  ;(data.fromMarkdownExtensions ??= []).push(...CHAT_MDAST_EXTENSIONS)
}

/**
 * The plain text's own links and @mentions inside formatted text, as LinkifiedText finds them
 * in a plain message: mentions of known people first (a `@bob.com` stays a mention), then web
 * links that main will open. Nothing inside code or a link written as `[text](url)` changes.
 */
export function remarkLinksAndMentions(options: { mentions: MentionDirectory }) {
  return (tree: Root) => {
    rewrite(tree, options.mentions)
  }
}

function rewrite(node: Parents, mentions: MentionDirectory): void {
  if (node.type === 'link' || node.type === 'linkReference') return
  const children: Nodes[] = []
  for (const child of node.children as Nodes[]) {
    if (child.type === 'text') children.push(...splitText(child, mentions))
    else {
      if ('children' in child) rewrite(child, mentions)
      children.push(child)
    }
  }
  node.children = children as typeof node.children
}

function splitText(node: Text, mentions: MentionDirectory): PhrasingContent[] {
  const value = node.value
  if (!value.includes('@') && !value.includes('.')) return [node]
  return splitMentions(value, mentions).flatMap((part): PhrasingContent[] =>
    typeof part === 'string'
      ? linkified(part)
      : [
          {
            type: 'text',
            value: part.text,
            data: { hName: 'span', hProperties: { [MENTION_PROPERTY]: part.target.username } },
          },
        ],
  )
}

/** A run of text with its web links as link nodes. */
function linkified(value: string): PhrasingContent[] {
  const links = find(value, LINK_OPTIONS).filter((link) => link.isLink)
  if (links.length === 0) return [{ type: 'text', value }]
  const nodes: PhrasingContent[] = []
  let from = 0
  for (const link of links) {
    if (link.start > from) nodes.push({ type: 'text', value: value.slice(from, link.start) })
    nodes.push({ type: 'link', url: link.href, children: [{ type: 'text', value: link.value }] })
    from = link.end
  }
  if (from < value.length) nodes.push({ type: 'text', value: value.slice(from) })
  return nodes
}
