/** Deterministic UIDs and generated names from the twin's seeded random source. */
import type { Rng } from "../../core/numeric/rng.ts";

const HEX = "0123456789abcdef";
const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

export function uuid(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 32; i += 1) {
    let digit = rng.int(0, 15);
    if (i === 12) digit = 4;
    if (i === 16) digit = 8 + (digit % 4);
    out += HEX[digit];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += "-";
  }
  return out;
}

/** The random suffix the API server appends to a generateName (five characters). */
export function nameSuffix(rng: Rng): string {
  let out = "";
  for (let i = 0; i < 5; i += 1) out += NAME_CHARS[rng.int(0, NAME_CHARS.length - 1)];
  return out;
}
