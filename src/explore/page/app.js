// caseload explore: the page. Plain JavaScript, no libraries, no network but this server.
// Every action goes through one queue (`run`), so the page never sends two requests for
// the same session at once; `window.explore.idle()` resolves when the queue is empty (the
// browser test waits on it).
//
// The page's address holds the settings (`?rules=A,B&seed=N&<slider path>=<value>`, only
// the sliders moved from their defaults, plus `code` and `view=present` when given), so a
// reload or a shared link opens the same run.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

// Each rule's look, on the charts and beside its name: a colour and a line, so the two
// stay apart in grey print, for colour-blind readers, and where the lines coincide (the
// first is solid and wider, the second dashed on top of it).
const COLOURS = ["#1f5fa8", "#b5381f"];
const WIDTHS = [3.5, 2];
const DASHES = ["none", "7 4"];

// The daily figures drawn as charts; `axis` is the y axis's title (short enough for it).
const CHARTS = [
  { key: "open_assessments", title: "Open assessments", unit: "referrals not yet assessed", axis: "referrals open (not yet assessed)", digits: 0 },
  { key: "within_limit_to_date_pct", title: "Within the limit to date", unit: "% of assessments completed", axis: "% completed within the limit, to date", digits: 1 },
  { key: "late_days_per_high_risk_referral", title: "Late days for high-risk children", unit: "working days late per high/immediate-risk referral, to date", axis: "working days late per high-risk referral", digits: 2 },
  { key: "turnover_pct", title: "Turnover", unit: "% of employed social workers leaving a year, to date", axis: "% of social workers leaving a year", digits: 1 },
  { key: "vacancies", title: "Vacancies", unit: "posts without an employed worker", axis: "posts without an employed worker", digits: 0 },
];

// The figures table: the charts' figures today, then the measured means Little's law joins.
const FIGURES = [
  CHARTS[0],
  { key: "open_assessments_mean", title: "Open assessments, mean", unit: "mean open assessments a day, measured so far", digits: 1 },
  { key: "assessments_per_day", title: "Assessments completed a day", unit: "assessments completed per working day, measured so far", digits: 2 },
  { key: "days_to_completion_mean", title: "Days from referral to completion", unit: "mean working days from referral to a completed assessment, measured so far", digits: 1 },
  ...CHARTS.slice(1),
];

// The events counted since day 0 (`tally` of the events answer), in words; `sub` rows are
// part of the row above them.
const TALLY = [
  { key: "referral", words: "referrals arriving" },
  { key: "rereferral", words: "of which re-referrals (a child back after a missed need)", sub: true },
  { key: "decision", words: "timescale decisions" },
  { key: "late_decision", words: "of which decided after the start-by day had passed", sub: true },
  { key: "start", words: "assessments starting work" },
  { key: "late_start", words: "of which started later than the child's risk needed", sub: true },
  { key: "completion", words: "assessments completed" },
  { key: "over_limit", words: "of which over the limit", sub: true },
  { key: "missed", words: "of which the child's need was missed", sub: true },
  { key: "workforce", words: "workers leaving, going on absence, arriving or returning" },
  { key: "manager", words: "managers leaving or arriving" },
];

/** The feed shows at most this many events (the newest that pass the filters). */
const FEED_SHOWN = 1000;
/** The page keeps at most this many events, as the server does. */
const KEPT_EVENTS = 100000;

const state = {
  id: null, controls: null, day: 0, end: 0, warmup: 0,
  // The last event received (its `seq`), every event of the run received so far, how many
  // the server did not send (a gap in `seq`), and its tally since day 0.
  lastSeq: null, events: [], missing: 0, tally: null,
  series: null, playing: false, rules: ["", ""], follow: null,
  // The settings the session runs (what the address shows), the classroom code, the view.
  applied: null, code: null, present: false,
};

let queue = Promise.resolve();
function run(task) {
  queue = queue.then(task).catch((e) => showError(String(e && e.message ? e.message : e)));
  return queue;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const r = await fetch(path, init);
  const raw = await r.text();
  let data;
  try {
    data = JSON.parse(raw);
  } catch (_) {
    data = { error: raw };
  }
  if (!r.ok) {
    const e = new Error(data.error || ("HTTP " + r.status));
    e.fields = data.fields || [];
    throw e;
  }
  return data;
}

function session(path) { return "/api/sessions/" + state.id + path; }

function showError(text, fields) {
  const box = $("error");
  box.hidden = !text;
  box.textContent = text || "";
  document.querySelectorAll(".slider").forEach((el) => {
    el.classList.toggle("bad", !!fields && fields.includes(el.dataset.path));
  });
}

function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Number(x).toFixed(digits);
}

/** A whole number with thousands separated: 12,345. */
function count(n) { return Number(n).toLocaleString("en-GB"); }

/** A rule's name for labels: its name, numbered only when both sides run the same rule. */
function ruleName(i) {
  const r = state.rules;
  return r[0] === r[1] ? r[i] + " (" + (i + 1) + ")" : r[i];
}

// ---- the address ----

const ADDRESS_KEYS = ["code", "rules", "seed", "view"];

/** What the address asks for: `{code, present, rules, seed, values, problems}`. */
function readAddress() {
  const q = new URLSearchParams(window.location.search);
  const a = { code: q.get("code"), present: q.get("view") === "present", rules: null, seed: null, values: [], problems: [] };
  if (q.has("rules")) {
    const r = q.get("rules").split(",").map((s) => s.trim()).filter((s) => s);
    if (r.length === 2) a.rules = r;
    else a.problems.push("address: rules=" + q.get("rules") + ": name two rules, e.g. rules=practitioner_only,manager_shared");
  }
  if (q.has("seed")) {
    const s = Number(q.get("seed"));
    if (q.get("seed").trim() !== "" && Number.isInteger(s) && s >= 0) a.seed = s;
    else a.problems.push("address: seed=" + q.get("seed") + ": a whole number 0 or more is needed");
  }
  const paths = new Set(state.controls.sliders.map((s) => s.path));
  for (const [k, v] of q) {
    if (ADDRESS_KEYS.includes(k)) continue;
    const n = Number(v);
    if (!paths.has(k)) a.problems.push("address: " + k + ": is not one of the page's controls");
    else if (v.trim() === "" || !Number.isFinite(n)) a.problems.push("address: " + k + "=" + v + ": a number is needed");
    else a.values.push([k, n]);
  }
  return a;
}

/** One `key=value` of the address, with `,` and `:` left readable. */
function param(k, v) {
  const enc = (s) => encodeURIComponent(s).replace(/%2C/gi, ",").replace(/%3A/gi, ":");
  return enc(k) + "=" + enc(v);
}

/** Rewrites the address (without a new history entry) to the settings the session runs. */
function writeAddress() {
  const parts = [];
  if (state.code !== null) parts.push(param("code", state.code));
  if (state.applied) {
    parts.push(param("rules", state.applied.rules.join(",")));
    parts.push(param("seed", String(state.applied.seed)));
  }
  if (state.present) parts.push(param("view", "present"));
  if (state.applied) {
    const defaults = new Map(state.controls.sliders.map((s) => [s.path, s.value]));
    for (const [path, v] of state.applied.values) {
      if (defaults.get(path) !== v) parts.push(param(path, String(v)));
    }
  }
  const query = parts.length ? "?" + parts.join("&") : "";
  window.history.replaceState(null, "", window.location.pathname + query + window.location.hash);
}

/** An address of this server with the classroom code kept. */
function withCode(path) {
  return state.code === null ? path : path + "?code=" + encodeURIComponent(state.code);
}

// ---- settings ----

function settings() {
  const values = [];
  document.querySelectorAll(".slider").forEach((el) => {
    const n = Number(el.querySelector("input[type=number]").value);
    values.push([el.dataset.path, n]);
  });
  return { rules: [$("rule-0").value, $("rule-1").value], seed: Number($("seed").value), values };
}

/** Adds a rule to a rule menu if it is not there (an address may name any rule). */
function ruleOption(sel, name) {
  if ([...sel.options].some((o) => o.value === name)) return;
  const o = document.createElement("option");
  o.value = name;
  o.textContent = name;
  sel.appendChild(o);
}

/** Sets the controls: `rules` and `seed` when given, and each `[path, value]` of `values`. */
function setControls({ rules, seed, values }) {
  if (rules) {
    rules.forEach((r, i) => {
      // Only the offered rules, and this one.
      const sel = $("rule-" + i);
      for (const o of [...sel.options]) if (!state.controls.rule_choices.includes(o.value)) o.remove();
      ruleOption(sel, r);
      sel.value = r;
    });
  }
  if (seed !== null && seed !== undefined) $("seed").value = seed;
  for (const [path, v] of values) {
    const el = document.querySelector('.slider[data-path="' + path + '"]');
    if (!el) continue;
    el.querySelector("input[type=range]").value = v;
    el.querySelector("input[type=number]").value = v;
  }
}

/** The base scenario's settings, as `setControls` takes them. */
function defaults() {
  const c = state.controls;
  return { rules: c.rules, seed: c.seed, values: c.sliders.map((s) => [s.path, s.value]) };
}

function buildControls(c) {
  for (const i of [0, 1]) {
    const sel = $("rule-" + i);
    for (const r of c.rule_choices) ruleOption(sel, r);
    sel.value = c.rules[i];
    sel.addEventListener("change", () => run(applySettings));
  }
  $("seed").value = c.seed;
  $("seed").addEventListener("change", () => run(applySettings));
  const list = $("slider-list");
  for (const s of c.sliders) {
    const el = document.createElement("div");
    el.className = "slider";
    el.dataset.path = s.path;
    const prior = s.prior ? "; prior " + s.prior : "";
    el.innerHTML =
      '<div class="name"></div><div class="row"><input type="range"><input type="number"></div>' +
      '<div class="about"></div>';
    el.querySelector(".name").textContent = s.label;
    const about = el.querySelector(".about");
    about.textContent = s.unit + ". Allowed " + s.allowed + prior + ". Source: " + s.source;
    about.title = s.path;
    const range = el.querySelector("input[type=range]");
    const box = el.querySelector("input[type=number]");
    for (const inp of [range, box]) {
      inp.step = s.step;
      inp.setAttribute("aria-label", s.label);
    }
    range.min = s.min;
    range.max = s.max;
    range.value = s.value;
    box.value = s.value;
    range.addEventListener("input", () => { box.value = range.value; });
    range.addEventListener("change", () => { box.value = range.value; run(applySettings); });
    box.addEventListener("change", () => { range.value = box.value; run(applySettings); });
    list.appendChild(el);
  }
}

function clearLocal() {
  state.day = 0;
  state.lastSeq = null;
  state.events = [];
  state.missing = 0;
  state.tally = null;
  state.series = [0, 1].map(() => ({ day: [], ...Object.fromEntries(CHARTS.map((c) => [c.key, []])) }));
}

/** Opens the session (or starts it again) with the controls' settings; throws if refused. */
async function openWithControls() {
  const body = settings();
  if (state.id === null) {
    state.id = (await api("POST", "/api/sessions", body)).id;
  } else {
    await api("POST", session("/settings"), body);
  }
  state.applied = body;
  writeAddress();
  showError("");
  state.playing = false;
  $("play").textContent = "Play";
  clearLocal();
  state.follow = null;
  $("scenario-link").href = session("/scenario.toml");
  $("export-out").textContent = "";
  $("follow-out").textContent = "";
  $("record-status").textContent = "";
  await refresh();
}

/** Applies the controls' settings; a refusal is shown (with the refused sliders marked)
 * and the session keeps running what it ran. Whether they were applied. */
async function applySettings() {
  try {
    await openWithControls();
    return true;
  } catch (e) {
    showError(e.message, e.fields);
    return false;
  }
}

// ---- stepping ----

async function stepDays(days) {
  if (state.day >= state.end) return;
  await api("POST", session("/step"), { days });
  await refresh();
}

/** Asks for the events after the last one received, oldest first, as many requests as the
 * server needs to send them all (it says `more`), and keeps them; a gap in their numbers
 * (events the server no longer keeps) is counted as missing. */
async function fetchEvents() {
  for (let request = 0; request < 1000; request++) {
    const since = state.lastSeq === null ? "" : "?since=" + state.lastSeq;
    const answer = await api("GET", session("/events") + since);
    if (answer.tally) state.tally = answer.tally;
    for (const e of answer.events) {
      const expected = state.lastSeq === null ? 0 : state.lastSeq + 1;
      if (e.seq > expected) state.missing += e.seq - expected;
      state.events.push(e);
      state.lastSeq = e.seq;
    }
    const more = answer.more !== undefined ? answer.more : state.lastSeq < answer.next - 1;
    if (!answer.events.length || !more) break;
  }
  if (state.events.length > KEPT_EVENTS) {
    const over = state.events.length - KEPT_EVENTS;
    state.events.splice(0, over);
    state.missing += over;
  }
}

async function refresh() {
  const from = state.series[0].day.length ? state.series[0].day[state.series[0].day.length - 1] + 1 : 0;
  const [view, series] = await Promise.all([
    api("GET", session("/view")),
    api("GET", session("/series?from=" + from)),
    fetchEvents(),
  ]);
  state.day = view.day;
  state.end = view.end;
  state.warmup = view.warmup_days;
  state.rules = view.sides.map((s) => s.rule);
  series.sides.forEach((s, i) => {
    for (const k of ["day", ...CHARTS.map((c) => c.key)]) state.series[i][k].push(...s[k]);
  });
  drawClock(view);
  drawFigures(view);
  drawTeams(view);
  drawRuleMenu();
  drawTally();
  drawFeed();
  drawCharts();
  if (state.follow) await showFollow(api("GET", session("/follow")));
  document.body.dataset.day = String(state.day);
}

function drawClock(view) {
  const phase = view.day < view.warmup_days ? "warm-up, not measured" : "measured";
  $("clock").textContent = "day " + view.day + " of " + view.end + " (" + phase + ")";
  $("warmup-note").textContent =
    "Days 0 to " + (view.warmup_days - 1) + " are the warm-up: like `caseload run`, nothing is measured until day " +
    view.warmup_days + ", so figures to date are blank until then. The statutory limit is " + view.limit_days + " working days.";
}

function drawFigures(view) {
  const t = $("figures");
  t.textContent = "";
  const head = t.insertRow();
  head.innerHTML = "<th>figure</th>";
  view.sides.forEach((s, i) => {
    const th = document.createElement("th");
    th.className = "side-" + i;
    th.textContent = ruleName(i);
    head.appendChild(th);
  });
  for (const c of FIGURES) {
    const row = t.insertRow();
    const name = row.insertCell();
    name.textContent = c.title;
    name.title = c.unit;
    view.sides.forEach((s, i) => {
      const td = row.insertCell();
      td.className = "n";
      td.id = "fig-" + i + "-" + c.key;
      td.textContent = fmt(s.figures[c.key], c.digits);
    });
  }
  drawLittle(view);
}

/** Little's law under the table, a line a rule: the mean number open against the
 * throughput times the mean time each takes (equal when the queue is steady). */
function drawLittle(view) {
  const box = $("littles-law");
  box.textContent = "";
  view.sides.forEach((s, i) => {
    const f = s.figures;
    const [open, rate, days] = [f.open_assessments_mean, f.assessments_per_day, f.days_to_completion_mean];
    const p = document.createElement("p");
    p.id = "littles-law-" + i;
    const who = document.createElement("b");
    who.className = "side-" + i;
    who.textContent = ruleName(i) + ": ";
    const known = [open, rate, days].every((v) => v !== null && v !== undefined && !Number.isNaN(v));
    p.append(who, known
      ? "Little's law: " + fmt(open, 1) + " open on average; " + fmt(rate, 2) + " a day x " + fmt(days, 1) +
        " days = " + fmt(rate * days, 1)
      : "Little's law: measured from day " + view.warmup_days + ", after the warm-up");
    box.appendChild(p);
  });
  const why = document.createElement("p");
  why.className = "muted";
  why.textContent = "Little's law: in a queue that is neither filling nor emptying, the number open on average is " +
    "the number completed a day times the days each one takes. Where the two sides differ, the queue is still changing.";
  box.appendChild(why);
}

function workerCells(w) {
  const max = Math.max(w.cap, 25);
  const over = w.caseload > w.manageable ? " over" : "";
  return [
    w.kind + ", " + w.years.toFixed(1) + " yrs",
    '<span class="bar" title="' + w.caseload + " of cap " + w.cap + "; manageable " + w.manageable + '">' +
      '<span class="fill' + over + '" style="width:' + (100 * w.caseload / max).toFixed(1) + '%"></span>' +
      '<span class="mark" style="left:' + (100 * w.manageable / max).toFixed(1) + '%"></span></span> ' +
      w.caseload + "/" + w.cap + " (" + w.assessments + " assessments)",
    w.stress.toFixed(2),
  ];
}

function drawTeams(view) {
  const out = $("teams");
  out.textContent = "";
  view.sides.forEach((side, i) => {
    const col = document.createElement("div");
    col.className = "team";
    col.id = "team-" + i;
    const h3 = document.createElement("h3");
    h3.className = "side-" + i;
    h3.textContent = ruleName(i);
    let h = "";
    side.teams.forEach((t, ti) => {
      const m = t.manager
        ? "manager (" + t.manager.years.toFixed(1) + " yrs" + (t.manager.leaving_day !== null ? ", leaving day " + t.manager.leaving_day : "") + ")"
        : "no manager" + (t.manager_arrives !== null ? " until day " + t.manager_arrives : "");
      h += "<p>Team " + (ti + 1) + ": " + m + "; consultation queue <b>" + t.consult_queue +
        "</b>; waiting for a worker <b>" + t.unallocated + "</b></p>";
      h += "<table><tr><th>post</th><th>worker</th><th>caseload against cap (| manageable)</th><th>stress</th><th>note</th></tr>";
      for (const p of t.posts) {
        const notes = [];
        if (p.vacant) notes.push("vacancy" + (p.hire_day !== null ? ", hire due day " + p.hire_day : ""));
        if (p.absent) notes.push("own worker absent until day " + p.absent.back);
        if (p.worker && p.worker.kind === "agency") notes.push("agency cover");
        if (p.worker && p.worker.leaving_day !== null) notes.push("leaving day " + p.worker.leaving_day);
        if (!p.worker && p.agency_day !== null) notes.push("agency due day " + p.agency_day);
        const cells = p.worker ? workerCells(p.worker) : ["(empty)", "", ""];
        h += '<tr class="' + (p.worker ? "" : "vacant") + '"><td>' + (p.post + 1) + "</td><td>" + cells[0] + "</td><td>" +
          cells[1] + '</td><td class="n">' + cells[2] + "</td><td>" + notes.join("; ") + "</td></tr>";
      }
      h += "</table>";
    });
    col.innerHTML = h;
    col.prepend(h3);
    out.appendChild(col);
  });
}

// ---- what happened: the tally and the feed ----

/** The feed's rule menu names the rules running. */
function drawRuleMenu() {
  const sel = $("feed-side");
  for (const i of [0, 1]) {
    let o = sel.querySelector('option[value="' + i + '"]');
    if (!o) {
      o = document.createElement("option");
      o.value = String(i);
      sel.appendChild(o);
    }
    o.textContent = ruleName(i);
  }
}

function drawTally() {
  const t = $("tally");
  t.textContent = "";
  const head = t.insertRow();
  head.innerHTML = "<th>what</th>";
  for (const i of [0, 1]) {
    const th = document.createElement("th");
    th.className = "side-" + i;
    th.textContent = ruleName(i);
    head.appendChild(th);
  }
  const tally = state.tally || {};
  // The rows in their order, then any count this page has no words for yet.
  const rows = TALLY.concat(Object.keys(tally).filter((k) => !TALLY.some((r) => r.key === k))
    .map((k) => ({ key: k, words: k.replace(/_/g, " ") })));
  for (const r of rows) {
    const row = t.insertRow();
    if (r.sub) row.className = "sub";
    row.insertCell().textContent = r.words;
    for (const i of [0, 1]) {
      const td = row.insertCell();
      td.className = "n";
      td.id = "tally-" + i + "-" + r.key;
      // No tally yet: a dash; a count the server left out: none.
      td.textContent = !state.tally ? "–" : tally[r.key] ? count(tally[r.key][i]) : "0";
    }
  }
}

function drawFeed() {
  const kinds = new Set([...document.querySelectorAll("#feed-filters input[data-kind]")].filter((c) => c.checked).map((c) => c.dataset.kind));
  const high = $("high-only").checked;
  const late = $("late-only").checked;
  const side = $("feed-side").value;
  const words = $("feed-text").value.trim().toLowerCase();
  const matching = state.events.filter((e) =>
    kinds.has(e.kind) && (!high || e.high) && (!late || e.late) && (side === "both" || String(e.side) === side) &&
    (!words || e.text.toLowerCase().includes(words)));
  const shown = matching.slice(-FEED_SHOWN).reverse();
  let note = matching.length > FEED_SHOWN
    ? "showing the newest " + count(FEED_SHOWN) + " of " + count(matching.length) + " matching"
    : count(matching.length) + " matching";
  note += " (of " + count(state.events.length) + " events since day 0, newest first)";
  if (state.missing) note += "; " + count(state.missing) + " earlier events are not on this page";
  $("feed-count").textContent = note;
  const list = $("feed");
  list.textContent = "";
  list.start = Math.max(matching.length, 1);
  const frag = document.createDocumentFragment();
  for (const e of shown) {
    const li = document.createElement("li");
    li.className = "side-" + e.side + (e.key ? " keyed" : "") + (e.high ? " high" : "") + (e.late ? " late" : "");
    if (e.key) li.dataset.key = e.key;
    const tag = document.createElement("span");
    tag.className = "rule";
    tag.textContent = "[" + ruleName(e.side) + "] ";
    li.append(tag, e.text);
    frag.appendChild(li);
  }
  list.appendChild(frag);
}

// ---- charts: both rules on one SVG, the warm-up shaded ----

/** Round tick values for `lo` to `hi`: the widest step of 1, 2 or 5 times a power of
 * ten that gives at least `min` ticks (whole steps only if `integer`). With `widen` the
 * range grows to whole steps (a y axis); without, the ticks stay inside it (the days).
 * `{lo, hi, step, ticks}`. */
function niceTicks(lo, hi, min, integer, widen) {
  if (integer && hi - lo < min - 1) hi = lo + min - 1;
  if (!(hi > lo)) hi = lo + 1;
  const p = Math.pow(10, Math.floor(Math.log10(hi - lo)));
  for (const e of [p * 10, p, p / 10, p / 100]) {
    for (const m of [5, 2, 1]) {
      const step = m * e;
      if (integer && !Number.isInteger(step)) continue;
      const a = widen ? Math.floor(lo / step + 1e-9) * step : Math.ceil(lo / step - 1e-9) * step;
      const b = widen ? Math.ceil(hi / step - 1e-9) * step : Math.floor(hi / step + 1e-9) * step;
      const n = Math.round((b - a) / step) + 1;
      if (n >= min) {
        const ticks = [];
        for (let k = 0; k < n; k++) ticks.push(Number((a + k * step).toPrecision(12)));
        return widen ? { lo: ticks[0], hi: ticks[n - 1], step, ticks } : { lo, hi, step, ticks };
      }
    }
  }
  return { lo, hi, step: hi - lo, ticks: [lo, hi] };
}

/** Decimals a tick step needs (0.05: 2). */
function decimals(step) {
  for (let d = 0; d < 8; d++) if (Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) < 1e-6) return d;
  return 8;
}

/** A tick's label: thousands separated, as many decimals as the step needs. */
function tickLabel(v, step) {
  return Number(v).toLocaleString("en-GB", { minimumFractionDigits: decimals(step), maximumFractionDigits: decimals(step) });
}

/** An SVG element with attributes, appended to `parent` when given. */
function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

/** SVG text at (x, y), appended to `parent`. */
function label(parent, x, y, text, attrs) {
  const t = svg("text", Object.assign({ x, y }, attrs || {}), parent);
  t.textContent = text;
  return t;
}

function drawCharts() {
  if (!state.series) return;
  const box = $("charts");
  if (!box.children.length) {
    for (const c of CHARTS) {
      const f = document.createElement("figure");
      const cap = document.createElement("figcaption");
      cap.innerHTML = "<b></b>: <span></span>.";
      cap.querySelector("b").textContent = c.title;
      cap.querySelector("span").textContent = c.unit;
      const chart = svg("svg", { id: "chart-" + c.key, role: "img", "aria-label": c.title + ", both rules by day" });
      f.append(cap, chart);
      box.appendChild(f);
    }
  }
  for (const c of CHARTS) drawChart($("chart-" + c.key), c);
}

function drawChart(chart, c) {
  const w = Math.max(chart.parentNode.clientWidth || 0, 300);
  const h = parseFloat(window.getComputedStyle($("charts")).getPropertyValue("--chart-h")) || 240;
  const fs = parseFloat(window.getComputedStyle(chart).fontSize) || 12;
  const charW = fs * 0.6;
  chart.setAttribute("viewBox", "0 0 " + w + " " + h);
  chart.setAttribute("width", w);
  chart.setAttribute("height", h);
  chart.textContent = "";

  // Scales: days across (the whole run), the figure up from 0.
  const end = Math.max(state.end, 1);
  let top = 0;
  for (const s of state.series) for (const v of s[c.key]) if (v !== null && v > top) top = v;
  if (top === 0 && c.key.endsWith("_pct")) top = 100;
  const ys = niceTicks(0, top, 5, c.digits === 0, true);
  const xs = niceTicks(0, end, 5, true, false);
  const yLabels = ys.ticks.map((v) => tickLabel(v, ys.step));
  const L = Math.max(...yLabels.map((t) => t.length)) * charW + 12;
  // The legend's items (each rule's line, the warm-up's shading), in rows that fit.
  const items = [0, 1].map((i) => ({ i, name: ruleName(i), width: 36 + ruleName(i).length * charW }));
  if (state.warmup > 0) items.push({ warmup: true, name: "warm-up, not measured", width: fs + 6 + 21 * charW });
  let row = 0, at = L;
  for (const it of items) {
    if (at > L && at + it.width > w - 4) { row++; at = L; }
    it.x = at;
    it.row = row;
    at += it.width + 18;
  }
  const R = 12, T = fs * 2, B = fs * (3.6 + 1.5 * (row + 1));
  const pw = w - L - R, ph = h - T - B;
  const x = (d) => L + pw * d / end;
  const y = (v) => T + ph * (1 - (v - ys.lo) / (ys.hi - ys.lo));

  // The warm-up, shaded.
  const warm = Math.min(state.warmup, end);
  if (warm > 0) {
    svg("rect", { x: x(0), y: T, width: x(warm) - x(0), height: ph, class: "warmup" }, chart);
    if (x(warm) - x(0) > charW * 9) label(chart, x(0) + 4, T + fs, "warm-up", { class: "warmup-label" });
  }
  // Grid and ticks.
  ys.ticks.forEach((v, k) => {
    svg("line", { x1: L, x2: L + pw, y1: y(v), y2: y(v), class: "grid" }, chart);
    label(chart, L - 6, y(v) + fs * 0.35, yLabels[k], { "text-anchor": "end", class: "tick" });
  });
  xs.ticks.forEach((d) => {
    svg("line", { x1: x(d), x2: x(d), y1: T + ph, y2: T + ph + 5, class: "axis" }, chart);
    const anchor = x(d) - L < charW * 3 ? "start" : L + pw - x(d) < charW * 3 ? "end" : "middle";
    label(chart, x(d), T + ph + fs * 1.3, tickLabel(d, xs.step), { "text-anchor": anchor, class: "tick" });
  });
  svg("path", { d: "M" + L + " " + T + "V" + (T + ph) + "H" + (L + pw), class: "axis" }, chart);
  // Axis titles: the unit above the y axis, the days under the x axis.
  label(chart, 2, fs * 1.1, "↑ " + c.axis, { class: "axis-title" });
  label(chart, L + pw, T + ph + fs * 2.6, "day of the run (working days, 250 a year) →", { "text-anchor": "end", class: "axis-title" });

  // The lines, the first rule under the second; each named at its end.
  let points = 0;
  const ends = [];
  state.series.forEach((s, i) => {
    let d = "", pen = false, last = null;
    s[c.key].forEach((v, k) => {
      if (v === null) { pen = false; return; }
      const px = x(s.day[k]).toFixed(1), py = y(v).toFixed(1);
      d += (pen ? "L" : "M") + px + " " + py;
      pen = true;
      last = [Number(px), Number(py)];
      points++;
    });
    if (d) {
      svg("path", { d, class: "line", stroke: COLOURS[i], "stroke-width": WIDTHS[i], "stroke-dasharray": DASHES[i] }, chart);
      ends.push({ i, x: last[0], y: last[1] });
    }
  });
  placeEndLabels(chart, ends, fs, charW, L, T, pw, ph);
  chart.dataset.points = String(points);

  // The legend, under the plot.
  for (const it of items) {
    const ly = T + ph + fs * (4.4 + 1.5 * it.row);
    if (it.warmup) {
      svg("rect", { x: it.x, y: ly - fs * 0.85, width: fs, height: fs, class: "warmup" }, chart);
      label(chart, it.x + fs + 6, ly, it.name, { class: "legend" });
    } else {
      svg("line", { x1: it.x, x2: it.x + 30, y1: ly - fs * 0.35, y2: ly - fs * 0.35, class: "line", stroke: COLOURS[it.i], "stroke-width": WIDTHS[it.i], "stroke-dasharray": DASHES[it.i] }, chart);
      label(chart, it.x + 36, ly, it.name, { class: "legend", fill: COLOURS[it.i] });
    }
  }
}

/** Names each line at its end: right of it while the run goes on, above or below it near
 * the right edge; two ends close together are pushed apart. */
function placeEndLabels(chart, ends, fs, charW, L, T, pw, ph) {
  const gap = fs * 1.15;
  if (ends.length === 2 && Math.abs(ends[0].y - ends[1].y) < gap) {
    const [hi, lo] = ends[0].y <= ends[1].y ? ends : [ends[1], ends[0]];
    const mid = (hi.y + lo.y) / 2;
    hi.ly = mid - gap / 2;
    lo.ly = mid + gap / 2;
  }
  for (const e of ends) {
    const name = ruleName(e.i);
    const width = name.length * charW;
    let lx = e.x + 6, anchor = "start", ly = e.ly === undefined ? e.y : e.ly;
    if (lx + width > L + pw) {
      // No room right of the end: the label ends at the line's end, clear of the line.
      lx = e.x - 2;
      anchor = "end";
      const other = ends.find((o) => o !== e);
      const above = !other || e.y <= other.y;
      ly = e.y + (above ? -fs * 0.8 : fs * 1.3);
    }
    ly = Math.min(Math.max(ly, T + fs * 0.6), T + ph - fs * 0.2);
    label(chart, lx, ly + fs * 0.35, name, { "text-anchor": anchor, class: "end-label", fill: COLOURS[e.i] });
  }
}

// ---- follow a child ----

async function follow() {
  const key = $("follow-key").value.trim();
  if (!key) return;
  state.follow = key;
  await showFollow(api("POST", session("/follow"), { key }));
}

async function showFollow(request) {
  const f = await request;
  const out = $("follow-out");
  out.textContent = "";
  if (!f.key) return;
  f.sides.forEach((s, i) => {
    const col = document.createElement("div");
    const h = document.createElement("h3");
    h.className = "side-" + i;
    h.textContent = "Referral " + (f.label || f.key) + " under " + s.rule + ": " + s.now;
    const ol = document.createElement("ol");
    for (const t of s.events) {
      const li = document.createElement("li");
      li.textContent = t;
      ol.appendChild(li);
    }
    col.append(h, ol);
    out.appendChild(col);
  });
}

// ---- export ----

async function exportResults() {
  const out = $("export-out");
  out.textContent = "running the plan and writing the tables…";
  let r;
  try {
    r = await api("POST", session("/export"), { replications: Number($("export-n").value) });
  } catch (e) {
    out.textContent = e.message;
    return;
  }
  // In a classroom the server does not say where it wrote (its folders are the lecturer's).
  out.innerHTML = "<p>Written" + (r.folder ? " to <code></code>" : "") + ". <a>All files as a zip</a>. Files:</p><ul></ul>";
  if (r.folder) out.querySelector("code").textContent = r.folder;
  const zip = out.querySelector("a");
  zip.href = session("/results.zip");
  zip.download = "results.zip";
  const ul = out.querySelector("ul");
  for (const name of r.files) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = session("/files/" + encodeURIComponent(name));
    a.textContent = name;
    a.download = name;
    li.appendChild(a);
    ul.appendChild(li);
  }
}

// ---- the class board ----

async function record() {
  const status = $("record-status");
  const name = $("record-name").value.trim();
  status.classList.remove("bad");
  if (name.length < 1 || name.length > 40) {
    status.textContent = "a name of 1 to 40 characters is needed";
    status.classList.add("bad");
    return;
  }
  status.textContent = "recording…";
  try {
    const r = await api("POST", session("/record"), { name });
    status.textContent = "recorded (" + r.recorded + (r.recorded === 1 ? " run" : " runs") + " on the board)";
  } catch (e) {
    status.textContent = e.message;
    status.classList.add("bad");
  }
}

// ---- views: presentation, the settings panel ----

/** The presentation view (large type, charts first, the settings folded away) on or off. */
function setPresent(on) {
  state.present = on;
  document.body.classList.toggle("present", on);
  $("present").setAttribute("aria-pressed", String(on));
  $("present").textContent = on ? "Normal view" : "Presentation view";
  setSettingsOpen(!on);
}

function setSettingsOpen(open) {
  document.body.classList.toggle("settings-closed", !open);
  $("settings-toggle").setAttribute("aria-expanded", String(open));
  $("settings-toggle").textContent = open ? "Hide settings" : "Show settings";
}

/** Keeps anchors (the nav's) clear of the sticky bar, whatever its height. */
function fitSticky() {
  const h = $("sticky").offsetHeight;
  document.documentElement.style.scrollPaddingTop = (h + 8) + "px";
  document.documentElement.style.setProperty("--sticky-h", h + "px");
}

// ---- wiring ----

async function playLoop() {
  while (state.playing && state.day < state.end) {
    await run(() => stepDays(Number($("speed").value)));
    await new Promise((r) => setTimeout(r, 120));
  }
  state.playing = false;
  $("play").textContent = "Play";
}

function wire() {
  $("play").addEventListener("click", () => {
    state.playing = !state.playing;
    $("play").textContent = state.playing ? "Pause" : "Play";
    if (state.playing) playLoop();
  });
  $("step-day").addEventListener("click", () => run(() => stepDays(1)));
  $("step-month").addEventListener("click", () => run(() => stepDays(21)));
  $("reset").addEventListener("click", () => run(applySettings));
  $("follow").addEventListener("click", () => run(follow));
  $("export").addEventListener("click", () => run(exportResults));
  $("record").addEventListener("click", () => run(record));
  $("record-name").addEventListener("keydown", (e) => { if (e.key === "Enter") run(record); });
  $("present").addEventListener("click", () => {
    setPresent(!state.present);
    writeAddress();
    drawCharts();
    fitSticky();
  });
  $("settings-toggle").addEventListener("click", () => {
    setSettingsOpen(document.body.classList.contains("settings-closed"));
    drawCharts();
  });
  // One listener for the whole feed: a click on a line about a referral follows it.
  $("feed").addEventListener("click", (e) => {
    const li = e.target.closest("li.keyed");
    if (!li) return;
    $("follow-key").value = li.dataset.key;
    run(follow);
  });
  document.querySelectorAll("#feed-filters input, #feed-filters select").forEach((el) => el.addEventListener("input", drawFeed));
  window.addEventListener("resize", () => { drawCharts(); fitSticky(); });
  if (window.ResizeObserver) new ResizeObserver(fitSticky).observe($("sticky"));
  window.addEventListener("pagehide", () => { if (state.id) navigator.sendBeacon(session("/close")); });
}

async function start() {
  wire();
  fitSticky();
  state.controls = await api("GET", "/api/controls");
  const c = state.controls;
  $("about").textContent += " Scenario: " + c.scenario + " (" + c.description + ").";
  $("classroom").hidden = !c.classroom;
  if (c.max_export_replications >= 1) {
    $("export-n").max = c.max_export_replications;
    $("export-n").title = "1 to " + c.max_export_replications;
  }
  buildControls(c);
  const address = readAddress();
  state.code = address.code;
  $("board-link").href = withCode("/board");
  setPresent(address.present);
  clearLocal();
  // The address's settings; if they cannot run, the defaults, and say why.
  let refused = address.problems.join("\n");
  if (!refused) {
    setControls(address);
    try {
      await openWithControls();
    } catch (e) {
      refused = e.message;
    }
  }
  if (refused) {
    setControls(defaults());
    if (await applySettings()) {
      showError("The address's settings could not be used, so this page runs the defaults:\n" + refused);
    }
  }
}

window.explore = { state, stepDays: (d) => run(() => stepDays(d)), idle: () => queue };
run(start);
