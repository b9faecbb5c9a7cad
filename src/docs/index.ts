/** The warehouse's documentation site (`lathe docs`): a library; the CLI is a thin shell over it. */
export type {
  DocsBuild,
  DocsCatalog,
  DocsColumn,
  DocsModel,
  DocsSingularTest,
  DocsSource,
  DocsTest,
} from './catalog.js';
export { type Lineage, type LineageEdge, type LineageNode, lineageOf } from './lineage.js';
export { renderPage, shownStatus } from './page.js';
export { type DocsSiteOptions, type DocsSiteResult, SITE_MARKER, writeDocsSite } from './site.js';
