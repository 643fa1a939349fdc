/**
 * Byte-level mutations that the file-reader fuzzers share (each format adds its own: interesting words for
 * FlatBuffers, varint nudges and splices for protobuf). Each returns the mutant and a name that says what it did;
 * the PRNG draws are in a fixed order, so a seed reproduces a mutant.
 */
import { randInt as int, type ByteMutation } from './fuzz-campaign.js';

/** Cuts the file at a random length. */
export const truncate: ByteMutation = (b, r) => {
  const len = int(r, b.length);
  return [b.slice(0, len), `truncate@${len}`];
};

/** Flips 1–8 random bits. */
export const bitflips: ByteMutation = (b, r) => {
  const out = b.slice();
  const k = 1 + int(r, 8);
  for (let i = 0; i < k; i++) {
    const p = int(r, out.length);
    out[p] = out[p]! ^ (1 << int(r, 8));
  }
  return [out, `bitflip×${k}`];
};

/** Sets 1–4 random bytes to values drawn by `value` (the format's interesting bytes, or any byte). */
export const setBytes =
  (value: (r: () => number) => number): ByteMutation =>
  (b, r) => {
    const out = b.slice();
    const k = 1 + int(r, 4);
    for (let i = 0; i < k; i++) out[int(r, out.length)] = value(r);
    return [out, `byte×${k}`];
  };

/** Inserts 1–16 random bytes at a random place. */
export const insertBytes: ByteMutation = (b, r) => {
  const p = int(r, b.length);
  const n = 1 + int(r, 16);
  const out = new Uint8Array(b.length + n);
  out.set(b.subarray(0, p));
  for (let i = 0; i < n; i++) out[p + i] = int(r, 256);
  out.set(b.subarray(p), p + n);
  return [out, `insert${n}@${p}`];
};

/** Deletes 1–16 bytes at a random place. */
export const deleteBytes: ByteMutation = (b, r) => {
  const p = int(r, b.length);
  const end = Math.min(b.length, p + 1 + int(r, 16));
  const out = new Uint8Array(b.length - (end - p));
  out.set(b.subarray(0, p));
  out.set(b.subarray(end), p);
  return [out, `delete${end - p}@${p}`];
};

/** Copies a chunk of `minLength`..`minLength + 59` bytes over another place (duplicated tables, fields). */
export const copyChunk =
  (minLength: number): ByteMutation =>
  (b, r) => {
    const out = b.slice();
    const n = minLength + int(r, 60);
    const from = int(r, Math.max(1, b.length - n));
    const to = int(r, Math.max(1, b.length - n));
    out.copyWithin(to, from, from + n);
    return [out, `copy${n}:${from}->${to}`];
  };
