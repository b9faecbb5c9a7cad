/** docs/metrics.md documents every KPI and every column the layer returns (a new one without docs fails). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { DIMENSIONS } from '../../src/metrics/dimensions.js';
import { KPIS } from '../../src/metrics/kpis.js';

test('docs/metrics.md names every KPI, column and dimension', async () => {
  const docs = await readFile(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  for (const kpi of KPIS) {
    assert.match(docs, new RegExp(`### .*\`${kpi.name}\``), `KPI ${kpi.name} has no section`);
    for (const column of kpi.columns)
      assert.ok(docs.includes(`\`${column.name}\``), `${kpi.name}.${column.name}`);
  }
  for (const dimension of DIMENSIONS) {
    assert.ok(
      docs.includes(`| \`${dimension.name}\` | \`${dimension.column}\` |`),
      `dimension ${dimension.name}`,
    );
  }
});
