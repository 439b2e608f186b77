import { randomBytes } from 'node:crypto';

/** A page may ask to keep a name it was given: only names of this form are honoured. */
const GUEST_NAME = /^guest-[1-9][0-9]{0,5}$/;
/** The secret that proves a page held a name: 16 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

export interface GuestClaim {
  name: string;
  /** Keep it (the page does, in sessionStorage) to get the name back later. */
  token: string;
  /** Whether the page got back the name it asked for. */
  returning: boolean;
}

/**
 * The demo's guest names: `guest-N`, one holder each. A page that reconnects asks for its
 * name back with the token it was given; it gets the name if the name is free, or if the
 * token matches (the old connection may not be noticed dead yet: a drop is only seen at
 * the next heartbeat). Anything else gets the next free number.
 */
export class GuestNames {
  private next = 1;
  private readonly holders = new Map<string, { token: string; holder: object }>();

  claim(holder: object, name: string | null, token: string | null): GuestClaim {
    if (name !== null && GUEST_NAME.test(name)) {
      const current = this.holders.get(name);
      if (current === undefined || (token !== null && TOKEN.test(token) && token === current.token)) {
        return { ...this.give(name, holder, current?.token), returning: true };
      }
    }
    let fresh: string;
    do fresh = `guest-${this.next++}`;
    while (this.holders.has(fresh));
    return { ...this.give(fresh, holder), returning: false };
  }

  /** Frees the name if `holder` still holds it; says whether it did. */
  release(name: string, holder: object): boolean {
    if (this.holders.get(name)?.holder !== holder) return false;
    this.holders.delete(name);
    return true;
  }

  private give(name: string, holder: object, token = randomBytes(16).toString('base64url')): { name: string; token: string } {
    this.holders.set(name, { token, holder });
    return { name, token };
  }
}
