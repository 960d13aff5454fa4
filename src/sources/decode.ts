import { FeedError } from "./types.ts";

/** Decoded feed text and how it was decided. */
export interface Decoded {
  text: string;
  /** WHATWG name of the encoding used, e.g. "utf-8", "windows-1252". */
  encoding: string;
  /** Where the encoding came from. */
  from: "bom" | "content-type" | "xml-declaration" | "sniffed" | "default";
  /** True when bytes invalid in that encoding were replaced with U+FFFD. */
  replaced: boolean;
  /** Declared labels that TextDecoder does not know and were therefore skipped. */
  ignoredLabels: string[];
}

const UTF32 = /^(?:utf-?32(?:[lb]e)?|ucs-?4|iso-10646-ucs-4|x-ucs-4)$/i;

/** The charset parameter of a Content-Type header, tolerating quotes and stray spaces. */
export function charsetOf(contentType: string | null | undefined): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*["']?\s*([^"';\s]+)/i.exec(contentType);
  return m?.[1] ?? null;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function fromBom(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x00, 0x00, 0xfe, 0xff]) || startsWith(bytes, [0xff, 0xfe, 0x00, 0x00]))
    return "utf-32";
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return "utf-8";
  if (startsWith(bytes, [0xfe, 0xff])) return "utf-16be";
  if (startsWith(bytes, [0xff, 0xfe])) return "utf-16le";
  return null;
}

/** No BOM: the first characters `<?` (or `<`) written in a wider encoding give it away (XML 1.0 appendix F). */
function sniffWide(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x3c]) || startsWith(bytes, [0x3c, 0x00, 0x00, 0x00]))
    return "utf-32";
  if (startsWith(bytes, [0x00, 0x3c, 0x00, 0x3f]) || startsWith(bytes, [0x00, 0x3c])) return "utf-16be";
  if (startsWith(bytes, [0x3c, 0x00, 0x3f, 0x00]) || startsWith(bytes, [0x3c, 0x00])) return "utf-16le";
  return null;
}

/** The `encoding="…"` of an XML declaration, read as ASCII from the first bytes (in the sniffed width). */
function fromXmlDeclaration(bytes: Uint8Array, wide: string | null): string | null {
  let head: string;
  if (wide === "utf-16le" || wide === "utf-16be") {
    head = new TextDecoder(wide).decode(bytes.subarray(0, 512));
  } else {
    head = new TextDecoder("latin1").decode(bytes.subarray(0, 256));
  }
  const m = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return m?.[1] ?? null;
}

/** The WHATWG name for a label, or null when TextDecoder does not know it. */
function known(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

function decodeWith(bytes: Uint8Array, encoding: string): { text: string; replaced: boolean } {
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), replaced: false };
  } catch {
    return { text: new TextDecoder(encoding, { fatal: false }).decode(bytes), replaced: true };
  }
}

/**
 * Decodes feed bytes. Precedence: byte order mark, then the Content-Type charset, then the XML
 * declaration's encoding (or a UTF-16 pattern sniffed from the first bytes), then UTF-8.
 * Unknown labels are skipped (as browsers do); UTF-32, which TextDecoder cannot decode, is an
 * `encoding` FeedError. Bytes invalid in the chosen encoding become U+FFFD and `replaced` is set:
 * one bad byte should not cost the whole feed, and the replacement character is harmless.
 */
export function decodeFeed(bytes: Uint8Array, contentType: string | null): Decoded {
  const ignoredLabels: string[] = [];
  const wide = sniffWide(bytes);
  const candidates: [Decoded["from"], string | null][] = [
    ["bom", fromBom(bytes)],
    ["content-type", charsetOf(contentType)],
    ["xml-declaration", fromXmlDeclaration(bytes, wide)],
    ["sniffed", wide],
  ];
  for (const [from, label] of candidates) {
    if (label === null) continue;
    if (UTF32.test(label)) {
      throw new FeedError("encoding", `feed is encoded as UTF-32 (${from}), which afk cannot decode`);
    }
    let encoding = known(label);
    if (encoding === null) {
      ignoredLabels.push(label);
      continue;
    }
    // A document declaring "utf-16" without a BOM is decoded in the byte order it was sniffed in.
    if (encoding === "utf-16le" && wide === "utf-16be" && from !== "bom") encoding = "utf-16be";
    // Single-byte declarations cannot describe a document whose first bytes are UTF-16.
    if (wide !== null && !encoding.startsWith("utf-16") && from !== "bom") encoding = wide;
    return { ...decodeWith(bytes, encoding), encoding, from, ignoredLabels };
  }
  return { ...decodeWith(bytes, "utf-8"), encoding: "utf-8", from: "default", ignoredLabels };
}
