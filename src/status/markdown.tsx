/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/**
 * A tiny, safe Markdown subset for the digest on the status page: headings, bullets,
 * paragraphs, `*em*`, `**strong**`, `[text](http… url)` and backslash escapes. Everything
 * else — HTML included — is text: hono/jsx escapes every string child and attribute.
 */

const SAFE_URL = /^https?:\/\/[^\s]+$/i;

/** Finds the next unescaped `ch` at or after `from`. */
function findUnescaped(s: string, ch: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s.startsWith(ch, i)) return i;
  }
  return -1;
}

/**
 * Finds the `)` that closes a link target opened just before `from`, counting balanced parentheses
 * inside it as CommonMark does: `(https://en.wikipedia.org/wiki/Unix_(disambiguation))` keeps its `)`.
 */
function findLinkEnd(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) return i;
      depth--;
    } else if (c === " ") return -1;
  }
  return -1;
}

export function inline(s: string): Child[] {
  const out: Child[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push(text);
    text = "";
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "\\" && i + 1 < s.length) {
      text += s[++i];
      continue;
    }
    if (c === "[") {
      const close = findUnescaped(s, "]", i + 1);
      const end = close >= 0 && s[close + 1] === "(" ? findLinkEnd(s, close + 2) : -1;
      if (end > 0) {
        const url = s.slice(close + 2, end);
        flush();
        const label = inline(s.slice(i + 1, close));
        out.push(
          SAFE_URL.test(url) ? (
            <a href={url} rel="nofollow noopener noreferrer">
              {label}
            </a>
          ) : (
            <span>{label}</span>
          ),
        );
        i = end;
        continue;
      }
    }
    if (c === "*") {
      const strong = s.startsWith("**", i);
      const mark = strong ? "**" : "*";
      const close = findUnescaped(s, mark, i + mark.length);
      if (close > i + mark.length) {
        flush();
        const inner = inline(s.slice(i + mark.length, close));
        out.push(strong ? <strong>{inner}</strong> : <em>{inner}</em>);
        i = close + mark.length - 1;
        continue;
      }
    }
    text += c;
  }
  flush();
  return out;
}

function lineContent(line: string): Child[] {
  const whole = /^_(.+)_$/.exec(line);
  return whole ? [<em>{inline(whole[1] as string)}</em>] : inline(line);
}

export function SafeMarkdown({ text }: { text: string }) {
  const blocks: Child[] = [];
  let para: string[] = [];
  let list: string[] = [];
  const endPara = () => {
    if (para.length) blocks.push(<p>{lineContent(para.join(" "))}</p>);
    para = [];
  };
  const endList = () => {
    if (list.length)
      blocks.push(
        <ul>
          {list.map((l) => (
            <li>{inline(l)}</li>
          ))}
        </ul>,
      );
    list = [];
  };
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (heading) {
      endPara();
      endList();
      const body = inline(heading[2] as string);
      blocks.push((heading[1] as string).length === 1 ? <h3>{body}</h3> : <h4>{body}</h4>);
    } else if (bullet) {
      endPara();
      list.push(bullet[1] as string);
    } else if (line.trim() === "") {
      endPara();
      endList();
    } else {
      endList();
      para.push(line.trim());
    }
  }
  endPara();
  endList();
  return <div class="digest">{blocks}</div>;
}
