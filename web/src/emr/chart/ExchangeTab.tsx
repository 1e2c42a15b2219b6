// The exchange tab: referral out to a partner hospital (转诊) and the record brought in from one
// (外院记录), for the patient of the chart. The partner directory is read once for both; only doctors
// send referrals and fetch records (server policy: operations refer and fetch-external).
import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../../shared/errors.tsx';
import { useAccount } from '../../staff/StaffGate.tsx';
import { partners as loadPartners, type Partner } from './exchange-api.ts';
import { useExchange } from './exchange-common.tsx';
import { ExternalRecords } from './ExternalRecords.tsx';
import { Referrals } from './Referrals.tsx';

export function ExchangeTab({ patientId, onImported }: { patientId: string; onImported(): void }) {
  const { m } = useExchange();
  const account = useAccount();
  const doctor = account?.roles?.includes('doctor') ?? false;
  const [partners, setPartners] = useState<Partner[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    loadPartners().then(setPartners, setError);
  }, []);
  useEffect(load, [load]);

  return (
    <div className="exchange" data-testid="exchange">
      {error ? <><p>{m('partnersUnavailable')}</p><ErrorNote error={error} onRetry={load} /></> : null}
      {partners?.length === 0 ? <p className="note" data-testid="no-partners">{m('noPartners')}</p> : null}
      <Referrals patientId={patientId} partners={partners ?? []} canSend={doctor} />
      <ExternalRecords patientId={patientId} partners={partners ?? []} canFetch={doctor} onImported={onImported} />
    </div>
  );
}
