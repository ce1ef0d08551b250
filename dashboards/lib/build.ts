/**
 * Builds Grafana dashboard JSON from a DashboardSpec with @grafana/grafana-foundation-sdk.
 * Output is deterministic (fixed ids, no timestamps) so the committed JSON can be compared.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, VizLegendOptionsBuilder, BigValueGraphMode } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TextBuilder } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { JOB } from './selectors.ts';
import type { DashboardSpec, PanelSpec } from './spec.ts';

/** Panels read from the dashboard's `datasource` variable (provisioned as "Prometheus"). */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function targets(p: PanelSpec, table: boolean): Array<cog.Builder<cog.Dataquery>> {
  return p.queries.map((q, i) => {
    const b = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend ?? '__auto');
    if (q.instant) b.instant();
    else b.range();
    if (table) b.format(PromQueryFormat.Table);
    return b;
  });
}

function thresholds(p: PanelSpec): ThresholdsConfigBuilder | undefined {
  if (!p.thresholds) return undefined;
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(p.thresholds.map(([value, color]) => ({ value, color })));
}

function panel(p: PanelSpec): cog.Builder<Panel> {
  const width = p.width ?? 12;
  const height = p.kind === 'stat' ? 5 : 8;
  switch (p.kind) {
    case 'text':
      return new TextBuilder().title(p.title).description(p.tells).content(p.content ?? '').span(width).height(height);
    case 'stat': {
      const b = new StatBuilder()
        .title(p.title)
        .description(p.tells)
        .datasource(DATASOURCE)
        .targets(targets(p, false))
        .graphMode(BigValueGraphMode.Area)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .span(width)
        .height(height);
      if (p.unit) b.unit(p.unit);
      const t = thresholds(p);
      if (t) b.thresholds(t);
      if (p.min !== undefined) b.min(p.min);
      if (p.max !== undefined) b.max(p.max);
      return b;
    }
    case 'table': {
      const b = new TableBuilder().title(p.title).description(p.tells).datasource(DATASOURCE).targets(targets(p, true)).span(width).height(height);
      if (p.unit) b.unit(p.unit);
      return b;
    }
    case 'timeseries': {
      const b = new TimeseriesBuilder()
        .title(p.title)
        .description(p.tells)
        .datasource(DATASOURCE)
        .targets(targets(p, false))
        .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
        .fillOpacity(10)
        .span(width)
        .height(height);
      if (p.unit) b.unit(p.unit);
      if (p.min !== undefined) b.min(p.min);
      if (p.max !== undefined) b.max(p.max);
      const t = thresholds(p);
      if (t) b.thresholds(t);
      return b;
    }
  }
}

/** The Grafana dashboard model for a spec. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['jarvis', ...spec.tags])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').current({ text: 'Prometheus', value: 'prometheus' }))
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Instance')
        .datasource(DATASOURCE)
        .query(`label_values(up{job="${JOB}"}, instance)`)
        .definition(`label_values(up{job="${JOB}"}, instance)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.*')
        .current({ text: 'All', value: '$__all' }),
    );
  for (const row of spec.rows) {
    b.withRow(new RowBuilder(row.title));
    for (const p of row.panels) b.withPanel(panel(p));
  }
  const dashboard = b.build();
  // Stable ids in layout order: Grafana needs unique ids, the drift test needs fixed ones.
  (dashboard.panels ?? []).forEach((p, i) => {
    (p as { id?: number }).id = i + 1;
  });
  return dashboard;
}

/** The JSON text committed under dashboards/generated/. */
export function dashboardJson(spec: DashboardSpec): string {
  return `${JSON.stringify(buildDashboard(spec), null, 2)}\n`;
}
