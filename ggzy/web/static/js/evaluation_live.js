// 评标在线监督：每当本标段有新的评标事件，服务器推送最新进度（全部专家提交前不含评分）。
(function () {
  "use strict";
  const box = document.getElementById("evaluation-live");
  if (!box || !window.EventSource) return;
  const $ = (id) => document.getElementById(id);
  const text = (id, v) => { if ($(id)) $(id).textContent = String(v); };

  function ranking(rows) {
    if (!rows || !rows.length) { $("ev-ranking").replaceChildren(); return; }
    const table = document.createElement("table");
    table.className = "table";
    table.setAttribute("data-testid", "live-ranking");
    const head = document.createElement("tr");
    ["排名", "投标人", "评审价格（元）", "总分"].forEach((h) => { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
    table.appendChild(head);
    rows.forEach((r) => {
      const tr = document.createElement("tr");
      [r.rank, r.name, r.price, r.total].forEach((v) => { const td = document.createElement("td"); td.textContent = String(v); tr.appendChild(td); });
      table.appendChild(tr);
    });
    $("ev-ranking").replaceChildren(table);
  }

  const source = new EventSource(box.dataset.events);
  source.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type !== "snapshot") return;
    text("ev-status", m.status);
    if (m.size !== undefined) {
      text("ev-submitted", m.submitted); text("ev-size", m.size); text("ev-questions", m.questions);
      text("ev-signs", m.signs); text("ev-outliers", m.outliers);
    }
    ranking(m.ranking);
    text("ev-report", m.report_sha256 ? "评标报告 SHA-256 " + m.report_sha256 : "");
    const list = $("ev-timeline");
    list.replaceChildren(...(m.timeline || []).map((t) => { const li = document.createElement("li"); li.textContent = t.at + " " + t.label; return li; }));
  };
})();
