import nodemailer from 'nodemailer'
import type { MailServer } from '../services/platformAccounts'
import { unreachable } from './imapWorker'
import { resolvePublicAddress } from '../net/publicAddressGuard'

/** One mail to send over SMTP. */
export interface OutgoingMail {
  from: { name: string; address: string }
  to: string[]
  subject: string
  text: string
  messageId: string
  inReplyTo: string | null
  references: string[]
}

export type SendResult =
  | { ok: true; accepted: string[]; response: string }
  /** `reason` is for the account's owner; `cause`, when there is one, for the server log. */
  | { ok: false; reason: string; cause?: unknown }

/** Timeouts short enough that a dead server fails an attempt instead of hanging it. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 }

/**
 * Sends one mail with nodemailer and reports whether the server accepted it. Never throws; a
 * failure carries a reason meant for the user (never the password: nodemailer's logger is off and
 * only the server's response is quoted).
 */
export async function sendMail(
  server: MailServer,
  mail: OutgoingMail,
  allowPrivateHosts = false,
): Promise<SendResult> {
  let address: string
  try {
    address = await resolvePublicAddress(server.host, {
      allowNonPublic: allowPrivateHosts,
      hint: 'see --allow-private-mail-hosts',
    })
  } catch (error) {
    return { ok: false, reason: unreachable('SMTP', server), cause: error }
  }
  const transport = nodemailer.createTransport({
    // The address checked, not the name again; the name for TLS (SNI and certificate).
    host: address,
    servername: server.host,
    port: server.port,
    secure: server.secure,
    auth: { user: server.username, pass: server.password },
    logger: false,
    debug: false,
    ...TIMEOUTS,
  })
  try {
    const info = await transport.sendMail({
      from: { name: mail.from.name, address: mail.from.address },
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      ...(mail.references.length > 0 ? { references: mail.references } : {}),
    })
    const accepted = (info.accepted as (string | { address: string })[]).map((entry) =>
      typeof entry === 'string' ? entry : entry.address,
    )
    if (accepted.length === 0) {
      return { ok: false, reason: `The mail server accepted no recipient: ${info.response}` }
    }
    return { ok: true, accepted, response: String(info.response ?? '') }
  } catch (error) {
    return { ok: false, reason: smtpFailureReason(error, server), cause: error }
  } finally {
    transport.close()
  }
}

/**
 * A reason for an SMTP failure, for the account's owner. What takes an SMTP server that answered
 * (a refused login, refused recipients or message) is told apart; anything before that reads the
 * same whatever happened (see imapFailureReason).
 */
export function smtpFailureReason(error: unknown, server: { host: string; port: number }): string {
  const err = error as { code?: string; response?: string; message?: string }
  switch (err.code) {
    case 'EAUTH':
      return `The SMTP server refused the username or password${err.response ? ` (${err.response})` : ''}.`
    case 'EENVELOPE':
      return `The SMTP server rejected the recipients: ${err.response ?? err.message ?? ''}`.trim()
    case 'EMESSAGE':
      return `The SMTP server rejected the message: ${err.response ?? err.message ?? ''}`.trim()
    default:
      return unreachable('SMTP', server)
  }
}
