/** The metrics layer: KPIs declared once, rolled up from sums of cell components at any grain. */
export { DIMENSION_NAMES, DIMENSIONS, type Dimension, type DimensionName } from './dimensions.js';
export { displayRows, roundHalfEven } from './display.js';
export { inverseNormalCdf, sigmaLevel } from './inverse-normal.js';
export { findKpi, KPI_NAMES, KPIS, type Kpi, type KpiColumn, type KpiPart } from './kpis.js';
export {
  type CompiledKpi,
  compileKpi,
  type KpiReader,
  type KpiResult,
  queryKpi,
  runKpi,
} from './query.js';
export { type CheckedRequest, checkRequest, type KpiRequest } from './request.js';
