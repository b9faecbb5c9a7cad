/**
 * Small, readable drops for tests: a one-plant factory that passes the contract, written as
 * CSV text so each test can show (and change) exactly the lines it is about.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type DropFiles = Record<string, string>;

/** A valid drop: one plant in Europe/Berlin, one line of two machines, one product, one shift. */
export function validDrop(): DropFiles {
  return {
    'plants.csv': `plant_id,plant_name,region,timezone,currency,labor_rate_per_hour
P1,Plant One,EU,Europe/Berlin,EUR,42.5
`,
    'lines.csv': `line_id,plant_id,line_name
L1,P1,Line One
`,
    'machines.csv': `machine_id,line_id,machine_name,machine_type,line_position,hourly_cost,crew_size
M1,L1,Press,press,1,80,1
M2,L1,Mill,mill,2,95,0.5
`,
    'products.csv': `product_id,product_name,family,material_cost,unit_cost,rework_cost,unit_price,defect_opportunities
A,Bracket,brackets,1.2,3.5,0.8,6.0,4
`,
    'routings.csv': `machine_id,product_id,ideal_cycle_time_s
M1,A,1
M2,A,1.5
`,
    'operators.csv': `operator_id,plant_id,full_name,email,badge_no,hire_date,skill_level
O1,P1,Ada Example,ada@example.com,B-001,2020-04-01,3
`,
    'downtime_reasons.csv': `reason_code,description,planned,loss_category
BRK,Break,true,break
BD,Breakdown,false,breakdown
SET,Setup,false,setup
`,
    'defect_codes.csv': `defect_code,description,category,default_severity
SCR,Scratch,surface,minor
`,
    'materials.csv': `material_id,material_name,supplier,unit_cost
STEEL,Steel sheet,Acme,0.9
`,
    'sensor_specs.csv': `machine_id,sensor,unit,lsl,usl,target
M1,temperature_c,C,20,80,50
`,
    'shifts.csv': `shift_id,plant_id,shift_name,start_ts,end_ts
S1,P1,early,2026-03-02T06:00:00+01:00,2026-03-02T14:00:00+01:00
`,
    'production_orders.csv': `order_id,product_id,line_id,planned_qty,planned_start,planned_end,due_date,status
PO1,A,L1,1000,2026-03-02T06:00:00+01:00,2026-03-02T14:00:00+01:00,2026-03-03,released
`,
    'batches.csv': `batch_id,material_id,supplier,received_at,quantity,order_id
B1,STEEL,Acme,2026-03-01T10:00:00Z,500,PO1
`,
    'production_counts.csv': `machine_id,order_id,product_id,operator_id,interval_start,interval_end,total_count,reject_count
M1,PO1,A,O1,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,3000,30
M1,PO1,A,O1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,3100,20
M2,PO1,A,,2026-03-02T05:00:00Z,2026-03-02T06:00:00Z,2000,10
`,
    'downtime_events.csv': `event_id,machine_id,start_ts,end_ts,reason_code,operator_id,note
E1,M1,2026-03-02T08:00:00Z,2026-03-02T08:15:00Z,BRK,,morning break
E2,M2,2026-03-02T09:00:00Z,,BD,O1,"spindle, still down"
`,
    'defects.csv': `defect_id,detected_at,machine_id,order_id,product_id,batch_id,defect_code,severity,quantity,disposition
D1,2026-03-02T05:30:00Z,M1,PO1,A,B1,SCR,minor,5,scrap
`,
    'maintenance_orders.csv': `work_order_id,machine_id,kind,failure_at,repair_start,repair_end,failure_mode,cost
W1,M2,corrective,2026-03-02T09:00:00Z,2026-03-02T09:10:00Z,2026-03-02T10:00:00Z,spindle,350
`,
    'sensor_readings.csv': `machine_id,sensor,ts,value,quality
M1,temperature_c,2026-03-02T05:00:00Z,49.5,good
M1,temperature_c,2026-03-02T05:00:10Z,50.1,
M1,temperature_c,2026-03-02T05:00:20Z,50.3,uncertain
`,
  };
}

/** Temporary folders that a test removes when done. */
export class Scratch {
  private constructor(readonly root: string) {}

  static async create(prefix = 'lathe-test-'): Promise<Scratch> {
    return new Scratch(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Writes a drop folder; `null` for a file leaves it out. */
  async drop(name: string, files: Record<string, string | null>): Promise<string> {
    const dir = this.path(name);
    await mkdir(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) {
      if (content === null) continue;
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    return dir;
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Adds lines to a file of a drop (after its last line). */
export function withLines(files: DropFiles, file: string, ...lines: string[]): DropFiles {
  return { ...files, [file]: `${files[file] ?? ''}${lines.map((line) => `${line}\n`).join('')}` };
}
