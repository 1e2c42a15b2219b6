// Text of the Specific Character Set (0008,0005): PS3.3 C.12.1.1.2 names the character sets, PS3.5 §6.1
// says which VRs they apply to (SH, LO, ST, LT, UT, UC and PN; everything else is the default
// repertoire). Chinese hospitals write GB18030 or GBK; modalities elsewhere Latin-1, UTF-8 or ISO 2022.

/** Defined Terms of (0008,0005) → WHATWG encoding labels TextDecoder knows. */
const labels: Record<string, string> = {
  '': 'windows-1252',
  'ISO_IR 6': 'windows-1252',
  'ISO 2022 IR 6': 'windows-1252',
  'ISO_IR 100': 'windows-1252',
  'ISO 2022 IR 100': 'windows-1252',
  'ISO_IR 101': 'iso-8859-2',
  'ISO 2022 IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO 2022 IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO 2022 IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO 2022 IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO 2022 IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO 2022 IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO 2022 IR 138': 'iso-8859-8',
  'ISO_IR 148': 'windows-1254',
  'ISO 2022 IR 148': 'windows-1254',
  'ISO_IR 166': 'windows-874',
  'ISO 2022 IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  'ISO 2022 IR 13': 'shift_jis',
  'ISO 2022 IR 87': 'iso-2022-jp',
  'ISO 2022 IR 159': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gbk',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

const decoders = new Map<string, TextDecoder>();

function decoderFor(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) decoders.set(label, decoder = new TextDecoder(label));
  return decoder;
}

/** ISO 2022 escape sequences (ESC …) switch character sets inside a value; TextDecoder handles them only for iso-2022-jp. */
const escapeSequence = /\x1b[\x20-\x2f]*[\x30-\x7e]/g;

export interface CharacterSet {
  /** Decodes a value of a VR the character set applies to. */
  decode(bytes: Uint8Array): string;
}

/**
 * The decoder for a (0008,0005) value. With several values (code extension, PS3.5 §6.1.2.5) the last
 * non-default one decides: for ISO 2022 IR 149 / 58 the escape sequences are removed first, since
 * their G1 sets are EUC-encoded bytes with the high bit set.
 */
export function characterSet(value: string | undefined): CharacterSet {
  const terms = (value ?? '').split('\\').map((t) => t.trim());
  const chosen = [...terms].reverse().find((t) => t !== '' && t !== 'ISO 2022 IR 6') ?? '';
  const label = labels[chosen] ?? 'windows-1252';
  const decoder = decoderFor(label);
  const stripEscapes = label === 'euc-kr' || label === 'gbk';
  return {
    decode(bytes: Uint8Array): string {
      const text = decoder.decode(bytes);
      return stripEscapes ? text.replace(escapeSequence, '') : text;
    },
  };
}

const ascii = decoderFor('windows-1252');

/** Values of the default repertoire (UIDs, codes, dates, numbers). */
export function decodeAscii(bytes: Uint8Array): string {
  return ascii.decode(bytes);
}
