/** The dashboard's frame: the page list, the global filters, the page. */
import { type ReactNode, useEffect, useRef } from 'react';
import { FilterBar } from './components/FilterBar.js';
import { Link } from './components/Link.js';
import { PAGES, pageHref, useLocation } from './filters.js';
import { CostPage } from './pages/Cost.js';
import { DataPage } from './pages/Data.js';
import { LossesPage } from './pages/Losses.js';
import { OverviewPage } from './pages/Overview.js';
import { ProcessPage } from './pages/Process.js';
import { QualityPage } from './pages/Quality.js';
import { ReliabilityPage } from './pages/Reliability.js';

export function App() {
  const location = useLocation();
  const page = PAGES.find((one) => one.path === location.page) ?? PAGES[0];
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    document.title = `${page.name} · Lathe`;
  }, [page.name]);

  let content: ReactNode;
  switch (location.page) {
    case '/losses':
      content = <LossesPage location={location} />;
      break;
    case '/quality':
      content = <QualityPage location={location} />;
      break;
    case '/reliability':
      content = <ReliabilityPage location={location} />;
      break;
    case '/process':
      content = <ProcessPage location={location} />;
      break;
    case '/cost':
      content = <CostPage location={location} />;
      break;
    case '/data':
      content = <DataPage location={location} />;
      break;
    default:
      content = <OverviewPage location={location} />;
  }

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
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{page.name}</h1>
        {content}
      </main>
    </>
  );
}
