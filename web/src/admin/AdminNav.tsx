// The administrators' pages: booking (号源管理) and data exchange (合作医院).
import { useI18n } from '../shared/i18n/index.tsx';

const pages = [['/admin/booking', 'admin.navBooking'], ['/admin/exchange', 'admin.navExchange']] as const;

export function AdminNav() {
  const { t } = useI18n();
  const go = (href: string) => {
    history.pushState(null, '', href);
    dispatchEvent(new Event('open-his:navigate'));
  };
  return (
    <nav className="area-nav" aria-label={t('admin.nav')}>
      {pages.map(([href, key]) => (
        <a key={href} href={href} aria-current={location.pathname === href ? 'page' : undefined}
          onClick={(e) => { e.preventDefault(); go(href); }}>{t(key)}</a>
      ))}
    </nav>
  );
}
