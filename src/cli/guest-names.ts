/** A page may ask to keep a name it was given: only names of this form are honoured. */
const GUEST_NAME = /^guest-[1-9][0-9]{0,5}$/;

/**
 * The demo's guest names: `guest-N`, unique among the connected. A page that reconnects
 * asks for its old name back and gets it if it is well-formed and free; otherwise, and for
 * new pages, the next free number.
 */
export class GuestNames {
  private next = 1;
  private readonly taken = new Set<string>();

  claim(requested: string | null): { name: string; returning: boolean } {
    if (requested !== null && GUEST_NAME.test(requested) && !this.taken.has(requested)) {
      this.taken.add(requested);
      return { name: requested, returning: true };
    }
    let name: string;
    do name = `guest-${this.next++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return { name, returning: false };
  }

  release(name: string): void {
    this.taken.delete(name);
  }
}
