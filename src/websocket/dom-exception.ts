/** The DOMException names the WebSocket API throws (WHATWG HTML §9.3). */
export type WebSocketExceptionName = 'SyntaxError' | 'InvalidAccessError' | 'InvalidStateError';

export function domException(name: WebSocketExceptionName, message: string): DOMException {
  return new DOMException(message, name);
}
