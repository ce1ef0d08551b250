/**
 * Splits text into sentences, the unit of streaming: the first sentence is synthesized and
 * sent while the rest waits. A sentence longer than MAX_SENTENCE is cut at a comma or a space,
 * so a text without punctuation still streams and one request never pins a worker for long.
 */

/** Longest piece handed to an engine at once (characters). */
export const MAX_SENTENCE = 300;

// End of sentence: . ! ? … (and CJK 。！？), optionally followed by closing quotes or brackets,
// then whitespace. A newline-separated line also ends a sentence. "e.g. x" and "3.14" are kept
// whole because the full stop must be followed by whitespace and an upper-case letter or digit.
const BOUNDARY = /([.!?…]+["'”’)\]]*)\s+(?=[\p{Lu}\p{N}"'“‘(])|([。！？]+)|\n{1,}/gu;
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'vs', 'etc', 'no', 'fig', 'e.g', 'i.e']);

function cutLong(sentence: string): string[] {
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > MAX_SENTENCE) {
    const window = rest.slice(0, MAX_SENTENCE);
    let at = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '), window.lastIndexOf(': '));
    if (at < MAX_SENTENCE / 3) at = window.lastIndexOf(' ');
    if (at <= 0) at = MAX_SENTENCE - 1;
    out.push(rest.slice(0, at + 1).trim());
    rest = rest.slice(at + 1).trimStart();
  }
  if (rest.trim()) out.push(rest.trim());
  return out;
}

/**
 * Finds complete sentences in `text`. Returns them and the unfinished tail (text after the
 * last boundary), which the incremental splitter keeps until more text arrives.
 */
export function takeSentences(text: string): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let start = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + (m[1]?.length ?? m[2]?.length ?? m[0].length);
    const candidate = text.slice(start, end);
    const lastWord = /(\S+)[.]$/.exec(candidate)?.[1]?.toLowerCase();
    if (m[1] && lastWord !== undefined && ABBREVIATIONS.has(lastWord)) continue;
    if (candidate.trim()) sentences.push(...cutLong(candidate.trim()));
    start = m.index + m[0].length;
  }
  return { sentences, rest: text.slice(start) };
}

/** Splits a whole text into speakable pieces, in order. */
export function splitSentences(text: string): string[] {
  const { sentences, rest } = takeSentences(text);
  return [...sentences, ...cutLong(rest.trim())].filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/**
 * Incremental splitting for text that arrives in pieces (an LLM answer being streamed):
 * `push` returns the sentences completed by this delta, `end` returns what is left.
 */
export function sentenceSplitter(): { push(delta: string): string[]; end(): string[] } {
  let buffer = '';
  const speakable = (s: string) => /[\p{L}\p{N}]/u.test(s);
  return {
    push(delta) {
      buffer += delta;
      const { sentences, rest } = takeSentences(buffer);
      buffer = rest;
      // A very long run without a boundary is cut so audio does not wait for it.
      const out = sentences;
      if (buffer.length > MAX_SENTENCE) {
        const pieces = cutLong(buffer);
        buffer = pieces.pop() ?? '';
        out.push(...pieces);
      }
      return out.filter(speakable);
    },
    end() {
      const last = cutLong(buffer.trim());
      buffer = '';
      return last.filter(speakable);
    },
  };
}

/** A first piece longer than this is cut (see quickStart). */
const QUICK_START_OVER = 40;
const LINKING_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'from', 'by', 'is', 'are', 'was', 'that', 'which', 'my', 'your', 'our', 'their', 'its', 'his', 'her']);
/** Where a first piece without a clause boundary is cut: the last space before this. */
const QUICK_START_WORDS = 32;

/**
 * Time to first audio grows with the length of the first piece: Piper synthesizes a piece at
 * once, about 4.5 ms of CPU per character here (a 62-character sentence: ~280 ms). So a long
 * first sentence is cut: at its first comma, semicolon, colon or dash, where a listener hears
 * a pause anyway, or else after its first few words (before the 32nd character). The seam
 * costs a little prosody once per answer; the rest keeps whole sentences. The second piece is
 * synthesized while the first plays, so no gap is heard.
 */
export function quickStart(first: string): string[] {
  if (first.length <= QUICK_START_OVER) return [first];
  const clause = /^(.{12,48}?[,;:–—])\s+(?=\S)/su.exec(first);
  if (clause) return [clause[1]!, first.slice(clause[0].length)];
  let cut = first.lastIndexOf(' ', QUICK_START_WORDS);
  // Do not leave the first piece hanging on "and", "the", "of"…: cut before such a word.
  while (cut > 12 && LINKING_WORDS.has(first.slice(first.lastIndexOf(' ', cut - 1) + 1, cut).toLowerCase())) cut = first.lastIndexOf(' ', cut - 1);
  if (cut < 12 || first.length - cut < 12) return [first];
  return [first.slice(0, cut), first.slice(cut + 1)];
}
