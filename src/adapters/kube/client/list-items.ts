/**
 * The items of a Kubernetes list, one at a time, from the answer's bytes as they arrive. A list of
 * 30,000 PodMetrics is 22 MB of JSON: read whole and parsed, it holds the text and every item at
 * once, some 100 MB that V8 then keeps as committed heap long after it is garbage. Here only the
 * top-level `items` array is split; each item is parsed on its own once its last byte is in, and the
 * rest of the answer is only checked to be balanced. Strings are scanned byte by byte: a quote or a
 * bracket inside one ends nothing, and every UTF-8 byte of a multi-byte character is ≥ 0x80, so
 * none is mistaken for one.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
/** Top-level strings are kept only as long as the longest key looked for ("items"). */
const KEY_BYTES = 8;

export type ItemHandler = (item: unknown, index: number) => void;

export class ListItemSplitter {
  readonly #onItem: ItemHandler;
  readonly #decoder = new TextDecoder();
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Whether the answer is an object; undefined before its first byte. */
  #isObject: boolean | undefined;
  /** The bytes of the top-level string being read, then its text once closed: keys are what matter. */
  #topString: number[] = [];
  #lastTopString = "";
  #inItems = false;
  #sawItems = false;
  /** Where the item being read starts in the current chunk; -1 when none has started in it. */
  #itemStart = -1;
  /** The item's bytes from earlier chunks. */
  #pieces: Uint8Array[] = [];
  #index = 0;

  constructor(onItem: ItemHandler) {
    this.#onItem = onItem;
  }

  push(chunk: Uint8Array): void {
    this.#itemStart = this.#pieces.length > 0 ? 0 : -1;
    for (let at = 0; at < chunk.length; at += 1) {
      const byte = chunk[at] as number;
      if (this.#inString) this.#stringByte(byte);
      else this.#structuralByte(byte, chunk, at);
    }
    if (this.#itemStart >= 0) this.#pieces.push(chunk.slice(this.#itemStart));
  }

  /** Whether the answer was a list (an object with an `items` array); throws when it was cut short. */
  end(): boolean {
    if (this.#depth !== 0 || this.#inString) throw new Error("the answer ends before its JSON does");
    return this.#isObject === true && this.#sawItems;
  }

  #stringByte(byte: number): void {
    if (this.#escaped) this.#escaped = false;
    else if (byte === BACKSLASH) this.#escaped = true;
    else if (byte === QUOTE) {
      this.#inString = false;
      if (this.#depth === 1) this.#lastTopString = String.fromCharCode(...this.#topString);
      return;
    }
    if (this.#depth === 1 && this.#topString.length <= KEY_BYTES) this.#topString.push(byte);
  }

  #structuralByte(byte: number, chunk: Uint8Array, at: number): void {
    if (isWhitespace(byte)) return;
    if (this.#isObject === undefined) this.#isObject = byte === OPEN_OBJECT;
    if (this.#depth === 2 && this.#inItems) this.#itemByte(byte, chunk, at);
    if (byte === QUOTE) this.#openString();
    else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.#open(byte);
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) this.#close();
  }

  /** A byte between the items: a comma or the closing bracket ends one, anything else starts one. */
  #itemByte(byte: number, chunk: Uint8Array, at: number): void {
    if (byte === COMMA || byte === CLOSE_ARRAY) this.#endItem(chunk, at);
    else if (this.#itemStart < 0) this.#itemStart = at;
  }

  #openString(): void {
    this.#inString = true;
    if (this.#depth === 1) this.#topString = [];
  }

  #open(byte: number): void {
    this.#depth += 1;
    if (this.#depth === 2 && byte === OPEN_ARRAY && this.#isObject === true && this.#lastTopString === "items") {
      this.#inItems = true;
      this.#sawItems = true;
    }
  }

  #close(): void {
    if (this.#depth === 0) throw new Error("the answer closes more than it opens");
    if (this.#depth === 2) this.#inItems = false;
    this.#depth -= 1;
  }

  /** The item that ends before the comma or bracket at `at`, if one was started (`[]` has none). */
  #endItem(chunk: Uint8Array, at: number): void {
    if (this.#itemStart < 0) return;
    const tail = chunk.subarray(this.#itemStart, at);
    const text =
      this.#pieces.length === 0 ? this.#decoder.decode(tail) : this.#decoder.decode(concat([...this.#pieces, tail]));
    this.#pieces = [];
    this.#itemStart = -1;
    const index = this.#index;
    this.#index += 1;
    this.#onItem(JSON.parse(text), index);
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

/** Every item of the list in `body`, to `onItem` in order; resolves to whether the answer was a list at all. */
export async function forEachListItem(body: AsyncIterable<Uint8Array>, onItem: ItemHandler): Promise<boolean> {
  const splitter = new ListItemSplitter(onItem);
  for await (const chunk of body) splitter.push(chunk);
  return splitter.end();
}
