// Demo imaging on a new server: studies of demo patients with their orders, one signed report and one
// draft, seeded once.
import test from 'ava';
import { startTestServer } from '../../helpers/server.ts';
import { seedDemoIfEmpty } from '../../../server/seed/load.ts';
import { seedDemoAccounts } from '../../../server/seed/accounts.ts';
import { seedDemoImaging } from '../../../server/seed/imaging.ts';
import { loadConfig } from '../../../server/config.ts';

test('the demo seed stores five studies linked to demo patients and orders, with a signed and a draft report, once', async (t) => {
  const server = await startTestServer();
  try {
    const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
    await seedDemoIfEmpty(server.app.engine, config);
    await seedDemoAccounts(server.app.engine, server.app.auth.accounts, 'demo-password-123');
    t.is(await seedDemoImaging(server.app, { timezone: config.timezone }), 5);
    t.is(await seedDemoImaging(server.app, { timezone: config.timezone }), 0);
    const { rows } = await server.app.db.query<{ report_status: string | null; patient_id: string | null; order_id: string | null }>(
      'SELECT report_status, patient_id, order_id FROM radiology_study');
    t.is(rows.length, 5);
    t.deepEqual(rows.map((r) => r.report_status).sort(), ['final', 'preliminary', null, null, null].sort());
    t.true(rows.every((r) => r.patient_id && r.order_id));
    // Linked to existing demo patients, none created for reconciliation.
    const tagged = await server.fetch(`${server.base}/Patient?_tag=unreconciled-dicom&_summary=count`).then((r) => r.json()) as { total: number };
    t.is(tagged.total, 0);
    const signed = await server.fetch(`${server.base}/Provenance?_summary=count`).then((r) => r.json()) as { total: number };
    t.is(signed.total, 1);
  } finally {
    await server.stop();
  }
});
