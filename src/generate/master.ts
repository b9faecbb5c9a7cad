/**
 * Master data: plants, lines, machines (with their speed, reject rate, stop and failure
 * behaviour and sensors), products, routings, operators, reasons, defect codes, materials and
 * sensor specs. Small whatever the scale, so it lives in memory.
 */
import {
  DEFECT_CODES,
  FAILURE_MODES,
  MACHINE_TYPES,
  MATERIALS,
  type NamePool,
  PLANTS,
  PRODUCT_TEMPLATES,
  REASONS,
  SENSORS,
  type SensorDefinition,
} from './catalog.js';
import { dateOfEpochDay, decimal, epochDay } from './format.js';
import type { EntityName, Factory, Line, Machine, MachineSensor, Operator, Plant, Product } from './model.js';
import type { FactoryPlan } from './plan.js';
import { type Rng, rng } from './prng.js';
import type { CsvWriter } from './writer.js';

const PRODUCTS_PER_PLANT = 6;
const MIN_OPERATORS_PER_PLANT = 24;

const round2 = (value: number) => Math.round(value * 100) / 100;

export function buildFactory(plan: FactoryPlan): Factory {
  const plants: Plant[] = [];
  const lines: Line[] = [];
  const machines: Machine[] = [];
  const products: Product[] = [];
  for (let p = 0; p < plan.plants; p++) {
    const definition = PLANTS[p]!;
    const plant: Plant = {
      index: p,
      definition,
      id: definition.id,
      lines: [],
      machines: [],
      products: [],
      operators: [],
      crews: [],
      shifts: [],
      rangeStart: 0,
      rangeEnd: 0,
    };
    plants.push(plant);
    const random = rng(plan.seed, `products:${plant.id}`);
    for (let i = 0; i < PRODUCTS_PER_PLANT; i++) {
      const template = PRODUCT_TEMPLATES[(p * 2 + i) % PRODUCT_TEMPLATES.length]!;
      const factor = definition.currencyFactor * random.between(0.95, 1.05);
      const materialCost = round2(template.materialCost * factor);
      const unitCost = round2((template.materialCost + template.conversionCost) * factor);
      const product: Product = {
        id: `${plant.id}-${template.code}`,
        plant,
        name: template.name,
        family: template.family,
        material: MATERIALS.find((material) => material.id === template.materialId)!,
        kgPerUnit: template.kgPerUnit,
        materialCost,
        unitCost,
        reworkCost: round2(unitCost * random.between(0.15, 0.35)),
        unitPrice: round2(unitCost * template.markup),
        defectOpportunities: template.defectOpportunities,
        baseCycleS: template.baseCycleS,
      };
      plant.products.push(product);
      products.push(product);
    }
    for (let l = 0; l < plan.linesPerPlant; l++) {
      const lineProducts = [0, 1, 2].map((k) => plant.products[(2 * l + k) % PRODUCTS_PER_PLANT]!);
      const line: Line = {
        index: lines.length,
        plant,
        id: `${plant.id}-L${l + 1}`,
        name: `Line ${l + 1} (${lineProducts[0]!.family})`,
        products: lineProducts,
        machines: [],
        orders: [],
        extraOrders: [],
        windows: [],
        noDemandShifts: new Set(),
      };
      lines.push(line);
      plant.lines.push(line);
      for (let position = 1; position <= plan.machinesPerLine; position++) {
        const machine = buildMachine(plan, line, position, machines.length, plant.machines.length);
        machines.push(machine);
        line.machines.push(machine);
        plant.machines.push(machine);
      }
    }
    buildOperators(plan, plant);
  }
  return {
    plan,
    plants,
    lines,
    machines,
    products,
    materials: MATERIALS,
    reasons: REASONS,
    defectCodes: DEFECT_CODES,
  };
}

function buildMachine(plan: FactoryPlan, line: Line, position: number, index: number, seat: number): Machine {
  const random = rng(plan.seed, `machine:${line.id}:${position}`);
  const type = MACHINE_TYPES[(position - 1) % MACHINE_TYPES.length]!;
  const currency = line.plant.definition.currencyFactor;
  const sensors = chooseSensors(plan, random).map((definition) => buildSensor(definition, random));
  const cycleS = new Map<string, number>();
  for (const product of line.products) {
    const cycle = product.baseCycleS * type.cycleFactor * random.between(0.9, 1.1);
    cycleS.set(product.id, Math.max(1, Math.round(cycle * 10) / 10));
  }
  const present = new Set(sensors.map((sensor) => sensor.definition.sensor));
  const failureModes = FAILURE_MODES.filter(
    (mode) => mode.drifts.length === 0 || present.has(mode.drifts[0]!.sensor),
  );
  return {
    index,
    seat,
    line,
    plant: line.plant,
    id: `${line.id}-M${position}`,
    name: `${type.short} ${line.id.slice(line.plant.id.length + 2)}.${position}`,
    type,
    position,
    hourlyCost: round2(type.hourlyCost * currency * random.between(0.9, 1.1)),
    crewSize: type.crewSize,
    speed: random.between(0.75, 0.98),
    rejectRate: random.between(0.004, 0.03),
    smallStopsPerHour: random.between(0.6, 2.2),
    mtbfHours: random.between(70, 260),
    sensors,
    cycleS,
    failureModes,
  };
}

function chooseSensors(plan: FactoryPlan, random: Rng): SensorDefinition[] {
  if (plan.sensorsPerMachine !== null) return SENSORS.slice(0, plan.sensorsPerMachine);
  const count = random.int(4, 6);
  const optional = SENSORS.slice(2);
  const chosen = new Set(random.shuffle([...optional]).slice(0, count - 2));
  return [SENSORS[0]!, SENSORS[1]!, ...optional.filter((sensor) => chosen.has(sensor))];
}

function buildSensor(definition: SensorDefinition, random: Rng): MachineSensor {
  const size = definition.scales ? random.between(0.8, 1.25) : 1;
  const scaled = (value: number | null) => (value === null ? null : round2(value * size));
  const lsl = scaled(definition.lsl);
  const usl = scaled(definition.usl);
  const target = round2(definition.target * size);
  let sigma = target * definition.variation * random.between(0.8, 1.2);
  if (lsl !== null && usl !== null) sigma = Math.min(sigma, (usl - lsl) / (6 * random.between(1.2, 2.2)));
  else if (usl !== null) sigma = Math.min(sigma, (usl - target) / (3 * random.between(1.2, 2.2)));
  return {
    definition,
    lsl,
    usl,
    target,
    sigma,
    mean: target + random.between(-0.6, 0.6) * sigma,
    idle: scaled(definition.idle),
  };
}

function asciiName(name: string, pool: NamePool): string {
  const latin = pool.latin?.[name] ?? name;
  return latin
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replaceAll('ß', 'ss')
    .replaceAll('ı', 'i')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

function buildOperators(plan: FactoryPlan, plant: Plant): void {
  const random = rng(plan.seed, `operators:${plant.id}`);
  const pool = plant.definition.names;
  const crewCount = plant.definition.shifts.length;
  const crewSize = plant.machines.length + 1;
  const count = Math.max(MIN_OPERATORS_PER_PLANT, crewCount * crewSize + 2);
  const pairs: [string, string][] = [];
  for (const first of pool.first) for (const last of pool.last) pairs.push([first, last]);
  random.shuffle(pairs);
  const emails = new Map<string, number>();
  const firstHire = epochDay('2004-01-01');
  const lastHire = epochDay('2025-12-31');
  for (let i = 0; i < count; i++) {
    const [first, last] = pairs[i % pairs.length]!;
    const fullName = pool.familyFirst ? `${last}${first}` : `${first} ${last}`;
    const local = `${asciiName(first, pool)}.${asciiName(last, pool)}`;
    const seen = emails.get(local) ?? 0;
    emails.set(local, seen + 1);
    const operator: Operator = {
      id: `OP-${plant.id}-${String(i + 1).padStart(3, '0')}`,
      plant,
      fullName,
      email: random.chance(0.05) ? '' : `${local}${seen ? seen + 1 : ''}@${plant.definition.emailDomain}`,
      badgeNo: random.chance(0.03)
        ? ''
        : `B-${plant.index + 1}${String(random.int(0, 99999)).padStart(5, '0')}`,
      hireDate: random.chance(0.03) ? '' : dateOfEpochDay(random.int(firstHire, lastHire)),
      skillLevel: random.weighted([1, 2, 3, 4, 5], [0.1, 0.25, 0.35, 0.2, 0.1]),
    };
    plant.operators.push(operator);
  }
  for (let c = 0; c < crewCount; c++)
    plant.crews.push(plant.operators.slice(c * crewSize, (c + 1) * crewSize));
}

type Writers = Record<EntityName, CsvWriter>;

async function put(writer: CsvWriter, fields: string[]): Promise<void> {
  if (writer.record(fields)) await writer.flush();
}

/** Writes the ten master entities. */
export async function writeMaster(factory: Factory, writers: Writers): Promise<void> {
  for (const plant of factory.plants) {
    const d = plant.definition;
    await put(writers.plants, [
      d.id,
      d.name,
      d.region,
      d.timezone,
      d.currency,
      decimal(d.laborRatePerHour, 2),
    ]);
    for (const line of plant.lines) await put(writers.lines, [line.id, plant.id, line.name]);
  }
  for (const machine of factory.machines) {
    await put(writers.machines, [
      machine.id,
      machine.line.id,
      machine.name,
      machine.type.type,
      String(machine.position),
      decimal(machine.hourlyCost, 2),
      decimal(machine.crewSize, 2),
    ]);
  }
  for (const product of factory.products) {
    await put(writers.products, [
      product.id,
      product.name,
      product.family,
      decimal(product.materialCost, 2),
      decimal(product.unitCost, 2),
      decimal(product.reworkCost, 2),
      decimal(product.unitPrice, 2),
      String(product.defectOpportunities),
    ]);
  }
  for (const machine of factory.machines) {
    for (const [productId, cycle] of machine.cycleS) {
      await put(writers.routings, [machine.id, productId, decimal(cycle, 1)]);
    }
    for (const sensor of machine.sensors) {
      const optional = (value: number | null) => (value === null ? '' : decimal(value, 2));
      await put(writers.sensor_specs, [
        machine.id,
        sensor.definition.sensor,
        sensor.definition.unit,
        optional(sensor.lsl),
        optional(sensor.usl),
        decimal(sensor.target, 2),
      ]);
    }
  }
  for (const plant of factory.plants) {
    for (const o of plant.operators) {
      await put(writers.operators, [
        o.id,
        plant.id,
        o.fullName,
        o.email,
        o.badgeNo,
        o.hireDate,
        String(o.skillLevel),
      ]);
    }
  }
  for (const reason of factory.reasons) {
    await put(writers.downtime_reasons, [
      reason.code,
      reason.description,
      String(reason.planned),
      reason.lossCategory,
    ]);
  }
  for (const code of factory.defectCodes) {
    await put(writers.defect_codes, [code.code, code.description, code.category, code.severity]);
  }
  for (const material of factory.materials) {
    await put(writers.materials, [
      material.id,
      material.name,
      material.supplier,
      decimal(material.unitCost, 2),
    ]);
  }
}
