// The BookingNotice of an Appointment: who it goes to, and what the patient needs to know, read from
// the Appointment and the resources its participants name (Patient, PractitionerRole → Practitioner,
// HealthcareService, Location). The booking core calls it after a booking, cancellation, reschedule
// or clinic closure; the reminder job (reminders.ts) the day before.
import type { Repository, Resource } from '../../fhir/index.ts';
import type { AccountStore } from '../auth/accounts.ts';
import { PROFESSIONAL_TITLE_SYSTEM, REGISTRATION_FEE_EXTENSION, SYSTEMS } from '../seed/systems.ts';
import { noticeCalendar, type BookingMailOptions, type BookingNotice, type BookingNoticeKind } from './booking-notices.ts';
import type { MailLocale } from './templates.ts';

/** The patient's number in the doctor's queue for the session (valuePositiveInt). */
import { QUEUE_NUMBER_EXTENSION } from '../booking/slot-resource.ts';

export { QUEUE_NUMBER_EXTENSION };

export interface NoticeExtra {
  /** Why it was cancelled (cancellation, stop-clinic). */
  reason?: string;
  /** Send to this address rather than the one found for the patient. */
  to?: string;
  language?: MailLocale;
  /** iCalendar SEQUENCE; by default the Appointment's version less one, which grows with every change. */
  sequence?: number;
}

/** The accounts a notice may go to: the patient's own, else one that acts for the patient (a parent). */
export type NoticeAccounts = Pick<AccountStore, 'byPatient' | 'actingFor'>;

interface Extension { url: string; valuePositiveInt?: number; valueMoney?: { value?: number; currency?: string }; valueString?: string; valueCode?: string; extension?: Extension[] }
interface Reference { reference?: string; display?: string }
interface Translated { extension?: Extension[] }
interface CodeableConcept { coding?: { system?: string; code?: string }[]; text?: string; _text?: Translated }

type Appointment = Resource & {
  id?: string;
  start?: string;
  end?: string;
  extension?: Extension[];
  participant?: { actor?: Reference }[];
};

type Loaded = Resource & {
  name?: unknown;
  _name?: Translated;
  telecom?: { system?: string; value?: string; use?: string; rank?: number }[];
  communication?: { language?: CodeableConcept; preferred?: boolean }[];
  practitioner?: Reference;
  code?: CodeableConcept[];
  healthcareService?: Reference[];
  extension?: Extension[];
};

function idOf(reference: string | undefined, type: string): string | undefined {
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(reference ?? '');
  return match?.[1];
}

async function load(repo: Repository, type: string, reference: string | undefined): Promise<Loaded | undefined> {
  const id = idOf(reference, type);
  if (!id) return undefined;
  try {
    const version = await repo.read(type, id);
    return version.json ? JSON.parse(version.json) as Loaded : undefined;
  } catch {
    return undefined; // gone or deleted: the notice goes without it
  }
}

/** The English translation on a primitive's shadow element (R4 translation extension). */
function english(shadow: Translated | undefined): string | undefined {
  const translation = shadow?.extension?.find((e) => e.url === SYSTEMS.translationExtension
    && e.extension?.some((p) => p.url === 'lang' && p.valueCode?.toLowerCase().startsWith('en')));
  return translation?.extension?.find((p) => p.url === 'content')?.valueString;
}

function nameText(names: unknown): string | undefined {
  if (typeof names === 'string') return names;
  if (!Array.isArray(names)) return undefined;
  for (const name of names as { text?: string; family?: string; given?: string[] }[]) {
    if (name.text) return name.text;
    const joined = `${name.family ?? ''}${(name.given ?? []).join('')}`;
    if (joined) return joined;
  }
  return undefined;
}

function emailOf(resource: Loaded | undefined): string | undefined {
  const emails = (resource?.telecom ?? []).filter((t) => t.system === 'email' && t.value && t.use !== 'old');
  emails.sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER));
  return emails[0]?.value;
}

// Patient.communication names the languages a patient speaks; the preferred one, when it is English,
// makes English the first language of the mail. Everyone else reads Chinese first.
function languageOf(patient: Loaded | undefined): MailLocale {
  const spoken = patient?.communication ?? [];
  const preferred = spoken.find((c) => c.preferred) ?? spoken[0];
  const code = preferred?.language?.coding?.find((c) => c.code)?.code ?? '';
  return code.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

function titleOf(role: Loaded | undefined): { zh: string; en: string } {
  const codes = role?.code ?? [];
  const title = codes.find((c) => c.coding?.some((x) => x.system === PROFESSIONAL_TITLE_SYSTEM)) ?? codes[1];
  const zh = title?.text ?? '';
  return { zh, en: english(title?._text) ?? zh };
}

/**
 * The notice of `kind` about `appointment`, or null when it cannot be sent: no patient, no start and
 * end, or no e-mail address known for the patient. The address is the patient's account's (patients
 * sign up with it), else the Patient's own e-mail, else that of an account acting for the patient.
 */
export async function noticeForAppointment(
  repo: Repository, accounts: NoticeAccounts, appointment: Resource, kind: BookingNoticeKind, extra: NoticeExtra = {},
): Promise<BookingNotice | null> {
  const notice = await buildNotice(repo, accounts, appointment, kind, extra);
  return notice?.to ? notice : null;
}

/**
 * The iCalendar file of an appointment as it stands (GET /booking/appointments/{id}/ics): a REQUEST,
 * or a CANCEL once it is cancelled. Null when it has no patient, start or end.
 */
export async function calendarForAppointment(
  repo: Repository, accounts: NoticeAccounts, appointment: Resource, options: BookingMailOptions,
): Promise<string | null> {
  const cancelled = (appointment as { status?: string }).status === 'cancelled';
  const notice = await buildNotice(repo, accounts, appointment, cancelled ? 'cancellation' : 'confirmation', {});
  return notice ? noticeCalendar(notice, options) : null;
}

async function buildNotice(
  repo: Repository, accounts: NoticeAccounts, appointment: Resource, kind: BookingNoticeKind, extra: NoticeExtra,
): Promise<BookingNotice | null> {
  const appt = appointment as Appointment;
  if (!appt.id || !appt.start || !appt.end) return null;
  const actors = (appt.participant ?? []).map((p) => p.actor?.reference).filter((r): r is string => !!r);
  const patientId = actors.map((r) => idOf(r, 'Patient')).find(Boolean);
  if (!patientId) return null;

  const patient = await load(repo, 'Patient', `Patient/${patientId}`);
  const to = extra.to ?? (await accounts.byPatient(patientId))?.email ?? emailOf(patient) ?? (await accounts.actingFor(patientId))?.email ?? '';

  const role = await load(repo, 'PractitionerRole', actors.find((r) => idOf(r, 'PractitionerRole')));
  const practitioner = role?.practitioner?.display ? undefined : await load(repo, 'Practitioner', role?.practitioner?.reference);
  const service = await load(repo, 'HealthcareService', actors.find((r) => idOf(r, 'HealthcareService')) ?? role?.healthcareService?.[0]?.reference);
  const location = await load(repo, 'Location', actors.find((r) => idOf(r, 'Location')));
  const serviceName = nameText(service?.name) ?? role?.healthcareService?.[0]?.display ?? '';
  const fee = role?.extension?.find((e) => e.url === REGISTRATION_FEE_EXTENSION)?.valueMoney;
  const queueNumber = appt.extension?.find((e) => e.url === QUEUE_NUMBER_EXTENSION)?.valuePositiveInt;
  const version = Number(appt.meta?.versionId);
  const locationName = nameText(location?.name) ?? (appt.participant ?? []).find((p) => idOf(p.actor?.reference, 'Location'))?.actor?.display;

  return {
    kind,
    to,
    language: extra.language ?? languageOf(patient),
    appointmentId: appt.id,
    patientName: nameText(patient?.name) ?? '',
    department: { zh: serviceName, en: english(service?._name) ?? serviceName },
    doctor: { name: role?.practitioner?.display ?? nameText(practitioner?.name) ?? '', title: titleOf(role) },
    start: appt.start,
    end: appt.end,
    ...(queueNumber !== undefined ? { queueNumber } : {}),
    ...(locationName ? { location: locationName } : {}),
    ...(fee?.value !== undefined ? { fee: { value: fee.value, currency: fee.currency ?? 'CNY' } } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
    sequence: extra.sequence ?? (Number.isInteger(version) && version > 0 ? version - 1 : 0),
  };
}
