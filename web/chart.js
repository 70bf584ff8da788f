// A time chart (uPlot on a canvas) and, for anyone who cannot see it or
// wants the figures, the same data as a table. Series differ by dash
// pattern as well as colour; times are in the viewer's zone, named.
// uPlot is loaded when a chart is first drawn: most pages have none, and the
// console's first paint should not wait for a charting library.
import { useEffect, useRef } from "preact/hooks";
import { html } from "./html.js";
import { formatShortTime, viewerZone } from "./format.js";
import { isDark } from "./theme.js";

const DASHES = [[], [6, 4], [2, 3]];

let uPlotModule = null;
function loadUPlot() {
  uPlotModule ??= import("uplot").then((module) => module.default);
  return uPlotModule;
}

// The theme's colours as the canvas needs them (rgb(...)): custom properties
// hold light-dark() pairs, which only an element's computed style resolves.
function colours() {
  const probe = document.createElement("span");
  probe.hidden = true;
  document.body.append(probe);
  const read = (name) => {
    probe.style.color = `var(${name})`;
    return getComputedStyle(probe).color;
  };
  const palette = { text: read("--muted"), grid: read("--border"), series: [read("--chart-1"), read("--chart-2"), read("--chart-3")] };
  probe.remove();
  return palette;
}

function options(uPlot, width, series, unit) {
  const palette = colours();
  const axis = { stroke: palette.text, grid: { stroke: palette.grid, width: 1 }, ticks: { stroke: palette.grid } };
  return {
    width,
    height: 220,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), viewerZone),
    axes: [axis, { ...axis, label: unit, size: 60 }],
    series: [{}, ...series.map((item, index) => ({
      label: item.label,
      stroke: palette.series[index % 3],
      width: 2,
      dash: DASHES[index % 3],
      spanGaps: false,
    }))],
  };
}

function Legend({ series }) {
  return html`<ul class="legend" aria-hidden="true">
    ${series.map((item, index) => html`<li><span class=${`swatch swatch-${index % 3}`}></span>${item.label}</li>`)}
  </ul>`;
}

// `times`: ISO instants; `series`: [{label, values, format}] of the same length.
export function TimeChart({ title, times, series, unit }) {
  const box = useRef(null);
  useEffect(() => {
    const element = box.current;
    if (!element || times.length === 0) return undefined;
    const data = [times.map((time) => new Date(time).getTime() / 1000), ...series.map((item) => item.values)];
    let plot = null;
    let uPlot = null;
    const draw = () => {
      if (!uPlot) return;
      plot?.destroy();
      plot = new uPlot(options(uPlot, Math.max(element.clientWidth, 200), series, unit), data, element);
    };
    let removed = false;
    loadUPlot().then((loaded) => {
      if (removed) return;
      uPlot = loaded;
      draw();
    });
    const resize = new ResizeObserver(() => plot && plot.setSize({ width: Math.max(element.clientWidth, 200), height: 220 }));
    resize.observe(element);
    window.addEventListener("jobsched-theme", draw);
    const scheme = window.matchMedia("(prefers-color-scheme: dark)");
    scheme.addEventListener("change", draw);
    return () => {
      removed = true;
      resize.disconnect();
      window.removeEventListener("jobsched-theme", draw);
      scheme.removeEventListener("change", draw);
      plot?.destroy();
    };
  }, [times, series, unit, isDark()]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <${Legend} series=${series} />
    <div class="plot" ref=${box} role="img" aria-label=${`${title}: chart; the table below has the same figures`}></div>
    <details>
      <summary>${title} as a table</summary>
      <div class="table-scroll" tabindex="0" role="region" aria-label=${`${title}, table`}>
        <table>
          <thead><tr><th scope="col">Time (${viewerZone})</th>${series.map((item) => html`<th scope="col">${item.label}</th>`)}</tr></thead>
          <tbody>
            ${times.map((time, row) => html`<tr>
              <td>${formatShortTime(time)}</td>
              ${series.map((item) => html`<td>${item.format ? item.format(item.values[row]) : item.values[row] ?? "—"}</td>`)}
            </tr>`)}
          </tbody>
        </table>
      </div>
    </details>
  </figure>`;
}
