/**
 * NUMA fit for dedicated CPUs and hugepages, per cell, under the kubelet Topology Manager policy.
 * single-numa-node: everything from one cell. restricted: from the narrowest set of cells that could
 * ever hold the request. best-effort and none: from any cells, preferring few.
 */

export type TopologyPolicy = "none" | "best-effort" | "restricted" | "single-numa-node";

export interface NumaCell {
  readonly id: number;
  readonly cpus: number;
  /** Pages per size name, e.g. { "1Gi": 64 }. */
  readonly hugepages: Readonly<Record<string, number>>;
}

export interface NumaLayout {
  readonly policy: TopologyPolicy;
  readonly cells: readonly NumaCell[];
}

/** What a VM takes from the NUMA cells of its node. */
export interface NumaDemand {
  readonly cpus: number;
  readonly pageSize: string | undefined;
  readonly pages: number;
}

/** Free CPUs and pages per cell; mutable, owned by the placement state. */
export interface NumaFree {
  readonly cpus: number[];
  readonly pages: Record<string, number[]>;
}

export interface CellShare {
  readonly cell: number;
  readonly cpus: number;
  readonly pages: number;
}

export type NumaAssignment = readonly CellShare[];

export function countCpuset(cpuset: string): number {
  let count = 0;
  for (const range of cpuset.split(",")) {
    const [from, to] = range.split("-").map(Number);
    if (from === undefined) continue;
    count += to === undefined ? 1 : to - from + 1;
  }
  return count;
}

export function freeFromLayout(layout: NumaLayout): NumaFree {
  const pages: Record<string, number[]> = {};
  for (const cell of layout.cells) {
    for (const size of Object.keys(cell.hugepages)) pages[size] ??= layout.cells.map(() => 0);
  }
  layout.cells.forEach((cell, index) => {
    for (const [size, count] of Object.entries(cell.hugepages)) (pages[size] as number[])[index] = count;
  });
  return { cpus: layout.cells.map((cell) => cell.cpus), pages };
}

export function cloneNumaFree(free: NumaFree): NumaFree {
  const pages: Record<string, number[]> = {};
  for (const [size, counts] of Object.entries(free.pages)) pages[size] = [...counts];
  return { cpus: [...free.cpus], pages };
}

export function needsNuma(demand: NumaDemand): boolean {
  return demand.cpus > 0 || demand.pages > 0;
}

/** The fewest cells that could ever hold the demand, judging by capacity. */
function narrowestSpan(layout: NumaLayout, demand: NumaDemand): number {
  const cpuCaps = layout.cells.map((cell) => cell.cpus).sort((a, b) => b - a);
  const pageCaps = layout.cells
    .map((cell) => (demand.pageSize ? (cell.hugepages[demand.pageSize] ?? 0) : 0))
    .sort((a, b) => b - a);
  let cpus = 0;
  let pages = 0;
  for (let span = 1; span <= layout.cells.length; span += 1) {
    cpus += cpuCaps[span - 1] ?? 0;
    pages += pageCaps[span - 1] ?? 0;
    if (cpus >= demand.cpus && pages >= demand.pages) return span;
  }
  return Number.POSITIVE_INFINITY;
}

function pagesFree(free: NumaFree, pageSize: string | undefined, cell: number): number {
  return pageSize ? (free.pages[pageSize]?.[cell] ?? 0) : 0;
}

/** Cells from most free to least, ties by cell order, so the same state always yields the same choice. */
function cellsByFreeness(layout: NumaLayout, free: NumaFree, pageSize: string | undefined): number[] {
  const cpus = (cell: number): number => free.cpus[cell] ?? 0;
  return layout.cells
    .map((_, index) => index)
    .sort((a, b) => cpus(b) - cpus(a) || pagesFree(free, pageSize, b) - pagesFree(free, pageSize, a) || a - b);
}

/** Every set of `size` cells, in the order of `cells`. Nodes have a handful of cells, so this stays small. */
function cellSets(cells: readonly number[], size: number): number[][] {
  if (size === 0) return [[]];
  const sets: number[][] = [];
  cells.forEach((cell, index) => {
    for (const rest of cellSets(cells.slice(index + 1), size - 1)) sets.push([cell, ...rest]);
  });
  return sets;
}

function takeFromCells(
  cells: readonly number[],
  free: NumaFree,
  demand: NumaDemand,
): { shares: CellShare[]; short: boolean } {
  const shares: CellShare[] = [];
  let cpusLeft = demand.cpus;
  let pagesLeft = demand.pages;
  for (const cell of cells) {
    if (cpusLeft <= 0 && pagesLeft <= 0) break;
    const cpus = Math.min(cpusLeft, free.cpus[cell] ?? 0);
    const pages = Math.min(pagesLeft, pagesFree(free, demand.pageSize, cell));
    if (cpus > 0 || pages > 0) shares.push({ cell, cpus, pages });
    cpusLeft -= cpus;
    pagesLeft -= pages;
  }
  return { shares, short: cpusLeft > 0 || pagesLeft > 0 };
}

function describeDemand(demand: NumaDemand): string {
  const pages = demand.pages > 0 ? ` and ${demand.pages} × ${demand.pageSize ?? "?"} hugepages` : "";
  return `${demand.cpus} dedicated CPUs${pages}`;
}

/**
 * Chooses cells for the demand, or explains why none will do. single-numa-node and restricted
 * try every set of the narrowest size, most free first, and take the first that holds both the
 * CPUs and the pages; best-effort and none take from the freest cells, as many as needed.
 */
export function allocateNuma(layout: NumaLayout, free: NumaFree, demand: NumaDemand): NumaAssignment | string {
  const span = narrowestSpan(layout, demand);
  if (!Number.isFinite(span))
    return `needs ${describeDemand(demand)}; the node's NUMA cells cannot hold that even when empty`;
  if (layout.policy === "single-numa-node" && span > 1) {
    return `topology policy single-numa-node: no NUMA cell is large enough for ${describeDemand(demand)}`;
  }
  const ordered = cellsByFreeness(layout, free, demand.pageSize);
  const aligned = layout.policy === "single-numa-node" || layout.policy === "restricted";
  for (const cells of aligned ? cellSets(ordered, span) : [ordered]) {
    const { shares, short } = takeFromCells(cells, free, demand);
    if (!short) return shares;
  }
  const where = aligned
    ? span === 1
      ? "one NUMA cell"
      : `${span} NUMA cells (topology policy ${layout.policy})`
    : "the NUMA cells";
  return `needs ${describeDemand(demand)} from ${where}; not enough free`;
}

/** Takes (sign = -1) or returns (sign = +1) an assignment's CPUs and pages. */
export function applyNuma(free: NumaFree, demand: NumaDemand, assignment: NumaAssignment, sign: 1 | -1): void {
  for (const share of assignment) {
    free.cpus[share.cell] = (free.cpus[share.cell] ?? 0) + sign * share.cpus;
    if (demand.pageSize && share.pages > 0) {
      const pages = (free.pages[demand.pageSize] ??= free.cpus.map(() => 0));
      pages[share.cell] = (pages[share.cell] ?? 0) + sign * share.pages;
    }
  }
}
