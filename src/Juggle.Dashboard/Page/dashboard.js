"use strict";
(() => {
  const WINDOW_MS = 10000, MAX_BARS = 30000, MAX_FAILURES = 20, LANE_H = 18, LABEL_W = 170;
  const state = { lanes: [], functions: [], bars: [], running: [], failures: [], offset: 0, received: 0, barsReceived: 0, status: "connecting" };
  const $ = id => document.getElementById(id);
  const esc = s => String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const hue = name => { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h % 360; };
  const color = fn => `hsl(${hue(state.functions[fn] || "")}, 55%, 55%)`;

  function setStatus(s, text) { state.status = s; const el = $("status"); el.className = "status " + s; el.textContent = text; }

  function connect() {
    const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
    const source = new EventSource(base + "events");
    source.onopen = () => setStatus("live", "live");
    source.onerror = () => setStatus("reconnecting", "reconnecting…");
    source.onmessage = e => apply(JSON.parse(e.data));
  }

  function apply(m) {
    state.received++;
    state.offset = performance.now() - m.now;
    if (m.full) { state.lanes = []; state.bars = []; state.failures = []; }
    state.lanes = m.full ? m.lanes : state.lanes.concat(m.lanes.slice(state.lanes.length));
    state.functions = m.functionNames;
    for (const b of m.bars) state.bars.push({ lane: b[0], fn: b[1], s: b[2], e: b[3], failed: b[4] === 1 });
    state.barsReceived += m.bars.length;
    if (state.bars.length > MAX_BARS) state.bars.splice(0, state.bars.length - MAX_BARS);
    state.running = m.running.map(r => ({ lane: r[0], fn: r[1], s: r[2] }));
    for (const f of m.failures.slice().reverse()) state.failures.unshift(f);
    state.failures.length = Math.min(state.failures.length, MAX_FAILURES);
    $("stream-note").textContent = m.dropped ? `(${m.dropped.toLocaleString()} bars not drawn at this rate; counts are exact)` : "";
    if (m.full || m.functionNames.length !== state.legendCount) {
      state.legendCount = m.functionNames.length;
      $("legend").innerHTML = state.functions.map((f, i) => `<span><i style="background:${color(i)}"></i>${esc(f)}</span>`).join("") + `<span><i style="background:#d62728"></i>failed</span>`;
    }
    renderExecutors(m.executors);
    renderProgress(m.functions);
    renderWorkers(m.workers, m.executors);
    if (m.full || m.failures.length) renderFailures();
  }

  function renderExecutors(executors) {
    $("executors").textContent = executors.map(e => `${e.name} (${e.kind}, ${e.maxWorkers} workers${e.shutdown ? ", shut down" : ""})`).join(" · ");
  }

  function renderProgress(functions) {
    if (!functions.length) return;
    $("progress").innerHTML = functions.map(f => {
      const total = Math.max(1, f.submitted);
      const seg = (cls, n) => n > 0 ? `<div class="${cls}" style="width:${(100 * n / total).toFixed(2)}%"></div>` : "";
      return `<div class="fn" data-function="${esc(f.name)}"><div class="label"><span>${esc(f.name)} <small>${esc(f.executor)}</small></span>` +
        `<span class="counts">${f.done} done · ${f.running} running · ${f.pending} pending · ${f.failed} failed${f.cancelled ? ` · ${f.cancelled} cancelled` : ""}</span></div>` +
        `<div class="bar">${seg("done", f.done)}${seg("running", f.running)}${seg("pending", f.pending)}${seg("failed", f.failed)}${seg("cancelled", f.cancelled)}</div></div>`;
    }).join("");
  }

  function renderWorkers(workers, executors) {
    $("workers").tBodies[0].innerHTML = workers.map(w =>
      `<tr class="${w.busy ? "busy" : ""}" data-kind="${w.kind}"><td>${esc(w.name)}</td><td>${w.kind}</td>` +
      `<td class="num">${w.kind === "node" ? `PID ${w.pid} on ${esc(w.host)}` : w.kind === "process" ? "PID " + w.pid : "thread " + w.thread}</td>` +
      `<td>${w.kind === "node" ? (w.running ? `running ${w.running} of ${w.slots}` : `idle (${w.slots} slots)`) : w.busy ? "running" : "idle"}</td>` +
      `<td class="num">${w.done}</td><td class="num">${w.failed}</td>` +
      `<td class="num">${w.memoryMb !== undefined ? w.memoryMb + " MB" : ""}</td><td class="num">${w.cpu !== undefined ? w.cpu + " %" : ""}</td></tr>`).join("");
    const plural = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const restarts = executors.filter(e => e.kind === "processes").map(e => `${e.name}: ${plural(e.restarts, "worker restart")}`)
      .concat(workers.filter(w => w.kind === "node").map(w => `node ${w.name}: ${plural(w.nodeDone, "task")} done for all clients, ${plural(w.redelivered, "redelivered task")} rerun` +
        (w.processes ? `, ${plural(w.restarts, "worker process restart")}` : "")));
    $("restarts").textContent = restarts.join(" · ");
  }

  function renderFailures() {
    $("failure-count").textContent = state.failures.length ? `(last ${state.failures.length})` : "";
    $("failures").innerHTML = state.failures.length ? state.failures.map((f, i) =>
      `<details class="failure"${i === 0 ? " open" : ""}><summary><span class="type">${esc(f.type)}</span>: <span class="message">${esc(f.message)}</span> ` +
      `<span class="where">— ${esc(f.function)} task #${f.task} on ${esc(f.worker)}</span></summary><pre class="stack">${esc(f.stack)}</pre></details>`).join("")
      : `<p class="empty">No failures.</p>`;
  }

  function draw() {
    const canvas = $("stream"), ctx = canvas.getContext("2d");
    const width = canvas.clientWidth, lanes = Math.max(1, state.lanes.length), height = Math.max(120, lanes * LANE_H + 24);
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr); canvas.style.height = height + "px";
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const now = performance.now() - state.offset, from = now - WINDOW_MS, plotW = width - LABEL_W;
    const x = t => LABEL_W + Math.max(0, (t - from) / WINDOW_MS * plotW);
    ctx.font = "11px system-ui, sans-serif"; ctx.textBaseline = "middle";
    state.lanes.forEach((name, i) => {
      ctx.fillStyle = i % 2 ? "#fafafa" : "#f3f3f3"; ctx.fillRect(LABEL_W, i * LANE_H, plotW, LANE_H);
      ctx.fillStyle = "#555"; ctx.fillText(name.length > 26 ? "…" + name.slice(-25) : name, 4, i * LANE_H + LANE_H / 2);
    });
    let first = 0;
    while (first < state.bars.length && state.bars[first].e < from - 1000) first++;
    if (first > 0) state.bars.splice(0, first);
    for (const b of state.bars) {
      if (b.e < from) continue;
      ctx.fillStyle = b.failed ? "#d62728" : color(b.fn);
      ctx.fillRect(x(b.s), b.lane * LANE_H + 2, Math.max(1, x(b.e) - x(b.s)), LANE_H - 4);
    }
    ctx.globalAlpha = 0.55;
    for (const r of state.running) { ctx.fillStyle = color(r.fn); ctx.fillRect(x(r.s), r.lane * LANE_H + 2, Math.max(1, x(now) - x(r.s)), LANE_H - 4); }
    ctx.globalAlpha = 1;
    ctx.fillStyle = "#888"; const axisY = lanes * LANE_H + 12;
    for (let s = 0; s <= WINDOW_MS / 1000; s += 2) { const t = LABEL_W + (1 - s * 1000 / WINDOW_MS) * plotW; ctx.fillText(s === 0 ? "now" : `-${s}s`, Math.min(t, width - 24), axisY); }
    requestAnimationFrame(draw);
  }

  window.juggle = { state, barCount: () => state.barsReceived, visibleBars: () => state.bars.length, failureCount: () => state.failures.length, status: () => state.status, snapshots: () => state.received };
  connect();
  requestAnimationFrame(draw);
})();
