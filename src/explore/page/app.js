// caseload explore: the page. Plain JavaScript, no libraries, no network but this server.
// Every action goes through one queue (`run`), so the page never sends two requests for
// the same session at once; `window.explore.idle()` resolves when the queue is empty (the
// browser test waits on it).
"use strict";

const $ = (id) => document.getElementById(id);
const COLOURS = ["#1f5fa8", "#b5381f"];
const CHARTS = [
  { key: "open_assessments", title: "Open assessments", unit: "referrals not yet assessed", digits: 0 },
  { key: "within_limit_to_date_pct", title: "Within the limit to date", unit: "% of assessments completed", digits: 1 },
  { key: "late_days_per_high_risk_referral", title: "Late days for high-risk children", unit: "working days late per high/immediate-risk referral, to date", digits: 2 },
  { key: "turnover_pct", title: "Turnover", unit: "% of employed social workers leaving a year, to date", digits: 1 },
  { key: "vacancies", title: "Vacancies", unit: "posts without an employed worker", digits: 0 },
];

const state = {
  id: null, controls: null, day: 0, end: 0, warmup: 0, nextSeq: null,
  series: null, events: [], playing: false, rules: ["", ""], follow: null,
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

// ---- settings ----

function settings() {
  const values = [];
  document.querySelectorAll(".slider").forEach((el) => {
    const n = Number(el.querySelector("input[type=number]").value);
    values.push([el.dataset.path, n]);
  });
  return { rules: [$("rule-0").value, $("rule-1").value], seed: Number($("seed").value), values };
}

function buildControls(c) {
  for (const i of [0, 1]) {
    const sel = $("rule-" + i);
    for (const r of c.rule_choices) {
      const o = document.createElement("option");
      o.value = r;
      o.textContent = r;
      sel.appendChild(o);
    }
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
  state.nextSeq = null;
  state.events = [];
  state.series = [0, 1].map(() => ({ day: [], ...Object.fromEntries(CHARTS.map((c) => [c.key, []])) }));
}

async function applySettings() {
  const body = settings();
  try {
    if (state.id === null) {
      state.id = (await api("POST", "/api/sessions", body)).id;
    } else {
      await api("POST", session("/settings"), body);
    }
  } catch (e) {
    showError(e.message, e.fields);
    return;
  }
  showError("");
  state.playing = false;
  $("play").textContent = "Play";
  clearLocal();
  state.follow = null;
  $("scenario-link").href = session("/scenario.toml");
  $("export-out").textContent = "";
  $("follow-out").textContent = "";
  await refresh();
}

// ---- stepping ----

async function stepDays(days) {
  if (state.day >= state.end) return;
  await api("POST", session("/step"), { days });
  await refresh();
}

async function refresh() {
  const since = state.nextSeq ? "?since=" + (state.nextSeq - 1) : "";
  const from = state.series[0].day.length ? state.series[0].day[state.series[0].day.length - 1] + 1 : 0;
  const [view, events, series] = await Promise.all([
    api("GET", session("/view")),
    api("GET", session("/events") + since),
    api("GET", session("/series?from=" + from)),
  ]);
  state.day = view.day;
  state.end = view.end;
  state.warmup = view.warmup_days;
  state.rules = view.sides.map((s) => s.rule);
  for (const e of events.events) state.events.push(e);
  if (state.events.length > 600) state.events.splice(0, state.events.length - 600);
  state.nextSeq = events.next;
  series.sides.forEach((s, i) => {
    for (const k of ["day", ...CHARTS.map((c) => c.key)]) state.series[i][k].push(...s[k]);
  });
  drawClock(view);
  drawFigures(view);
  drawTeams(view);
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
    th.textContent = s.rule;
    head.appendChild(th);
  });
  for (const c of CHARTS) {
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
    let h = '<h3 class="side-' + i + '">' + side.rule + "</h3>";
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
    out.appendChild(col);
  });
}

function drawFeed() {
  const kinds = new Set([...document.querySelectorAll("#feed-filters input[data-kind]")].filter((c) => c.checked).map((c) => c.dataset.kind));
  const high = $("high-only").checked;
  const side = $("feed-side").value;
  const words = $("feed-text").value.trim().toLowerCase();
  const list = $("feed");
  list.textContent = "";
  const shown = state.events.filter((e) =>
    kinds.has(e.kind) && (!high || e.high) && (side === "both" || String(e.side) === side) &&
    (!words || e.text.toLowerCase().includes(words)));
  for (const e of shown.slice(-300).reverse()) {
    const li = document.createElement("li");
    li.className = "side-" + e.side + (e.key ? " keyed" : "") + (e.high ? " high" : "");
    li.textContent = "[" + state.rules[e.side] + "] " + e.text;
    if (e.key) li.addEventListener("click", () => { $("follow-key").value = e.key; run(follow); });
    list.appendChild(li);
  }
}

// ---- charts: both rules on one canvas, the warm-up shaded ----

function drawCharts() {
  const box = $("charts");
  if (!box.children.length) {
    for (const c of CHARTS) {
      const f = document.createElement("figure");
      f.innerHTML = "<canvas></canvas><figcaption></figcaption>";
      f.querySelector("canvas").id = "chart-" + c.key;
      f.querySelector("figcaption").innerHTML = "<b>" + c.title + "</b>: " + c.unit + ". " +
        '<span class="side-0">&#9632; first rule</span> <span class="side-1">&#9632; second rule</span>';
      box.appendChild(f);
    }
  }
  for (const c of CHARTS) drawChart($("chart-" + c.key), c);
}

function drawChart(canvas, c) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || 330, h = canvas.clientHeight || 170;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const L = 44, R = 8, T = 8, B = 22;
  const end = Math.max(state.end, 1);
  let top = 0;
  for (const s of state.series) for (const v of s[c.key]) if (v !== null && v > top) top = v;
  top = top <= 0 ? 1 : niceTop(top);
  const x = (d) => L + (w - L - R) * d / end;
  const y = (v) => T + (h - T - B) * (1 - v / top);
  g.fillStyle = "#f0f0f0";
  g.fillRect(x(0), T, x(state.warmup) - x(0), h - T - B);
  g.strokeStyle = "#999";
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(L, T);
  g.lineTo(L, h - B);
  g.lineTo(w - R, h - B);
  g.stroke();
  g.fillStyle = "#333";
  g.font = "10px sans-serif";
  g.textAlign = "right";
  for (const v of [0, top / 2, top]) g.fillText(fmt(v, top < 10 ? 1 : 0), L - 4, y(v) + 3);
  g.textAlign = "center";
  for (let yr = 0; yr * 250 <= end; yr++) {
    g.textAlign = yr === 0 ? "left" : yr * 250 + 125 > end ? "right" : "center";
    g.fillText("year " + yr, x(yr * 250), h - 8);
  }
  let points = 0;
  state.series.forEach((s, i) => {
    g.strokeStyle = COLOURS[i];
    g.lineWidth = 1.5;
    g.beginPath();
    let pen = false;
    s[c.key].forEach((v, k) => {
      if (v === null) { pen = false; return; }
      const px = x(s.day[k]), py = y(v);
      if (pen) g.lineTo(px, py); else g.moveTo(px, py);
      pen = true;
      points++;
    });
    g.stroke();
  });
  canvas.dataset.points = String(points);
}

function niceTop(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
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
    h.textContent = "Referral " + f.key + " under " + s.rule + ": " + s.now;
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
  out.innerHTML = "<p>Written to <code></code>. <a>All files as a zip</a>. Files:</p><ul></ul>";
  out.querySelector("code").textContent = r.folder;
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
  document.querySelectorAll("#feed-filters input, #feed-filters select").forEach((el) => el.addEventListener("input", drawFeed));
  window.addEventListener("resize", drawCharts);
  window.addEventListener("pagehide", () => { if (state.id) navigator.sendBeacon(session("/close")); });
}

async function start() {
  wire();
  state.controls = await api("GET", "/api/controls");
  $("about").textContent += " Scenario: " + state.controls.scenario + " (" + state.controls.description + ").";
  buildControls(state.controls);
  clearLocal();
  await applySettings();
}

window.explore = { state, stepDays: (d) => run(() => stepDays(d)), idle: () => queue };
run(start);
