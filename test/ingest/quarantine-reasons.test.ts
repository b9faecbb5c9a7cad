/**
 * Every quarantine reason of the contract, each from a small readable fixture: the bad row
 * is quarantined with its file, physical line, raw record and reason (code, field, text),
 * and nothing else is lost: every valid row still loads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { QuarantineReason } from '../../src/lake/quarantine.js';
import { Scratch, validDrop, withLines } from '../support/drop.js';
import { ingestFiles, quarantineOf, queryLake } from '../support/lake.js';

interface ReasonCase {
  name: string;
  /** Lines added after the valid fixture's lines, per file. */
  add: Record<string, string[]>;
  /** What each quarantined row must show: the file, the physical line, and its reasons. */
  expect: {
    file: string;
    line: number;
    reasons: { code: string; field?: string | null; message?: RegExp }[];
  }[];
}

const VALID_ROWS = Object.values(validDrop()).reduce(
  (sum, text) => sum + text.trim().split('\n').length - 1,
  0,
);

const cases: ReasonCase[] = [
  {
    name: 'wrong type',
    add: { 'machines.csv': ['M3,L1,Lathe,lathe,3,abc,1'] },
    expect: [
      {
        file: 'machines.csv',
        line: 4,
        reasons: [
          {
            code: 'bad_type',
            field: 'hourly_cost',
            message: /^`hourly_cost` is `abc`, expected a decimal number$/,
          },
        ],
      },
    ],
  },
  {
    name: 'a decimal that is not a finite number',
    add: {
      'sensor_readings.csv': [
        'M1,temperature_c,2026-03-02T05:00:30Z,NaN,good',
        'M1,temperature_c,2026-03-02T05:00:40Z,inf,good',
      ],
    },
    expect: [
      {
        file: 'sensor_readings.csv',
        line: 5,
        reasons: [
          {
            code: 'bad_type',
            field: 'value',
            message: /^`value` is `(NaN|nan)`, expected a decimal number$/,
          },
        ],
      },
      { file: 'sensor_readings.csv', line: 6, reasons: [{ code: 'bad_type', field: 'value' }] },
    ],
  },
  {
    name: 'missing required value',
    add: { 'machines.csv': ['M3,L1,,lathe,3,10,1'] },
    expect: [
      {
        file: 'machines.csv',
        line: 4,
        reasons: [{ code: 'missing_value', field: 'machine_name', message: /^`machine_name` is empty$/ }],
      },
    ],
  },
  {
    name: 'bad enum',
    add: { 'production_orders.csv': ['PO2,A,L1,10,,,2026-03-04,done'] },
    expect: [
      {
        file: 'production_orders.csv',
        line: 3,
        reasons: [
          {
            code: 'bad_enum',
            field: 'status',
            message:
              /`status` is `done`, expected one of planned, released, in_progress, completed, cancelled/,
          },
        ],
      },
    ],
  },
  {
    name: 'out of range (max, min and min exclusive)',
    add: {
      'operators.csv': ['O2,P1,Bo Example,,,,9'],
      'routings.csv': ['M2,B,0'],
      'products.csv': ['B,Bolt,bolts,0.1,0.3,0.1,0.5,2'],
    },
    expect: [
      {
        file: 'operators.csv',
        line: 3,
        reasons: [
          { code: 'out_of_range', field: 'skill_level', message: /`skill_level` is 9, expected at most 5/ },
        ],
      },
      {
        file: 'routings.csv',
        line: 4,
        reasons: [{ code: 'out_of_range', field: 'ideal_cycle_time_s', message: /expected greater than 0/ }],
      },
    ],
  },
  {
    name: 'naive timestamp',
    add: { 'shifts.csv': ['S2,P1,late,2026-03-02T14:00:00,2026-03-02T22:00:00+01:00'] },
    expect: [
      {
        file: 'shifts.csv',
        line: 3,
        reasons: [
          {
            code: 'naive_timestamp',
            field: 'start_ts',
            message: /`start_ts` is `2026-03-02T14:00:00` without a UTC offset/,
          },
        ],
      },
    ],
  },
  {
    name: 'end not after start',
    add: { 'shifts.csv': ['S2,P1,late,2026-03-02T14:00:00+01:00,2026-03-02T14:00:00+01:00'] },
    expect: [{ file: 'shifts.csv', line: 3, reasons: [{ code: 'end_not_after_start', field: 'start_ts' }] }],
  },
  {
    name: 'unknown foreign key',
    add: { 'production_counts.csv': ['M999,PO1,A,,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,10,0'] },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [
          {
            code: 'unknown_reference',
            field: 'machine_id',
            message: /^`machine_id` `M999` is not in machines$/,
          },
          { code: 'order_line_mismatch' },
          { code: 'no_routing' },
        ],
      },
    ],
  },
  {
    name: 'no routing for the machine and product',
    add: {
      'products.csv': ['B,Bolt,bolts,0.1,0.3,0.1,0.5,2'],
      'production_orders.csv': ['PO2,B,L1,10,,,2026-03-04,released'],
      'production_counts.csv': ['M1,PO2,B,,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,10,0'],
    },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [
          { code: 'no_routing', field: 'product_id', message: /machine `M1` has no routing for product `B`/ },
        ],
      },
    ],
  },
  {
    name: "count's product differs from its order's",
    add: {
      'products.csv': ['B,Bolt,bolts,0.1,0.3,0.1,0.5,2'],
      'routings.csv': ['M1,B,2'],
      'production_counts.csv': ['M1,PO1,B,,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,10,0'],
    },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [{ code: 'order_product_mismatch', message: /order `PO1` is not for product `B`/ }],
      },
    ],
  },
  {
    name: "count's machine is not on its order's line",
    add: {
      'lines.csv': ['L2,P1,Line Two'],
      'machines.csv': ['M9,L2,Saw,saw,1,50,1'],
      'routings.csv': ['M9,A,2'],
      'production_counts.csv': ['M9,PO1,A,,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,10,0'],
    },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [{ code: 'order_line_mismatch', message: /machine `M9` is not on the line of order `PO1`/ }],
      },
    ],
  },
  {
    name: 'rejects above total',
    add: { 'production_counts.csv': ['M2,PO1,A,,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,10,11'] },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [{ code: 'rejects_exceed_total', field: 'total_count' }],
      },
    ],
  },
  {
    name: 'negative count',
    add: { 'production_counts.csv': ['M2,PO1,A,,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,-5,0'] },
    // 0 rejects of -5 made is also more rejects than made: both reasons are reported.
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [
          { code: 'out_of_range', field: 'total_count', message: /expected at least 0/ },
          { code: 'rejects_exceed_total' },
        ],
      },
    ],
  },
  {
    name: 'overlapping intervals of one machine: every row involved',
    add: {
      'production_counts.csv': [
        'M2,PO1,A,,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,10,0',
        'M2,PO1,A,,2026-03-02T06:30:00Z,2026-03-02T07:30:00Z,10,0',
      ],
    },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [{ code: 'overlapping_interval', field: 'interval_start' }],
      },
      {
        file: 'production_counts.csv',
        line: 6,
        reasons: [{ code: 'overlapping_interval', field: 'interval_start' }],
      },
    ],
  },
  {
    name: 'identical rows sharing a key: the first loads, the rest are duplicates',
    add: { 'production_counts.csv': ['M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,3000,30'] },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [
          {
            code: 'duplicate_row',
            message: /identical row with the same key \(machine_id=M1, interval_start=/,
          },
        ],
      },
    ],
  },
  {
    name: 'different rows sharing a key: all are conflicting',
    add: { 'materials.csv': ['ALU,Aluminium,Acme,2.0', 'ALU,Aluminium,Other,2.5'] },
    expect: [
      {
        file: 'materials.csv',
        line: 3,
        reasons: [
          {
            code: 'conflicting_key',
            message: /2 rows share the key \(material_id=ALU\) with different values/,
          },
        ],
      },
      { file: 'materials.csv', line: 4, reasons: [{ code: 'conflicting_key' }] },
    ],
  },
  {
    name: 'planned flag that does not fit the loss category',
    add: { 'downtime_reasons.csv': ['X,Odd,true,breakdown', 'Y,Odd too,false,break'] },
    expect: [
      { file: 'downtime_reasons.csv', line: 5, reasons: [{ code: 'planned_mismatch', field: 'planned' }] },
      { file: 'downtime_reasons.csv', line: 6, reasons: [{ code: 'planned_mismatch' }] },
    ],
  },
  {
    name: 'a quarantined parent quarantines its children',
    add: {
      'machines.csv': ['M3,L1,Lathe,lathe,3,abc,1'],
      'sensor_readings.csv': ['M3,temperature_c,2026-03-02T05:00:00Z,20,good'],
    },
    expect: [
      { file: 'machines.csv', line: 4, reasons: [{ code: 'bad_type' }] },
      {
        file: 'sensor_readings.csv',
        line: 5,
        reasons: [
          {
            code: 'unknown_reference',
            message: /`M3` is not in machines \(that machines row was quarantined in this load\)/,
          },
        ],
      },
    ],
  },
  {
    name: 'a row with the wrong number of fields',
    add: { 'production_counts.csv': ['M2,PO1,A,,2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,10'] },
    expect: [
      {
        file: 'production_counts.csv',
        line: 5,
        reasons: [{ code: 'malformed_row', field: null, message: /the row has 7 fields, the header has 8/ }],
      },
    ],
  },
  {
    name: 'a quoted field spanning lines keeps later line numbers physical',
    add: {
      'downtime_events.csv': [
        'E3,M1,2026-03-02T10:00:00Z,2026-03-02T10:05:00Z,SET,,"changeover,\nsecond line"',
        'E4,M1,2026-03-02T11:00:00Z,2026-03-02T10:05:00Z,SET,,',
      ],
    },
    expect: [
      { file: 'downtime_events.csv', line: 6, reasons: [{ code: 'end_not_after_start', field: 'start_ts' }] },
    ],
  },
  {
    name: 'currency and timezone that are not codes',
    add: { 'plants.csv': ['P2,Plant Two,EU,Europe/Berlin,eu,40', 'P3,Plant Three,EU,Mars/Olympus,EUR,40'] },
    expect: [
      {
        file: 'plants.csv',
        line: 3,
        reasons: [
          { code: 'bad_format', field: 'currency', message: /expected an ISO 4217 code such as EUR/ },
        ],
      },
      {
        file: 'plants.csv',
        line: 4,
        reasons: [
          {
            code: 'unknown_timezone',
            field: 'timezone',
            message: /`Mars\/Olympus`, not an IANA timezone name/,
          },
        ],
      },
    ],
  },
  {
    name: 'bool that is not true/false/1/0, date that is not YYYY-MM-DD',
    add: {
      'downtime_reasons.csv': ['Z,Maybe,yes,other_unplanned'],
      'operators.csv': ['O3,P1,Cy Example,,,03/04/2021,2'],
    },
    expect: [
      {
        file: 'downtime_reasons.csv',
        line: 5,
        reasons: [{ code: 'bad_type', field: 'planned', message: /expected true\/false\/1\/0/ }],
      },
      {
        file: 'operators.csv',
        line: 3,
        reasons: [{ code: 'bad_type', field: 'hire_date', message: /expected a date YYYY-MM-DD/ }],
      },
    ],
  },
];

describe('quarantine reasons', () => {
  let scratch: Scratch;
  before(async () => {
    scratch = await Scratch.create();
  });
  after(() => scratch.dispose());

  for (const reasonCase of cases) {
    test(reasonCase.name, async () => {
      let files = validDrop();
      for (const [file, lines] of Object.entries(reasonCase.add)) files = withLines(files, file, ...lines);
      const result = await ingestFiles(scratch, files, {
        quarantineLimit: 1,
        lake: scratch.path(`lake-${cases.indexOf(reasonCase)}`),
      });
      assert.equal(result.status, 'committed', JSON.stringify(result.load.error));

      const rows = await quarantineOf(scratch.path(`lake-${cases.indexOf(reasonCase)}`), result.load.load_id);
      const summary = rows.map((row) => ({
        file: row.file,
        line: row.line,
        codes: row.reasons.map((r) => r.code),
      }));
      assert.equal(rows.length, reasonCase.expect.length, `quarantined: ${JSON.stringify(summary)}`);
      for (const expected of reasonCase.expect) {
        const row = rows.find(
          (candidate) => candidate.file === expected.file && candidate.line === expected.line,
        );
        assert.ok(
          row,
          `no quarantined row at ${expected.file}:${expected.line}; got ${JSON.stringify(summary)}`,
        );
        assert.equal(row.load_id, result.load.load_id);
        assert.ok(row.record.length > 0, 'the raw record is kept');
        assert.deepEqual(
          row.reasons.map((reason) => reason.code).sort(),
          expected.reasons.map((reason) => reason.code).sort(),
          `reasons at ${expected.file}:${expected.line}`,
        );
        for (const want of expected.reasons) {
          const got: QuarantineReason = row.reasons.find((reason) => reason.code === want.code)!;
          if (want.field !== undefined) assert.equal(got.field, want.field);
          if (want.message) assert.match(got.message, want.message);
          assert.ok(got.fix.length > 10, `reason ${want.code} says how to fix it`);
        }
      }
      // Nothing lost: read = loaded + quarantined for every file, and every valid row loaded.
      for (const file of result.load.files)
        assert.equal(file.rows_read, file.rows_loaded + file.rows_quarantined, file.file);
      const added = Object.values(reasonCase.add).reduce((sum, lines) => sum + lines.length, 0);
      assert.equal(result.load.rows_read, VALID_ROWS + added);
      assert.equal(result.load.rows_quarantined, reasonCase.expect.length);
      assert.equal(result.load.rows_loaded, VALID_ROWS + added - reasonCase.expect.length);
    });
  }

  test('a quarantined row keeps its raw record exactly', async () => {
    const files = withLines(validDrop(), 'machines.csv', 'M3,L1,"Lathe, big",lathe,3,abc,1');
    const result = await ingestFiles(scratch, files, { quarantineLimit: 1, lake: scratch.path('lake-raw') });
    const [row] = await quarantineOf(scratch.path('lake-raw'), result.load.load_id);
    assert.deepEqual(JSON.parse(row!.record), {
      machine_id: 'M3',
      line_id: 'L1',
      machine_name: 'Lathe, big',
      machine_type: 'lathe',
      line_position: '3',
      hourly_cost: 'abc',
      crew_size: '1',
    });
  });

  test('valid rows load with their types', async () => {
    const result = await ingestFiles(scratch, validDrop(), { lake: scratch.path('lake-valid') });
    assert.equal(result.load.rows_quarantined, 0);
    const rows = await queryLake(
      scratch.path('lake-valid'),
      "select end_ts is null as open, note from downtime_events where event_id = 'E2'",
    );
    assert.deepEqual(rows, [{ open: true, note: 'spindle, still down' }]);
    const [reading] = await queryLake(
      scratch.path('lake-valid'),
      "select quality from sensor_readings where ts = '2026-03-02T05:00:10Z'",
    );
    assert.equal(reading!.quality, 'good', 'an empty quality takes the declared default');
  });
});
