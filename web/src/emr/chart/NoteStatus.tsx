// A note's status as a badge: draft (preliminary), signed (final), amended.
import { useChart } from './common.tsx';

export function NoteStatus({ status }: { status: string }) {
  const { m } = useChart();
  const label = status === 'preliminary' ? m('statusPreliminary') : status === 'final' ? m('statusFinal')
    : status === 'amended' ? m('statusAmended') : status === 'entered-in-error' ? m('statusError') : status;
  return <span className={`badge status-${status}`} data-testid="note-status" data-status={status}>{label}</span>;
}
