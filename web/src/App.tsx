/** The dashboard's frame: the page list, the global filters, the page. */
import { type ComponentType, useEffect } from 'react';
import { FilterBar } from './components/FilterBar.js';
import { Link } from './components/Link.js';
import { type Location, PAGES, type PagePath, pageHref, useLocation } from './filters.js';
import { CostPage } from './pages/Cost.js';
import { DataPage } from './pages/Data.js';
import { LossesPage } from './pages/Losses.js';
import { OverviewPage } from './pages/Overview.js';
import { ProcessPage } from './pages/Process.js';
import { QualityPage } from './pages/Quality.js';
import { ReliabilityPage } from './pages/Reliability.js';

const PAGE_VIEWS: Record<PagePath, ComponentType<{ location: Location }>> = {
  '/': OverviewPage,
  '/losses': LossesPage,
  '/quality': QualityPage,
  '/reliability': ReliabilityPage,
  '/process': ProcessPage,
  '/cost': CostPage,
  '/data': DataPage,
};

export function App() {
  const location = useLocation();
  const page = PAGES.find((one) => one.path === location.page) ?? PAGES[0];

  useEffect(() => {
    document.title = `${page.name} · Lathe`;
  }, [page.name]);

  const Page = PAGE_VIEWS[location.page];

  return (
    <>
      <a className="skip" href="#main">
        Skip to the page
      </a>
      <header className="top">
        <span className="brand">Lathe</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((one) => (
              <li key={one.path}>
                <Link href={pageHref(location, one.path)} current={one.path === location.page}>
                  {one.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <FilterBar location={location} />
      <main id="main" tabIndex={-1}>
        <h1>{page.name}</h1>
        <Page location={location} />
      </main>
    </>
  );
}
