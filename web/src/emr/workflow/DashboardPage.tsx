// /admin/dashboard: the operations dashboard from GET /emr/dashboard — bookings per hour, no-show
// rate, average wait from check-in to consultation (and per day), bed occupancy per ward,
// admissions and discharges per day — over a chosen date range.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { hospitalDate } from '../../shared/booking.ts';
import { emr } from './api.ts';
import { useLoad, useM } from './common.tsx';
import { BarChart, LineChart, ShareBars } from './charts.tsx';

/** The last 14 days up to today. */
function defaultRange(): { from: string; to: string } {
  const to = hospitalDate();
  const [y, mo, d] = to.split('-').map(Number) as [number, number, number];
  return { from: new Date(Date.UTC(y, mo - 1, d - 13)).toISOString().slice(0, 10), to };
}

export function DashboardPage() {
  const { m } = useM();
  const [range, setRange] = useState(defaultRange);
  const [draft, setDraft] = useState(range);
  const data = useLoad(() => emr.dashboard(range.from, range.to), [range.from, range.to]);

  function apply(event: FormEvent) {
    event.preventDefault();
    if (draft.from && draft.to && draft.from <= draft.to) setRange(draft);
  }
  const d = data.data;
  const short = (date: string) => date.slice(5);
  // At most ten date labels under a plot.
  const every = Math.max(1, Math.ceil((d?.admissionsPerDay.length ?? 0) / 10));
  return (
    <section aria-labelledby="dash-h" className="wf-dashboard">
      <h2 id="dash-h">{m('dashboard')}</h2>
      <form className="inline-form" name="dashboard-range" onSubmit={apply}>
        <div className="field"><label htmlFor="dash-from">{m('from')}</label>
          <input id="dash-from" name="from" type="date" value={draft.from} max={draft.to} onChange={(e) => setDraft((r) => ({ ...r, from: e.target.value }))} /></div>
        <div className="field"><label htmlFor="dash-to">{m('to')}</label>
          <input id="dash-to" name="to" type="date" value={draft.to} min={draft.from} onChange={(e) => setDraft((r) => ({ ...r, to: e.target.value }))} /></div>
        <button type="submit" className="primary">{m('show')}</button>
      </form>
      <ErrorNote error={data.error} onRetry={data.reload} />
      {d === null ? (data.error ? null : <p role="status">{m('loading')}</p>) : (
        <div className="wf-dash-grid">
          <figure className="panel wf-figure" data-testid="no-show-rate">
            <figcaption>{m('noShowRate')}</figcaption>
            <p className="wf-big">{(d.noShowRate * 100).toFixed(1)}%</p>
            <figcaption>{m('averageWait')}</figcaption>
            <p className="wf-big">{m('minutes', { n: Math.round(d.averageWaitMinutes) })}</p>
          </figure>
          <figure className="panel" data-testid="bookings-per-hour">
            <figcaption>{m('bookingsPerHour')}</figcaption>
            <BarChart label={m('bookingsPerHour')} every={2} labels={d.bookingsPerHour.map((b) => String(b.hour))}
              series={[{ name: m('bookings'), className: 'wf-s1', values: d.bookingsPerHour.map((b) => b.count) }]} />
          </figure>
          <figure className="panel" data-testid="waits">
            <figcaption>{m('waitsPerDay')}</figcaption>
            <LineChart label={m('waitsPerDay')} every={every} labels={d.waitsPerDay.map((w) => short(w.date))} values={d.waitsPerDay.map((w) => w.minutes)} />
          </figure>
          <figure className="panel" data-testid="admissions">
            <figcaption>{m('admissionsPerDay')} <span className="wf-key wf-s1" /> {m('admissions')} <span className="wf-key wf-s2" /> {m('discharges')}</figcaption>
            <BarChart label={m('admissionsPerDay')} every={every} labels={d.admissionsPerDay.map((a) => short(a.date))} series={[
              { name: m('admissions'), className: 'wf-s1', values: d.admissionsPerDay.map((a) => a.admissions) },
              { name: m('discharges'), className: 'wf-s2', values: d.admissionsPerDay.map((a) => a.discharges) },
            ]} />
          </figure>
          <figure className="panel" data-testid="occupancy">
            <figcaption>{m('occupancyPerWard')}</figcaption>
            <ShareBars label={m('occupancyPerWard')} rows={d.occupancy.map((o) => ({ name: o.name, value: o.occupied, total: o.total }))} />
          </figure>
        </div>
      )}
    </section>
  );
}
