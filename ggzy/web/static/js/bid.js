// 密封投标：在浏览器中加密报价表和投标文件，只把密文递交给平台（see ggzy/bidding/pages.py）.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (event) => { if (!window.confirm(f.dataset.confirm)) event.preventDefault(); });
  });
  document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
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
    const estimate = Number(form.dataset.estimate || 0);
    if (estimate > 0 && form.dataset.checked !== price) {
      // 报价只在本机可见：密封前在这里提醒多输或少输的位数（platform.price_check_high / _low）。
      const percent = Number(price) / estimate * 100;
      if (percent > Number(form.dataset.checkHigh) || percent < Number(form.dataset.checkLow)) {
        form.dataset.checked = price;
        say("请核对报价：" + Number(price).toLocaleString("zh-CN", { minimumFractionDigits: 2 }) + " 元，为本标段估算价（"
          + estimate.toLocaleString("zh-CN", { minimumFractionDigits: 2 }) + " 元）的 " + percent.toFixed(1)
          + "%。报价一经加密递交，开标前任何人都无法替您发现错误。确认无误请再次点击递交。", true);
        return;
      }
    }
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
  // Enabled only now: a click before this script ran would have sent the form unsealed (a plain GET with the price).
  form.querySelector("button[type=submit]").disabled = false;
})();
