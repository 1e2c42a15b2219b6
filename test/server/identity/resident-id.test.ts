import test from 'ava';
import { isValidResidentId, makeResidentId, residentIdCheckDigit } from '../../../server/identity/resident-id.ts';

test("resident ID check digit matches the standard's worked example", (t) => {
  // GB 11643-1999 annex example: 北京市朝阳区, born 1949-12-31, sequence 002 (female).
  t.is(residentIdCheckDigit('11010519491231002'), 'X');
  t.true(isValidResidentId('11010519491231002X'));
});

test('a resident ID with a wrong check digit, a lower-case x or an impossible birth date is invalid', (t) => {
  t.false(isValidResidentId('110105194912310021'));
  t.false(isValidResidentId('11010519491231002x'));
  t.false(isValidResidentId(`${'11010519490230002'}${residentIdCheckDigit('11010519490230002')}`));
  t.false(isValidResidentId('1101051949123100'));
});

test('a built resident ID carries area, birth date and sex digit in place', (t) => {
  const id = makeResidentId('330106', '1980-02-29', 123);
  t.is(id.slice(0, 14), '33010619800229');
  t.is(id.slice(14, 17), '123');
  t.true(isValidResidentId(id));
});

test('the check digit rejects input that is not 17 digits', (t) => {
  t.throws(() => residentIdCheckDigit('1101051949123100X'));
});
