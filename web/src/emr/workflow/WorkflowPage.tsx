// The EMR workflow area (clinic list, visit screen, bed board, inpatient nursing, operations
// dashboard) is built on its own branch; until it lands, its paths say so instead of showing nothing.
import { useMessages } from '../i18n.ts';

const catalogue = {
  'zh-CN': { pending: '此功能尚未开放。' },
  en: { pending: 'This part of the EMR is not available yet.' },
};

export default function WorkflowPage(_: { path: string; navigate(path: string): void }) {
  const { m } = useMessages(catalogue);
  return <p className="note" data-testid="workflow-pending">{m('pending')}</p>;
}
