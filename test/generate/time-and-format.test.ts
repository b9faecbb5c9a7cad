import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decimal, isoUtc } from '../../src/generate/format.js';
import { rng } from '../../src/generate/prng.js';
import { localDate, localToUtc, offsetChanges } from '../../src/generate/timezones.js';
import { CsvWriter, csvField } from '../../src/generate/writer.js';
import { parseCsv } from './csv.js';

const utc = (iso: string) => Date.parse(iso) / 1000;

describe('generate: plant-local time', () => {
  test('wall times map to UTC with daylight saving, both ways of the year', () => {
    assert.equal(localToUtc('Europe/Berlin', '2026-03-28', 22 * 60), utc('2026-03-28T21:00:00Z'));
    assert.equal(
      localToUtc('Europe/Berlin', '2026-03-28', 30 * 60),
      utc('2026-03-29T04:00:00Z'),
      'night shift end, CEST',
    );
    assert.equal(localToUtc('America/Chicago', '2026-03-07', 19 * 60 + 720), utc('2026-03-08T12:00:00Z'));
    assert.equal(localToUtc('Asia/Shanghai', '2026-03-29', 8 * 60), utc('2026-03-29T00:00:00Z'));
  });

  test('a repeated wall time is the earlier instant; a missing one moves forward', () => {
    assert.equal(localToUtc('Europe/Berlin', '2026-10-25', 150), utc('2026-10-25T00:30:00Z'));
    assert.equal(localToUtc('Europe/Berlin', '2026-03-29', 150), utc('2026-03-29T01:30:00Z'));
  });

  test('offset changes and local dates', () => {
    const changes = offsetChanges('Europe/Berlin', utc('2026-03-28T00:00:00Z'), utc('2026-03-31T00:00:00Z'));
    assert.deepEqual(changes, [{ at: utc('2026-03-29T01:00:00Z'), offsetBeforeS: 3600, offsetAfterS: 7200 }]);
    assert.deepEqual(
      offsetChanges('Asia/Shanghai', utc('2026-01-01T00:00:00Z'), utc('2026-12-31T00:00:00Z')),
      [],
    );
    assert.equal(localDate('America/Chicago', utc('2026-03-08T03:00:00Z')), '2026-03-07');
  });
});

describe('generate: formatting and the CSV writer', () => {
  test('isoUtc matches Date#toISOString without millis', () => {
    const random = rng(1, 'format-test');
    for (let i = 0; i < 2000; i++) {
      const t = Math.floor(random.between(0, 4e9));
      assert.equal(isoUtc(t), new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
    }
    assert.equal(decimal(1e-9, 3), '0');
    assert.equal(decimal(-0.0004, 3), '0');
    assert.equal(decimal(12.3456, 2), '12.35');
  });

  test('streams from one seed repeat; streams of two labels differ', () => {
    const draw = (label: string) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.next()
        )(rng(42, label)),
      );
    assert.deepEqual(draw('a'), draw('a'));
    assert.notDeepEqual(draw('a'), draw('b'));
  });

  test('fields are quoted per RFC 4180 and physical lines count quoted line breaks', async () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    const dir = await mkdtemp(path.join(tmpdir(), 'lathe-writer-'));
    try {
      const file = path.join(dir, 'x.csv');
      const writer = await CsvWriter.open(file, ['id', 'note']);
      assert.equal(writer.nextLine, 2);
      writer.record(['1', 'first line\nsecond line']);
      assert.equal(writer.nextLine, 4);
      writer.line('2,plain\n');
      await writer.close();
      const table = parseCsv(await readFile(file, 'utf8'));
      assert.deepEqual(table.lines, [2, 4]);
      assert.equal(table.rows[0]!.note, 'first line\nsecond line');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
