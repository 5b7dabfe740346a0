// 实时监测：通过服务器推送事件（SSE）实时更新在办交易、计数、今日开标评标与新预警；剩余时间按服务器时钟逐分钟递减。
(function () {
  "use strict";
  const box = document.getElementById("board");
  if (!box) return;
  let skew = 0; // the server's clock minus this browser's, so time left follows the platform's time

  function left(ms, deadline) {
    if (ms < 0 && !deadline) return "已届满";
    const word = ms >= 0 ? "剩余" : "已逾期";
    const s = Math.floor(Math.abs(ms) / 1000);
    const days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600), minutes = Math.floor((s % 3600) / 60);
    let text;
    if (days) text = days + "天" + hours + "小时";
    else if (hours) text = hours + "小时" + minutes + "分";
    else text = minutes ? minutes + "分" : "不到1分钟";
    return word + " " + text;
  }

  function tick() {
    const now = Date.now() + skew;
    box.querySelectorAll("[data-due]").forEach((el) => {
      const ms = Number(el.dataset.due) - now;
      const deadline = el.dataset.deadline === "1";
      el.textContent = left(ms, deadline);
      if (deadline && ms < 0) {
        el.className = "badge badge-red";
        const row = el.closest("tr");
        if (row) row.classList.add("overdue");
      }
    });
  }

  function sync() {
    const live = box.querySelector("[data-now]");
    if (live) skew = Number(live.dataset.now) - Date.now();
    tick();
  }

  sync();
  setInterval(tick, 20000);
  if (!window.EventSource) return;
  const source = new EventSource(box.dataset.events);
  source.onmessage = (event) => {
    const m = JSON.parse(event.data);
    if (m.type !== "snapshot") return;
    const parsed = new DOMParser().parseFromString(m.html, "text/html"); // drawn and escaped by the server
    const fresh = parsed.body.firstElementChild;
    if (fresh) box.replaceChildren(document.adoptNode(fresh));
    const stamp = document.getElementById("board-updated");
    if (stamp && m.updated) stamp.textContent = m.updated;
    sync();
  };
})();
