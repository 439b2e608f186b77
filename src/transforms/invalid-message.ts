/** A message the caller asked to send that the protocol does not allow. */
export interface InvalidMessageError extends RangeError {
  code: 'WS_ERR_INVALID_MESSAGE';
}

/** Errors for the caller (not the peer): they carry no close code and send nothing. */
export function invalidMessage(message: string): InvalidMessageError {
  const error = new RangeError(message) as InvalidMessageError;
  error.code = 'WS_ERR_INVALID_MESSAGE';
  return error;
}
