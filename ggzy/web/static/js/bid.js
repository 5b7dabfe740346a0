// 密封投标：在浏览器中加密报价表和投标文件，只把密文递交给平台（see ggzy/bidding/pages.py）.
(function () {
  "use strict";
  const form = document.getElementById("bid-form");
  if (!form) return;
  const status = document.getElementById("bid-status");
  const say = (text, bad) => { status.textContent = text; status.className = bad ? "alert alert-error" : "muted"; };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const price = String(data.get("price") || "").trim();
    if (!/^\d+(\.\d{1,2})?$/.test(price)) { say("投标报价须为金额，最多两位小数", true); return; }
    const files = Array.from(form.querySelector("input[type=file]").files);
    if (!files.length) { say("请选择投标文件", true); return; }
    const context = { sectionId: form.dataset.section, bidderId: form.dataset.bidder, version: Number(form.dataset.version) };
    const bidForm = { price: price, currency: "CNY", duration_days: Number(data.get("duration_days")), remark: String(data.get("remark") || "") };
    form.querySelector("button[type=submit]").disabled = true;
    try {
      say("正在本机加密投标文件……");
      const keySet = JSON.parse(form.dataset.keySet);
      const sealed = await window.GgzySealing.seal(keySet, context, bidForm, files);
      say("正在递交密文（" + Math.round(sealed.size / 1024) + " KB）……");
      const response = await fetch(form.dataset.url, {
        method: "PUT", body: sealed, credentials: "same-origin",
        headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": form.dataset.csrf },
      });
      const body = await response.json();
      if (!response.ok) { say("递交失败：" + (body.detail || response.status), true); form.querySelector("button[type=submit]").disabled = false; return; }
      say("已递交第 " + body.version + " 版，回执摘要 " + body.receipt.receipt.sha256.slice(0, 16) + "…");
      setTimeout(() => window.location.reload(), 800);
    } catch (err) {
      say("加密或递交失败：" + (err && err.message ? err.message : err), true);
      form.querySelector("button[type=submit]").disabled = false;
    }
  });
})();
