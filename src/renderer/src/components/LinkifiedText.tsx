import Linkify from 'linkify-react'
import type { Opts } from 'linkifyjs'
import { isSafeExternalUrl } from '../../../shared/links'
import { splitMentions, type MentionDirectory, type MentionTarget } from '../mentions'

/** What a bare `www.example.com` or `example.com` link gets as its scheme. */
const BARE_LINK_PROTOCOL = 'https'

/**
 * linkifyjs finds the links; only URLs that main will open in the system browser become anchors:
 * http(s), with or without the scheme written, and no credentials. Email addresses, `mailto:`,
 * `file:`, `javascript:` and custom schemes stay plain text. A click on an anchor with a target
 * is a window-open request, which main denies and hands to the system browser.
 */
export const LINK_OPTIONS: Opts = {
  defaultProtocol: BARE_LINK_PROTOCOL,
  target: '_blank',
  rel: 'noopener noreferrer',
  className: 'text-link',
  validate: (_value, type, token) =>
    type === 'url' && isSafeExternalUrl(token.toHref(BARE_LINK_PROTOCOL)),
}

/**
 * Plain text with its web links as anchors and, given the people mentions resolve to, its
 * @mentions as chips; everything else, line breaks included, as it is. The mentions are cut out
 * first (the parser leaves URLs alone), and linkify-react does not look inside a component
 * element, so `@bob.com` stays a mention rather than becoming a link.
 */
export function LinkifiedText({ text, mentions }: { text: string; mentions?: MentionDirectory }) {
  const parts = mentions ? splitMentions(text, mentions) : [text]
  if (parts.every((part) => typeof part === 'string')) {
    return <Linkify options={LINK_OPTIONS}>{text}</Linkify>
  }
  return (
    <Linkify options={LINK_OPTIONS}>
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <MentionChip key={i} text={part.text} target={part.target} />
        ),
      )}
    </Linkify>
  )
}

/**
 * `@bob` as written, marked; the display name in its tooltip and in what a screen reader says.
 * The spoken copy cannot be selected, so copying the message gives its text as written.
 */
export function MentionChip({ text, target }: { text: string; target: MentionTarget }) {
  return (
    <span
      className={`mention${target.me ? ' mention--me' : ''}`}
      title={target.display_name}
      data-testid="mention"
      data-username={target.username}
    >
      <span aria-hidden="true">{text}</span>
      <span className="visually-hidden mention__spoken">@{target.display_name}</span>
    </span>
  )
}
