// One typed error for everything the imaging library refuses. `failureReason` is the value a STOW-RS
// answer carries in FailureReason (0008,1197): PS3.18 §10.5.3 and PS3.4 Annex GG (Storage failure
// reasons). `code` is stable and documented for clients; `message` is for people and never holds PHI.

/** PS3.4 Table GG.4-1 / PS3.18 Table 10.5.3-2 failure reasons this library uses. */
export const FailureReason = {
  processingFailure: 0x0110,
  sopClassNotSupported: 0x0122,
  outOfResources: 0xa700,
  dataSetDoesNotMatchSopClass: 0xa900,
  cannotUnderstand: 0xc000,
  transferSyntaxNotSupported: 0xc122,
} as const;

export type DicomErrorCode =
  | 'not-part10'
  | 'truncated'
  | 'no-transfer-syntax'
  | 'unreadable'
  | 'missing-uid'
  | 'invalid-uid'
  | 'pixel-data-short'
  | 'study-mismatch'
  | 'too-large';

export class DicomError extends Error {
  readonly code: DicomErrorCode;
  readonly failureReason: number;

  constructor(code: DicomErrorCode, message: string, failureReason: number = FailureReason.cannotUnderstand) {
    super(message);
    this.name = 'DicomError';
    this.code = code;
    this.failureReason = failureReason;
  }
}
