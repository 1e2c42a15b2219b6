// The demo hospital as the EMR sees it: every seeded inpatient lies in a bed of the bed board, and
// the demo doctor finds today's clinic with patients seen, in the room, waiting and still to come.
import test from 'ava';
import { createFhirEngine } from '../../../fhir/index.ts';
import { buildDemoBundle } from '../../../server/seed/demo-bundle.ts';
import { seedDemoClinicDay } from '../../../server/seed/clinic-day.ts';
import { setUpEmr } from '../../../server/emr/setup.ts';
import { bedBoard } from '../../../server/emr/beds/board.ts';
import { clinicList } from '../../../server/emr/visits/clinic-list.ts';
import { staffRoster } from '../../../server/seed/staff.ts';
import { createTestDatabase } from '../../helpers/database.ts';
import { Signatures } from '../../../server/signing/signatures.ts';

test('the seeded inpatients fill the bed board and the demo doctor has one clinic day today, seeded once', async (t) => {
  const database = await createTestDatabase();
  try {
    const timezone = 'Asia/Shanghai';
    const engine = await createFhirEngine({ db: database.db, timezone });
    const emr = await setUpEmr(database.db, engine, { timezone, signatures: new Signatures(database.db) });
    const bundle = buildDemoBundle({ now: new Date(), timezone });
    const loaded = await engine.handle({ method: 'POST', path: '', query: new URLSearchParams(), headers: { prefer: 'return=minimal' }, body: bundle }, 'http://localhost/fhir');
    t.is(loaded.status, 200);
    const inpatients = bundle.entry.map((e) => e.resource as { resourceType: string; status?: string; class?: { code: string }; location?: unknown[] })
      .filter((r) => r.resourceType === 'Encounter' && r.status === 'in-progress' && r.class?.code === 'IMP');
    const board = await bedBoard(database.db, engine.repo);
    t.is(board.wards.length, 3);
    t.is(board.wards.reduce((n, w) => n + w.occupied, 0), inpatients.length);
    for (const ward of board.wards) t.true(ward.occupied >= 4, `${ward.nameEn} has ${ward.occupied} patients`);
    const occupied = board.wards.flatMap((w) => w.rooms.flatMap((r) => r.beds)).filter((b) => b.occupant);
    t.true(occupied.every((b) => b.occupant!.patient.name && b.occupant!.attending && b.occupant!.lengthOfStayDays! >= 1));

    t.is(await seedDemoClinicDay(engine, { timezone }), 11);
    t.is(await seedDemoClinicDay(engine, { timezone }), 0);
    const doctor = staffRoster().find((m) => m.kind === 'physician')!;
    const list = await clinicList(engine.repo, emr.calendar, doctor.practitionerId, emr.calendar.dateOf(new Date()));
    const states = list.items.map((i) => i.state);
    t.deepEqual([...new Set(states)].sort(), ['arrived', 'booked', 'done', 'in-consultation', 'no-show']);
    t.deepEqual(list.items.map((i) => i.queueNumber), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    t.true(list.items.filter((i) => i.state === 'arrived').every((i) => i.waitedMinutes! > 0));
    await engine.idle();
  } finally {
    await database.drop();
  }
});
