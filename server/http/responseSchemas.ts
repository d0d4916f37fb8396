import { Type, type TLiteral, type TObject, type TSchema, type TUnsafe } from 'typebox'
import { ErrorEnvelope, RECORD, Success } from '../../src/shared/wireSchemas'

type SuccessEnvelope<Data extends TSchema> = TObject<{ status: TLiteral<'success'>; data: Data }>

/**
 * A route's `response` schemas: its success statuses' `data` (wrapped in the success envelope)
 * and the error envelope for every 4xx and 5xx. Fastify serializes each with fast-json-stringify
 * compiled from the schema, @fastify/swagger documents them, and the type provider holds the
 * handler's answer to them. Every route has one (tests/server/responseSchemas.test.ts).
 */
export function answers<const Statuses extends { 200?: TSchema; 201?: TSchema }>(
  success: Statuses,
): { [Status in keyof Statuses]: SuccessEnvelope<Statuses[Status] & TSchema> } & {
  '4xx': typeof ErrorEnvelope
  '5xx': typeof ErrorEnvelope
} {
  const envelopes = Object.fromEntries(
    Object.entries(success).map(([status, data]) => [status, Success(data as TSchema)]),
  )
  return { ...envelopes, '4xx': ErrorEnvelope, '5xx': ErrorEnvelope } as never
}

/** The `data` of an answer that only says it happened, e.g. `{"signed_out": true}`. */
export function Done<const Key extends string>(key: Key) {
  return Type.Object({ [key]: Type.Literal(true) } as { [K in Key]: TLiteral<true> }, RECORD)
}

/**
 * The `response` schemas of a route that answers with bytes, not JSON: the error envelope for
 * 4xx/5xx as usual, and a 200 of `mediaType` that the OpenAPI document shows as binary. `Body` is
 * what the handler sends (a stream or a Buffer): it is piped or written as it is, never
 * serialized.
 */
export function bytesAnswer<Body>(description: string, mediaType: string) {
  const schema: TUnsafe<Body> = Type.Unsafe<Body>({ type: 'string', format: 'binary' })
  return {
    ...answers({}),
    200: { description, content: { [mediaType]: { schema } } },
  }
}
