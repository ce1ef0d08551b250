/**
 * Cuts streamed answer text into complete sentences as soon as each one ends, so speech
 * synthesis can start on the first sentence instead of waiting for the whole answer
 * (POST /chat with use_tts and stream_audio). A sentence ends at . ! ? or … followed by
 * whitespace (closing quotes and brackets stay with it), or at a line break; "3.5" and
 * common abbreviations ("e.g. ", "Dr. ") do not end one.
 */
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'vs', 'etc', 'e.g', 'i.e', 'no', 'jr', 'sr', 'prof']);
const END = /[.!?…]+["'”’)\]]*(?=\s)|\n+/g;

export interface SentenceSplitter {
  /** Adds streamed text; returns the sentences it completed (trimmed, non-empty). */
  push(text: string): string[];
  /** The rest, at the end of the answer (null when nothing is left). */
  flush(): string | null;
}

/** A splitter that holds at most one unfinished sentence. */
export function sentenceSplitter(): SentenceSplitter {
  let buffer = '';
  return {
    push(text) {
      buffer += text;
      const out: string[] = [];
      let start = 0;
      END.lastIndex = 0;
      for (let m = END.exec(buffer); m; m = END.exec(buffer)) {
        const end = m.index + m[0].length;
        // Only cut once the character after the mark has arrived (the lookahead saw whitespace).
        const candidate = buffer.slice(start, end);
        const lastWord = /(\S+)[.]+$/.exec(buffer.slice(start, m.index + 1))?.[1]?.toLowerCase();
        if (m[0].startsWith('.') && lastWord !== undefined && ABBREVIATIONS.has(lastWord)) continue;
        const s = candidate.trim();
        if (s) out.push(s);
        start = end;
      }
      buffer = buffer.slice(start);
      return out;
    },
    flush() {
      const s = buffer.trim();
      buffer = '';
      return s || null;
    },
  };
}
