// caseload explore: the class board. Plain JavaScript, no libraries, no network but this
// server. Asks for the recorded runs (`GET /api/board`) every 3 seconds and on Refresh,
// and shows them as a table and one chart: a setting across, a figure up, each run a pair
// of points (one a rule). `document.body.dataset.runs` is the number of runs shown after
// each refresh (the browser test waits on it).
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const POLL_MS = 3000;

// A rule's look, in the order rules first appear on the board: a colour and a marker
// shape, so the rules stay apart for colour-blind readers and in grey print.
const COLOURS = ["#1f5fa8", "#b5381f", "#2e7d32", "#7b3fa0", "#8d6e00", "#00838f"];
const SHAPES = ["circle", "triangle", "square", "diamond", "down", "cross"];

// The figures a run records, as the table and the chart's `up` menu name them.
const FIGURES = [
  { key: "within_limit_to_date_pct", title: "Within the limit", unit: "% of assessments completed within the limit, to date", short: "within limit %", digits: 1 },
  { key: "late_days_per_high_risk_referral", title: "Late days per high-risk referral", unit: "working days late per high/immediate-risk referral, to date", short: "late days per high-risk referral", digits: 2 },
  { key: "days_to_completion_mean", title: "Days from referral to completion", unit: "mean working days, measured so far", short: "days to completion", digits: 1 },
  { key: "turnover_pct", title: "Turnover", unit: "% of social workers leaving a year, to date", short: "turnover %", digits: 1 },
  { key: "open_assessments_mean", title: "Open assessments, mean", unit: "mean open assessments a day, measured so far", digits: 1 },
  { key: "assessments_per_day", title: "Assessments completed a day", unit: "assessments per working day, measured so far", digits: 2 },
  { key: "open_assessments", title: "Open assessments that day", unit: "referrals not yet assessed", digits: 0 },
  { key: "vacancies", title: "Vacancies that day", unit: "posts without an employed worker", digits: 0 },
];
/** The figures of the table: the first four. */
const TABLE_FIGURES = FIGURES.slice(0, 4);

const state = {
  runs: [],
  // The sliders (label, unit, default value) by path, from `GET /api/controls`.
  sliders: new Map(),
  code: new URLSearchParams(window.location.search).get("code"),
  loading: null,
};

async function api(path) {
  const r = await fetch(path);
  const raw = await r.text();
  let data;
  try {
    data = JSON.parse(raw);
  } catch (_) {
    data = { error: raw };
  }
  if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
  return data;
}

function showError(text) {
  $("error").hidden = !text;
  $("error").textContent = text || "";
}

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Number(x).toFixed(digits);
}

// ---- a run's settings ----

/** A setting's value in a run: its value recorded, else what it changed, else the page's
 * default. */
function settingOf(run, path) {
  if (path === "seed") return run.seed;
  if (path === "n") return run.n;
  if (run.values && path in run.values) return run.values[path];
  if (run.settings && path in run.settings) return run.settings[path];
  const s = state.sliders.get(path);
  return s ? s.value : null;
}

/** A setting's name for people: the slider's label, else its key. */
function settingName(path) {
  if (path === "seed") return "seed";
  if (path === "n") return "run number";
  const s = state.sliders.get(path);
  return s ? s.label : path;
}

/** The settings a run changed from the defaults, in words. */
function changedWords(run) {
  const keys = Object.keys(run.settings || {});
  if (!keys.length) return "none: the defaults";
  return keys.map((k) => {
    const s = state.sliders.get(k);
    const was = s && s.value !== null ? " (default " + s.value + ")" : "";
    return settingName(k) + ": " + run.settings[k] + was;
  }).join("; ");
}

/** The settings whose values differ across the runs, sliders first, then the seed; the
 * run number when none does. */
function varying(runs) {
  const paths = [...state.sliders.keys()];
  for (const r of runs) {
    for (const k of Object.keys(Object.assign({}, r.values, r.settings))) if (!paths.includes(k)) paths.push(k);
  }
  paths.push("seed");
  const out = paths.filter((p) => new Set(runs.map((r) => settingOf(r, p)).filter((v) => v !== null)).size > 1);
  out.push("n");
  return out;
}

// ---- the menus ----

/** Fills a menu with `[value, words]` options, keeping the choice if it is still there. */
function fillMenu(sel, options, fallback) {
  const was = sel.value;
  sel.textContent = "";
  for (const [value, words] of options) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = words;
    sel.appendChild(o);
  }
  sel.value = options.some(([v]) => v === was) ? was : fallback;
}

function drawMenus() {
  const xs = varying(state.runs);
  fillMenu($("board-x"), xs.map((p) => [p, p === "n" && xs.length === 1 ? "run number (no setting varies yet)" : settingName(p)]), xs[0]);
  if (!$("board-y").options.length) {
    fillMenu($("board-y"), FIGURES.map((f) => [f.key, f.title]), "within_limit_to_date_pct");
  }
}

// ---- the table ----

/** The rules of every run, if all runs compare the same two (else null). */
function commonRules(runs) {
  if (!runs.length) return null;
  const same = runs.every((r) => r.rules[0] === runs[0].rules[0] && r.rules[1] === runs[0].rules[1]);
  return same && runs[0].rules[0] !== runs[0].rules[1] ? runs[0].rules : null;
}

function drawTable() {
  const runs = state.runs;
  const table = $("board-table");
  const head = table.tHead;
  head.textContent = "";
  const rules = commonRules(runs);
  const top = head.insertRow();
  const lead = document.createElement("th");
  lead.colSpan = 5;
  top.appendChild(lead);
  for (const i of [0, 1]) {
    const th = document.createElement("th");
    th.colSpan = TABLE_FIGURES.length;
    th.className = "group";
    th.textContent = rules ? rules[i] : (i === 0 ? "rule A of the run" : "rule B of the run");
    if (rules) th.style.color = ruleColour(rules[i]);
    top.appendChild(th);
  }
  const names = head.insertRow();
  for (const t of ["run", "name", "rules", "seed", "settings changed"]) {
    const th = document.createElement("th");
    th.textContent = t;
    names.appendChild(th);
  }
  for (const _ of [0, 1]) {
    for (const f of TABLE_FIGURES) {
      const th = document.createElement("th");
      th.textContent = f.short;
      th.title = f.unit;
      names.appendChild(th);
    }
  }
  const body = table.tBodies[0];
  body.textContent = "";
  for (const r of runs) {
    const row = body.insertRow();
    const cell = (text, cls) => {
      const td = row.insertCell();
      td.textContent = text;
      if (cls) td.className = cls;
      return td;
    };
    cell(String(r.n), "n");
    cell(r.name);
    cell(rules ? r.rules.join(" v ") : "A " + r.rules[0] + "; B " + r.rules[1], "rules");
    cell(String(r.seed), "n");
    cell(changedWords(r), "settings");
    for (const i of [0, 1]) {
      for (const f of TABLE_FIGURES) cell(fmt(r.figures[i] ? r.figures[i][f.key] : null, f.digits), "n");
    }
  }
}

// ---- the chart ----

/** Each rule on the board, in the order it first appears, and its look. */
let ruleOrder = [];
function ruleIndex(name) {
  let k = ruleOrder.indexOf(name);
  if (k < 0) {
    ruleOrder.push(name);
    k = ruleOrder.length - 1;
  }
  return k;
}
function ruleColour(name) { return COLOURS[ruleIndex(name) % COLOURS.length]; }
function ruleShape(name) { return SHAPES[ruleIndex(name) % SHAPES.length]; }

/** An SVG element with attributes, appended to `parent` when given. */
function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

function text(parent, x, y, words, attrs) {
  const t = svg("text", Object.assign({ x, y }, attrs || {}), parent);
  t.textContent = words;
  return t;
}

/** A marker of `shape` centred on (x, y), radius about `r`. */
function marker(parent, shape, x, y, r, colour) {
  const pts = (list) => list.map(([a, b]) => (x + a * r).toFixed(1) + "," + (y + b * r).toFixed(1)).join(" ");
  const attrs = { fill: colour, class: "mark" };
  switch (shape) {
    case "triangle": return svg("polygon", Object.assign({ points: pts([[0, -1.25], [1.15, 0.85], [-1.15, 0.85]]) }, attrs), parent);
    case "square": return svg("rect", Object.assign({ x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8 }, attrs), parent);
    case "diamond": return svg("polygon", Object.assign({ points: pts([[0, -1.3], [1.1, 0], [0, 1.3], [-1.1, 0]]) }, attrs), parent);
    case "down": return svg("polygon", Object.assign({ points: pts([[0, 1.25], [1.15, -0.85], [-1.15, -0.85]]) }, attrs), parent);
    case "cross": return svg("polygon", Object.assign({ points: pts([[-0.4, -1], [0.4, -1], [0.4, -0.4], [1, -0.4], [1, 0.4], [0.4, 0.4], [0.4, 1], [-0.4, 1], [-0.4, 0.4], [-1, 0.4], [-1, -0.4], [-0.4, -0.4]]) }, attrs), parent);
    default: return svg("circle", Object.assign({ cx: x, cy: y, r }, attrs), parent);
  }
}

/** Round tick values for `lo` to `hi` (as app.js's): the widest step of 1, 2 or 5 times a
 * power of ten that gives at least `min` ticks, whole steps only if `integer`; the range
 * grows to whole steps (a narrow whole-number range grows both ways). `{lo, hi, step, ticks}`. */
function niceTicks(lo, hi, min, integer) {
  if (integer && hi - lo < min - 1) {
    const pad = Math.ceil((min - 1 - (hi - lo)) / 2);
    hi += pad;
    lo = lo - pad < 0 && lo >= 0 ? 0 : lo - pad;
    if (hi - lo < min - 1) hi = lo + min - 1;
  }
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const p = Math.pow(10, Math.floor(Math.log10(hi - lo)));
  for (const e of [p * 10, p, p / 10, p / 100]) {
    for (const m of [5, 2, 1]) {
      const step = m * e;
      if (integer && !Number.isInteger(step)) continue;
      const a = Math.floor(lo / step + 1e-9) * step, b = Math.ceil(hi / step - 1e-9) * step;
      const n = Math.round((b - a) / step) + 1;
      if (n >= min) {
        const ticks = [];
        for (let k = 0; k < n; k++) ticks.push(Number((a + k * step).toPrecision(12)));
        return { lo: ticks[0], hi: ticks[n - 1], step, ticks };
      }
    }
  }
  return { lo, hi, step: hi - lo, ticks: [lo, hi] };
}

function decimals(step) {
  for (let d = 0; d < 8; d++) if (Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) < 1e-6) return d;
  return 8;
}

function tickLabel(v, step) {
  return Number(v).toLocaleString("en-GB", { minimumFractionDigits: decimals(step), maximumFractionDigits: decimals(step) });
}

/** Whether a setting takes whole numbers only (its slider's step is whole). */
function wholeSetting(path) {
  if (path === "seed" || path === "n") return true;
  const s = state.sliders.get(path);
  return !!s && Number.isInteger(s.step) && Number.isInteger(s.min);
}

function drawChart() {
  const chart = $("board-chart");
  const xKey = $("board-x").value, yKey = $("board-y").value;
  const fig = FIGURES.find((f) => f.key === yKey) || FIGURES[0];
  const w = Math.max(chart.parentNode.clientWidth || 0, 400);
  const h = Math.round(Math.min(Math.max(w * 0.45, 380), 640));
  const fs = parseFloat(window.getComputedStyle(chart).fontSize) || 18;
  const charW = fs * 0.6;
  chart.setAttribute("viewBox", "0 0 " + w + " " + h);
  chart.setAttribute("height", h);
  chart.textContent = "";

  // The points: a pair a run, at its setting, one for each rule with a figure.
  const pairs = [];
  let blank = 0;
  for (const r of state.runs) {
    const x = settingOf(r, xKey);
    const ys = [0, 1].map((i) => (r.figures[i] ? r.figures[i][yKey] : null));
    if (x === null || ys.some((v) => v === null || v === undefined)) {
      blank++;
      continue;
    }
    pairs.push({ run: r, x: Number(x), ys });
  }
  for (const r of state.runs) for (const name of r.rules) ruleIndex(name);
  const xVals = pairs.map((p) => p.x), yVals = [].concat(...pairs.map((p) => p.ys));
  const xs = niceTicks(xVals.length ? Math.min(...xVals) : 0, xVals.length ? Math.max(...xVals) : 1, 5, wholeSetting(xKey));
  const ys = niceTicks(yVals.length ? Math.min(...yVals) : 0, yVals.length ? Math.max(...yVals) : 1, 5, fig.digits === 0);

  const yLabels = ys.ticks.map((v) => tickLabel(v, ys.step));
  const L = Math.max(...yLabels.map((t) => t.length)) * charW + 16;
  const R = fs * 1.5, T = fs * 4.2, B = fs * 3.6;
  const pw = w - L - R, ph = h - T - B;
  const X = (v) => L + pw * (v - xs.lo) / (xs.hi - xs.lo);
  const Y = (v) => T + ph * (1 - (v - ys.lo) / (ys.hi - ys.lo));

  // Grid, ticks, axes and their titles (with units).
  ys.ticks.forEach((v, k) => {
    svg("line", { x1: L, x2: L + pw, y1: Y(v), y2: Y(v), class: "grid" }, chart);
    text(chart, L - 8, Y(v) + fs * 0.35, yLabels[k], { "text-anchor": "end", class: "tick" });
  });
  xs.ticks.forEach((v) => {
    svg("line", { x1: X(v), x2: X(v), y1: T + ph, y2: T + ph + 6, class: "axis" }, chart);
    text(chart, X(v), T + ph + fs * 1.4, tickLabel(v, xs.step), { "text-anchor": "middle", class: "tick" });
  });
  svg("path", { d: "M" + L + " " + T + "V" + (T + ph) + "H" + (L + pw), class: "axis" }, chart);
  const slider = state.sliders.get(xKey);
  const xTitle = settingName(xKey) + (slider && slider.unit ? " (" + slider.unit + ")" : "") + " →";
  text(chart, L + pw, h - fs * 0.5, xTitle, { "text-anchor": "end", class: "axis-title" });
  text(chart, 2, fs * 1.1, "↑ " + fig.title + " (" + fig.unit + ")", { class: "axis-title" });

  // The legend, above the plot: each rule's marker and name, and what joins a pair.
  let lx = L;
  const ly = fs * 2.7;
  for (const name of ruleOrder) {
    marker(chart, ruleShape(name), lx + fs * 0.5, ly - fs * 0.35, fs * 0.42, ruleColour(name));
    text(chart, lx + fs * 1.2, ly, name, { fill: ruleColour(name), class: "legend" });
    lx += fs * 1.2 + name.length * charW + fs * 1.2;
  }
  svg("line", { x1: lx, x2: lx + fs * 1.5, y1: ly - fs * 0.35, y2: ly - fs * 0.35, class: "pair" }, chart);
  text(chart, lx + fs * 1.9, ly, "one run's two rules", { class: "legend" });

  // The pairs: a grey line joins a run's two rules, set a little apart across.
  const dx = Math.min(fs * 0.45, pw / 100);
  const r = fs * 0.42;
  for (const p of pairs) {
    const px = [X(p.x) - dx, X(p.x) + dx];
    svg("line", { x1: px[0], x2: px[1], y1: Y(p.ys[0]), y2: Y(p.ys[1]), class: "pair" }, chart);
  }
  for (const p of pairs) {
    [0, 1].forEach((i) => {
      const name = p.run.rules[i];
      const m = marker(chart, ruleShape(name), X(p.x) + (i === 0 ? -dx : dx), Y(p.ys[i]), r, ruleColour(name));
      const tip = svg("title", {}, m);
      tip.textContent = "run " + p.run.n + " (" + p.run.name + "), " + name + ": " + fmt(p.ys[i], fig.digits) +
        "; " + settingName(xKey) + " " + p.x;
    });
  }
  chart.dataset.points = String(pairs.length * 2);
  $("board-chart-note").textContent = (pairs.length ? "" : "No run to draw yet. ") +
    (blank ? blank + (blank === 1 ? " run has" : " runs have") + " no figure for this yet (recorded during the warm-up)." : "");
}

// ---- refreshing ----

async function loadControls() {
  try {
    const c = await api("/api/controls");
    for (const s of c.sliders) state.sliders.set(s.path, s);
  } catch (_) {
    // Without them the board names settings by their keys.
  }
}

/** Asks for the runs and draws them; one request at a time. */
function refresh() {
  if (!state.loading) {
    state.loading = (async () => {
      try {
        const board = await api("/api/board");
        state.runs = board.runs || [];
        // The sliders' words come with the board when the server sends them.
        for (const sl of board.sliders || []) state.sliders.set(sl.path, sl);
        showError("");
        draw();
        const now = new Date().toLocaleTimeString("en-GB");
        $("board-status").textContent = state.runs.length + (state.runs.length === 1 ? " run" : " runs") + "; updated " + now;
        document.body.dataset.runs = String(state.runs.length);
      } catch (e) {
        showError("The board could not be read: " + e.message);
      } finally {
        state.loading = null;
      }
    })();
  }
  return state.loading;
}

function draw() {
  drawMenus();
  drawTable();
  drawChart();
}

async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

async function start() {
  if (state.code !== null) $("board-back").href = "/?code=" + encodeURIComponent(state.code);
  $("board-refresh").addEventListener("click", refresh);
  $("board-x").addEventListener("change", drawChart);
  $("board-y").addEventListener("change", drawChart);
  window.addEventListener("resize", drawChart);
  await loadControls();
  poll();
}

window.board = { state, refresh };
start();
