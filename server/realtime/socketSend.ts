import type { Static } from 'typebox'
import { CloseCode } from '../../src/shared/closeCodes'
import type { ErrorCode, ErrorFrame, SendMessageFrame } from '../../src/shared/frames'
import type { ServerContext } from '../context'
import { HttpError } from '../http/httpError'
import { sendOptions } from '../services/messages'
import type { ClientConnection } from './clientConnection'

/**
 * `send_message` over the events socket: the same unit of work as `POST
 * /conversations/:id/messages`, acknowledged once its batch is committed (right after its events,
 * among them this sender's message_sent, and in the same socket write), so an ack means stored
 * exactly as a 201 does.
 * Refusals are error frames that carry the client_id (`ClientConnection.refuse`): the caller's
 * mistakes about the world (not a member, no such conversation), not protocol violations.
 */
export async function sendOverSocket(
  ctx: ServerContext,
  connection: ClientConnection,
  frame: Static<typeof SendMessageFrame>,
  reportError: ErrorReporter,
): Promise<void> {
  const clientId = frame.client_id
  const sender = await ctx.accounts.getUser(connection.userId)
  if (!sender) {
    connection.close(CloseCode.Unauthorized, 'account no longer exists')
    return
  }
  // The server began shutting down while this frame waited: not stored, so not owed an ack (the
  // client sends it again once reconnected). Past this point it is, and the shutdown waits for it.
  if (!connection.taking) return
  let result
  try {
    result = await ctx.hub.storing(
      ctx.conversations
        .sendTargetAhead(ctx.db, frame.conversation_id, sender)
        .then((ahead) =>
          ctx.unitOfWork.run((tx) =>
            ctx.messages.send(
              tx,
              sender,
              frame.conversation_id,
              frame.text,
              clientId,
              sendOptions(frame),
              ahead,
            ),
          ),
        ),
    )
  } catch (error) {
    // A refusal is the client's to know; anything else (the database failing) is logged, and the
    // client is told only that nothing was stored. The process and the connection stay up.
    if (error instanceof HttpError) {
      connection.refuse(toErrorCode(error.code), error.message, clientId)
    } else {
      reportError(error, 'send_message failed')
      connection.sendFrame(notStored(ctx, clientId, error))
    }
    return
  }
  const { message, created } = result
  // Acked inside the batch's delivery: after this sender's message_sent and in the same write.
  ctx.unitOfWork.whenCommitted({
    committed: () =>
      connection.sendFrame({ type: 'message_ack', client_id: clientId, created, message }),
    failed: (error) => {
      reportError(error, 'send_message commit failed')
      connection.sendFrame(notStored(ctx, clientId, error))
    },
  })
}

/** Where unexpected failures go (the server's logger). */
export type ErrorReporter = (error: unknown, message: string) => void

/** Nothing was stored: the storage is full (storage_full), or something else failed. */
function notStored(ctx: ServerContext, clientId: string, error: unknown): ErrorFrame {
  return ctx.storage.observe(error)
    ? {
        type: 'error',
        code: 'storage_full',
        message:
          "The server's storage is full, so the message was not stored; send it again later.",
        client_id: clientId,
      }
    : {
        type: 'error',
        code: 'internal_error',
        message: 'The message could not be stored; send it again.',
        client_id: clientId,
      }
}

const SEND_ERRORS: ReadonlySet<string> = new Set([
  'forbidden',
  'not_found',
  'invalid_request',
  'conflict',
])

/** The refusals a send can meet, under the same codes as their HTTP answers. */
function toErrorCode(code: string): ErrorCode {
  return SEND_ERRORS.has(code) ? (code as ErrorCode) : 'invalid_request'
}
