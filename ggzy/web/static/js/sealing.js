/* 密封投标 — the sealed-bid envelope in the browser, byte for byte the format of ggzy/sealing/envelope.py,
 * with Web Crypto only (no library, no eval, nothing inline: works under script-src 'self').
 * See docs/sealed-bids.md for the layout. Exposes window.GgzySealing:
 *   await GgzySealing.seal(publicKeyBase64, {sectionId, bidderId, version}, form, files[, {segmentSize, supervision}]) → Blob
 *   await GgzySealing.sha256Hex(fileOrBytes), fileDigests(files), pdfMetadata(file), browserFingerprint(),
 *   keyIdHex(publicKeyBase64), envelopeDigestHex(blob), canonicalJSON(value)
 * Web Crypto needs a secure context (HTTPS or localhost). SHA-256 in Web Crypto is one-shot, so each file
 * is read into memory once for its digest (one file at a time); the envelope is built from Blob slices.
 */
(function () {
  "use strict";

  const MAGIC = Uint8Array.of(0x47, 0x47, 0x5a, 0x59, 0x42, 0x49, 0x44, 0x00); // "GGZYBID\0"
  const FORMAT_VERSION = 1;
  const ALGORITHM = 1; // ECDH P-256 / HKDF-SHA256 / AES-256-GCM STREAM
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
  const INFO_LABEL = encoder.encode("ggzy/bid-envelope/v1\0");

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
      fail("开标公钥不是有效的 base64", "bad-key");
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

  function encodeHeader(segmentSize, ephemeralPublic, keyId, ctx) {
    const length = 113 + 2 + ctx.section.length + 2 + ctx.bidder.length + 4;
    return concat(
      MAGIC,
      Uint8Array.of(FORMAT_VERSION, ALGORITHM),
      uint(length, 2),
      uint(segmentSize, 4),
      ephemeralPublic,
      keyId,
      uint(ctx.section.length, 2),
      ctx.section,
      uint(ctx.bidder.length, 2),
      ctx.bidder,
      uint(ctx.version, 4),
    );
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

  async function keySchedule(recipient, ephemeral, ephemeralPublic, keyId, headerDigest) {
    const s = subtle();
    const shared = new Uint8Array(await s.deriveBits({ name: "ECDH", public: recipient }, ephemeral.privateKey, 256));
    const ikm = await s.importKey("raw", shared, "HKDF", false, ["deriveBits"]);
    shared.fill(0);
    const params = { name: "HKDF", hash: "SHA-256", salt: concat(ephemeralPublic, keyId), info: concat(INFO_LABEL, headerDigest) };
    const okm = new Uint8Array(await s.deriveBits(params, ikm, 44 * 8));
    const key = await s.importKey("raw", okm.subarray(0, 32), { name: "AES-GCM" }, false, ["encrypt"]);
    const baseNonce = okm.slice(32, 44);
    okm.fill(0);
    return { key, baseNonce };
  }

  async function seal(publicKeyBase64, context, form, files, options) {
    const opts = options || {};
    const segmentSize = opts.segmentSize === undefined ? DEFAULT_SEGMENT : opts.segmentSize;
    if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) fail("分段大小超出范围", "bad-segment");
    const ctx = readContext(context);
    const pub = b64decode(publicKeyBase64);
    if (pub.length !== 65 || pub[0] !== 4) fail("开标公钥应为 65 字节的 P-256 非压缩点", "bad-key");
    const s = subtle();
    const recipient = await s.importKey("raw", pub, { name: "ECDH", namedCurve: "P-256" }, false, []);
    const list = normaliseFiles(files);
    const entries = [];
    for (const f of list) entries.push({ name: f.name, size: f.blob.size, sha256: await sha256Hex(f.blob) });
    const supervision = opts.supervision === undefined ? await supervisionRecord(list) : opts.supervision || {};
    const manifest = encoder.encode(canonicalJSON({ format: MANIFEST_FORMAT, form: form || {}, files: entries, supervision }));
    if (manifest.length > MAX_MANIFEST) fail("清单过大", "manifest-too-large");

    const ephemeral = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    const ephemeralPublic = new Uint8Array(await s.exportKey("raw", ephemeral.publicKey));
    const keyId = await keyIdOf(pub);
    const header = encodeHeader(segmentSize, ephemeralPublic, keyId, ctx);
    const headerDigest = await sha256(header);
    const { key, baseNonce } = await keySchedule(recipient, ephemeral, ephemeralPublic, keyId, headerDigest);

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

  async function envelopeDigestHex(blob) {
    return sha256Hex(blob);
  }

  globalThis.GgzySealing = Object.freeze({
    FORMAT_VERSION,
    DEFAULT_SEGMENT,
    GgzySealingError,
    seal,
    sha256Hex,
    fileDigests,
    pdfMetadata,
    browserFingerprint,
    keyIdHex,
    envelopeDigestHex,
    canonicalJSON,
  });
})();
