// The planning page: plain JavaScript over the server's JSON API, no build step.
"use strict";

const state = {
  info: null,
  path: null,        // the scenario file open, relative to the served folder
  scenario: null,    // what GET /api/scenario said of it
  edits: {},         // the changes, as a file that extends the original writes them
  committed: null,   // the last proven result: what the next plan is compared with
  shown: null,       // the result on the page
  sequence: 0,       // each solve's number: an answer to an older one is dropped
  timer: null,
  frontier: null,    // {id, poll}
};

const DEBOUNCE_MS = 250;
const METRICS = ["count", "spend", "reach", "engagements", "conversions", "revenue"];
const LABELS = {
  count: "Influencers", spend: "Spend", reach: "Reach", engagements: "Engagements",
  conversions: "Conversions", revenue: "Revenue", profit: "Profit", cpa: "Cost per conversion",
};
const MONEY = new Set(["spend", "revenue", "profit", "cpa"]);
const TIER_COLOURS = { nano: "#9b8ce0", micro: "#2f9e8f", macro: "#e08a2f", mega: "#c2417a" };

// Helpers --------------------------------------------------------------------------------

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") Object.assign(node.style, value); // CSSOM: allowed by the page's policy
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

function currency() {
  return (state.scenario && state.scenario.form && state.scenario.form.currency) || "USD";
}

function number(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const places = digits === undefined ? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2) : digits;
  return value.toLocaleString("en-US", { maximumFractionDigits: places, minimumFractionDigits: 0 });
}

function money(value, cents) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  const places = value !== 0 && (cents || Math.abs(value) < 100) ? 2 : 0;
  return value.toLocaleString("en-US", {
    style: "currency", currency: currency(), maximumFractionDigits: places, minimumFractionDigits: places,
  });
}

function percent(value, digits = 1) {
  if (value === null || value === undefined) return "–";
  return (value * 100).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) + "%";
}

function figure(metric, value) {
  return MONEY.has(metric) ? money(value) : number(value);
}

function signed(text, value) {
  return (value > 0 ? "+" : value < 0 ? "−" : "±") + text;
}

function copy(value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)); }

async function api(method, url, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("application/json") ? await response.json() : await response.blob();
  return { ok: response.ok, status: response.status, data, response };
}

function busy(on) { $("busy").hidden = !on; }

// Files ----------------------------------------------------------------------------------

async function loadInfo() {
  const { data } = await api("GET", "/api/info");
  state.info = data;
  $("folder").textContent = data.directory ? "· " + data.directory : "";
  if (data.warning) {
    $("warning").textContent = data.warning;
    $("warning").hidden = false;
  }
}

async function loadFiles() {
  const { data } = await api("GET", "/api/files");
  const list = $("file-list");
  list.replaceChildren();
  for (const file of data.files) {
    const link = el("a", {
      href: "#" + encodeURIComponent(file.path),
      class: file.path === state.path ? "current" : null,
      dataset: { path: file.path },
      onclick: (event) => { event.preventDefault(); openScenario(file.path); },
    }, file.path, file.name ? el("small", { text: file.name }) : null);
    list.append(el("li", {}, link));
  }
}

async function openScenario(path) {
  cancelFrontier("");
  state.path = path;
  state.edits = {};
  state.committed = null;
  state.shown = null;
  history.replaceState(null, "", "#" + encodeURIComponent(path));
  for (const link of document.querySelectorAll("#file-list a")) {
    link.classList.toggle("current", link.dataset.path === path);
  }
  const { ok, data } = await api("GET", "/api/scenario?path=" + encodeURIComponent(path));
  $("welcome").hidden = true;
  $("scenario").hidden = false;
  $("title").textContent = (data && data.name) || path;
  $("path").textContent = path;
  $("changes").hidden = true;
  $("frontier-chart").replaceChildren();
  $("frontier-state").textContent = "";
  $("save-state").textContent = "";
  const stem = path.split("/").pop().replace(/\.(ya?ml|json|toml)$/i, "");
  $("save-name").value = stem + "-edited.yaml";
  if (!ok || !data.form) {
    state.scenario = null;
    $("controls").hidden = true;
    $("results").hidden = true;
    $("status").textContent = "";
    showProblems((data && data.problems) || [{ path: "", message: (data && data.error) || "cannot open" }], true);
    return;
  }
  state.scenario = data;
  $("controls").hidden = false;
  $("results").hidden = false;
  buildControls();
  const form = data.form;
  if (form.budget.total) {
    $("frontier-from").value = Math.round(form.budget.total * 0.25);
    $("frontier-to").value = Math.round(form.budget.total * 2);
  }
  solveNow();
}

// Edits ----------------------------------------------------------------------------------

function setEdit(path, value) {
  let node = state.edits;
  for (const part of path.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null || Array.isArray(node[part])) node[part] = {};
    node = node[part];
  }
  node[path[path.length - 1]] = value;
}

function ruleList(kind) {
  // A rule list is restated whole in the edits, as a child file must write it.
  if (!state.edits.rules || !state.edits.rules[kind]) {
    setEdit(["rules", kind], copy((state.scenario.data.rules || {})[kind] || []));
  }
  return state.edits.rules[kind];
}

function changed() {
  clearTimeout(state.timer);
  cancelFrontier("cancelled: the scenario changed");
  state.timer = setTimeout(solveNow, DEBOUNCE_MS);
}

// Controls -------------------------------------------------------------------------------

function readNumber(input) {
  const text = input.value.trim();
  if (text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : NaN;
}

// A slider and a typed value for one number; `apply(value)` records the edit (null: none).
function numberField({ label, path, value, min, max, step, format, apply, allowEmpty = true }) {
  const top = Math.max(max, value || 0);
  const slider = el("input", {
    type: "range", min, max: top, step, value: value === null ? (allowEmpty ? min : min) : value,
    "aria-label": label + " (slider)",
  });
  const typed = el("input", {
    type: "number", step: "any", value: value === null ? "" : value, "aria-label": label,
    placeholder: allowEmpty ? "none" : "", dataset: { path },
  });
  const shown = format ? el("span", { class: "muted small" }, format(value)) : null;
  const field = el("div", { class: "field", dataset: { field: path } },
    el("label", {}, label, shown ? " " : null, shown),
    el("div", { class: "pair" }, slider, typed));
  slider.addEventListener("input", () => {
    typed.value = slider.value;
    if (shown) shown.textContent = format(Number(slider.value));
    apply(Number(slider.value));
    changed();
  });
  typed.addEventListener("input", () => {
    const read = readNumber(typed);
    if (read === null && !allowEmpty) return;
    if (read !== null && !Number.isNaN(read)) {
      if (read > Number(slider.max)) slider.max = read;
      slider.value = read;
    }
    if (shown) shown.textContent = format(read);
    apply(Number.isNaN(read) ? typed.value : read);
    changed();
  });
  return field;
}

function boundBox(name, path, bounds, scale, apply) {
  const box = el("div", { class: "bounds" });
  for (const side of ["min", "max"]) {
    const field = numberField({
      label: side, path: path + "." + side, value: bounds[side],
      min: 0, max: scale.max, step: scale.step, format: scale.format,
      apply: (value) => apply(side, value),
    });
    field.classList.add("bound");
    box.append(field);
  }
  return box;
}

function buildControls() {
  const form = state.scenario.form;
  const data = state.scenario.data;
  // Budget
  const budget = $("budget-fields");
  budget.replaceChildren();
  if (form.budget.total !== null) {
    budget.append(numberField({
      label: "Total", path: "budget.total", value: form.budget.total, min: 0,
      max: Math.round(form.budget.total * 3), step: Math.max(1, Math.round(form.budget.total / 200)),
      format: (v) => money(v), allowEmpty: false,
      apply: (value) => setEdit(["budget", "total"], value),
    }));
  } else {
    budget.append(el("p", { class: "muted small" }, "No total: the objective minimises spend."));
  }
  const scale = Math.max(form.budget.total || 100000, 1);
  for (const period of form.periods) {
    const bounds = form.budget.periods[period];
    budget.append(el("div", { class: "rule-box" },
      el("span", { class: "rule-name" }, period),
      boundBox(period, "budget.periods." + period, bounds,
        { max: Math.round(scale), step: Math.max(1, Math.round(scale / 200)), format: null },
        (side, value) => setEdit(["budget", "periods", period, side], value))));
  }
  // Objective
  const objective = $("objective-fields");
  objective.replaceChildren();
  const select = el("select", { id: "objective", "aria-label": "Objective", dataset: { path: "objective" } },
    state.scenario.objectives.map((name) =>
      el("option", { value: name, selected: name === form.objective }, name === "minimize spend" ? "least spend" : "most " + name)));
  select.addEventListener("change", () => {
    state.edits.objective = select.value === "minimize spend" ? { minimize: "spend" } : select.value;
    changed();
  });
  objective.append(el("div", { class: "field", dataset: { field: "objective" } },
    el("label", { for: "objective" }, "Optimise for"), select));
  if (form.objective_detail) {
    objective.append(el("p", { class: "muted small" }, "The file weighs risk or a target: choosing another objective here replaces it."));
  }
  objective.append(numberField({
    label: "Average order value", path: "average_order_value", value: form.average_order_value,
    min: 0, max: Math.max(200, (form.average_order_value || 0) * 3), step: 1,
    apply: (value) => { state.edits.average_order_value = value; },
  }));
  // Presets
  const presets = $("preset-fields");
  presets.replaceChildren();
  const chosen = new Set(form.presets);
  const box = el("div", { class: "presets", dataset: { field: "rules.presets" } });
  for (const preset of state.scenario.presets) {
    const check = el("input", { type: "checkbox", value: preset.name, checked: chosen.has(preset.name), dataset: { path: "rules.presets" } });
    check.addEventListener("change", () => {
      const names = [...box.querySelectorAll("input:checked")].map((input) => input.value);
      setEdit(["rules", "presets"], names);
      changed();
    });
    box.append(el("label", {}, check, " ", el("strong", {}, preset.name), " ", el("small", {}, preset.description)));
  }
  presets.append(box);
  presets.append(numberField({
    label: "Tolerance (± around each preset target)", path: "rules.tolerance", value: form.tolerance,
    min: 0, max: 0.5, step: 0.01, format: (v) => (v === null ? "" : percent(v)), allowEmpty: false,
    apply: (value) => setEdit(["rules", "tolerance"], value),
  }));
  // Shares
  const shares = $("share-fields");
  shares.replaceChildren();
  if (!form.shares.length) shares.append(el("p", { class: "muted small" }, "None in this scenario."));
  form.shares.forEach((rule, index) => {
    const what = Object.entries(rule.select).map(([k, v]) => k + " " + (Array.isArray(v) ? v.join(", ") : v)).join("; ");
    shares.append(el("div", { class: "rule-box" },
      el("span", { class: "rule-name" }, rule.name),
      el("div", { class: "muted small" }, `${what || "everything"}: share of ${rule.of}` + (rule.within === "period" ? " in each period" : "")),
      boundBox(rule.name, `rules.shares[${index}]`, rule,
        { max: 1, step: 0.01, format: (v) => (v === null ? "" : percent(v)) },
        (side, value) => { ruleList("shares")[index][side] = value; })));
  });
  // Limits
  const limits = $("limit-fields");
  limits.replaceChildren();
  if (!form.limits.length) limits.append(el("p", { class: "muted small" }, "None in this scenario."));
  form.limits.forEach((rule, index) => {
    const rows = Object.entries(rule.bounds).map(([metric, bounds]) => {
      const largest = Math.max(bounds.min || 0, bounds.max || 0);
      const top = metric === "count" ? Math.max(10, largest * 3) : Math.max(1000, largest * 3);
      return el("div", {},
        el("div", { class: "muted small" }, metric + (rule.per.length ? " per " + rule.per.join(", ") : "")),
        boundBox(rule.name, `rules.limits[${index}].${metric}`, bounds,
          { max: Math.round(top), step: metric === "count" ? 1 : Math.max(1, Math.round(top / 200)), format: null },
          (side, value) => {
            const entry = ruleList("limits")[index];
            entry[metric] = Object.assign({}, entry[metric] || {}, { [side]: value });
          }));
    });
    limits.append(el("div", { class: "rule-box" }, el("span", { class: "rule-name" }, rule.name), rows));
  });
  // Offers
  const offers = $("offer-fields");
  offers.replaceChildren();
  const table = el("table", { class: "offers" });
  for (const offer of form.offers) {
    const path = `platforms.${offer.platform}.tiers.${offer.tier}.available`;
    const input = el("input", {
      type: "number", min: 0, step: 1, value: offer.available === null ? "" : offer.available,
      placeholder: "no limit", "aria-label": `${offer.platform} ${offer.tier} available`, dataset: { path },
    });
    input.addEventListener("input", () => {
      const value = readNumber(input);
      setEdit(["platforms", offer.platform, "tiers", offer.tier, "available"], Number.isNaN(value) ? input.value : value);
      changed();
    });
    table.append(el("tr", { dataset: { field: path } },
      el("td", {}, offer.platform), el("td", {}, offer.tier), el("td", {}, input)));
  }
  offers.append(table);
  $("limits-set").hidden = false;
}

// Solving --------------------------------------------------------------------------------

async function solveNow() {
  if (!state.path || !state.scenario) return;
  const number = ++state.sequence;
  const body = { path: state.path, edits: copy(state.edits) };
  busy(true);
  const first = await api("POST", "/api/solve", { ...body, preview: true }).catch(failed);
  if (number !== state.sequence) return;
  // A first answer stopped by its time box before any plan is no answer: the proven plan follows.
  const boxed = first.ok && first.data.plan && first.data.plan.status === "time_limit";
  if (!boxed) {
    if (!show(first)) { busy(false); return; }
    if (!["optimal", "feasible"].includes(first.data.plan.status)) {
      // No plan at any precision: the first answer is the whole answer.
      busy(false);
      state.committed = first.data;
      return;
    }
  }
  const exact = await api("POST", "/api/solve", { ...body, preview: false }).catch(failed);
  if (number !== state.sequence) return;
  busy(false);
  if (show(exact)) state.committed = exact.data;
}

function failed(error) {
  return { ok: false, status: 0, data: { error: "the server did not answer: " + error } };
}

function show(answer) {
  const { ok, status, data } = answer;
  if (status === 422 && data.problems) {
    showProblems(data.problems);
    return false;
  }
  if (!ok) {
    showProblems([{ path: "", message: data.error || "the server said " + status }]);
    return false;
  }
  showProblems([]);
  render(data);
  return true;
}

// Field problems: each shown on its field where the page has one, the rest above.
function showProblems(problems, whole) {
  for (const node of document.querySelectorAll(".field-error")) node.remove();
  for (const node of document.querySelectorAll(".invalid")) node.classList.remove("invalid");
  const panel = $("problems");
  panel.replaceChildren();
  if (!problems.length) { panel.hidden = true; return; }
  const general = [];
  for (const problem of problems) {
    const field = whole ? null : fieldFor(problem.path);
    if (field) {
      field.classList.add("invalid");
      field.append(el("span", { class: "field-error" }, problem.message));
    }
    general.push(problem);
  }
  panel.append(el("strong", {}, "This scenario cannot be solved as it stands:"),
    el("ul", {}, general.map((p) => el("li", {}, p.path ? el("code", {}, p.path) : null, p.path ? ": " : null, p.message))));
  panel.hidden = false;
}

function fieldFor(path) {
  if (!path) return null;
  const fields = [...document.querySelectorAll("[data-field]")];
  const exact = fields.find((node) => node.dataset.field === path);
  if (exact) return exact;
  const within = fields.filter((node) => path.startsWith(node.dataset.field + ".") || path.startsWith(node.dataset.field + "["));
  if (within.length) return within.sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
  return fields.find((node) => node.dataset.field.startsWith(path + ".") || node.dataset.field.startsWith(path + "[")) || null;
}

function render(result) {
  const previous = state.committed;
  state.shown = result;
  const plan = result.plan;
  renderStatus(result);
  renderChanges(previous, result);
  renderConflicts(plan);
  renderNotes(plan);
  renderTotals(result, previous);
  renderPlan(result, previous);
  renderShares(result);
  renderRules(plan);
  renderUncertainty(plan, result.first_answer === "midpoint");
}

function renderStatus(result) {
  const plan = result.plan;
  const status = $("status");
  status.replaceChildren();
  status.append(el("span", { class: "tag " + plan.status, id: "plan-status" }, plan.status));
  const objective = plan.objective;
  if (objective.value !== null) {
    const verb = objective.sense === "minimize" ? "least " : "";
    status.append(`${verb}${objective.metric}: `, el("strong", { id: "objective-value" }, figure(objective.metric, objective.value)));
    if (objective.gap !== null) status.append(`, within ${percent(objective.gap, 2)} of the best possible`);
  }
  status.append(el("span", { class: "muted" }, ` · solved in ${number(plan.solver.seconds, 2)} s`));
  if (result.first_answer === "midpoint") {
    const draws = plan.uncertainty ? number(plan.uncertainty.draws) + " " : "";
    status.append(el("span", { class: "muted", id: "preview-note" },
      ` · first answer: the plan made for the midpoint figures, judged on the ${draws}draws; solving for the risk over the draws…`));
  } else if (result.preview && ["optimal", "feasible"].includes(plan.status)) {
    status.append(el("span", { class: "muted", id: "preview-note" }, " · first answer, proving the plan…"));
  }
}

function hasPlan(result) { return ["optimal", "feasible"].includes(result.plan.status); }

function totalsOf(result) {
  const totals = Object.assign({}, result.plan.totals);
  totals.cpa = totals.conversions > 0 ? totals.spend / totals.conversions : null;
  return totals;
}

function renderChanges(previous, result) {
  const box = $("changes");
  box.replaceChildren();
  if (!previous) { box.hidden = true; return; }
  const items = [];
  if (previous.plan.status !== result.plan.status) {
    items.push(el("li", {}, `status ${previous.plan.status} → ${result.plan.status}`));
  }
  if (!hasPlan(result) || !hasPlan(previous)) {
    if (!hasPlan(result)) items.push(el("li", {}, "no plan keeps every rule: see the conflicting rules below"));
    box.append(el("strong", {}, "Against the previous plan"), el("ul", { id: "change-list" }, items));
    box.hidden = false;
    return;
  }
  const before = totalsOf(previous);
  const after = totalsOf(result);
  for (const metric of ["spend", result.plan.objective.metric, "conversions", "count"]) {
    if (!(metric in after) || items.some((item) => item.dataset.metric === metric)) continue;
    const a = before[metric], b = after[metric];
    if (a === null || b === null || a === undefined || b === undefined) continue;
    if (Math.abs(b - a) <= 1e-6 * Math.max(1, Math.abs(a))) continue;
    const change = a ? ` (${signed(percent(Math.abs(b - a) / Math.abs(a)), b - a)})` : "";
    items.push(el("li", { dataset: { metric } }, `${LABELS[metric] || metric} ${figure(metric, a)} → ${figure(metric, b)}${change}`));
  }
  const cells = cellChanges(previous, result);
  if (cells.length) {
    const shown = cells.slice(0, 6).map((c) => `${c.platform} ${c.tier} ${c.period} ${number(c.before)} → ${number(c.after)}`);
    items.push(el("li", {}, "influencers: " + shown.join("; ") + (cells.length > 6 ? `; and ${cells.length - 6} more cells` : "")));
  }
  const binding = (plan) => new Set((plan.rules || []).filter((r) => r.binding).map((r) => r.name));
  const was = binding(previous.plan), now = binding(result.plan);
  const starts = [...now].filter((n) => !was.has(n)), stops = [...was].filter((n) => !now.has(n));
  if (starts.length) items.push(el("li", {}, "now binds: " + starts.join(", ")));
  if (stops.length) items.push(el("li", {}, "no longer binds: " + stops.join(", ")));
  if (!items.length) items.push(el("li", {}, "the plan is the same as before"));
  box.append(el("strong", {}, "Against the previous plan"), el("ul", { id: "change-list" }, items));
  box.hidden = false;
}

function cellKey(cell) { return `${cell.period}|${cell.platform}|${cell.tier}`; }

function countsOf(result) {
  const out = new Map();
  for (const cell of result.plan.allocation || []) out.set(cellKey(cell), cell.count);
  return out;
}

function cellChanges(previous, result) {
  const before = countsOf(previous), after = countsOf(result);
  const keys = new Set([...before.keys(), ...after.keys()]);
  const out = [];
  for (const key of keys) {
    const a = before.get(key) || 0, b = after.get(key) || 0;
    if (a !== b) {
      const [period, platform, tier] = key.split("|");
      out.push({ period, platform, tier, before: a, after: b });
    }
  }
  return out.sort((x, y) => Math.abs(y.after - y.before) - Math.abs(x.after - x.before));
}

function renderConflicts(plan) {
  const box = $("conflicts");
  box.replaceChildren();
  if (!plan.conflicts) { box.hidden = true; return; }
  box.append(el("h2", {}, "No plan keeps all these rules together"));
  if (!plan.conflicts.length) {
    box.append(el("p", {}, "No conflicting set of rules was found within the time allowed."));
  } else {
    box.append(el("p", { class: "muted" }, "Move any one of them as far as shown and a plan exists:"));
    const rows = plan.conflicts.map((c) => el("tr", { dataset: { rule: c.rule } },
      el("td", {}, el("strong", {}, c.name || c.rule)),
      el("td", {}, c.bound),
      el("td", { class: "n" }, c.current === null ? "–" : number(c.current)),
      el("td", { class: "n" }, c.needed === null ? "cannot alone" : number(c.needed)),
      el("td", {}, c.message)));
    box.append(el("table", { class: "figures", id: "conflict-table" },
      el("tr", {}, ["Rule", "Bound", "Now", "Must move to", "What to change"].map((h) => el("th", {}, h))), rows));
    if (plan.other_conflicts) box.append(el("p", { class: "muted small" }, "Other conflicting sets exist: fix this one and solve again to see the next."));
  }
  box.hidden = false;
}

function renderNotes(plan) {
  const box = $("notes");
  box.replaceChildren();
  const notes = [...(plan.notes || [])];
  for (const skipped of plan.skipped_rules || []) notes.push(`${skipped.name} left out: ${skipped.reason}`);
  box.hidden = !notes.length;
  for (const note of notes) box.append(el("p", {}, note));
}

function renderTotals(result, previous) {
  const table = $("totals");
  table.replaceChildren();
  const baseline = result.baseline;
  table.append(el("tr", {}, el("th", {}, ""), el("th", { class: "n" }, "Plan"),
    el("th", { class: "n" }, "Spreadsheet split"), el("th", { class: "n" }, "Plan vs spreadsheet"),
    el("th", { class: "n" }, "vs previous plan")));
  const mine = totalsOf(result);
  const theirs = baseline ? Object.assign({ cpa: baseline.totals.conversions > 0 ? baseline.totals.spend / baseline.totals.conversions : null }, baseline.totals) : null;
  const before = previous && hasPlan(previous) && hasPlan(result) ? totalsOf(previous) : null;
  for (const metric of [...METRICS, "cpa"]) {
    if (metric === "revenue" && !mine.revenue) continue;
    const value = mine[metric];
    const other = theirs ? theirs[metric] : null;
    const lift = other ? (value - other) / Math.abs(other) : null;
    // Whether more is better: fewer influencers is neither, a higher cost per conversion worse.
    const good = (change) => (metric === "count" || !change ? "" : (metric === "cpa" ? change < 0 : change > 0) ? "up" : "down");
    const was = before ? before[metric] : null;
    const delta = was !== null && was !== undefined && value !== null ? value - was : null;
    table.append(el("tr", { dataset: { metric } },
      el("th", {}, LABELS[metric]),
      el("td", { class: "n", id: "total-" + metric }, figure(metric, value)),
      el("td", { class: "n" }, theirs ? figure(metric, other) : "–"),
      el("td", { class: "n " + good(lift) }, lift === null || !Number.isFinite(lift) ? "–" : signed(percent(Math.abs(lift)), lift)),
      el("td", { class: "n " + good(delta) }, delta === null || Math.abs(delta) < 1e-9 ? "–" : signed(figure(metric, Math.abs(delta)), delta))));
  }
  if (baseline && baseline.broken_rules.length) {
    table.append(el("tr", {}, el("td", { colspan: 5, class: "muted small" },
      "The spreadsheet split breaks " + baseline.broken_rules.join(", ") + ".")));
  }
}

function renderPlan(result, previous) {
  const table = $("plan");
  table.replaceChildren();
  const periods = result.layout.periods;
  const counts = countsOf(result);
  const before = previous && hasPlan(previous) && hasPlan(result) ? countsOf(previous) : null;
  const spend = new Map(), outcome = new Map();
  const metric = result.plan.objective.metric === "spend" ? "conversions" : result.plan.objective.metric === "profit" ? "revenue" : result.plan.objective.metric;
  for (const cell of result.plan.allocation || []) {
    const row = cell.platform + "|" + cell.tier;
    spend.set(row, (spend.get(row) || 0) + cell.spend);
    outcome.set(row, (outcome.get(row) || 0) + (cell[metric] || 0));
  }
  table.append(el("tr", {}, el("th", {}, "Platform"), el("th", {}, "Tier"),
    periods.map((p) => el("th", { class: "n" }, p)), el("th", { class: "n" }, "Spend"), el("th", { class: "n" }, LABELS[metric] || metric)));
  const columnTotals = periods.map(() => 0);
  for (const [platform, tiers] of Object.entries(result.layout.platforms)) {
    for (const tier of tiers) {
      const row = platform + "|" + tier;
      const cells = periods.map((period, i) => {
        const key = `${period}|${platform}|${tier}`;
        const value = counts.get(key) || 0;
        columnTotals[i] += value;
        const was = before ? before.get(key) || 0 : value;
        const td = el("td", { class: "n" + (was !== value ? " changed" : ""), dataset: { cell: key } }, number(value));
        if (was !== value) td.append(el("span", { class: "delta " + (value > was ? "up" : "down") }, signed(number(Math.abs(value - was)), value - was)));
        return td;
      });
      table.append(el("tr", {}, el("td", {}, platform), el("td", {}, tier), cells,
        el("td", { class: "n" }, money(spend.get(row) || 0)), el("td", { class: "n" }, figure(metric, outcome.get(row) || 0))));
    }
  }
  const totals = result.plan.totals;
  table.append(el("tr", { class: "total" }, el("td", {}, "Total"), el("td", {}, ""),
    columnTotals.map((value) => el("td", { class: "n" }, number(value))),
    el("td", { class: "n" }, money(totals.spend)), el("td", { class: "n" }, figure(metric, totals[metric]))));
}

function renderShares(result) {
  const box = $("shares");
  box.replaceChildren();
  const shares = result.tier_shares;
  const tiers = result.layout.tiers.filter((tier) => tier in shares || Object.values(result.layout.platforms).some((t) => t.includes(tier)));
  const baseline = result.baseline;
  let base = {};
  if (baseline) {
    const spend = {};
    for (const cell of baseline.allocation) spend[cell.tier] = (spend[cell.tier] || 0) + cell.spend;
    const total = Object.values(spend).reduce((a, b) => a + b, 0);
    if (total > 0) for (const [tier, value] of Object.entries(spend)) base[tier] = value / total;
  }
  for (const tier of tiers) {
    const share = shares[tier] || 0;
    const colour = TIER_COLOURS[tier] || "#7a8699";
    const bar = el("div", { class: "bar", title: `spreadsheet split: ${percent(base[tier] || 0)}` },
      el("span", { style: { width: `${(share * 100).toFixed(2)}%`, background: colour } }));
    if (baseline) bar.append(el("i", { style: { left: `${((base[tier] || 0) * 100).toFixed(2)}%` } }));
    box.append(el("div", { class: "bar-row", dataset: { tier } }, el("span", {}, tier), bar, el("span", { class: "n" }, percent(share))));
  }
  if (baseline) box.append(el("p", { class: "muted small" }, "The grey tick marks the spreadsheet split's share."));
}

function ruleFigure(rule, value) {
  if (value === null || value === undefined) return "–";
  if (rule.kind === "share") return percent(value, 2);
  if (MONEY.has(rule.metric)) return money(value);
  return number(value);
}

function renderRules(plan) {
  const table = $("rules");
  table.replaceChildren();
  const rules = plan.rules || [];
  if (!rules.length) {
    table.append(el("tr", {}, el("td", { class: "muted" }, plan.conflicts ? "No plan to measure the rules against." : "No rules.")));
    return;
  }
  table.append(el("tr", {}, ["Rule", "Value", "Min", "Max", "Binds"].map((h, i) => el("th", { class: i && i < 4 ? "n" : "" }, h))));
  for (const rule of rules) {
    table.append(el("tr", { class: rule.binding ? "binds" : "", dataset: { rule: rule.name } },
      el("td", {}, rule.name),
      el("td", { class: "n" }, ruleFigure(rule, rule.value)),
      el("td", { class: "n" }, ruleFigure(rule, rule.min)),
      el("td", { class: "n" }, ruleFigure(rule, rule.max)),
      el("td", {}, rule.binding ? "binds" : "")));
  }
}

function renderUncertainty(plan, midpointFirst) {
  const box = $("uncertainty");
  box.replaceChildren();
  const report = plan.uncertainty;
  if (!report || !report.outcomes) { box.hidden = true; return; }
  box.append(el("h2", {}, `Outcomes over ${number(report.draws)} draws`));
  if (midpointFirst) {
    box.append(el("p", { class: "muted small", id: "first-answer-note" },
      "First answer: the plan made for the midpoint figures, judged on the draws. The plan for the risk over the draws replaces it when solved."));
  }
  const metrics = Object.keys(report.outcomes).filter((m) => report.outcomes[m] && report.outcomes[m].p50 !== null);
  const chartWidth = 520, row = 34, left = 110;
  const chart = svg("svg", { viewBox: `0 0 ${chartWidth + left + 20} ${metrics.length * row + 24}`, width: "100%", role: "img", "aria-label": "Outcome distribution" });
  metrics.forEach((metric, i) => {
    const mine = report.outcomes[metric];
    const theirs = report.midpoint_plan && report.midpoint_plan.outcomes ? report.midpoint_plan.outcomes[metric] : null;
    const values = [mine.p10, mine.p90, mine.cvar10, theirs && theirs.p10, theirs && theirs.p90].filter((v) => v !== null && v !== undefined);
    const low = Math.min(...values), high = Math.max(...values);
    const x = (v) => left + ((v - low) / ((high - low) || 1)) * chartWidth;
    const y = 12 + i * row;
    chart.append(svg("text", { x: 0, y: y + 10, "font-size": 12, text: LABELS[metric] || metric }));
    if (theirs) chart.append(svg("rect", { x: x(theirs.p10), y: y + 12, width: Math.max(1, x(theirs.p90) - x(theirs.p10)), height: 6, fill: "#c9d1e0" }));
    chart.append(svg("rect", { x: x(mine.p10), y: y, width: Math.max(1, x(mine.p90) - x(mine.p10)), height: 10, fill: "#2f5bea", opacity: 0.75 }));
    chart.append(svg("rect", { x: x(mine.p50) - 1, y: y - 3, width: 2, height: 16, fill: "#1d2433" }));
    chart.append(svg("circle", { cx: x(mine.cvar10), cy: y + 5, r: 4, fill: "#b42318" }));
    chart.append(svg("text", { x: x(mine.p90) + 4, y: y + 9, "font-size": 10, fill: "#667085", text: figure(metric, mine.p50) }));
  });
  box.append(chart);
  box.append(el("p", { class: "muted small" }, "Blue: this plan from the 10th to the 90th percentile, black the median, red the mean of the worst 10%; grey: the plan made for the midpoints."));
  const table = el("table", { class: "figures" }, el("tr", {}, ["", "mean", "p10", "p50", "p90", "worst 10%"].map((h, i) => el("th", { class: i ? "n" : "" }, h))));
  for (const metric of metrics) {
    const m = report.outcomes[metric];
    table.append(el("tr", {}, el("td", {}, LABELS[metric] || metric), ["mean", "p10", "p50", "p90", "cvar10"].map((k) => el("td", { class: "n" }, figure(metric, m[k])))));
  }
  box.append(table);
  box.hidden = false;
}

// Frontier -------------------------------------------------------------------------------

async function runFrontier() {
  cancelFrontier("");
  const body = {
    path: state.path, edits: copy(state.edits),
    from: readNumber($("frontier-from")), to: readNumber($("frontier-to")),
    points: readNumber($("frontier-points")),
  };
  const { ok, data } = await api("POST", "/api/frontier", body);
  if (!ok) {
    $("frontier-state").textContent = data.error || (data.problems || []).map((p) => p.message).join("; ");
    return;
  }
  state.frontier = { id: data.id, poll: null };
  $("frontier-cancel").hidden = false;
  $("frontier-progress").hidden = false;
  drawFrontier(data);
  pollFrontier(data.id);
}

async function pollFrontier(id) {
  if (!state.frontier || state.frontier.id !== id) return;
  const { ok, data } = await api("GET", "/api/frontier/" + id);
  if (!state.frontier || state.frontier.id !== id || !ok) return;
  drawFrontier(data);
  if (data.state === "running") {
    state.frontier.poll = setTimeout(() => pollFrontier(id), 400);
  } else {
    $("frontier-cancel").hidden = true;
    state.frontier = null;
  }
}

function cancelFrontier(reason) {
  const frontier = state.frontier;
  if (!frontier) return;
  clearTimeout(frontier.poll);
  state.frontier = null;
  api("DELETE", "/api/frontier/" + frontier.id).catch(() => null);
  $("frontier-cancel").hidden = true;
  $("frontier-progress").hidden = true;
  if (reason) $("frontier-state").textContent = "Frontier " + reason + ".";

}

function drawFrontier(data) {
  const progress = $("frontier-progress");
  progress.max = data.total;
  progress.value = data.done;
  progress.hidden = data.state !== "running";
  const words = { running: `solving point ${Math.min(data.done + 1, data.total)} of ${data.total}…`, done: `${data.total} budgets solved.`, cancelled: "cancelled.", error: "failed: " + data.error };
  const without = data.points.filter((p) => p.objective === null || p.objective === undefined).length;
  $("frontier-state").textContent = "Frontier: " + words[data.state] + (without ? ` ${without} without a plan (not drawn).` : "");
  const points = data.points.filter((p) => p.objective !== null && p.objective !== undefined);
  const box = $("frontier-chart");
  box.replaceChildren();
  if (!points.length) return;
  const width = 640, height = 240, left = 74, bottom = 34, top = 12, right = 16;
  const budgets = data.points.map((p) => p.budget);
  const lowX = Math.min(...budgets), highX = Math.max(...budgets);
  const values = points.map((p) => p.objective);
  const lowY = Math.min(0, ...values), highY = Math.max(...values) || 1;
  const x = (v) => left + ((v - lowX) / ((highX - lowX) || 1)) * (width - left - right);
  const y = (v) => height - bottom - ((v - lowY) / ((highY - lowY) || 1)) * (height - top - bottom);
  const metric = state.shown ? state.shown.plan.objective.metric : "objective";
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": "Budget frontier" });
  chart.append(svg("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#98a2b3" }));
  chart.append(svg("line", { x1: left, y1: top, x2: left, y2: height - bottom, stroke: "#98a2b3" }));
  [lowX, (lowX + highX) / 2, highX].forEach((tick, i) => {
    const anchor = ["start", "middle", "end"][i];
    chart.append(svg("text", { x: x(tick), y: height - bottom + 16, "text-anchor": anchor, "font-size": 11, fill: "#667085", text: money(tick) }));
  });
  for (const tick of [lowY, (lowY + highY) / 2, highY]) {
    chart.append(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: "#667085", text: figure(metric, tick) }));
  }
  chart.append(svg("text", { x: (left + width) / 2, y: height - 4, "text-anchor": "middle", "font-size": 11, fill: "#667085", text: "budget" }));
  const total = state.shown && state.shown.plan ? (state.edits.budget && state.edits.budget.total) || state.scenario.form.budget.total : null;
  if (total && total >= lowX && total <= highX) {
    chart.append(svg("line", { x1: x(total), y1: top, x2: x(total), y2: height - bottom, stroke: "#e08a2f", "stroke-dasharray": "4 3" }));
    chart.append(svg("text", { x: x(total) + 4, y: top + 10, "font-size": 11, fill: "#e08a2f", text: "this budget" }));
  }
  chart.append(svg("polyline", { points: points.map((p) => `${x(p.budget)},${y(p.objective)}`).join(" "), fill: "none", stroke: "#2f5bea", "stroke-width": 2 }));
  for (const p of points) {
    const dot = svg("circle", { cx: x(p.budget), cy: y(p.objective), r: 3.5, fill: "#2f5bea" });
    dot.append(svg("title", { text: `${money(p.budget)}: ${figure(metric, p.objective)}` + (p.marginal_cpa ? `, ${money(p.marginal_cpa)} per extra conversion` : "") }));
    chart.append(dot);
  }
  box.append(chart);
}

// Downloads ------------------------------------------------------------------------------

async function download(kind) {
  const button = document.querySelector(`[data-export="${kind}"]`);
  button.disabled = true;
  try {
    const { ok, data, response } = await api("POST", "/api/export/" + kind, { path: state.path, edits: copy(state.edits) });
    if (!ok) {
      if (data.problems) showProblems(data.problems);
      else $("save-state").textContent = data.error || "the download failed";
      return;
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const link = el("a", { href: URL.createObjectURL(data), download: match ? match[1] : "plan." + kind });
    document.body.append(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  } finally {
    button.disabled = false;
  }
}

async function save(overwrite) {
  const name = $("save-name").value.trim();
  const body = { path: state.path, edits: copy(state.edits), name, overwrite: !!overwrite };
  const { ok, status, data } = await api("POST", "/api/save", body);
  if (status === 409 && data.exists) {
    if (window.confirm(data.error)) return save(true);
    $("save-state").textContent = "Not saved.";
    return;
  }
  if (!ok) {
    if (data.problems) showProblems(data.problems);
    $("save-state").textContent = data.error || "Not saved: fix the problems shown.";
    return;
  }
  $("save-state").textContent = `Saved as ${data.saved}: it extends ${state.path} with your changes.`;
  loadFiles();
}

// Start ----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", async () => {
  $("reset").addEventListener("click", () => { if (state.path) openScenario(state.path); });
  $("frontier-run").addEventListener("click", runFrontier);
  $("frontier-cancel").addEventListener("click", () => cancelFrontier("cancelled"));
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => download(button.dataset.export));
  }
  $("save").addEventListener("click", () => save(false));
  $("controls").addEventListener("submit", (event) => event.preventDefault());
  await loadInfo();
  await loadFiles();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) openScenario(wanted);
});
