// The EMR's workflow transitions as FHIR operations (http://hl7.org/fhir/R4/operations.html), so
// that they are listed in the CapabilityStatement, checked by the same policy, audited like every
// other interaction and usable by any FHIR client. Each answers with the resource it changed.
import { touched, type FhirResponse, type Operation, type RestContext } from '../../fhir/index.ts';
import { parameters, referenceId } from '../booking/operations/params.ts';
import { admit, discharge, transfer } from './inpatient/admission.ts';
import { bedStatusParameter, setBedStatus } from './beds/bed-status.ts';
import { callNext, finishVisit, startVisit } from './visits/queue.ts';
import { callerPractitionerId, practitionerFor } from './clinician.ts';
import type { Json } from './stay.ts';
import { emrOperationDefinition as definition, type OperationParameter } from './operation-definition.ts';

const param = (name: string, type: string, min = 0): OperationParameter => ({ name, use: 'in', min, max: '1', type });

function answer(ctx: RestContext, resource: Json, status = 200): FhirResponse {
  const json = JSON.stringify(resource);
  const version = resource.meta?.versionId as string | undefined;
  touched(ctx, [{ resourceType: resource.resourceType, id: resource.id, ...(version ? { versionId: Number(version) } : {}), json }]);
  return {
    status,
    headers: {
      ...(version ? { etag: `W/"${version}"` } : {}),
      ...(status === 201 ? { location: `${ctx.baseUrl}/${resource.resourceType}/${resource.id}/_history/${version}` } : {}),
    },
    json,
  };
}

export interface EmrOperationOptions {
  timezone: string;
  now?: () => Date;
  /** The hospital's midnight before `now`, as an instant (for "today's queue"). */
  dayStart(now: Date): string;
}

export function emrOperations(options: EmrOperationOptions): Operation[] {
  const now = options.now ?? (() => new Date());
  const forType = (type: string) => (t: string) => t === type;
  return [
    {
      definition: definition('Encounter', 'call-next', 'type', [param('practitioner', 'Reference')]),
      appliesTo: forType('Encounter'),
      async handle(req, ctx) {
        const doctor = await practitionerFor(ctx, ctx.repo, parameters(req).get('practitioner'), 'practitioner');
        const at = now();
        return answer(ctx, await callNext(ctx.repo, doctor, options.dayStart(at), at.toISOString()));
      },
    },
    {
      definition: definition('Encounter', 'start-visit', 'instance', []),
      appliesTo: forType('Encounter'),
      async handle(_req, ctx, target) {
        const self = callerPractitionerId(ctx);
        const doctor = self ? await practitionerFor(ctx, ctx.repo, undefined, 'practitioner') : undefined;
        return answer(ctx, await startVisit(ctx.repo, target.id!, doctor, now().toISOString()));
      },
    },
    {
      definition: definition('Encounter', 'finish-visit', 'instance', []),
      appliesTo: forType('Encounter'),
      async handle(_req, ctx, target) {
        return answer(ctx, await finishVisit(ctx.repo, target.id!, now().toISOString()));
      },
    },
    {
      definition: definition('Encounter', 'admit', 'type', [
        param('patient', 'Reference', 1), param('bed', 'Reference', 1), param('attending', 'Reference'),
        param('diagnosis', 'Reference'), param('fromEncounter', 'Reference'), param('admitSource', 'code'),
      ]),
      appliesTo: forType('Encounter'),
      async handle(req, ctx) {
        const p = parameters(req);
        const patientId = referenceId(p.get('patient'), 'Patient', 'patient')!;
        const bedId = referenceId(p.get('bed'), 'Location', 'bed')!;
        const attending = await practitionerFor(ctx, ctx.repo, p.get('attending'), 'attending');
        const self = callerPractitionerId(ctx);
        const admitter = self ? await practitionerFor(ctx, ctx.repo, undefined, 'attending') : undefined;
        const encounter = await admit(ctx.repo, {
          patientId, bedId, attending, admitter,
          diagnosisId: referenceId(p.get('diagnosis'), 'Condition', 'diagnosis', false),
          fromEncounterId: referenceId(p.get('fromEncounter'), 'Encounter', 'fromEncounter', false),
          admitSource: p.get('admitSource'),
        }, now(), options.timezone);
        return answer(ctx, encounter, 201);
      },
    },
    {
      definition: definition('Encounter', 'transfer', 'instance', [param('bed', 'Reference', 1)]),
      appliesTo: forType('Encounter'),
      async handle(req, ctx, target) {
        const bedId = referenceId(parameters(req).get('bed'), 'Location', 'bed')!;
        return answer(ctx, await transfer(ctx.repo, target.id!, bedId, now()));
      },
    },
    {
      definition: definition('Encounter', 'discharge', 'instance', [param('disposition', 'code'), param('summary', 'Reference')]),
      appliesTo: forType('Encounter'),
      async handle(req, ctx, target) {
        const p = parameters(req);
        const self = callerPractitionerId(ctx);
        const discharger = self ? await practitionerFor(ctx, ctx.repo, undefined, 'practitioner') : undefined;
        return answer(ctx, await discharge(ctx.repo, target.id!, {
          disposition: p.get('disposition'),
          summaryId: referenceId(p.get('summary'), 'Composition', 'summary', false),
          discharger,
        }, now()));
      },
    },
    {
      definition: definition('Location', 'bed-status', 'instance', [param('status', 'code', 1)]),
      appliesTo: forType('Location'),
      async handle(req, ctx, target) {
        return answer(ctx, await setBedStatus(ctx.repo, target.id!, bedStatusParameter(parameters(req).get('status'))));
      },
    },
  ];
}
