import type { ExtensionOffer, ExtensionOfferInput } from '../handshake/extensions.js';
import type { ExtensionStages } from '../transforms/extension-stages.js';
import type { Role } from '../transforms/records.js';

/** The parameters of one offer or response: pairs in order (a Map works) or a record. */
export type ExtensionParams = NonNullable<ExtensionOfferInput['params']>;

/** A server's answer to a client's offers of one extension. */
export interface ExtensionResponse {
  /** The parameters sent back in Sec-WebSocket-Extensions (the "agreed parameters"). */
  readonly params: ExtensionParams;
  /** What the extension adds to this connection's chains. */
  readonly stages: ExtensionStages;
}

/**
 * A WebSocket extension (RFC 6455 §9): its name, the reserved bits its messages carry,
 * how it negotiates in either role, and — once agreed — the stages it adds to the
 * connection's chains. permessage-deflate (`permessageDeflate()`) is one, written against
 * this interface only; give your own to `createServer({ extensions })` and
 * `connect(url, { extensions })`.
 *
 * Negotiation (RFC 6455 §9.1). The client offers its extensions in the order given,
 * each with its offers (alternatives, most preferred first). The server goes through the
 * extensions in the order the client first offered them; for each one it knows, it hands
 * `respond()` all of the client's offers of it, and accepts it unless `respond()`
 * declines (null) or its reserved bits are taken by one accepted before. The response
 * lists the accepted extensions in that order, which is the order they apply in: outgoing
 * messages pass their encode stages in it, incoming messages their decode stages in
 * reverse. The client checks the response: only offered extensions, each once, no two
 * sharing a reserved bit, and `accept()` for each (a throw fails the connection).
 *
 * Rules for the stages (see `ExtensionStages`): they see MessageParts; a decode stage
 * processes the parts carrying its bits and clears them; an encode stage sets them; both
 * pass everything else on, in order. A stage throws only WebSocketErrors (their
 * `closeCode` closes the connection); it never holds records without telling its chain
 * (`whenSettled`), or memory grows without backpressure.
 */
export interface Extension {
  /** The extension token (RFC 6455 §9.1), e.g. 'permessage-deflate'. */
  readonly name: string;
  /** The reserved bits its messages carry: a mask of RSV1 (0x4), RSV2 (0x2), RSV3 (0x1). */
  readonly rsv: number;
  /** Called when a server or client is created with it: throws for options `role` cannot use. */
  check?(role: Role): void;
  /** Client: the offers to make, most preferred first (each is one element of the header). */
  offers(): readonly ExtensionParams[];
  /**
   * Client: the server accepted it with `response`; `offered` are our offers of it (as
   * sent). Returns the stages, or throws to fail the connection (RFC 6455 §9.1).
   */
  accept(response: ExtensionOffer, offered: readonly ExtensionOffer[]): ExtensionStages;
  /** Server: the client's offers of it, in the client's order; the response, or null to decline. */
  respond(offers: readonly ExtensionOffer[]): ExtensionResponse | null;
}

/** An extension agreed for one connection: the element sent or received, and its stages. */
export interface AgreedExtension {
  readonly extension: Extension;
  readonly element: ExtensionOffer;
  readonly stages: ExtensionStages;
}
