import { analyzeTrace, type AnalyzeOptions } from '../../src/analyze/analyze.js';
import type { Analysis } from '../../src/analyze/analysis.js';
import { chartModel, type ChartModel } from '../../src/export/chart/chart-model.js';
import { flameChartSvg, type ChartSvgOptions } from '../../src/export/chart/render-chart.js';
import { TimelineRecorder } from '../../src/export/speedscope/timeline-recorder.js';

/** A trace's analysis with its timeline, the chart's model and its SVG. */
export async function chartOf(
  path: string,
  options: ChartSvgOptions = {},
  analyzeOptions: AnalyzeOptions = {},
): Promise<{ analysis: Analysis; model: ChartModel; svg: string }> {
  const timeline = new TimelineRecorder();
  const analysis = await analyzeTrace(path, { ...analyzeOptions, timeline });
  return { analysis, model: chartModel(analysis, timeline, options), svg: flameChartSvg(analysis, timeline, options) };
}

/** A drawn call rectangle as the SVG has it: lane, position (%), row top, data. */
export interface DrawnRect {
  readonly lane: number;
  readonly x: number;
  readonly width: number;
  readonly y: number;
  readonly fn: number;
  readonly startNs: number;
  readonly durationNs: number;
}

/** The call rectangles of a chart, read back from its markup. */
export function drawnRects(svg: string): DrawnRect[] {
  const rects: DrawnRect[] = [];
  const lanes = svg.split('<g class="pfc-lane"').slice(1);
  lanes.forEach((lane, index) => {
    const body = lane.slice(0, lane.indexOf('</g>'));
    for (const m of body.matchAll(
      /<rect class="pfc-k\d+" x="([\d.e-]+)%" y="(\d+)" width="([\d.e-]+)%" height="15" data-f="(\d+)" data-s="([\d.e-]+)" data-t="([\d.e-]+)"\/>/g,
    )) {
      rects.push({
        lane: index,
        x: Number(m[1]),
        y: Number(m[2]),
        width: Number(m[3]),
        fn: Number(m[4]),
        startNs: Number(m[5]),
        durationNs: Number(m[6]),
      });
    }
  });
  return rects;
}
