// Patient/[id]/$refer — referral out: a ServiceRequest (category referral, SNOMED CT 3457005) to the
// partner organisation and a Task tracking it (http://hl7.org/fhir/R4/task.html: requested →
// in-progress → completed, or failed with statusReason), then the patient summary document POSTed
// to the partner's [base]/Bundle with fhir-kit-client. Nothing is held open while the partner is
// called. Given `task`, a failed referral is sent again on the same Task.
import { FhirError, type Operation, type Repository, type Resource, type RestContext } from '../../../fhir/index.ts';
import { callerPractitionerId } from '../../emr/clinician.ts';
import { buildSummary } from '../summary/document.ts';
import type { Partner, PartnerRegistry } from '../partners/registry.ts';
import { remoteClient, remoteFailure } from '../partners/remote-client.ts';
import { exchangeError } from '../errors.ts';

interface Json { [key: string]: any }

const REFERRAL = { system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' };

function param(body: unknown, name: string): Json | undefined {
  return ((body as Json | undefined)?.parameter as Json[] | undefined)?.find((p) => p.name === name);
}

const read = async (repo: Repository, type: string, id: string) => JSON.parse((await repo.read(type, id)).json!) as Json;

function performerOf(partner: Partner): Json {
  return { display: partner.name, ...(partner.organization ? { identifier: partner.organization } : {}) };
}

/** Sends the summary and moves the Task to completed or failed; answers with the Task. */
async function send(ctx: RestContext, registry: PartnerRegistry, partner: Partner, task: Json, patientId: string): Promise<Json> {
  const repo = ctx.repo;
  const { statusReason: _previous, ...rest } = task;
  let current = JSON.parse((await repo.update({ ...rest, status: 'in-progress', lastModified: new Date().toISOString() } as unknown as Resource)).version.json!) as Json;
  try {
    const bundle = await buildSummary({ repo, baseUrl: ctx.baseUrl, patientId, authorPractitionerId: callerPractitionerId(ctx) });
    const client = await remoteClient(registry, partner.id);
    let stored: Json;
    try {
      stored = await client.create({ resourceType: 'Bundle', body: bundle as never }) as unknown as Json;
    } catch (err) {
      throw remoteFailure(registry, partner, err);
    }
    current = JSON.parse((await repo.update({
      ...current, status: 'completed', lastModified: new Date().toISOString(),
      output: [{ type: { text: 'Patient summary document sent' }, valueUrl: `${partner.baseUrl}/Bundle/${stored.id}` }],
    } as unknown as Resource)).version.json!) as Json;
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    const code = err.issues[0]?.diagnostics ?? err.code;
    current = JSON.parse((await repo.update({
      ...current, status: 'failed', lastModified: new Date().toISOString(),
      statusReason: { coding: [{ system: 'https://open-his.example.org/fhir/CodeSystem/exchange-error', code }], text: err.message },
    } as unknown as Resource)).version.json!) as Json;
  }
  return current;
}

export function referOperation(registry: PartnerRegistry): Operation {
  return {
    definition: {
      resourceType: 'OperationDefinition', id: 'Patient-refer', url: 'https://open-his.example.org/fhir/OperationDefinition/Patient-refer',
      name: 'Refer', status: 'active', kind: 'operation', code: 'refer', system: false, type: false, instance: true,
      resource: ['Patient'], affectsState: true,
      parameter: [
        { name: 'partner', use: 'in', min: 1, max: '1', type: 'string' },
        { name: 'reason', use: 'in', min: 0, max: '1', type: 'string' },
        { name: 'note', use: 'in', min: 0, max: '1', type: 'string' },
        { name: 'task', use: 'in', min: 0, max: '1', type: 'Reference' },
        { name: 'return', use: 'out', min: 1, max: '1', type: 'Task' },
      ],
    },
    appliesTo: (resourceType) => resourceType === 'Patient',
    async handle(req, ctx, target) {
      if (req.method !== 'POST') throw new FhirError('method-not-allowed', '$refer changes data: POST it');
      const patientId = target.id!;
      await ctx.repo.read('Patient', patientId);
      const retry = param(req.body, 'task')?.valueReference?.reference as string | undefined;
      if (retry) {
        const task = await read(ctx.repo, 'Task', retry.replace(/^Task\//, ''));
        if (task.for?.reference !== `Patient/${patientId}` || task.code?.coding?.[0]?.code !== REFERRAL.code) {
          throw new FhirError('invalid-request', `${retry} is not a referral of Patient/${patientId}`);
        }
        if (task.status !== 'failed') throw exchangeError('referral-not-retryable', `${retry} is ${task.status}: only a failed referral is sent again`);
        const partner = await registry.usable(task.input?.[0]?.valueString ?? '');
        return { status: 200, headers: {}, body: await send(ctx, registry, partner, task, patientId) };
      }
      const partnerId = param(req.body, 'partner')?.valueString as string | undefined;
      if (!partnerId) throw new FhirError('invalid-request', 'Name the partner (parameter partner)', { expression: ['partner'] });
      const partner = await registry.usable(partnerId);
      const reason = param(req.body, 'reason')?.valueString as string | undefined;
      const note = param(req.body, 'note')?.valueString as string | undefined;
      const practitioner = callerPractitionerId(ctx);
      const now = new Date().toISOString();
      const request = JSON.parse((await ctx.repo.create({
        resourceType: 'ServiceRequest', status: 'active', intent: 'order',
        category: [{ coding: [REFERRAL] }], code: { coding: [REFERRAL], text: '转诊 Referral' },
        subject: { reference: `Patient/${patientId}` }, authoredOn: now,
        ...(practitioner ? { requester: { reference: `Practitioner/${practitioner}` } } : {}),
        performer: [performerOf(partner)],
        ...(reason ? { reasonCode: [{ text: reason }] } : {}),
        ...(note ? { note: [{ text: note }] } : {}),
      })).version.json!) as Json;
      const task = JSON.parse((await ctx.repo.create({
        resourceType: 'Task', status: 'requested', intent: 'order', code: { coding: [REFERRAL] },
        focus: { reference: `ServiceRequest/${request.id}` }, for: { reference: `Patient/${patientId}` }, authoredOn: now, lastModified: now,
        ...(practitioner ? { requester: { reference: `Practitioner/${practitioner}` } } : {}),
        owner: performerOf(partner),
        // The partner's id in our registry, for a retry.
        input: [{ type: { text: 'exchange partner' }, valueString: partner.id }],
      })).version.json!) as Json;
      return { status: 201, headers: {}, body: await send(ctx, registry, partner, task, patientId) };
    },
  };
}
