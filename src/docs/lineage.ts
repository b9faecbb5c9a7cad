/**
 * The lineage graph of the docs site: source entities and models as nodes, reads as edges,
 * laid out left to right by layer (sources → staging → core → marts) without a layout library.
 * A layer whose models read each other gets several columns, so every edge points rightwards.
 */

export const LINEAGE_LAYERS = ['sources', 'staging', 'core', 'marts'] as const;

export interface LineageNode {
  /** `source.<entity>` or `model.<name>`: also the anchor of its section in the page. */
  id: string;
  name: string;
  kind: 'source' | 'model';
  layer: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface LineageEdge {
  from: string;
  to: string;
}

export interface Lineage {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Every node a node reads, transitively. */
  upstream: Record<string, string[]>;
  /** Every node that reads a node, transitively. */
  downstream: Record<string, string[]>;
  width: number;
  height: number;
}

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 22;
const COLUMN_GAP = 70;
const ROW_GAP = 8;
const MARGIN = 10;

export interface LineageInput {
  sources: string[];
  models: { name: string; layer: string; refs: string[]; sources: string[] }[];
}

export function sourceNodeId(entity: string): string {
  return `source.${entity}`;
}

export function modelNodeId(model: string): string {
  return `model.${model}`;
}

/** Models must come in dependency order (as `loadProject` returns them). */
export function lineageOf(input: LineageInput): Lineage {
  const sourceNames = [...new Set([...input.sources, ...input.models.flatMap((m) => m.sources)])].sort();
  const edges: LineageEdge[] = [];
  for (const model of input.models) {
    for (const source of [...model.sources].sort())
      edges.push({ from: sourceNodeId(source), to: modelNodeId(model.name) });
    for (const ref of [...model.refs].sort())
      edges.push({ from: modelNodeId(ref), to: modelNodeId(model.name) });
  }
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const edge of edges) {
    parents.set(edge.to, [...(parents.get(edge.to) ?? []), edge.from]);
    children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to]);
  }

  // Columns: a node sits right of everything it reads and right of every earlier layer.
  const column = new Map<string, number>();
  for (const name of sourceNames) column.set(sourceNodeId(name), 0);
  let layerStart = 1;
  const layerOf = (layer: string) => {
    const index = LINEAGE_LAYERS.indexOf(layer as (typeof LINEAGE_LAYERS)[number]);
    return index < 0 ? LINEAGE_LAYERS.length : index;
  };
  const layers = [...new Set(input.models.map((m) => m.layer))].sort((a, b) => layerOf(a) - layerOf(b));
  for (const layer of layers) {
    let last = layerStart;
    for (const model of input.models.filter((m) => m.layer === layer)) {
      const id = modelNodeId(model.name);
      const after = (parents.get(id) ?? []).map((parent) => (column.get(parent) ?? -1) + 1);
      const at = Math.max(layerStart, ...after);
      column.set(id, at);
      last = Math.max(last, at);
    }
    layerStart = last + 1;
  }

  const layerById = new Map<string, string>([
    ...sourceNames.map((name) => [sourceNodeId(name), 'sources'] as const),
    ...input.models.map((model) => [modelNodeId(model.name), model.layer] as const),
  ]);
  const columnCount = Math.max(0, ...column.values()) + 1;
  const byColumn: string[][] = Array.from({ length: columnCount }, () => []);
  for (const [id, at] of column) byColumn[at]!.push(id);
  for (const ids of byColumn) ids.sort();

  // Rows: each column sorted by the mean row of its neighbours (a few sweeps cut crossings).
  const rowOf = new Map<string, number>();
  const place = (ids: string[]) => ids.forEach((id, index) => rowOf.set(id, index));
  byColumn.forEach(place);
  const sweep = (ids: string[], neighbours: Map<string, string[]>) => {
    const key = (id: string) => {
      const rows = (neighbours.get(id) ?? []).map((n) => rowOf.get(n)).filter((r) => r !== undefined);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : (rowOf.get(id) ?? 0);
    };
    const keys = new Map(ids.map((id) => [id, key(id)]));
    ids.sort((a, b) => keys.get(a)! - keys.get(b)! || a.localeCompare(b));
    place(ids);
  };
  for (let round = 0; round < 3; round++) {
    for (let c = 1; c < columnCount; c++) sweep(byColumn[c]!, parents);
    for (let c = columnCount - 2; c >= 0; c--) sweep(byColumn[c]!, children);
  }
  for (let c = 1; c < columnCount; c++) sweep(byColumn[c]!, parents);

  const nodes: LineageNode[] = [];
  for (const ids of byColumn)
    for (const id of ids) {
      const at = column.get(id)!;
      const row = rowOf.get(id)!;
      nodes.push({
        id,
        name: id.slice(id.indexOf('.') + 1),
        kind: id.startsWith('source.') ? 'source' : 'model',
        layer: layerById.get(id)!,
        column: at,
        row,
        x: MARGIN + at * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + row * (NODE_HEIGHT + ROW_GAP),
      });
    }
  const tallest = Math.max(0, ...byColumn.map((ids) => ids.length));
  return {
    nodes,
    edges,
    upstream: closure(nodes, parents),
    downstream: closure(nodes, children),
    width: 2 * MARGIN + columnCount * NODE_WIDTH + Math.max(0, columnCount - 1) * COLUMN_GAP,
    height: 2 * MARGIN + tallest * NODE_HEIGHT + Math.max(0, tallest - 1) * ROW_GAP,
  };
}

function closure(nodes: LineageNode[], next: Map<string, string[]>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const node of nodes) {
    const seen = new Set<string>();
    const stack = [...(next.get(node.id) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(next.get(id) ?? []));
    }
    result[node.id] = [...seen].sort();
  }
  return result;
}
