import diagnostics from 'node:diagnostics_channel';

/**
 * node:diagnostics_channel channels. Subscribers get `{ connection, ... }` objects;
 * publishing costs nothing when nobody subscribes.
 */
export const channels = {
  open: diagnostics.channel('wspipe:open'),
  close: diagnostics.channel('wspipe:close'),
  error: diagnostics.channel('wspipe:error'),
  ping: diagnostics.channel('wspipe:ping'),
  pong: diagnostics.channel('wspipe:pong'),
} as const;

export const CHANNEL_NAMES = {
  open: 'wspipe:open',
  close: 'wspipe:close',
  error: 'wspipe:error',
  ping: 'wspipe:ping',
  pong: 'wspipe:pong',
} as const;
