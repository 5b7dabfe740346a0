/* 密封投标 — the sealed-bid envelope (format 2) in the browser, byte for byte the format of
 * ggzy/sealing/envelope.py, with Web Crypto only (no library, no eval, nothing inline: works under script-src 'self').
 * A fresh content key per bid, shared 2-of-3 (Shamir over GF(2^521 − 1), BigInt) to the holders' public keys,
 * each share sealed with HPKE (RFC 9180 base mode, DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM, the
 * KDF done with HMAC-SHA256); the body AES-256-GCM STREAM. See docs/sealed-bids.md. Exposes window.GgzySealing:
 *   await GgzySealing.seal({threshold, deadline, recipients: [{index, public_key}]}, {sectionId, bidderId, version},
 *                          form, files[, {segmentSize, supervision}]) → Blob
 *   await GgzySealing.unwrapShare(headerBytes, {privateKey, publicRaw}) → {index, share}   (the holder's side)
 *   await GgzySealing.openWithShares(envelopeBytes, {index: shareBytes, …}) → {manifest, files}
 *   GgzySealing.parseHeader(bytes), hpkeSeal/hpkeOpen, sha256Hex, fileDigests, pdfMetadata, browserFingerprint,
 *   keyIdHex(publicKeyBase64), envelopeDigestHex(blob), canonicalJSON(value)
 * Web Crypto needs a secure context (HTTPS or localhost). SHA-256 in Web Crypto is one-shot, so each file
 * is read into memory once for its digest (one file at a time); the envelope is built from Blob slices.
 */
(function () {
  "use strict";

  const MAGIC = Uint8Array.of(0x47, 0x47, 0x5a, 0x59, 0x42, 0x49, 0x44, 0x00); // "GGZYBID\0"
  const FORMAT_VERSION = 2;
  const ALGORITHM = 2; // content key shared t-of-n, shares in HPKE P-256, body HKDF-SHA256 → AES-256-GCM STREAM
  const DEFAULT_SEGMENT = 1024 * 1024;
  const MIN_SEGMENT = 64;
  const MAX_SEGMENT = 16 * 1024 * 1024;
  const MAX_ID_BYTES = 200;
  const MAX_MANIFEST = 1024 * 1024;
  const MAX_FILES = 1000;
  const MANIFEST_FORMAT = "ggzy-bid-manifest/1";
  const PDF_FULL_SCAN = 32 * 1024 * 1024;
  const PDF_EDGE = 4 * 1024 * 1024;
  const encoder = new TextEncoder();
  const KEY_ID_LABEL = encoder.encode("ggzy/p256-key-id/v1\0");
  const BODY_LABEL = encoder.encode("ggzy/bid-envelope/v2\0");
  const SHARE_LABEL = encoder.encode("ggzy/bid-share/v2\0");
  const CHECK_LABEL = encoder.encode("ggzy/content-key-check/v2\0");
  const COMMIT_LABEL = encoder.encode("ggzy/share-commitment/v2\0");
  const FIXED = 59; // magic 8, version, algorithm, length 2, segment 4, t, n, m, deadline 8, check 32
  const BLOCK_LEN = 1 + 32 + 65 + 66 + 16;
  const MAX_SHARES = 16;
  const MAX_BLOCKS = 64;
  const PRIME = (1n << 521n) - 1n;

  class GgzySealingError extends Error {
    constructor(message, code) {
      super(message);
      this.name = "GgzySealingError";
      this.code = code;
    }
  }

  function fail(message, code) {
    throw new GgzySealingError(message, code || "sealing-failed");
  }

  function subtle() {
    if (!globalThis.crypto || !globalThis.crypto.subtle) {
      fail("浏览器不支持 Web Crypto，或页面不是通过 HTTPS 打开的", "no-webcrypto");
    }
    return globalThis.crypto.subtle;
  }

  function concat(...parts) {
    const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
    const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
    let pos = 0;
    for (const a of arrays) {
      out.set(a, pos);
      pos += a.length;
    }
    return out;
  }

  function uint(value, size) {
    const out = new Uint8Array(size);
    let v = value;
    for (let i = size - 1; i >= 0; i -= 1) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return out;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function b64decode(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      fail("公钥或分片不是有效的 base64", "bad-key");
    }
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }

  async function sha256(data) {
    return new Uint8Array(await subtle().digest("SHA-256", data));
  }

  async function bytesOf(source) {
    if (source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
    if (source instanceof Uint8Array) return source;
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
      return source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    }
    return fail("文件内容应为 File、Blob 或字节数组", "bad-file");
  }

  async function sha256Hex(source) {
    return hex(await sha256(await bytesOf(source)));
  }

  // ---- canonical JSON: the same bytes as ggzy/core/canonical.py (sorted keys by code point, no floats) ----

  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  function compareCodePoints(a, b) {
    const x = Array.from(a);
    const y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
      const d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }

  function canonicalJSON(value) {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) fail("报价表中不允许小数或过大的数字，请用字符串表示金额", "float");
      return JSON.stringify(value);
    }
    if (typeof value === "string") {
      if (LONE_SURROGATE.test(value)) fail("文本中含有无效的字符", "bad-string");
      return JSON.stringify(value);
    }
    if (Array.isArray(value)) return "[" + value.map(canonicalJSON).join(",") + "]";
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(compareCodePoints);
      return "{" + keys.map((k) => canonicalJSON(k) + ":" + canonicalJSON(value[k])).join(",") + "}";
    }
    return fail("报价表或监管信息含有无法编码的值", "bad-value");
  }

  // ---- header ----

  function checkId(name, value) {
    if (typeof value !== "string" || value === "") fail(`${name} 不能为空`, "bad-context");
    if (encoder.encode(value).length > MAX_ID_BYTES) fail(`${name} 过长`, "bad-context");
    if (/[\u0000-\u001f\u007f]/.test(value) || value !== value.trim()) fail(`${name} 含有控制字符或首尾空格`, "bad-context");
    return encoder.encode(value);
  }

  function readContext(context) {
    const c = context || {};
    const section = checkId("标段编号", c.sectionId !== undefined ? c.sectionId : c.section_id);
    const bidder = checkId("投标人", c.bidderId !== undefined ? c.bidderId : c.bidder_id);
    const version = c.version;
    if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) fail("递交版本应为正整数", "bad-context");
    return { section, bidder, version };
  }

  function encodePrefix(segmentSize, threshold, blocks, deadline, check, ctx, commitments) {
    const length = FIXED + 2 + ctx.section.length + 2 + ctx.bidder.length + 4 + 32 * commitments.length + BLOCK_LEN * blocks;
    return concat(
      MAGIC,
      Uint8Array.of(FORMAT_VERSION, ALGORITHM),
      uint(length, 2),
      uint(segmentSize, 4),
      Uint8Array.of(threshold, commitments.length, blocks),
      uint(deadline, 8),
      check,
      uint(ctx.section.length, 2),
      ctx.section,
      uint(ctx.bidder.length, 2),
      ctx.bidder,
      uint(ctx.version, 4),
      ...commitments,
    );
  }

  function readUint(bytes, pos, size) {
    let v = 0;
    for (let i = 0; i < size; i += 1) v = v * 256 + bytes[pos + i];
    return v;
  }

  /* The public header: enough to find one's block, check shares and open the body (the Python parser is the strict one). */
  function parseHeader(bytes) {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    if (b.length < FIXED || hex(b.subarray(0, 8)) !== hex(MAGIC)) fail("不是本平台的密封投标文件", "malformed");
    if (b[8] !== FORMAT_VERSION || b[9] !== ALGORITHM) fail("不支持的格式版本或算法", "malformed");
    const length = readUint(b, 10, 2);
    if (b.length < length) fail("文件头不完整", "malformed");
    const threshold = b[16], n = b[17], m = b[18];
    let pos = FIXED;
    const sLen = readUint(b, pos, 2);
    const sectionId = new TextDecoder().decode(b.subarray(pos + 2, pos + 2 + sLen));
    pos += 2 + sLen;
    const bLen = readUint(b, pos, 2);
    const bidderId = new TextDecoder().decode(b.subarray(pos + 2, pos + 2 + bLen));
    pos += 2 + bLen;
    const version = readUint(b, pos, 4);
    pos += 4;
    const commitments = [];
    for (let i = 0; i < n; i += 1) commitments.push(b.slice(pos + 32 * i, pos + 32 * (i + 1)));
    pos += 32 * n;
    if (pos + BLOCK_LEN * m !== length) fail("文件头字段无效", "malformed");
    const prefix = b.slice(0, pos);
    const blocks = [];
    for (let i = 0; i < m; i += 1) {
      const at = pos + BLOCK_LEN * i;
      blocks.push({ index: b[at], keyId: b.slice(at + 1, at + 33), sealed: b.slice(at + 33, at + BLOCK_LEN) });
    }
    return {
      raw: b.slice(0, length), prefix, segmentSize: readUint(b, 12, 4), threshold, shares: n, deadline: readUint(b, 19, 8),
      check: b.slice(27, 59), context: { sectionId, bidderId, version }, commitments, blocks, size: length,
    };
  }

  // ---- files and the manifest ----

  function checkFileName(name) {
    const ok =
      typeof name === "string" && name !== "" && name !== "." && name !== ".." && !/[\u0000-\u001f\u007f/\\]/.test(name) &&
      name === name.trim() && encoder.encode(name).length <= 255;
    if (!ok) fail(`文件名无效：${String(name).slice(0, 80)}`, "bad-file-name");
    return name;
  }

  function normaliseFiles(files) {
    const list = Array.from(files || []);
    if (list.length > MAX_FILES) fail(`文件数超过 ${MAX_FILES} 个`, "too-many-files");
    const out = list.map((f) => {
      if (typeof File !== "undefined" && f instanceof File) return { name: checkFileName(f.name), blob: f };
      const bytes = f && f.bytes;
      const blob = bytes instanceof Blob ? bytes : new Blob([bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes) ? bytes : fail("文件内容无效", "bad-file")]);
      return { name: checkFileName(f.name), blob };
    });
    if (new Set(out.map((f) => f.name)).size !== out.length) fail("文件名重复", "duplicate-file-name");
    return out;
  }

  async function fileDigests(files) {
    const out = [];
    for (const f of normaliseFiles(files)) {
      out.push({ name: f.name, size: f.blob.size, sha256: await sha256Hex(f.blob) }); // one file in memory at a time
    }
    return out;
  }

  // ---- supervision metadata (电子办法 art. 49) ----

  function binaryString(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return s;
  }

  function clean(text) {
    const printable = text.replace(/[\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu, "").trim();
    return Array.from(printable).slice(0, 500).join("");
  }

  function pdfText(raw) {
    if (raw[0] === 0xfe && raw[1] === 0xff) return clean(new TextDecoder("utf-16be").decode(raw.subarray(2)));
    if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return clean(new TextDecoder("utf-8").decode(raw.subarray(3)));
    try {
      return clean(new TextDecoder("utf-8", { fatal: true }).decode(raw));
    } catch (e) {
      return clean(binaryString(raw)); // PDFDocEncoding, approximately Latin-1
    }
  }

  const ESCAPES = { n: 10, r: 13, t: 9, b: 8, f: 12 };

  function pdfLiteral(s, pos) {
    const out = [];
    let depth = 1;
    const end = Math.min(s.length, pos + 2000);
    while (pos < end) {
      const c = s[pos++];
      if (c === "\\" && pos < end) {
        const e = s[pos++];
        if (e in ESCAPES) out.push(ESCAPES[e]);
        else if (e >= "0" && e <= "7") {
          let digits = e;
          while (digits.length < 3 && pos < end && s[pos] >= "0" && s[pos] <= "7") digits += s[pos++];
          out.push(parseInt(digits, 8) & 0xff);
        } else if (e !== "\n" && e !== "\r") out.push(e.charCodeAt(0));
        continue;
      }
      depth += c === "(" ? 1 : c === ")" ? -1 : 0;
      if (depth === 0) return Uint8Array.from(out);
      out.push(c.charCodeAt(0));
    }
    return null;
  }

  function pdfHex(s, pos) {
    const end = s.indexOf(">", pos);
    if (end < 0 || end - pos > 4000) return null;
    let digits = s.slice(pos, end).replace(/\s/g, "");
    if (!/^[0-9A-Fa-f]*$/.test(digits)) return null;
    if (digits.length % 2) digits += "0";
    return Uint8Array.from(digits.match(/../g) || [], (h) => parseInt(h, 16));
  }

  function xmlUnescape(s) {
    return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  }

  async function pdfMetadata(source) {
    const blob = source instanceof Blob ? source : new Blob([await bytesOf(source)]);
    const head = new Uint8Array(await blob.slice(0, 5).arrayBuffer());
    if (binaryString(head) !== "%PDF-") return { kind: "other", author: null, application: null, producer: null };
    const parts = blob.size <= PDF_FULL_SCAN ? [blob] : [blob.slice(0, PDF_EDGE), blob.slice(blob.size - PDF_EDGE)];
    let s = "";
    for (const p of parts) s += binaryString(new Uint8Array(await p.arrayBuffer())) + "\n";
    const found = {};
    for (const m of s.matchAll(/\/(Author|Creator|Producer)\s*(\(|<(?!<))/g)) {
      const pos = m.index + m[0].length;
      const raw = m[2] === "(" ? pdfLiteral(s, pos) : pdfHex(s, pos);
      if (raw) found[m[1]] = pdfText(raw); // the last one wins: incremental updates append newer values
    }
    const xmp = (re) => {
      const m = s.match(re);
      return m ? clean(xmlUnescape(new TextDecoder("utf-8").decode(Uint8Array.from(m[1], (c) => c.charCodeAt(0))))) : null;
    };
    return {
      kind: "pdf",
      author: found.Author ?? xmp(/<dc:creator>\s*<rdf:Seq>\s*<rdf:li[^>]*>([^<]{1,2000})<\/rdf:li>/),
      application: found.Creator ?? xmp(/<xmp:CreatorTool>([^<]{1,2000})<\/xmp:CreatorTool>/),
      producer: found.Producer ?? xmp(/<pdf:Producer>([^<]{1,2000})<\/pdf:Producer>/),
    };
  }

  /* A browser cannot read MAC addresses, disk serials or machine ids: this hashes what it can see
   * (user agent, platform, languages, screen, time zone, CPU count). Two browsers on one machine differ;
   * two identical machines may agree. It is a weak signal, recorded for art. 49, not an identity. */
  async function browserFingerprint() {
    const nav = globalThis.navigator || {};
    const scr = globalThis.screen || {};
    const components = {
      user_agent: String(nav.userAgent || ""),
      platform: String(nav.platform || ""),
      languages: Array.from(nav.languages || [nav.language || ""]).map(String),
      screen: [scr.width || 0, scr.height || 0, scr.colorDepth || 0].map((n) => Math.trunc(n)),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "",
      timezone_offset_minutes: new Date().getTimezoneOffset(),
      hardware_concurrency: Math.trunc(nav.hardwareConcurrency || 0),
    };
    return { algorithm: "sha256", kind: "browser", fingerprint: hex(await sha256(encoder.encode(canonicalJSON(components)))) };
  }

  async function supervisionRecord(files) {
    const metas = [];
    for (const f of files) {
      const m = await pdfMetadata(f.blob);
      metas.push({ name: f.name, kind: m.kind, author: m.author, application: m.application, producer: m.producer, last_modified_by: null, company: null });
    }
    return {
      client: { name: "ggzy-web", version: String(FORMAT_VERSION), user_agent: String((globalThis.navigator || {}).userAgent || "") },
      claimed_sealed_at: new Date().toISOString(),
      machine: await browserFingerprint(),
      files: metas,
    };
  }

  // ---- HPKE (RFC 9180) base mode: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM ----

  const KEM_SUITE = concat(encoder.encode("KEM"), Uint8Array.of(0x00, 0x10));
  const HPKE_SUITE = concat(encoder.encode("HPKE"), Uint8Array.of(0x00, 0x10, 0x00, 0x01, 0x00, 0x01));
  const HPKE_V1 = encoder.encode("HPKE-v1");

  async function hmac(key, data) {
    const k = await subtle().importKey("raw", key.length ? key : new Uint8Array(32), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle().sign("HMAC", k, data));
  }

  async function labeledExtract(suite, salt, label, ikm) {
    return hmac(salt, concat(HPKE_V1, suite, encoder.encode(label), ikm));
  }

  async function labeledExpand(suite, prk, label, info, length) {
    const labeled = concat(uint(length, 2), HPKE_V1, suite, encoder.encode(label), info);
    let out = new Uint8Array(0), t = new Uint8Array(0);
    for (let i = 1; out.length < length; i += 1) {
      t = await hmac(prk, concat(t, labeled, Uint8Array.of(i)));
      out = concat(out, t);
    }
    return out.slice(0, length);
  }

  async function kemShared(dh, enc, pkR) {
    const prk = await labeledExtract(KEM_SUITE, new Uint8Array(0), "eae_prk", dh);
    return labeledExpand(KEM_SUITE, prk, "shared_secret", concat(enc, pkR), 32);
  }

  async function keySchedule(shared, info) {
    const empty = new Uint8Array(0);
    const pskIdHash = await labeledExtract(HPKE_SUITE, empty, "psk_id_hash", empty);
    const infoHash = await labeledExtract(HPKE_SUITE, empty, "info_hash", info);
    const context = concat(Uint8Array.of(0), pskIdHash, infoHash);
    const secret = await labeledExtract(HPKE_SUITE, shared, "secret", empty);
    return {
      key: await labeledExpand(HPKE_SUITE, secret, "key", context, 16),
      nonce: await labeledExpand(HPKE_SUITE, secret, "base_nonce", context, 12),
    };
  }

  async function importPublic(raw) {
    if (raw.length !== 65 || raw[0] !== 4) fail("持有人公钥应为 65 字节的 P-256 非压缩点", "bad-key");
    try {
      return await subtle().importKey("raw", raw, { name: "ECDH", namedCurve: "P-256" }, false, []);
    } catch (e) {
      return fail("持有人公钥不在 P-256 曲线上", "bad-key");
    }
  }

  /* SealBase, single shot, empty AAD: enc (65) || ct. `ephemeral` ({privateKey, publicRaw}) only for known answers. */
  async function hpkeSeal(pkR, plaintext, info, aad, ephemeral) {
    const s = subtle();
    let eph = ephemeral;
    if (!eph) {
      const pair = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
      eph = { privateKey: pair.privateKey, publicRaw: new Uint8Array(await s.exportKey("raw", pair.publicKey)) };
    }
    const dh = new Uint8Array(await s.deriveBits({ name: "ECDH", public: await importPublic(pkR) }, eph.privateKey, 256));
    const shared = await kemShared(dh, eph.publicRaw, pkR);
    dh.fill(0);
    const { key, nonce } = await keySchedule(shared, info);
    const k = await s.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
    key.fill(0);
    const ct = await s.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad || new Uint8Array(0) }, k, plaintext);
    return concat(eph.publicRaw, new Uint8Array(ct));
  }

  /* OpenBase with the holder's (non-extractable) private key and its public point. */
  async function hpkeOpen(holder, sealed, info, aad) {
    const s = subtle();
    const enc = sealed.slice(0, 65);
    const dh = new Uint8Array(await s.deriveBits({ name: "ECDH", public: await importPublic(enc) }, holder.privateKey, 256));
    const shared = await kemShared(dh, enc, holder.publicRaw);
    dh.fill(0);
    const { key, nonce } = await keySchedule(shared, info);
    const k = await s.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
    key.fill(0);
    try {
      return new Uint8Array(await s.decrypt({ name: "AES-GCM", iv: nonce, additionalData: aad || new Uint8Array(0) }, k, sealed.slice(65)));
    } catch (e) {
      return fail("无法解开分片：不是发给本密钥的，或已被篡改", "share-unreadable");
    }
  }

  // ---- Shamir over GF(2^521 − 1) ----

  function toBig(bytes) {
    let v = 0n;
    for (const x of bytes) v = (v << 8n) | BigInt(x);
    return v;
  }

  function fromBig(v, size) {
    const out = new Uint8Array(size);
    let x = v;
    for (let i = size - 1; i >= 0; i -= 1) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    return out;
  }

  function randomCoefficient() {
    for (;;) {
      const b = crypto.getRandomValues(new Uint8Array(66));
      b[0] &= 0x01; // 521 bits
      const v = toBig(b);
      if (v < PRIME) return v;
    }
  }

  function modPow(base, exp, mod) {
    let r = 1n, b = base % mod, e = exp;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % mod;
      b = (b * b) % mod;
      e >>= 1n;
    }
    return r;
  }

  function interpolateAtZero(points) {
    let total = 0n;
    for (const [xj, yj] of points) {
      let num = 1n, den = 1n;
      for (const [xm] of points) {
        if (xm !== xj) {
          num = (num * xm) % PRIME;
          den = (((den * (xm - xj)) % PRIME) + PRIME) % PRIME;
        }
      }
      total = (total + yj * num % PRIME * modPow(den, PRIME - 2n, PRIME)) % PRIME;
    }
    return total;
  }

  // ---- the envelope ----

  async function keyIdOf(publicRaw) {
    return sha256(concat(KEY_ID_LABEL, publicRaw));
  }

  async function keyIdHex(publicKeyBase64) {
    return hex(await keyIdOf(b64decode(publicKeyBase64)));
  }

  function segmentNonce(base, index) {
    const nonce = Uint8Array.from(base);
    const counter = uint(index, 12);
    for (let i = 0; i < 12; i += 1) nonce[i] ^= counter[i];
    return nonce;
  }

  async function bodyKey(contentKey, headerDigest, usage) {
    const s = subtle();
    const ikm = await s.importKey("raw", contentKey, "HKDF", false, ["deriveBits"]);
    const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: concat(BODY_LABEL, headerDigest) };
    const okm = new Uint8Array(await s.deriveBits(params, ikm, 44 * 8));
    const key = await s.importKey("raw", okm.subarray(0, 32), { name: "AES-GCM" }, false, [usage]);
    const baseNonce = okm.slice(32, 44);
    okm.fill(0);
    return { key, baseNonce };
  }

  async function shareInfo(prefix, index, keyId) {
    return concat(SHARE_LABEL, await sha256(prefix), Uint8Array.of(index), keyId);
  }

  function readKeySet(keySet) {
    const ks = keySet || {};
    const threshold = ks.threshold;
    const deadline = ks.deadline !== undefined ? ks.deadline : ks.deadline_unix;
    const recipients = Array.from(ks.recipients || []).map((r) => ({ index: Number(r.index), public: b64decode(r.public_key) }));
    if (!recipients.length || recipients.length > MAX_BLOCKS) fail("标段尚未公布开标密钥持有人公钥", "bad-key");
    const n = Math.max(...recipients.map((r) => r.index));
    const indices = new Set(recipients.map((r) => r.index));
    if (n > MAX_SHARES || indices.size !== n || ![...indices].every((i) => Number.isInteger(i) && i >= 1 && i <= n)) fail("密钥持有人的分片序号应从 1 起连续编号", "bad-key");
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) fail("门限无效", "bad-key");
    if (!Number.isInteger(deadline) || deadline <= 0 || deadline > 253402300799) fail("投标截止时间无效", "bad-key");
    return { threshold, deadline, recipients, n };
  }

  async function seal(keySet, context, form, files, options) {
    const opts = options || {};
    const testing = opts.knownAnswer || null; // {contentKey, coefficients: [hex], ephemeral: [{d, x, y, publicRaw}]}
    const segmentSize = opts.segmentSize === undefined ? DEFAULT_SEGMENT : opts.segmentSize;
    if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) fail("分段大小超出范围", "bad-segment");
    const ctx = readContext(context);
    const ks = readKeySet(keySet);
    const s = subtle();
    for (const r of ks.recipients) {
      await importPublic(r.public);
      r.keyId = await keyIdOf(r.public);
    }
    if (new Set(ks.recipients.map((r) => hex(r.keyId))).size !== ks.recipients.length) fail("密钥持有人公钥重复", "bad-key");
    const list = normaliseFiles(files);
    const entries = [];
    for (const f of list) entries.push({ name: f.name, size: f.blob.size, sha256: await sha256Hex(f.blob) });
    const supervision = opts.supervision === undefined ? await supervisionRecord(list) : opts.supervision || {};
    const manifest = encoder.encode(canonicalJSON({ format: MANIFEST_FORMAT, form: form || {}, files: entries, supervision }));
    if (manifest.length > MAX_MANIFEST) fail("清单过大", "manifest-too-large");

    const contentKey = testing ? Uint8Array.from(testing.contentKey) : crypto.getRandomValues(new Uint8Array(32));
    const coefficients = [toBig(contentKey)];
    for (let i = 1; i < ks.threshold; i += 1) coefficients.push(testing ? BigInt("0x" + testing.coefficients[i - 1]) : randomCoefficient());
    const ys = [];
    for (let x = 1n; x <= BigInt(ks.n); x += 1n) {
      let acc = 0n;
      for (let i = coefficients.length - 1; i >= 0; i -= 1) acc = (acc * x + coefficients[i]) % PRIME;
      ys.push(fromBig(acc, 66));
    }
    coefficients.length = 0;
    const check = await sha256(concat(CHECK_LABEL, contentKey));
    const commitments = [];
    for (let i = 0; i < ks.n; i += 1) commitments.push(await sha256(concat(COMMIT_LABEL, check, Uint8Array.of(i + 1), ys[i])));
    const prefix = encodePrefix(segmentSize, ks.threshold, ks.recipients.length, ks.deadline, check, ctx, commitments);
    const blocks = [];
    for (let i = 0; i < ks.recipients.length; i += 1) {
      const r = ks.recipients[i];
      let eph;
      if (testing) {
        const e = testing.ephemeral[i];
        eph = { privateKey: await s.importKey("jwk", { kty: "EC", crv: "P-256", d: e.d, x: e.x, y: e.y, ext: false }, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]), publicRaw: b64decode(e.publicRaw) };
      }
      const sealed = await hpkeSeal(r.public, ys[r.index - 1], await shareInfo(prefix, r.index, r.keyId), null, eph);
      blocks.push(concat(Uint8Array.of(r.index), r.keyId, sealed));
    }
    ys.forEach((y) => y.fill(0));
    const header = concat(prefix, ...blocks);
    const headerDigest = await sha256(header);
    const { key, baseNonce } = await bodyKey(contentKey, headerDigest, "encrypt");
    contentKey.fill(0);

    const plain = new Blob([uint(manifest.length, 4), manifest, ...list.map((f) => f.blob)]);
    const count = Math.max(1, Math.ceil(plain.size / segmentSize));
    const parts = [header];
    for (let i = 0; i < count; i += 1) {
      const chunk = await plain.slice(i * segmentSize, Math.min((i + 1) * segmentSize, plain.size)).arrayBuffer();
      const aad = concat(headerDigest, uint(i, 8), Uint8Array.of(i === count - 1 ? 1 : 0));
      parts.push(await s.encrypt({ name: "AES-GCM", iv: segmentNonce(baseNonce, i), additionalData: aad, tagLength: 128 }, key, chunk));
    }
    baseNonce.fill(0);
    return new Blob(parts, { type: "application/octet-stream" });
  }

  /* The holder's side: open the block sealed to this key and check it against the bidder's commitment. */
  async function unwrapShare(headerBytes, holder) {
    const h = parseHeader(headerBytes);
    const keyId = hex(await keyIdOf(holder.publicRaw));
    const block = h.blocks.find((b) => hex(b.keyId) === keyId);
    if (!block) fail("投标文件中没有发给本密钥的分片", "not-a-recipient");
    const y = await hpkeOpen(holder, block.sealed, await shareInfo(h.prefix, block.index, block.keyId));
    const c = await sha256(concat(COMMIT_LABEL, h.check, Uint8Array.of(block.index), y));
    if (hex(c) !== hex(h.commitments[block.index - 1])) fail("分片与承诺值不符", "share-unreadable");
    return { index: block.index, share: y, deadline: h.deadline };
  }

  /* Rebuild the content key from `threshold` shares and open the whole envelope (verification, known answers). */
  async function openWithShares(envelopeBytes, shares) {
    const env = envelopeBytes instanceof Uint8Array ? envelopeBytes : new Uint8Array(envelopeBytes);
    const h = parseHeader(env);
    const xs = Object.keys(shares).map(Number).sort((a, b) => a - b).slice(0, h.threshold);
    if (xs.length < h.threshold) fail("密钥分片数量不足", "not-enough-shares");
    const key = fromBig(interpolateAtZero(xs.map((x) => [BigInt(x), toBig(shares[x])])), 32);
    if (hex(await sha256(concat(CHECK_LABEL, key))) !== hex(h.check)) fail("分片恢复出的内容密钥与投标文件不符", "key-mismatch");
    const headerDigest = await sha256(h.raw);
    const { key: aes, baseNonce } = await bodyKey(key, headerDigest, "decrypt");
    key.fill(0);
    const body = env.subarray(h.size);
    const sealedSize = h.segmentSize + 16;
    const count = Math.ceil(body.length / sealedSize);
    const plainParts = [];
    for (let i = 0; i < count; i += 1) {
      const aad = concat(headerDigest, uint(i, 8), Uint8Array.of(i === count - 1 ? 1 : 0));
      try {
        plainParts.push(new Uint8Array(await subtle().decrypt({ name: "AES-GCM", iv: segmentNonce(baseNonce, i), additionalData: aad }, aes, body.subarray(i * sealedSize, (i + 1) * sealedSize))));
      } catch (e) {
        fail("投标文件已被篡改或不完整，解密失败", "tampered");
      }
    }
    const plain = concat(...plainParts);
    const mlen = readUint(plain, 0, 4);
    const manifest = JSON.parse(new TextDecoder().decode(plain.subarray(4, 4 + mlen)));
    let pos = 4 + mlen;
    const out = [];
    for (const f of manifest.files) {
      out.push({ name: f.name, bytes: plain.slice(pos, pos + f.size) });
      pos += f.size;
    }
    return { manifest, files: out };
  }

  async function envelopeDigestHex(blob) {
    return sha256Hex(blob);
  }

  globalThis.GgzySealing = Object.freeze({
    FORMAT_VERSION,
    DEFAULT_SEGMENT,
    GgzySealingError,
    seal,
    unwrapShare,
    openWithShares,
    parseHeader,
    hpkeSeal,
    hpkeOpen,
    b64decode,
    hex,
    sha256Hex,
    fileDigests,
    pdfMetadata,
    browserFingerprint,
    keyIdHex,
    envelopeDigestHex,
    canonicalJSON,
  });
})();
