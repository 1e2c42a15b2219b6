// The bytes of one frame of a stored instance (PS3.18 §8.7.3: a frame is what WADO-RS /frames answers).
import dicomParser from 'dicom-parser';
import type { PixelLayout } from './types.ts';

export interface FrameOptions {
  /** Native big-endian data answered as little endian (Explicit VR Little Endian, the default frame syntax). */
  littleEndian?: boolean;
}

/** The byte array the layout's offsets index: the stored bytes, or the inflated dataset of a deflated file. */
export function layoutBytes(file: Buffer, layout: PixelLayout): Uint8Array {
  if (layout.inStoredBytes) return file;
  return dicomParser.parseDicom(file).byteArray;
}

function swap(bytes: Buffer, bits: number): Buffer {
  if (bits === 16) return bytes.swap16();
  if (bits === 32) return bytes.swap32();
  if (bits === 64) return bytes.swap64();
  return bytes;
}

/** Bits of a 1-bit frame that starts inside a byte, moved to start at bit 0 (PS3.5 §8.1.1: least significant bit first). */
function realignBits(bytes: Uint8Array, startBit: number, bitCount: number): Buffer {
  const out = Buffer.alloc(Math.ceil(bitCount / 8));
  for (let i = 0; i < bitCount; i++) {
    const from = startBit + i;
    if (bytes[from >> 3] & (1 << (from & 7))) out[i >> 3] |= 1 << (i & 7);
  }
  return out;
}

/** Frame `frameIndex` (0-based) as a new Buffer; `source` may be given when the caller already inflated the file. */
export function frameBytes(file: Buffer, layout: PixelLayout, frameIndex: number, options: FrameOptions = {}, source?: Uint8Array): Buffer {
  const ranges = layout.frames[frameIndex];
  if (!ranges) throw new RangeError(`No frame ${frameIndex + 1}: the instance has ${layout.frames.length}`);
  const bytes = source ?? layoutBytes(file, layout);
  if (layout.bitsPerFrame) {
    // The range starts at the byte holding the frame's first bit; the bit within it is the remainder.
    const [offset] = ranges[0];
    return realignBits(bytes.subarray(offset), (frameIndex * layout.bitsPerFrame) % 8, layout.bitsPerFrame);
  }
  const total = ranges.reduce((n, [, length]) => n + length, 0);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const [offset, length] of ranges) {
    out.set(bytes.subarray(offset, offset + length), at);
    at += length;
  }
  if (layout.bigEndian && options.littleEndian && layout.bitsAllocated && !layout.encapsulated) return swap(out, layout.bitsAllocated);
  return out;
}
