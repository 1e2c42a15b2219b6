// Check-in opens the visit: when an Appointment becomes `arrived` (Appointment/$check-in at the desk,
// or any other write), the outpatient Encounter is created in the same transaction — class AMB,
// status arrived, linked to the Appointment (Encounter.appointment), attended by the booked doctor,
// with the queue number (号序) of the booking. http://hl7.org/fhir/R4/appointment.html#statemachine
import type { Repository, Resource, WriteChange, WriteHook, WriteHookContext } from '../../../fhir/index.ts';
import { QUEUE_NUMBER_EXTENSION } from '../../booking/slot-resource.ts';
import { OUTPATIENT_NUMBER_SYSTEM } from '../../seed/systems.ts';
import { idOf } from '../beds/bed-resources.ts';
import { nameOf } from '../clinician.ts';
import { outpatientNumber } from '../numbers.ts';
import { ATTENDER, encounterClass, type Json } from '../stay.ts';

async function readOptional(repo: Repository, type: string, id: string | undefined): Promise<Json | undefined> {
  if (!id) return undefined;
  try {
    return JSON.parse((await repo.read(type, id)).json!) as Json;
  } catch {
    return undefined;
  }
}

/** The booked doctor: the Practitioner of the PractitionerRole the Appointment names (or a Practitioner named directly). */
async function doctorOf(repo: Repository, appointment: Json): Promise<{ practitioner?: Json; organization?: Json }> {
  const actors = ((appointment.participant as Json[] | undefined) ?? []).map((p) => p.actor?.reference as string | undefined);
  const direct = actors.map((r) => idOf(r, 'Practitioner')).find(Boolean);
  if (direct) return { practitioner: { reference: `Practitioner/${direct}` } };
  const role = await readOptional(repo, 'PractitionerRole', actors.map((r) => idOf(r, 'PractitionerRole')).find(Boolean));
  if (!role) return {};
  const practitionerId = idOf(role.practitioner?.reference, 'Practitioner');
  const practitioner = await readOptional(repo, 'Practitioner', practitionerId);
  const display = role.practitioner?.display ?? nameOf(practitioner);
  return {
    ...(practitionerId ? { practitioner: { reference: `Practitioner/${practitionerId}`, ...(display ? { display } : {}) } } : {}),
    ...(role.organization?.reference ? { organization: role.organization } : {}),
  };
}

export function openVisitHook(options: { timezone: string; now?: () => Date }): WriteHook {
  const now = options.now ?? (() => new Date());
  return {
    types: ['Appointment'],
    async beforeCommit(changes: readonly WriteChange[], { repo, tx }: WriteHookContext) {
      for (const change of changes) {
        if (!change.after) continue;
        const appointment = JSON.parse(change.after) as Json;
        const before = change.before ? JSON.parse(change.before) as Json : undefined;
        if (appointment.status !== 'arrived' || before?.status === 'arrived') continue;
        const patientRef = ((appointment.participant as Json[] | undefined) ?? []).map((p) => p.actor).find((a) => idOf(a?.reference, 'Patient'));
        if (!patientRef) continue;
        const existing = await repo.search('Encounter', new URLSearchParams({ appointment: `Appointment/${change.id}`, _count: '1' }));
        if (existing.versions.length > 0) continue;
        const at = now();
        const start = at.toISOString();
        const { practitioner, organization } = await doctorOf(repo, appointment);
        const queueNumber = (appointment.extension as Json[] | undefined)?.find((e) => e.url === QUEUE_NUMBER_EXTENSION);
        await repo.create({
          resourceType: 'Encounter',
          ...(queueNumber ? { extension: [queueNumber] } : {}),
          identifier: [{ use: 'official', system: OUTPATIENT_NUMBER_SYSTEM, value: await outpatientNumber(tx, at, options.timezone) }],
          status: 'arrived',
          statusHistory: [{ status: 'arrived', period: { start } }],
          class: encounterClass('AMB'),
          ...(appointment.serviceType?.[0] ? { serviceType: appointment.serviceType[0] } : {}),
          subject: { reference: patientRef.reference, ...(patientRef.display ? { display: patientRef.display } : {}) },
          ...(practitioner ? { participant: [{ type: [ATTENDER], individual: practitioner }] } : {}),
          appointment: [{ reference: `Appointment/${change.id}` }],
          period: { start },
          ...(organization ? { serviceProvider: organization } : {}),
        } as Resource);
      }
    },
  };
}
