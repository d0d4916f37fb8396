import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { StorageHealth } from '../storage/storageHealth'
import { HttpError } from './httpError'

/** Codes for Fastify's own 4xx errors, so its internal codes (FST_ERR_*) never reach clients. */
const CLIENT_ERROR_CODES: Record<number, string> = {
  404: 'not_found',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
}

/**
 * Turns every failure into the error envelope: our HttpErrors keep their status and code, schema
 * violations become 400 with the validator's message, oversize or malformed bodies keep Fastify's
 * 4xx, a write refused for lack of space is 507 storage_full (see StorageHealth), and anything
 * unexpected is logged and answered 500 without internals.
 */
export function installErrorHandling(app: FastifyInstance, storage: StorageHealth): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      // A request that did not arrive in time: the rest of it is not waited for.
      if (error.statusCode === 408) reply.header('connection', 'close')
      return reply
        .code(error.statusCode)
        .send({ status: 'error', error: { code: error.code, message: error.message } })
    }
    if (error.validation) {
      return reply.code(400).send({
        status: 'error',
        error: { code: 'invalid_request', message: `Invalid request: ${error.message}` },
      })
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code =
        error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
          ? 'invalid_json'
          : (CLIENT_ERROR_CODES[status] ?? 'invalid_request')
      return reply.code(status).send({ status: 'error', error: { code, message: error.message } })
    }
    // Not a bug but the machine: nothing was stored, and a retry later may succeed.
    if (storage.observe(error)) {
      request.log.error({ err: error }, 'storage full: a write was refused')
      return reply.code(507).send({
        status: 'error',
        error: {
          code: 'storage_full',
          message: "The server's storage is full, so nothing was stored; try again later.",
        },
      })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply
      .code(500)
      .send({ status: 'error', error: { code: 'internal', message: 'Internal server error.' } })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      status: 'error',
      error: { code: 'not_found', message: `No route ${request.method} ${request.url}.` },
    })
  })
}

/**
 * Fastify's `frameworkErrors` option: the errors its router raises before any route runs (a path
 * that is not valid percent-encoding, 400; a path parameter over 100 characters, 414) in the
 * error envelope instead of Fastify's own body.
 */
export function frameworkErrors(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 400
  const code = status === 414 ? 'uri_too_long' : status >= 500 ? 'internal' : 'invalid_request'
  const message =
    status === 414
      ? 'A part of the path is too long.'
      : status >= 500
        ? 'Internal server error.'
        : 'The path is not valid.'
  void reply.code(status).send({ status: 'error', error: { code, message } })
}
