/**
 * Inputs for the fuzzer at scale (scale-fuzz.ts): corpora of valid inputs built once per
 * seed, and cheap mutations of them, so that a million inputs cost seconds to make.
 *
 * - decoder streams for a role, plain or permessage-deflate (compressed messages whole or
 *   in fragments, a zero bomb now and then), built with the independent frame builder;
 * - HTTP upgrade request heads (the server's RequestHeadParser, then validateUpgradeRequest);
 * - 101 responses to a client's offer (validateUpgradeResponse, with permessage-deflate's
 *   parameters).
 */
import { constants, deflateRawSync } from 'node:zlib';
import { buildAcceptResponse, buildUpgradeRequest, negotiateExtensions, parseExtensions } from '../../src/handshake/index.js';
import { permessageDeflate } from '../../src/extensions/index.js';
import type { Role } from '../../src/transforms/index.js';
import { generateValidFrames, randomText, serialize } from '../helpers/fuzz-gen.js';
import { frame, MASK, type RawFrame } from '../helpers/frames.js';
import { Rng } from '../helpers/rng.js';

/** Applies 0–3 cheap byte mutations: flips, sets, header bytes, truncation, insertion, deletion, duplication, a splice. */
export function mutate(rng: Rng, input: Buffer, other: Buffer): Buffer {
  if (rng.chance(0.15)) return input;
  let out = input;
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const at = out.length === 0 ? 0 : rng.int(0, out.length - 1);
    switch (rng.int(0, 8)) {
      case 0: // flip a bit
        if (out.length > 0) {
          out = Buffer.from(out);
          out[at] ^= 1 << rng.int(0, 7);
        }
        break;
      case 1: // set a byte to a boundary value
        if (out.length > 0) {
          out = Buffer.from(out);
          out[at] = rng.pick([0x00, 0x7e, 0x7f, 0x80, 0xff, 0x0d, 0x0a, 0x20, 0x3a, rng.int(0, 255)]);
        }
        break;
      case 2: // a header byte: the first two bytes, where opcodes, FIN, RSV, mask and lengths are
        if (out.length > 1) {
          out = Buffer.from(out);
          out[rng.int(0, 1)] = rng.int(0, 255);
        }
        break;
      case 3: // truncate
        out = out.subarray(0, at);
        break;
      case 4: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 16)), out.subarray(at)]);
        break;
      case 5: // delete a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 16)))]);
        break;
      case 6: // duplicate a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + rng.int(1, 32)), out.subarray(at)]);
        break;
      case 7: // splice with another input
        out = Buffer.concat([out.subarray(0, at), other.subarray(rng.int(0, other.length))]);
        break;
      default: // append garbage
        out = Buffer.concat([out, rng.bytes(rng.int(1, 8))]);
    }
  }
  return out;
}

/** Cuts `input` into 1–4 chunks (a small input sometimes byte by byte), as a socket might deliver it. */
export function chunksOf(rng: Rng, input: Buffer): Buffer[] {
  if (input.length === 0) return [input];
  if (input.length <= 64 && rng.chance(0.05)) return [...input].map((byte) => Buffer.from([byte]));
  const cuts = Array.from({ length: rng.int(0, 3) }, () => rng.int(1, input.length)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut > from) chunks.push(input.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** Valid streams for a decoder of `role`: what its peer sends. */
export function decoderCorpus(seed: number, role: Role, deflate: boolean, size = 512): Buffer[] {
  const rng = new Rng(seed);
  const corpus: Buffer[] = [];
  for (let i = 0; i < size; i++) corpus.push(deflate ? deflateStream(rng, role) : serialize(generateValidFrames(rng, role).frames));
  return corpus;
}

const ZEROS = Buffer.alloc(256 * 1024);

/** Raw DEFLATE of one message as RFC 7692 §7.2.1 sends it: sync-flushed, the 4-byte tail removed. */
function compress(data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

function deflateStream(rng: Rng, role: Role): Buffer {
  const mask = role === 'server' ? MASK : undefined;
  const frames: RawFrame[] = [];
  for (let m = rng.int(1, 4); m > 0; m--) {
    if (rng.chance(0.2)) {
      frames.push({ opcode: rng.pick([0x9, 0xa]), payload: rng.bytes(rng.int(0, 20)), mask });
      continue;
    }
    const text = rng.chance(0.5);
    const data = rng.chance(0.01) ? ZEROS : text ? Buffer.from(randomText(rng, rng.int(0, 2000))) : rng.bytes(rng.int(0, 2000));
    const compressed = rng.chance(0.85);
    const payload = compressed ? compress(data) : data;
    const pieces = rng.chance(0.6) ? 1 : rng.int(2, 4);
    const step = Math.ceil(payload.length / pieces) || 1;
    for (let at = 0, first = true; first || at < payload.length; at += step, first = false) {
      const last = at + step >= payload.length;
      frames.push({ opcode: first ? (text ? 0x1 : 0x2) : 0x0, rsv1: first && compressed, fin: last, payload: payload.subarray(at, at + step), mask });
    }
  }
  return Buffer.concat(frames.map((spec) => frame(spec)));
}

/** Valid upgrade request heads, with subprotocols, extension offers, extra headers, a body start. */
export function requestCorpus(seed: number, size = 256): Buffer[] {
  const rng = new Rng(seed);
  const corpus: Buffer[] = [];
  for (let i = 0; i < size; i++) {
    const request = buildUpgradeRequest(`ws://127.0.0.1:${rng.int(1, 65535)}/${rng.chance(0.5) ? 'chat?x=1' : ''}`, {
      protocols: rng.chance(0.5) ? ['chat', 'superchat'].slice(0, rng.int(1, 2)) : undefined,
      extensions: rng.chance(0.6) ? [permessageDeflate(rng.chance(0.5) ? {} : { clientNoContextTakeover: true, serverMaxWindowBits: rng.int(9, 15) })] : [],
      headers: rng.chance(0.3) ? { 'X-Extra': randomText(rng, rng.int(0, 40)).replace(/[^\x20-\x7e]/g, 'a'), Cookie: 'a=1; b=2' } : undefined,
      origin: rng.chance(0.5) ? 'http://example.test' : undefined,
    });
    const lines = [`GET ${request.path} HTTP/1.1`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${String(value)}`)];
    corpus.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${rng.chance(0.2) ? '\x81\x85abcd' : ''}`, 'latin1'));
  }
  return corpus;
}

/** What a client sent, and a valid 101 response to it, as text. */
export interface ResponseCase {
  sent: ReturnType<typeof buildUpgradeRequest>;
  response: Buffer;
}

export function responseCorpus(seed: number, size = 256): ResponseCase[] {
  const rng = new Rng(seed);
  const corpus: ResponseCase[] = [];
  for (let i = 0; i < size; i++) {
    const offerDeflate = rng.chance(0.7);
    const sent = buildUpgradeRequest('ws://127.0.0.1:9/', {
      protocols: rng.chance(0.5) ? ['chat', 'superchat'] : undefined,
      extensions: offerDeflate ? [permessageDeflate(rng.chance(0.5) ? {} : { clientMaxWindowBits: true, serverNoContextTakeover: rng.chance(0.5) })] : [],
    });
    const offers = sent.extensions ? parseExtensions(sent.extensions) : [];
    const { header } = negotiateExtensions(offers, offerDeflate ? [permessageDeflate(rng.chance(0.5) ? {} : { serverMaxWindowBits: rng.int(9, 15) })] : []);
    const response = buildAcceptResponse({ key: sent.key, protocol: sent.protocols?.[rng.int(0, 1)], extensions: header });
    corpus.push({ sent, response: Buffer.from(response, 'latin1') });
  }
  return corpus;
}

/**
 * A response head as node:http hands it to the client: status code and lower-cased headers,
 * repeated ones joined with ", " (Set-Cookie aside). Returns null where node:http's parser
 * would refuse the bytes (no status line): the client then fails with WS_ERR_HANDSHAKE_NOT_HTTP.
 */
export function parseResponseHead(bytes: Buffer): { statusCode: number; headers: Record<string, string> } | null {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(statusLine);
  if (!match) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { statusCode: Number(match[1]), headers };
}
