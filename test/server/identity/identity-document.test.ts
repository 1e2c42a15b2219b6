import test from 'ava';
import {
  checkIdentityDocument, identityDocumentSystem, isIdentityDocumentType, type IdentityDocumentType,
} from '../../../server/identity/identity-document.ts';
import { makeResidentId } from '../../../server/identity/resident-id.ts';
import { HK_MACAO_TRAVEL_PERMIT_SYSTEM, RESIDENT_ID_SYSTEM, TAIWAN_TRAVEL_PERMIT_SYSTEM } from '../../../server/seed/systems.ts';

const now = new Date('2025-06-01T12:00:00Z');

function accepted(t: import('ava').ExecutionContext, type: IdentityDocumentType, number: string, normalized: string): void {
  const result = checkIdentityDocument(type, number, { now });
  t.true(result.ok, `${type} ${number}: ${result.ok ? '' : result.reason}`);
  if (result.ok) t.is(result.normalized, normalized, `${type} ${number}`);
}

function refused(t: import('ava').ExecutionContext, type: IdentityDocumentType, number: string): void {
  const result = checkIdentityDocument(type, number, { now });
  t.false(result.ok, `${type} ${JSON.stringify(number)}`);
  if (!result.ok) t.true(result.reason.length > 0);
}

test("the GB 11643 worked example is accepted with its birth date and sex", (t) => {
  t.deepEqual(checkIdentityDocument('resident-id', '11010519491231002X', { now }), {
    ok: true, normalized: '11010519491231002X', birthDate: '1949-12-31', gender: 'female',
  });
});

test('an odd order code gives a male resident', (t) => {
  const id = makeResidentId('440106', '1990-05-17', 123);
  t.deepEqual(checkIdentityDocument('resident-id', id, { now }), { ok: true, normalized: id, birthDate: '1990-05-17', gender: 'male' });
});

test('a lower-case x check digit is normalised to X', (t) => {
  accepted(t, 'resident-id', '11010519491231002x', '11010519491231002X');
});

test('a resident ID typed with full-width characters or grouping spaces is normalised', (t) => {
  accepted(t, 'resident-id', '１１０１０５１９４９１２３１００２Ｘ', '11010519491231002X');
  accepted(t, 'resident-id', ' 110105 19491231 002X ', '11010519491231002X');
});

test('a resident ID with a wrong check digit is refused', (t) => {
  refused(t, 'resident-id', '110105194912310021');
});

test('a resident ID of the wrong length or with letters is refused', (t) => {
  for (const id of ['1101051949123100', '11010519491231002X1', '11010519491231A02X', '', '   ', '11010519491231002Y']) refused(t, 'resident-id', id);
});

test('a resident ID whose birth date is not a calendar date is refused', (t) => {
  // Built with a correct check digit, so only the date can be what is refused.
  refused(t, 'resident-id', makeResidentId('110105', '1949-02-30', 2));
  refused(t, 'resident-id', makeResidentId('110105', '1949-13-01', 2));
  refused(t, 'resident-id', makeResidentId('110105', '1700-01-01', 2));
});

test('a resident ID born later than today in China is refused, born today in China accepted', (t) => {
  // 2025-06-01T16:30Z is already 2 June in China (UTC+8) though still 1 June in UTC.
  const lateEvening = new Date('2025-06-01T16:30:00Z');
  const bornToday = makeResidentId('310101', '2025-06-02', 8);
  const bornTomorrow = makeResidentId('310101', '2025-06-03', 8);
  t.true(checkIdentityDocument('resident-id', bornToday, { now: lateEvening }).ok);
  t.false(checkIdentityDocument('resident-id', bornTomorrow, { now: lateEvening }).ok);
  t.false(checkIdentityDocument('resident-id', makeResidentId('310101', '2031-01-01', 8), { now }).ok);
});

test('a resident ID whose address code is no province is refused', (t) => {
  refused(t, 'resident-id', makeResidentId('990105', '1980-01-01', 11));
  refused(t, 'resident-id', makeResidentId('000000', '1980-01-01', 11));
});

test('residence-permit numbers for Hong Kong, Macao and Taiwan residents are accepted as resident IDs', (t) => {
  for (const area of ['810000', '820000', '830000']) {
    const id = makeResidentId(area, '1985-03-04', 42);
    accepted(t, 'resident-id', id, id);
  }
});

test('passport numbers are accepted in upper case without spaces', (t) => {
  accepted(t, 'passport', 'E12345678', 'E12345678');
  accepted(t, 'passport', 'e1234 5678', 'E12345678');
  accepted(t, 'passport', 'AB123', 'AB123');
  accepted(t, 'passport', '12345678901234567', '12345678901234567');
});

test('passport numbers that are too short, too long or hold other characters are refused', (t) => {
  for (const number of ['E123', '123456789012345678', 'E1234-5678', 'E12345678<', '护照12345', '']) refused(t, 'passport', number);
});

test('Hong Kong and Macao travel permits are H or M with 8 or 10 digits', (t) => {
  accepted(t, 'hk-macau-permit', 'H12345678', 'H12345678');
  accepted(t, 'hk-macau-permit', 'm1234567890', 'M1234567890');
  accepted(t, 'hk-macau-permit', 'Ｈ１２３４５６７８', 'H12345678');
  for (const number of ['H1234567', 'H123456789', 'H12345678901', 'A12345678', '12345678', 'HM1234567']) refused(t, 'hk-macau-permit', number);
});

test('Taiwan travel permits have 8 digits, or 10 with the reissue letter dropped', (t) => {
  accepted(t, 'taiwan-permit', '12345678', '12345678');
  accepted(t, 'taiwan-permit', '1234567890', '1234567890');
  accepted(t, 'taiwan-permit', '1234567890(B)', '1234567890');
  accepted(t, 'taiwan-permit', '1234567890（b）', '1234567890');
  accepted(t, 'taiwan-permit', '1234567890B', '1234567890');
  for (const number of ['1234567', '123456789', '12345678901', '12345678(B)', 'T1234567', '1234567890(B', '1234567890(1)']) refused(t, 'taiwan-permit', number);
});

test('an unknown document type or a missing number is refused without throwing', (t) => {
  t.false(checkIdentityDocument('driving-licence' as IdentityDocumentType, 'E12345678').ok);
  t.false(checkIdentityDocument('passport', undefined as unknown as string).ok);
  t.false(isIdentityDocumentType('driving-licence'));
  t.true(isIdentityDocumentType('taiwan-permit'));
});

test('each document type has its FHIR identifier system, a passport the one of its issuing state', (t) => {
  t.is(identityDocumentSystem('resident-id'), RESIDENT_ID_SYSTEM);
  t.is(RESIDENT_ID_SYSTEM, 'urn:oid:2.16.156.10011.1.3');
  t.is(identityDocumentSystem('hk-macau-permit'), HK_MACAO_TRAVEL_PERMIT_SYSTEM);
  t.is(identityDocumentSystem('taiwan-permit'), TAIWAN_TRAVEL_PERMIT_SYSTEM);
  t.is(identityDocumentSystem('passport', 'GBR'), 'http://hl7.org/fhir/sid/passport-GBR');
  t.throws(() => identityDocumentSystem('passport'));
  t.throws(() => identityDocumentSystem('passport', 'gb'));
});
