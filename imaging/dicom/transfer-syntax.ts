// Transfer syntaxes (PS3.5 §10 and Annex A) and the media types WADO-RS answers frames in (PS3.18 Table 8.7.3-5).

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
} as const;

const native: ReadonlySet<string> = new Set(Object.values(TransferSyntax));

/** Every transfer syntax but the four native ones encapsulates its pixel data (PS3.5 §A.4). */
export function isEncapsulated(uid: string): boolean {
  return !native.has(uid);
}

/** Media type of one compressed frame of a transfer syntax, for multipart WADO-RS answers. */
export function frameMediaType(uid: string): string {
  if (uid === '1.2.840.10008.1.2.5') return 'image/x-dicom-rle';
  if (/^1\.2\.840\.10008\.1\.2\.4\.(50|51|57|70)$/.test(uid)) return 'image/jpeg';
  if (/^1\.2\.840\.10008\.1\.2\.4\.(80|81)$/.test(uid)) return 'image/jls';
  if (/^1\.2\.840\.10008\.1\.2\.4\.(90|91)$/.test(uid)) return 'image/jp2';
  if (/^1\.2\.840\.10008\.1\.2\.4\.(92|93)$/.test(uid)) return 'image/jpx';
  if (/^1\.2\.840\.10008\.1\.2\.4\.20[123]$/.test(uid)) return 'image/jphc';
  if (/^1\.2\.840\.10008\.1\.2\.4\.10[0-6]/.test(uid)) return uid.endsWith('.102') || uid.endsWith('.103') || uid.endsWith('.104') || uid.endsWith('.105') || uid.endsWith('.106') ? 'video/mp4' : 'video/mpeg2';
  return 'application/octet-stream';
}
