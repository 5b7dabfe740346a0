// 在线开标：通过服务器推送事件实时更新开标进度与开标记录，无需刷新页面。
(function () {
  "use strict";
  const box = document.getElementById("live");
  if (!box || !window.EventSource) return;
  const $ = (id) => document.getElementById(id);
  const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; };

  function render(rows) {
    const table = document.createElement("table");
    table.className = "table";
    table.setAttribute("data-testid", "opening-record");
    table.innerHTML = "<thead><tr><th>#</th><th>投标人</th><th class=\"num\">投标报价（元）</th><th class=\"num\">工期/服务期</th><th>解密</th></tr></thead>";
    const body = document.createElement("tbody");
    rows.forEach((r, i) => {
      const tr = document.createElement("tr");
      const price = cell(r.price, "num");
      price.setAttribute("data-testid", "price");
      [cell(String(i + 1)), cell(r.bidder), price, cell(r.duration_days ? r.duration_days + "日" : "—", "num"),
       cell(r.status + (r.note ? "：" + r.note : ""))].forEach((td) => tr.appendChild(td));
      body.appendChild(tr);
    });
    table.appendChild(body);
    $("live-rows").replaceChildren(table);
  }

  function shares(m) {
    const line = $("live-shares-line");
    const threshold = m.threshold || Number(line.dataset.threshold);
    if (m.opened) { line.textContent = "已有 " + threshold + " 个持有单位提交分片，已开标"; return; }
    line.replaceChildren("已提交分片：");
    const count = document.createElement("strong");
    count.id = "live-shares";
    count.setAttribute("data-testid", "live-shares");
    count.textContent = String((m.holders || []).length);
    line.append(count, " / " + threshold);
  }

  const source = new EventSource(box.dataset.events);
  source.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type === "snapshot") {
      $("live-status").textContent = m.status;
      document.querySelectorAll("[data-testid=section-status]").forEach((b) => { b.textContent = m.status; });
      shares(m);
      if (m.note) { $("live-note").textContent = m.note; $("live-note").className = "alert alert-warn"; $("live-note").hidden = false; }
      if (m.rows && m.rows.length) render(m.rows);
    } else if (m.type === "share") {
      shares(m);
      $("live-progress").textContent = "密钥持有人已提交分片";
    } else if (m.type === "bid") {
      $("live-progress").textContent = "正在解密第 " + m.done + " / " + m.total + " 份投标文件";
    } else if (m.type === "state" && m.opened) {
      $("live-progress").textContent = "开标完成";
    }
  };
})();
