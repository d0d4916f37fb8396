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
/**
 * A wrong current password on a route the caller is signed in to. Not 401: clients read a 401 as
 * "this token is no longer valid" and sign out, which a typo must not do.
 */
export const wrongPassword = () =>
  new HttpError(403, 'wrong_password', 'The current password is wrong.')
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found.`)
export const conflict = (message: string) => new HttpError(409, 'conflict', message)

/** The success envelope. */
export function ok<T>(data: T): { status: 'success'; data: T } {
  return { status: 'success', data }
}
