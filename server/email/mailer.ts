import nodemailer from 'nodemailer'
import type { MailServer } from '../services/platformAccounts'

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
  { ok: true; accepted: string[]; response: string } | { ok: false; reason: string }

/** Timeouts short enough that a dead server fails an attempt instead of hanging it. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 }

/**
 * Sends one mail with nodemailer and reports whether the server accepted it. Never throws; a
 * failure carries a reason meant for the user (never the password: nodemailer's logger is off and
 * only the server's response is quoted).
 */
export async function sendMail(server: MailServer, mail: OutgoingMail): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: server.host,
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
    return { ok: false, reason: smtpFailureReason(error, server) }
  } finally {
    transport.close()
  }
}

/** A readable reason for an SMTP failure. */
export function smtpFailureReason(error: unknown, server: { host: string; port: number }): string {
  const err = error as { code?: string; responseCode?: number; response?: string; message?: string }
  const where = `${server.host}:${server.port}`
  // nodemailer wraps socket errors (ESOCKET/ECONNECTION); the system code is in the message.
  const system = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET)\b/.exec(
    err.message ?? '',
  )?.[1]
  switch (system ?? err.code) {
    case 'ECONNRESET':
      return `The SMTP server ${where} closed the connection.`
    case 'EAUTH':
      return `The SMTP server refused the username or password${err.response ? ` (${err.response})` : ''}.`
    case 'ECONNREFUSED':
      return `Cannot reach the SMTP server ${where}: connection refused.`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EDNS':
      return `Cannot find the SMTP server ${server.host}.`
    case 'ETIMEDOUT':
      return `The SMTP server ${where} did not answer in time.`
    case 'ESOCKET':
    case 'ECONNECTION':
      return `The connection to the SMTP server ${where} failed: ${err.message ?? 'socket error'}.`
    case 'EENVELOPE':
      return `The SMTP server rejected the recipients: ${err.response ?? err.message ?? ''}`.trim()
    case 'EMESSAGE':
      return `The SMTP server rejected the message: ${err.response ?? err.message ?? ''}`.trim()
    default:
      return `Sending failed: ${err.response ?? err.message ?? String(error)}`
  }
}
