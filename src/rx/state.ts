/**
 * The life of a `connect$` subject's connection, as `state$` reports it:
 * connecting → open → closing → closed, with `reconnecting` while a retry waits
 * for its backoff delay. `closed` is also the state before the first subscription.
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting';
