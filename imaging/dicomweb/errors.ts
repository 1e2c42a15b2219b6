// The HTTP refusals of the DICOMweb routes (PS3.18 §8.5 status codes). The server plugin turns them
// into answers; they never carry patient data.
export class DicomWebError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'DicomWebError';
    this.status = status;
  }
}
