/**
 * Test-only helpers: an RFC 4180 reader that keeps each record's physical start line, and a
 * generated tiny drop in a temporary folder.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type GenerateOptions, type GenerateSummary, generateFactory } from '../../src/generate/index.js';

export interface CsvTable {
  header: string[];
  /** Records as objects keyed by the header. */
  rows: Record<string, string>[];
  /** Physical line on which each record starts (header = line 1). */
  lines: number[];
}

export function parseCsv(text: string): CsvTable {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n') {
      fields.push(field);
      records.push({ fields, line: recordLine });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else if (c !== '\r') field += c;
    i++;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    records.push({ fields, line: recordLine });
  }
  const [head, ...body] = records;
  const header = head?.fields ?? [];
  return {
    header,
    rows: body.map((r) => Object.fromEntries(header.map((name, k) => [name, r.fields[k] ?? '']))),
    lines: body.map((r) => r.line),
  };
}

export async function readCsv(file: string): Promise<CsvTable> {
  return parseCsv(await readFile(file, 'utf8'));
}

export interface TempDrop {
  dir: string;
  out: string;
  truth: string;
  summary: GenerateSummary;
  table(entity: string): Promise<CsvTable>;
  truthTable(name: string): Promise<CsvTable>;
  cleanup(): Promise<void>;
}

/** Generates a drop (tiny unless told) into a fresh temporary folder. */
export async function tempDrop(options: Partial<GenerateOptions> = {}): Promise<TempDrop> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lathe-generate-'));
  const out = path.join(dir, 'drop');
  const summary = await generateFactory({ scale: 'tiny', seed: 1, ...options, out });
  return {
    dir,
    out,
    truth: summary.truth,
    summary,
    table: (entity) => readCsv(path.join(out, `${entity}.csv`)),
    truthTable: (name) => readCsv(path.join(summary.truth, `${name}.csv`)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
