// The administrators' pages: booking (号源管理) and data exchange (合作医院).
import { useI18n } from '../shared/i18n/index.tsx';
import { navigate } from '../shared/navigate.ts';

const pages = [['/admin/booking', 'admin.navBooking'], ['/admin/exchange', 'admin.navExchange']] as const;

export function AdminNav() {
  const { t } = useI18n();
  return (
    <nav className="area-nav" aria-label={t('admin.nav')}>
      {pages.map(([href, key]) => (
        <a key={href} href={href} aria-current={location.pathname === href ? 'page' : undefined}
          onClick={(e) => { e.preventDefault(); navigate(href); }}>{t(key)}</a>
      ))}
    </nav>
  );
}
