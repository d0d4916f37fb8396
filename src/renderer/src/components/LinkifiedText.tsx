import Linkify from 'linkify-react'
import type { Opts } from 'linkifyjs'
import { isSafeExternalUrl } from '../../../shared/links'

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

/** Plain text with its web links as anchors; everything else, line breaks included, as it is. */
export function LinkifiedText({ text }: { text: string }) {
  return <Linkify options={LINK_OPTIONS}>{text}</Linkify>
}
