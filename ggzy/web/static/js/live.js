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

  const source = new EventSource(box.dataset.events);
  source.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type === "snapshot") {
      $("live-status").textContent = m.status;
      $("live-shares").textContent = String(m.holders.length);
      if (m.rows && m.rows.length) render(m.rows);
    } else if (m.type === "share") {
      $("live-shares").textContent = String(m.holders.length);
      $("live-progress").textContent = "密钥持有人已提交分片";
    } else if (m.type === "bid") {
      $("live-progress").textContent = "正在解密第 " + m.done + " / " + m.total + " 份投标文件";
    } else if (m.type === "state" && m.opened) {
      $("live-progress").textContent = "开标完成";
    }
  };
})();
