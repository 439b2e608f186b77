import type { EncodingSetup } from '../connection/publish-port.js';
import type { FramedMessage } from '../connection/outbound.js';
import { FragmenterCore } from '../transforms/encode/fragmenter.js';
import { FrameSerializerCore } from '../transforms/encode/frame-serializer.js';
import type { SharedEncoding } from '../transforms/extension-stages.js';
import { wholePart } from '../transforms/encode/message-encoder.js';
import type { Publication } from './publication.js';

/**
 * The connections that frame a published message to the same bytes: same fragment size,
 * same extensions agreed with the same parameters, no user encode stages. A server never
 * masks (RFC 6455 §5.1: only clients do), so those bytes can be written to each of them.
 * The frames of the latest publication are kept, so each publication is framed once per
 * profile however many subscribers share it.
 */
export class FrameProfile {
  private seq = -1;
  private frame: FramedMessage | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly framer: FragmenterCore;

  /** `encodings`: each agreed extension's, in order; null when every message must pass through the connection's own chain. */
  constructor(
    fragmentSize: number | undefined,
    private readonly encodings: readonly SharedEncoding[] | null,
  ) {
    const collect = {
      accept: (chunk: Buffer): void => {
        this.chunks.push(chunk);
        this.size += chunk.length;
      },
    };
    this.framer = new FragmenterCore(fragmentSize === undefined ? {} : { fragmentSize }, new FrameSerializerCore(collect));
  }

  /** The frames of `publication` for this profile, or null when each connection must encode it itself. */
  frameFor(publication: Publication): FramedMessage | null {
    if (publication.seq !== this.seq) {
      this.seq = publication.seq;
      this.frame = this.encode(publication);
    }
    return this.frame;
  }

  private encode(publication: Publication): FramedMessage | null {
    if (this.encodings === null) return null;
    let part = wholePart(publication.kind, publication.payload, publication.compress);
    for (const encoding of this.encodings) {
      if (encoding.passes(part)) continue;
      if (encoding.encode === undefined) return null;
      part = encoding.encode(part);
    }
    this.chunks = [];
    this.size = 0;
    this.framer.accept(part);
    return { chunks: this.chunks, size: this.size };
  }
}

/** One profile per distinct encoding setup, made on first use; a setup that cannot share gets a profile of its own. */
export class FrameProfiles {
  private readonly profiles = new Map<string, FrameProfile>();

  profileOf(setup: EncodingSetup): FrameProfile {
    const encoders = setup.extensions.filter((extension) => extension.encoder !== undefined);
    const encodings = encoders.map((extension) => extension.shared);
    if (setup.customStages || encodings.some((encoding) => encoding === undefined)) return new FrameProfile(setup.fragmentSize, null);
    const shared = encodings as SharedEncoding[];
    const key = `${setup.fragmentSize ?? 'whole'}|${shared.map((encoding) => encoding.key).join('|')}`;
    let profile = this.profiles.get(key);
    if (profile === undefined) {
      profile = new FrameProfile(setup.fragmentSize, shared);
      this.profiles.set(key, profile);
    }
    return profile;
  }
}
