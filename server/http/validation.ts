import type { FastifySchemaCompiler } from 'fastify'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { TSchema } from '@fastify/type-provider-typebox'

/**
 * Request validation: Ajv with Fastify's own defaults, but two instances. Path, query and header
 * values are strings on the wire, so they are converted to their declared types ("12" → 12). A
 * JSON body is not converted: a value of the wrong type is a 400, as it is over the socket, where
 * Fastify's default converted it (a text of 123 was stored as "123", a title of 5 as "5"). Unknown
 * body fields are still dropped, not refused.
 *
 * Ajv converts a string to a number with `Number()`, which takes far more than a plain integer
 * ("0x10" is 16, "1e3" is 1000, " 7 " is 7, "" is 0): an integer of a path or query string must
 * be written as one (an optional minus sign and decimal digits, within 2^53), checked before
 * Ajv converts it.
 */
const FASTIFY_AJV_DEFAULTS = {
  useDefaults: true,
  removeAdditional: true,
  addUsedSchema: false,
  allErrors: false,
} as const
const ajvForStrings = new Ajv({ ...FASTIFY_AJV_DEFAULTS, coerceTypes: 'array' })
const ajvForBodies = new Ajv({ ...FASTIFY_AJV_DEFAULTS, coerceTypes: false })

const PLAIN_INTEGER = /^-?[0-9]+$/

export const validatorFor: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return ajvForBodies.compile(schema)
  const validate = ajvForStrings.compile(schema)
  const integers = integerProperties(schema)
  if (integers.length === 0) return validate
  const strict = ((data: unknown) => {
    const values = data as Record<string, unknown> | null
    for (const key of integers) {
      const value = values?.[key]
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item !== 'string') continue
        if (!PLAIN_INTEGER.test(item) || !Number.isSafeInteger(Number(item))) {
          strict.errors = [notAnInteger(key)]
          return false
        }
      }
    }
    const valid = validate(data)
    strict.errors = validate.errors
    return valid
  }) as ValidateFunction
  return strict
}

/** The properties of an object schema that are integers (or arrays of them). */
function integerProperties(schema: TSchema): string[] {
  const properties = (schema as { properties?: Record<string, JsonSchema> }).properties ?? {}
  return Object.entries(properties)
    .filter(([, property]) => isInteger(property) || isInteger(property.items))
    .map(([key]) => key)
}

interface JsonSchema {
  type?: unknown
  items?: JsonSchema
}

function isInteger(schema: JsonSchema | undefined): boolean {
  return schema?.type === 'integer'
}

function notAnInteger(key: string): ErrorObject {
  return {
    instancePath: `/${key}`,
    schemaPath: '#/type',
    keyword: 'type',
    params: { type: 'integer' },
    message: 'must be a decimal integer (digits only)',
  }
}
