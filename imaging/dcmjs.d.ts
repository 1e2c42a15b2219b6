// dcmjs ships no type declarations; the library uses only its data dictionary and (in tests and
// benchmarks) its reader/writer.
declare module 'dcmjs';
