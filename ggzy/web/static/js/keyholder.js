/* 开标密钥持有人 — the key holder's side in the browser (see ggzy/bidding/keyholder.py for the command line).
 * The key pair is made here; the private key is kept as a NON-EXTRACTABLE Web Crypto key in IndexedDB and
 * leaves the browser only inside the passphrase-encrypted backup made at creation (the same file format as
 * `ggzy keyholder init`: PBKDF2-SHA256 + AES-256-GCM). The platform receives the public key and, after the
 * deadline only, the shares this browser unwrapped — never the key. Exposes window.GgzyKeyholder:
 *   createKey(userId, passphrase[, {iterations}]) → {publicKey, keyId, backup}     restoreKey(userId, backupText, passphrase)
 *   loadKey(userId) → {privateKey, publicRaw, keyId} | null     unwrapShares(work, userId[, now]) → {bidId: b64 | null}
 *   registerKey(publicKeyB64, csrf)     handIn(sectionId, userId, csrf) → the platform's answer
 */
(function () {
  "use strict";
  const G = globalThis.GgzySealing;
  const encoder = new TextEncoder();
  const DB = "ggzy-keyholder";
  const STORE = "keys";
  const FORMAT = "ggzy-keyholder-key/1";
  const AAD_LABEL = encoder.encode("ggzy/keyholder-key/v1\0");
  const DEFAULT_ITERATIONS = 600000;

  const b64 = (bytes) => {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const b64url = (bytes) => b64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fromB64url = (text) => G.b64decode(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let pos = 0;
    for (const p of parts) { out.set(p, pos); pos += p.length; }
    return out;
  };
  const u32 = (v) => Uint8Array.of((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);

  function db() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  async function tx(mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
    });
  }

  async function keyIdHex(publicRaw) {
    return G.keyIdHex(b64(publicRaw));
  }

  async function kek(passphrase, salt, iterations, usage) {
    const s = crypto.subtle;
    const pw = await s.importKey("raw", encoder.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
    return s.deriveKey({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, pw, { name: "AES-GCM", length: 256 }, false, [usage]);
  }

  async function importPrivate(d, publicRaw) {
    const jwk = { kty: "EC", crv: "P-256", d: b64url(d), x: b64url(publicRaw.subarray(1, 33)), y: b64url(publicRaw.subarray(33, 65)), ext: false };
    return crypto.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]); // non-extractable
  }

  async function store(userId, privateKey, publicRaw) {
    const keyId = await keyIdHex(publicRaw);
    await tx("readwrite", (st) => st.put({ privateKey, publicRaw, keyId }, userId));
    return keyId;
  }

  async function createKey(userId, passphrase, options) {
    if (typeof passphrase !== "string" || passphrase.length < 8) throw new Error("备份口令至少 8 个字符");
    const iterations = (options && options.iterations) || DEFAULT_ITERATIONS;
    const s = crypto.subtle;
    const pair = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const publicRaw = new Uint8Array(await s.exportKey("raw", pair.publicKey));
    const d = fromB64url((await s.exportKey("jwk", pair.privateKey)).d);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const wrapKey = await kek(passphrase, salt, iterations, "encrypt");
    const ct = new Uint8Array(await s.encrypt({ name: "AES-GCM", iv: nonce, additionalData: concat(AAD_LABEL, publicRaw, u32(iterations)) }, wrapKey, d));
    const privateKey = await importPrivate(d, publicRaw);
    d.fill(0);
    const keyId = await store(userId, privateKey, publicRaw);
    const backup = JSON.stringify({ blob: b64(concat(nonce, ct)), format: FORMAT, iterations, kdf: "pbkdf2-sha256", label: "浏览器备份 " + userId, public: b64(publicRaw), salt: b64(salt) }, null, 1) + "\n";
    return { publicKey: b64(publicRaw), keyId, backup };
  }

  async function restoreKey(userId, backupText, passphrase) {
    const doc = JSON.parse(backupText);
    if (doc.format !== FORMAT || doc.kdf !== "pbkdf2-sha256" || !Number.isInteger(doc.iterations) || doc.iterations < 1000 || doc.iterations > 10000000) {
      throw new Error("不是有效的开标密钥备份文件");
    }
    const publicRaw = G.b64decode(doc.public);
    const blob = G.b64decode(doc.blob);
    const wrapKey = await kek(passphrase, G.b64decode(doc.salt), doc.iterations, "decrypt");
    let d;
    try {
      d = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: blob.subarray(0, 12), additionalData: concat(AAD_LABEL, publicRaw, u32(doc.iterations)) }, wrapKey, blob.subarray(12)));
    } catch (e) {
      throw new Error("口令不正确，或备份文件已被修改");
    }
    const privateKey = await importPrivate(d, publicRaw);
    d.fill(0);
    return { publicKey: b64(publicRaw), keyId: await store(userId, privateKey, publicRaw) };
  }

  async function loadKey(userId) {
    return (await tx("readonly", (st) => st.get(userId))) || null;
  }

  async function unwrapShares(work, userId, now) {
    const key = await loadKey(userId);
    if (!key) throw new Error("本浏览器中没有您的开标密钥，请先在“开标密钥”页面生成或从备份恢复");
    const clock = now === undefined ? Date.now() / 1000 : now;
    if (clock < Date.parse(work.deadline) / 1000) throw new Error("投标截止时间未到，拒绝解开分片");
    const out = {};
    for (const b of work.bids) {
      if (!b.header) { out[b.bid_id] = null; continue; }
      const header = G.b64decode(b.header);
      if (clock < G.parseHeader(header).deadline) throw new Error("有投标文件载明的截止时间未到，拒绝解开分片");
      try {
        const got = await G.unwrapShare(header, key);
        out[b.bid_id] = got.index === work.index ? b64(got.share) : null;
        got.share.fill(0);
      } catch (e) {
        out[b.bid_id] = null;
      }
    }
    return out;
  }

  async function call(method, url, csrf, body) {
    const r = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json, application/problem+json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(payload.detail || "HTTP " + r.status);
    return payload;
  }

  async function registerKey(publicKey, csrf) {
    return call("PUT", "/api/v1/keyholder/key", csrf, { public_key: publicKey });
  }

  async function handIn(sectionId, userId, csrf) {
    const url = "/api/v1/sections/" + encodeURIComponent(sectionId) + "/opening/shares";
    const work = await call("GET", url, csrf);
    const shares = await unwrapShares(work, userId);
    return call("POST", url, csrf, { shares });
  }

  globalThis.GgzyKeyholder = Object.freeze({ createKey, restoreKey, loadKey, unwrapShares, registerKey, handIn });

  // ---- page wiring ----
  function say(el, text, bad) { el.textContent = text; el.className = bad ? "alert alert-error" : "muted"; }

  const card = document.getElementById("keyholder");
  if (card) {
    const status = document.getElementById("key-status");
    const local = document.getElementById("local-key");
    const user = card.dataset.user, csrf = card.dataset.csrf;
    loadKey(user).then((k) => { local.textContent = k ? k.keyId.slice(0, 16) + "…（不可导出）" : "无"; }, () => { local.textContent = "无法读取本机密钥库"; });
    const download = (text, name) => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    };
    document.getElementById("make-key").addEventListener("click", async () => {
      try {
        say(status, "正在本浏览器生成密钥……");
        const made = await createKey(user, document.getElementById("backup-pass").value);
        download(made.backup, "ggzy-开标密钥备份-" + made.keyId.slice(0, 8) + ".json");
        await registerKey(made.publicKey, csrf);
        local.textContent = made.keyId.slice(0, 16) + "…（不可导出）";
        say(status, "已生成并登记公钥，密钥标识 " + made.keyId.slice(0, 16) + "…；请妥善保存下载的备份文件。");
      } catch (e) { say(status, "失败：" + (e && e.message ? e.message : e), true); }
    });
    document.getElementById("restore-key").addEventListener("click", async () => {
      try {
        const file = document.getElementById("restore-file").files[0];
        if (!file) throw new Error("请选择备份文件");
        const got = await restoreKey(user, await file.text(), document.getElementById("backup-pass").value);
        await registerKey(got.publicKey, csrf);
        local.textContent = got.keyId.slice(0, 16) + "…（不可导出）";
        say(status, "已恢复到本浏览器并登记公钥，密钥标识 " + got.keyId.slice(0, 16) + "…");
      } catch (e) { say(status, "失败：" + (e && e.message ? e.message : e), true); }
    });
    document.getElementById("make-key").disabled = false;  // usable once they do something
    document.getElementById("restore-key").disabled = false;
  }

  const box = document.getElementById("share-box");
  if (box) {
    const status = document.getElementById("share-status");
    document.getElementById("share-button").addEventListener("click", async () => {
      try {
        say(status, "正在本机解开分片……");
        const out = await handIn(box.dataset.section, box.dataset.user, box.dataset.csrf);
        say(status, out.opened ? "已提交，开标完成。" : "已提交本单位的分片（" + out.submitted.length + " / " + out.threshold + "），等待其他持有单位。");
        setTimeout(() => window.location.reload(), 800);
      } catch (e) { say(status, "失败：" + (e && e.message ? e.message : e), true); }
    });
    document.getElementById("share-button").disabled = false;  // usable once it does something (no dead click)
  }
})();
