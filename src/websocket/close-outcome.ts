import { CloseCode } from '../close-codes.js';
import type { CloseDetails } from '../connection/connection.js';
import { reportedClose } from '../connection/web-streams.js';

/** What the WebSocket API reports once its connection closed: the close event's fields, and the error event's cause. */
export interface CloseOutcome {
  code: number;
  reason: string;
  wasClean: boolean;
  /** Set when an error event goes before the close event. */
  failure: Error | null;
}

/**
 * The close event carries the close frame *received* (RFC 6455 §7.1.5, §7.1.6: its code,
 * 1005 if it had none, and its reason), or 1006 and '' when none arrived before the
 * connection ended or was failed; never the code we sent on failing it, and never a
 * close frame that came after (§7.1.7: once failed, input is not processed). The error
 * event goes first (WHATWG "the WebSocket connection is closed" step 2) when the
 * connection was failed: a protocol error on our side, a send that could not be
 * buffered ("flagged as full"), or a transport lost without a close frame (§7.2.1).
 */
export function closeOutcome(info: CloseDetails, sendFailure: Error | null): CloseOutcome {
  const lost = info.remote === null ? new Error('The connection was closed abnormally (1006): no close frame was received') : null;
  return {
    ...reportedClose(info),
    wasClean: info.wasClean,
    failure: info.error ?? sendFailure ?? lost,
  };
}

/** A connection that never opened (refused, aborted, unreachable): error, then close 1006. */
export function neverOpened(failure: Error): CloseOutcome {
  return { code: CloseCode.ABNORMAL, reason: '', wasClean: false, failure };
}
