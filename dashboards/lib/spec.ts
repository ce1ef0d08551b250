/**
 * Dashboards are described as plain specs first (title, queries, what each panel tells), then
 * built into Grafana JSON with the foundation SDK (build.ts) and rendered into the docs
 * (docs.ts). One source feeds the JSON, the documentation and the real-Prometheus test.
 */

export interface QuerySpec {
  /** PromQL; may use the dashboard variables `$instance`, `$__rate_interval`, `$__range`. */
  readonly expr: string;
  /** Legend template, e.g. `{{route}}`. */
  readonly legend?: string;
  /** An instant query (tables and stats of "now"); otherwise a range query. */
  readonly instant?: boolean;
}

export type PanelKind = 'timeseries' | 'stat' | 'table' | 'text';

export interface PanelSpec {
  readonly title: string;
  readonly kind: PanelKind;
  /** What the panel tells an operator: shown as the panel description and in the docs. */
  readonly tells: string;
  readonly queries: readonly QuerySpec[];
  /** Grafana unit id (`reqps`, `s`, `percentunit`, `short`, `bytes`…). */
  readonly unit?: string;
  /** Markdown for text panels. */
  readonly content?: string;
  /** Width in grid columns (of 24); default 12. */
  readonly width?: number;
  /** Thresholds for stats, as [value, color] from low to high (the first value is ignored). */
  readonly thresholds?: ReadonlyArray<readonly [number | null, string]>;
  readonly min?: number;
  readonly max?: number;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  /** One sentence: who looks at this dashboard, and when. */
  readonly description: string;
  readonly tags: readonly string[];
  readonly rows: readonly RowSpec[];
}

/** Every panel of a dashboard, in order. */
export function panelsOf(d: DashboardSpec): PanelSpec[] {
  return d.rows.flatMap((r) => r.panels);
}
