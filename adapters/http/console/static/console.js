// videoforge console: plain DOM over the JSON API under /api/video. The bearer token lives in
// sessionStorage and goes only in Authorization headers; <video> and <img> get short-lived signed
// links (POST /assets/links). Progress comes from the job's Server-Sent Events, read with fetch()
// so the header can be sent. Nothing is ever put in the page as HTML: text nodes only.
"use strict";
(() => {
  const API = "/api/video";
  const KEY = "videoforge.token";
  const FINAL = new Set(["completed", "failed", "cancelled"]);
  const state = { token: null, me: null, streams: new Map(), models: [], assets: [], links: new Map(),
                  linksExpire: 0, current: null };
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // The API writes money as decimal strings ("0.2"): read as numbers only to show and chart them.
  const dollars = (s) => Number(s);
  const usd = (s) => { const n = dollars(s); return "$" + n.toFixed(n !== 0 && Math.abs(n) < 0.1 ? 3 : 2); };
  const when = (iso) => new Date(iso).toLocaleString();
  const short = (id) => id.length > 12 ? id.slice(0, 12) + "…" : id;

  class ApiError extends Error {
    constructor(status, body) { super(body && body.message ? body.message : `HTTP ${status}`); this.status = status; }
  }

  async function api(path, options = {}) {
    const headers = { Authorization: "Bearer " + state.token, ...(options.headers || {}) };
    let body = options.body;
    if (body !== undefined && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    const r = await fetch(API + path, { method: options.method || "GET", headers, body, cache: "no-store" });
    const data = r.headers.get("content-type")?.includes("json") ? await r.json() : null;
    if (r.status === 401 && path !== "/me") signOut("Your token is no longer accepted: sign in again.");
    if (!r.ok) throw new ApiError(r.status, data);
    return data;
  }

  // ---- signing in and out
  async function start() {
    $("login-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
    $("signout").addEventListener("click", () => signOut(""));
    $("refresh").addEventListener("click", () => refreshAll());
    $("new-job").addEventListener("submit", submitJob);
    $("f-operation").addEventListener("change", () => fillModels());
    $("f-model").addEventListener("change", () => fillModelFields());
    for (const id of ["f-duration", "f-resolution"]) $(id).addEventListener("change", () => estimate());
    let typing = null;
    $("f-prompt").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(estimate, 400); });
    $("admin-form").addEventListener("submit", (e) => { e.preventDefault(); loadSpend(); });
    $("player").addEventListener("error", () => relink());
    const stored = sessionStorage.getItem(KEY);
    if (stored) return signIn(stored);
    const url = document.querySelector('meta[name="videoforge-token-url"]').content;
    if (url) {
      try {
        const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
        const j = r.ok ? await r.json() : {};
        if (j.token || j.access_token) return signIn(j.token || j.access_token);
      } catch (e) { /* the host gave none: ask for one */ }
    }
    showLogin("");
  }

  function showLogin(message) {
    $("app").hidden = true; $("signout").hidden = true; $("login").hidden = false;
    $("who").textContent = ""; $("login-error").textContent = message;
  }

  async function signIn(token) {
    if (!token) return showLogin("Paste a token first.");
    state.token = token;
    try {
      state.me = await api("/me");
    } catch (e) {
      state.token = null; sessionStorage.removeItem(KEY);
      return showLogin(e.status === 401 ? "This token is not accepted: " + e.message : e.message);
    }
    sessionStorage.setItem(KEY, token);
    $("token").value = "";
    $("login").hidden = true; $("app").hidden = false; $("signout").hidden = false;
    $("who").textContent = state.me.user_id + (state.me.admin ? " · admin" : "");
    $("admin").hidden = !state.me.admin;
    if (state.me.admin && !$("admin-period").value) $("admin-period").value = new Date().toISOString().slice(0, 7);
    await Promise.all([loadModels(), refreshAll()]);
  }

  function signOut(message) {
    for (const ctrl of state.streams.values()) ctrl.abort();
    state.streams.clear(); state.token = null; state.me = null; state.links.clear(); state.linksExpire = 0;
    sessionStorage.removeItem(KEY);
    $("player").removeAttribute("src"); $("viewer").hidden = true;
    for (const id of ["jobs", "spend"]) $(id).tBodies[0].replaceChildren();
    $("gallery").replaceChildren();
    showLogin(message);
  }

  const refreshAll = () => Promise.all([loadJobs(), loadLibrary(), loadUsage(), state.me?.admin ? loadSpend() : null])
    .catch((e) => { $("job-error").textContent = e.message; });

  // ---- jobs and their live progress
  async function loadJobs() {
    const tasks = await api("/jobs?limit=30");
    $("jobs").tBodies[0].replaceChildren(...tasks.map(jobRow));
    $("jobs-empty").hidden = tasks.length > 0;
    for (const t of tasks) if (!FINAL.has(t.status) && t.status !== "unknown_outcome") follow(t.task_id);
  }

  function jobRow(t) {
    return el("tr", { "data-task": t.task_id },
      el("td", { title: t.task_id }, short(t.task_id)), el("td", {}, t.model),
      el("td", {}, el("span", { class: "status s-" + (t.state || t.status) }, t.state || t.status)),
      el("td", {}, el("progress", { max: "100", value: String(t.progress) }), " ", el("span", { class: "pct" }, t.progress + " %")),
      el("td", { class: "message" }, t.error || t.message || ""), el("td", {}, when(t.created_at)));
  }

  function updateJob(taskId, change) {
    const row = document.querySelector(`tr[data-task="${CSS.escape(taskId)}"]`);
    if (!row) return;
    const state_ = change.state || change.status;
    const status = row.querySelector(".status");
    status.textContent = state_; status.className = "status s-" + state_;
    row.querySelector("progress").value = change.progress;
    row.querySelector(".pct").textContent = change.progress + " %";
    row.querySelector(".message").textContent = change.error || change.message || "";
  }

  async function follow(taskId) {
    if (state.streams.has(taskId)) return;
    const ctrl = new AbortController();
    state.streams.set(taskId, ctrl);
    let last = null, finished = false;
    try {
      while (!finished && !ctrl.signal.aborted) {
        try {
          finished = await readEvents(taskId, ctrl, last, (id) => { last = id; });
        } catch (e) {
          if (ctrl.signal.aborted || e.status) return;  // signed out, or the API refused (404, 401)
        }
        if (!finished) await sleep(1000);  // the stream broke off: resume after the last event seen
      }
    } finally {
      state.streams.delete(taskId);
    }
  }

  // One connection to the job's event stream; true once its final event came.
  async function readEvents(taskId, ctrl, last, seen) {
    const headers = { Authorization: "Bearer " + state.token, Accept: "text/event-stream" };
    if (last !== null) headers["Last-Event-ID"] = last;
    const r = await fetch(`${API}/jobs/${encodeURIComponent(taskId)}/events`, { headers, signal: ctrl.signal, cache: "no-store" });
    if (!r.ok) throw new ApiError(r.status, null);
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer = (buffer + value).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.id !== null) seen(event.id);
        if (event.data === null) continue;
        const data = JSON.parse(event.data);
        updateJob(taskId, data);
        if (event.event === "result" || event.event === "error") {
          reader.cancel().catch(() => {});
          onJobEnded(data);
          return true;
        }
      }
    }
  }

  function parseEvent(block) {
    const event = { id: null, event: "message", data: null };
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") event.id = value;
      else if (field === "event") event.event = value;
      else if (field === "data") event.data = event.data === null ? value : event.data + "\n" + value;
    }
    return event;
  }

  function onJobEnded(task) {
    if (task.result) loadLibrary().catch(() => {});
    loadUsage().catch(() => {});
    if (state.me?.admin) loadSpend().catch(() => {});
  }

  // ---- the new-job form
  async function loadModels() {
    state.models = await api("/models");
    const ops = [...new Set(state.models.map((m) => m.operation))];
    const current = $("f-operation").value || (ops.includes("text_to_video") ? "text_to_video" : ops[0]);
    $("f-operation").replaceChildren(...ops.map((op) => el("option", { value: op, selected: op === current }, op.replace(/_/g, " "))));
    fillModels();
  }

  function fillModels() {
    const op = $("f-operation").value;
    const models = state.models.filter((m) => m.operation === op);
    $("f-model").replaceChildren(...models.map((m) => el("option", { value: m.id }, `${m.name} (${m.provider})`)));
    fillModelFields();
  }

  const model = () => state.models.find((m) => m.id === $("f-model").value);

  function fillModelFields() {
    const m = model();
    if (!m) return;
    const choose = (id, values, fallback) => {
      $(id).replaceChildren(...values.map((v) => el("option", { value: String(v), selected: String(v) === String(fallback) }, String(v))));
      $(id).parentElement.hidden = values.length === 0;
    };
    choose("f-duration", m.durations, m.durations.includes(5) ? 5 : m.durations[0]);
    choose("f-resolution", m.resolutions, m.resolutions.includes("720p") ? "720p" : m.resolutions[0]);
    $("f-inputs").replaceChildren(...m.inputs.map((kind) => {
      const file = el("input", { type: "file", name: kind, accept: kind + "/*", "data-kind": kind });
      if (kind !== "video") return el("label", {}, kind + " ", file);
      const fromLibrary = el("select", { "data-asset-for": kind }, assetChoices());
      return el("div", { class: "input-video" }, el("label", {}, "video from your library ", fromLibrary), el("label", {}, "or a file ", file));
    }));
    estimate();
  }

  const assetChoices = () => [el("option", { value: "" }, "— a file below —"),
    state.assets.map((a) => el("option", { value: a.id }, `${title(a)} (${short(a.id)})`))];
  const title = (a) => a.prompt || a.operation.replace(/_/g, " ") + " of " + (a.parent_asset_ids.length ? short(a.parent_asset_ids[0]) : a.filename);

  function jobBody() {
    const m = model();
    const body = { operation: $("f-operation").value, model: m.id, source_module: "console", inputs: {} };
    if ($("f-prompt").value.trim()) body.prompt = $("f-prompt").value.trim();
    if (!$("l-duration").hidden && $("f-duration").value) body.duration = Number($("f-duration").value);
    if (!$("l-resolution").hidden && $("f-resolution").value) body.resolution = $("f-resolution").value;
    return body;
  }

  let estimating = 0;
  async function estimate() {
    const m = model(), mine = ++estimating;
    if (!m || m.inputs.length || !$("f-prompt").value.trim()) { $("f-estimate").textContent = m ? `Priced ${m.pricing}` : ""; return; }
    try {
      const e = await api("/estimate", { method: "POST", body: jobBody() });
      if (mine === estimating) $("f-estimate").textContent = `Costs ${usd(e.cost)}` + (e.allowed ? "" : " · your plan does not allow it now");
    } catch (e) {
      if (mine === estimating) $("f-estimate").textContent = e.message;
    }
  }

  async function submitJob(event) {
    event.preventDefault();
    $("job-error").textContent = "";
    $("f-submit").disabled = true;
    try {
      const body = jobBody();
      for (const kind of model().inputs) body.inputs[kind] = await inputRef(kind);
      const created = await api("/jobs", { method: "POST", body });
      const task = await api(`/jobs/${encodeURIComponent(created.task_id)}`);
      $("jobs").tBodies[0].prepend(jobRow(task));
      $("jobs-empty").hidden = true;
      follow(created.task_id);
      loadUsage().catch(() => {});
    } catch (e) {
      $("job-error").textContent = e.message;
    } finally {
      $("f-submit").disabled = false;
    }
  }

  async function inputRef(kind) {
    const picked = document.querySelector(`[data-asset-for="${kind}"]`);
    if (picked && picked.value) return { asset_id: picked.value };
    const file = document.querySelector(`input[data-kind="${kind}"]`).files[0];
    if (!file) throw new Error(`Choose the ${kind} this model needs.`);
    const form = new FormData();
    form.append("kind", kind);
    form.append("file", file);
    return { upload_id: (await api("/uploads", { method: "POST", body: form })).upload_id };
  }

  // ---- the library: thumbnails, playback, lineage
  async function loadLibrary() {
    state.assets = await api("/assets?limit=24");
    await fetchLinks(state.assets.map((a) => a.id));
    $("gallery").replaceChildren(...state.assets.map(card));
    $("gallery-empty").hidden = state.assets.length > 0;
    for (const select of document.querySelectorAll("[data-asset-for]")) {  // keep what was chosen
      const chosen = select.value;
      select.replaceChildren(...assetChoices().flat());
      select.value = state.assets.some((a) => a.id === chosen) ? chosen : "";
    }
  }

  async function fetchLinks(ids) {
    if (!ids.length) return;
    const minted = await api("/assets/links", { method: "POST", body: { asset_ids: ids } });
    for (const link of minted.links) state.links.set(link.asset_id, link);
    state.linksExpire = minted.expires_at;
  }

  async function linkOf(assetId) {
    if (!state.links.has(assetId) || Date.now() / 1000 > state.linksExpire - 30) await fetchLinks([assetId]);
    return state.links.get(assetId);
  }

  function card(a) {
    const link = state.links.get(a.id);
    const picture = link && link.thumbnail_url ? el("img", { src: link.thumbnail_url, alt: title(a), loading: "lazy" })
      : el("div", { class: "nothumb" }, "no thumbnail");
    return el("figure", { class: "card", "data-asset": a.id, tabindex: "0", onclick: () => openAsset(a.id),
                          onkeydown: (e) => { if (e.key === "Enter") openAsset(a.id); } },
      picture,
      el("figcaption", {}, el("strong", {}, title(a)), el("br"),
         `${a.model} · ${usd(a.cost)} · ${a.duration ? a.duration.toFixed(1) + " s" : ""}`));
  }

  async function openAsset(assetId) {
    state.current = assetId;
    const link = await linkOf(assetId);
    $("viewer").hidden = false;
    $("player").src = link.video_url;
    for (const c of document.querySelectorAll(".card")) c.classList.toggle("selected", c.dataset.asset === assetId);
    const lineage = await api(`/assets/${encodeURIComponent(assetId)}/lineage`);
    $("lineage").replaceChildren(el("h3", {}, "Lineage"), lineageView(lineage));
  }

  async function relink() {  // the link expired while watching: a fresh one, from where playback was
    if (!state.current || !state.token) return;
    const at = $("player").currentTime;
    state.links.delete(state.current);
    const link = await linkOf(state.current);
    if ($("player").src !== new URL(link.video_url, location.href).href) { $("player").src = link.video_url; $("player").currentTime = at; }
  }

  function lineageView(l) {
    const a = l.asset, j = l.job;
    const rows = [["Asset", a.id], ["Made by job", j ? j.task_id : "(record gone)"], ["Operation", a.operation],
                  ["Provider", a.provider], ["Model", a.model], ["Cost", usd(a.cost)],
                  ["Estimated", j ? usd(j.estimated_cost) : "—"], ["Prompt", a.prompt || "—"],
                  ["Video", `${a.width || "?"}×${a.height || "?"}, ${a.duration ? a.duration.toFixed(2) + " s" : "?"}, ${a.codec || ""}${a.has_audio ? " + audio" : ""}`],
                  ["Created", when(a.created_at)]];
    const inputs = l.inputs.length ? el("ul", {}, l.inputs.map((i) => el("li", {}, `${i.kind}: ${i.content_type}, ${i.size} bytes`,
      i.filename ? ` (${i.filename})` : "",
      i.asset_id ? [" from ", el("a", { href: "#", onclick: (e) => { e.preventDefault(); openAsset(i.asset_id); } }, "asset " + short(i.asset_id))] : "")))
      : el("p", { class: "muted" }, "No input files (made from the prompt).");
    return el("div", { class: "lineage-node" },
      el("dl", {}, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      el("h4", {}, "Inputs"), inputs,
      l.parents.length ? [el("h4", {}, "Made from"), l.parents.map(lineageView)] : null);
  }

  // ---- usage against the plan
  async function loadUsage() {
    const u = await api("/usage");
    const limit = (n, f) => (Number(n) ? f(n) : "unlimited");
    $("usage-figures").replaceChildren(
      figure("Period", u.period), figure("Plan", u.plan),
      figure("Videos", `${u.video_calls} of ${limit(u.video_calls_limit, String)}`, "usage-calls"),
      figure("Spend", `${usd(u.video_cost)} of ${limit(u.monthly_cost_limit, usd)}`, "usage-cost"),
      figure("Held for running jobs", `${u.reserved_calls} · ${usd(u.reserved_cost)}`));
    const [year, month] = u.period.split("-").map(Number);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    let calls = 0, cost = 0;
    const points = u.videos.map((v) => ({ day: new Date(v.created_at).getUTCDate(), calls: ++calls, cost: (cost += dollars(v.cost)) }));
    chart($("chart-calls"), days, points.map((p) => [p.day, p.calls]), u.video_calls_limit, String);
    chart($("chart-cost"), days, points.map((p) => [p.day, p.cost]), dollars(u.monthly_cost_limit), usd);
  }

  function figure(label, value, id) {
    return el("div", { class: "figure", id: id || null }, el("span", { class: "label" }, label), el("span", { class: "value" }, value));
  }

  // A step chart of a running total over the period's days, with the plan's limit as a dashed line.
  function chart(svg, days, points, limit, format) {
    const W = 320, H = 150, L = 44, R = 8, T = 10, B = 22;
    const top = Math.max(limit || 0, points.length ? points[points.length - 1][1] * 1.25 : 0, format === String ? 1 : 0.01);
    const x = (d) => L + ((d - 1) / Math.max(days - 1, 1)) * (W - L - R);
    const y = (v) => H - B - (v / top) * (H - T - B);
    const ns = "http://www.w3.org/2000/svg";
    const s = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
    const parts = [s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }), s("line", { x1: L, y1: T, x2: L, y2: H - B, class: "axis" }),
                   s("text", { x: L - 4, y: H - B, class: "tick", "text-anchor": "end" }, format(0)),
                   s("text", { x: L - 4, y: T + 8, class: "tick", "text-anchor": "end" }, format(top === 1 ? 1 : Number(top.toFixed(2)))),
                   s("text", { x: L, y: H - 6, class: "tick" }, "day 1"), s("text", { x: W - R, y: H - 6, class: "tick", "text-anchor": "end" }, "day " + days)];
    if (limit) parts.push(s("line", { x1: L, y1: y(limit), x2: W - R, y2: y(limit), class: "limit" }),
                          s("text", { x: W - R - 2, y: y(limit) + 12, class: "tick limit-label", "text-anchor": "end" }, "plan " + format(limit)));
    let path = `M${x(1)},${y(0)}`, prev = 0;
    for (const [day, value] of points) { path += ` L${x(day)},${y(prev)} L${x(day)},${y(value)}`; prev = value; }
    const today = new Date().getUTCDate();
    path += ` L${x(Math.min(Math.max(today, points.length ? points[points.length - 1][0] : 1), days))},${y(prev)}`;
    parts.push(s("path", { d: path, class: "series" }));
    for (const [day, value] of points) parts.push(s("circle", { cx: x(day), cy: y(value), r: 3, class: "dot" }));
    svg.replaceChildren(...parts);
    svg.setAttribute("aria-label", `${points.length ? format(prev) : format(0)} so far` + (limit ? ` of ${format(limit)}` : ""));
  }

  // ---- admin: every user's spend
  async function loadSpend() {
    const period = $("admin-period").value;
    const report = await api("/admin/spend?limit=200" + (period ? "&period=" + encodeURIComponent(period) : ""));
    const rows = report.users.map((u) => {
      const cap = Number(u.plan.monthly_cost_limit);
      const share = cap ? Math.min(dollars(u.video_cost) / cap, 1) : 0;
      return el("tr", { "data-user": u.user_id }, el("td", {}, u.user_id), el("td", {}, u.plan.name),
        el("td", {}, `${u.video_calls} of ${u.plan.video_calls_limit || "unlimited"}`),
        el("td", { class: "spend" }, usd(u.video_cost)),
        el("td", {}, cap ? [el("meter", { min: "0", max: "1", value: String(share) }), ` ${(share * 100).toFixed(share < 0.1 ? 1 : 0)} % of ${usd(cap)}`] : "unlimited"));
    });
    $("spend").tBodies[0].replaceChildren(...rows);
    $("spend-empty").hidden = rows.length > 0;
  }

  document.addEventListener("DOMContentLoaded", () => { start().catch((e) => showLogin(e.message)); });
})();
