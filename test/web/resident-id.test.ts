import test from 'ava';
import { looksLikeResidentId } from '../../web/src/shared/resident-id.ts';
import { isValidResidentId, makeResidentId } from '../../server/identity/resident-id.ts';

test('the sign-up form judges resident IDs exactly as the server does', (t) => {
  const ids = ['11010519491231002X', '110105194912310021', '11010519490231002X', '1101051949123100', 'x1010519491231002X', '110105194912310020'];
  for (let i = 0; i < 400; i++) {
    const valid = makeResidentId('330106', `19${String(30 + (i % 70)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, i);
    ids.push(valid, valid.slice(0, 17) + ((Number(valid[17] === 'X' ? 10 : valid[17]) + 1) % 10));
  }
  for (const id of ids) t.is(looksLikeResidentId(id), isValidResidentId(id), id);
});
