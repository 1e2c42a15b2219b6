// The FHIR requests the chart's summary makes, in parallel, when a patient's chart opens. One list,
// so that the page and the benchmark (test/bench/chart.ts) ask exactly the same questions.
// Each is bounded (_count) and sorted newest first: a patient with 500 encounters loads as fast as
// one with five.

export interface ChartQuery {
  /** What the summary shows from it. */
  key: 'patient' | 'coverage' | 'allergies' | 'problems' | 'medications' | 'vitals' | 'labs' | 'reports' | 'imaging' | 'appointments' | 'encounters' | 'notes';
  /** Path and query below the FHIR base, e.g. `Patient/123`. */
  path: string;
}

const q = encodeURIComponent;

/** `today` is the hospital's date (YYYY-MM-DD) for "upcoming" appointments. */
export function chartSummaryQueries(patientId: string, today: string): ChartQuery[] {
  const p = q(patientId);
  return [
    { key: 'patient', path: `Patient/${p}` },
    { key: 'coverage', path: `Coverage?beneficiary=Patient/${p}&status=active&_count=5` },
    { key: 'allergies', path: `AllergyIntolerance?patient=${p}&_count=50` },
    { key: 'problems', path: `Condition?patient=${p}&clinical-status=active&_sort=-recorded-date&_count=50` },
    { key: 'medications', path: `MedicationRequest?patient=${p}&status=active&_sort=-authoredon&_count=50` },
    { key: 'vitals', path: `Observation?patient=${p}&category=vital-signs&_sort=-date&_count=100` },
    { key: 'labs', path: `Observation?patient=${p}&category=laboratory&_sort=-date&_count=100` },
    { key: 'reports', path: `DiagnosticReport?patient=${p}&_sort=-date&_count=20` },
    { key: 'imaging', path: `ImagingStudy?patient=${p}&_sort=-started&_count=10` },
    { key: 'appointments', path: `Appointment?patient=${p}&date=ge${today}&_sort=date&_count=10` },
    { key: 'encounters', path: `Encounter?patient=${p}&_sort=-date&_count=20` },
    { key: 'notes', path: `Composition?patient=${p}&_sort=-date&_count=20` },
  ];
}
