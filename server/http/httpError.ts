/** An error that becomes `{"status":"error","error":{code,message}}` with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export const badRequest = (message: string, code = 'invalid_request') =>
  new HttpError(400, code, message)
export const unauthorized = (message = 'A valid bearer token is required.') =>
  new HttpError(401, 'unauthorized', message)
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message)
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found.`)
export const conflict = (message: string) => new HttpError(409, 'conflict', message)

/** The success envelope. */
export function ok<T>(data: T): { status: 'success'; data: T } {
  return { status: 'success', data }
}
