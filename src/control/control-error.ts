// What can go wrong with a control call, once, for both transports: HTTP maps each kind to a status
// code, gRPC to a status (the same pairs as google.rpc.Code's HTTP mapping).

export type ControlErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'unauthenticated'
  | 'permission_denied'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal';

export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
    /** One line per problem, e.g. `rules[0].name: required`. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const HTTP_STATUS: Readonly<Record<ControlErrorKind, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
};
