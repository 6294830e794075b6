import { randomBytes } from 'node:crypto';

/**
 * Call ids of one reverse call. Each id is 16 bytes in the shape of a version 4 UUID: the first ten bytes are random
 * and the same for the whole connection, the last six count the calls. A response's id is matched by comparing the
 * prefix and reading the count, without turning ids into strings; the random prefix keeps an id of one connection
 * (or a guessed one) from matching a call of another.
 */
export class CallIds {
  readonly #prefix: Buffer;
  #count = 0;

  constructor() {
    const prefix = randomBytes(10);
    // .NET byte order: the version nibble is the high half of byte 7, the variant the top bits of byte 8.
    prefix[7] = ((prefix[7] as number) & 0x0f) | 0x40;
    prefix[8] = ((prefix[8] as number) & 0x3f) | 0x80;
    this.#prefix = prefix;
  }

  /** A new id: its number (the key for pending calls) and its 16 bytes. */
  next(): { readonly number: number; readonly bytes: Uint8Array } {
    const number = this.#count++;
    const bytes = Buffer.allocUnsafe(16);
    this.#prefix.copy(bytes, 0);
    bytes.writeUIntBE(number % 2 ** 48, 10, 6);
    return { number, bytes };
  }

  /** The number of an id this connection gave out, or undefined for any other 16 bytes. */
  numberOf(id: Uint8Array): number | undefined {
    if (id.length !== 16) return undefined;
    for (let i = 0; i < 10; i++) if (id[i] !== this.#prefix[i]) return undefined;
    let number = 0;
    for (let i = 10; i < 16; i++) number = number * 256 + (id[i] as number);
    return number;
  }
}
