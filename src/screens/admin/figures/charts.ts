/**
 * The console's charts, drawn by chart.js. The library is imported here only, on first use, so it
 * lands in its own chunk that only the console loads (no kiosk screen carries it); only the
 * controllers, elements and scales the dashboard draws are registered.
 */
import type { Chart, ChartConfiguration } from 'chart.js';
import { cellText, type ChartSpec } from './chart-specs';

let loading: Promise<typeof Chart> | null = null;

/** The parts of chart.js the dashboard draws with, named so the rest is left out of the chunk. */
async function load(): Promise<typeof Chart> {
  const {
    Chart: ChartClass,
    BarController,
    BarElement,
    LineController,
    LineElement,
    PointElement,
    CategoryScale,
    LinearScale,
    Legend,
    Tooltip,
  } = await import('chart.js');
  ChartClass.register(
    BarController,
    BarElement,
    LineController,
    LineElement,
    PointElement,
    CategoryScale,
    LinearScale,
    Legend,
    Tooltip,
  );
  return ChartClass;
}

/** chart.js, loaded and registered once; a failed load (offline) is tried again next time. */
export function loadCharts(): Promise<typeof Chart> {
  loading ??= load();
  loading.catch(() => (loading = null));
  return loading;
}

/** Large, dark type: the console is read by people of every age. */
const FONT = { size: 15 };
const TEXT = '#1b2430';
const GRID = '#d3dae4';

/** A long category name in lines of at most `max` characters, broken at spaces where it has any. */
export function wrapLabel(label: string, max = 18): string | string[] {
  if (label.length <= max) return label;
  const words = label.includes(' ')
    ? label.split(' ')
    : Array.from({ length: Math.ceil(label.length / max) }, (_, k) =>
        label.slice(k * max, (k + 1) * max),
      );
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= max)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The chart.js configuration a spec draws: bars, a share as a line on its own axis. */
export function chartConfig(spec: ChartSpec): ChartConfiguration<'bar' | 'line'> {
  const drawn = spec.series.filter((s) => !s.tableOnly);
  const mixed = drawn.some((s) => s.line) && drawn.some((s) => !s.line);
  const valueAxis = spec.horizontal ? 'x' : 'y';
  return {
    type: 'bar',
    data: {
      labels: [...spec.categories],
      datasets: drawn.map((s) => ({
        type: s.line ? ('line' as const) : ('bar' as const),
        label: s.label,
        data: [...s.values],
        backgroundColor: typeof s.color === 'string' ? s.color : [...s.color],
        borderColor: typeof s.color === 'string' ? s.color : [...s.color],
        borderWidth: s.line ? 3 : 0,
        pointRadius: s.line ? 4 : 0,
        spanGaps: true,
        ...(mixed ? { yAxisID: s.line ? 'rate' : 'y' } : {}),
        order: s.line ? 0 : 1,
      })),
    },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      color: TEXT,
      font: FONT,
      plugins: {
        legend: { position: 'bottom', labels: { color: TEXT, font: FONT } },
        tooltip: {
          titleFont: FONT,
          bodyFont: FONT,
          callbacks: {
            label: (item) => {
              const s = drawn[item.datasetIndex];
              const value = item.raw as number | null;
              return s ? `${s.label}: ${cellText(value, s.unit)}` : '';
            },
          },
        },
      },
      scales: {
        [spec.horizontal ? 'y' : 'x']: {
          ticks: {
            color: TEXT,
            font: FONT,
            callback: (_value: string | number, index: number) =>
              wrapLabel(spec.categories[index] ?? ''),
          },
          grid: { display: false },
        },
        [valueAxis]: {
          beginAtZero: true,
          ticks: { color: TEXT, font: FONT, precision: 0 },
          grid: { color: GRID },
          ...(drawn.every((s) => s.unit === 'percent') ? { max: 100 } : {}),
        },
        ...(mixed
          ? {
              rate: {
                position: 'right' as const,
                min: 0,
                max: 100,
                ticks: { color: TEXT, font: FONT, callback: (v: string | number) => `${v}%` },
                grid: { display: false },
              },
            }
          : {}),
      },
    },
  };
}

/** Draw a spec on a canvas; the chart is destroyed by the caller. */
export async function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): Promise<Chart> {
  const ChartClass = await loadCharts();
  return new ChartClass(canvas, chartConfig(spec) as ChartConfiguration);
}
