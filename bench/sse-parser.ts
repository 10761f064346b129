// SSE parser benchmark: our byte-level SseDecoder against TextDecoder + eventsource-parser, the
// library the project would otherwise use. Both get the same realistic OpenAI chunk stream cut into
// the same network chunks, and both record every event (count + data length), as the engine must.
// A second pass puts the wire interpreter (one JSON.parse per event) behind each parser, to show
// what share of the per-event budget the parser is.
//
// Run: node --import tsx bench/sse-parser.ts [events]     (default 200000)
//
// This decides which parser src/engine/sse.ts uses; the recorded figures are at the top of that
// file. Rerun before changing either.

import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';
import { createParser } from 'eventsource-parser';
import { SseDecoder, type SseEvent } from '../src/engine/sse.ts';
import { wireFormat } from '../src/engine/wire/index.ts';

const ASCII_WORDS = [' the', ' model', ' streams', ' tokens', ',', ' quickly', '.', ' it', ' and', ' then', '\n\n', ' "quoted"'];
// A quarter of the tokens non-ASCII (OpenAI sends them as raw UTF-8, not \u escapes).
const MIXED_WORDS = [' the', ' model', ' streams', ' tokens', ',', ' quickly', '.', ' héllo', ' 世界', ' 🚀', ' and', ' then'];

/** One OpenAI stream as the official API sends it: role chunk, content chunks, finish, usage, [DONE]. */
export function makeOpenAiStream(events: number, mixed = false): Buffer {
  const WORDS = mixed ? MIXED_WORDS : ASCII_WORDS;
  const head = '{"id":"chatcmpl-9xQ2bench0000000000000000","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":';
  const parts: string[] = [];
  parts.push(`data: ${head}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`);
  for (let k = 0; k < events - 3; k++) {
    const w = JSON.stringify(WORDS[k % WORDS.length]);
    parts.push(`data: ${head}{"content":${w}},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`);
    // Keep-alive comments now and then, as proxies insert them.
    if (k % 1000 === 999) parts.push(': keep-alive\n\n');
  }
  parts.push(`data: ${head}{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n`);
  parts.push(`data: {"id":"chatcmpl-9xQ2bench0000000000000000","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${events - 3},"total_tokens":${events + 9}}}\n\n`);
  parts.push('data: [DONE]\n\n');
  return Buffer.from(parts.join(''), 'utf8');
}

/** Cuts the stream into chunks of `size` bytes (undici hands us Buffers like these). */
export function cutFixed(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(Buffer.from(stream.subarray(i, i + size)));
  return out;
}

/** One chunk per event, as a server flushing each token produces. */
export function cutPerEvent(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = stream.indexOf('\n\n', start);
    if (at === -1) break;
    out.push(Buffer.from(stream.subarray(start, at + 2)));
    start = at + 2;
  }
  if (start < stream.length) out.push(Buffer.from(stream.subarray(start)));
  return out;
}

interface Sink {
  events: number;
  bytes: number;
}

type Runner = (chunks: readonly Buffer[], sink: Sink, interpret: boolean) => void;

const ours: Runner = (chunks, sink, interpret) => {
  const it = interpret ? wireFormat('openai').createStreamInterpreter() : undefined;
  const dec = new SseDecoder((ev: SseEvent) => {
    sink.events++;
    sink.bytes += ev.data.length;
    if (it !== undefined) it.onEvent(ev);
  });
  for (const c of chunks) dec.push(c);
  dec.end();
};

const library: Runner = (chunks, sink, interpret) => {
  const it = interpret ? wireFormat('openai').createStreamInterpreter() : undefined;
  const td = new TextDecoder();
  const parser = createParser({
    onEvent(msg) {
      sink.events++;
      sink.bytes += msg.data.length;
      if (it !== undefined) it.onEvent({ event: msg.event ?? '', data: msg.data });
    },
  });
  for (const c of chunks) parser.feed(td.decode(c, { stream: true }));
  parser.feed(td.decode());
};

interface Score {
  best: number;
  events: number;
}

function once(run: Runner, chunks: readonly Buffer[], interpret: boolean, score: Score): void {
  const sink: Sink = { events: 0, bytes: 0 };
  // CPU time of this process, not wall time: the figure should not depend on what else the machine
  // is running (CI runners and shared dev boxes are noisy). It is events per second of one core.
  const c0 = process.cpuUsage();
  run(chunks, sink, interpret);
  const c = process.cpuUsage(c0);
  const s = (c.user + c.system) / 1e6;
  score.events = sink.events;
  score.best = Math.max(score.best, sink.events / s);
}

/** Best of `rounds`, the two parsers interleaved so that noise from other processes hits both. */
function compare(chunks: readonly Buffer[], interpret: boolean, rounds: number): [Score, Score] {
  const a: Score = { best: 0, events: 0 };
  const b: Score = { best: 0, events: 0 };
  once(ours, chunks, interpret, { best: 0, events: 0 }); // warm-up: JIT
  once(library, chunks, interpret, { best: 0, events: 0 });
  for (let r = 0; r < rounds; r++) {
    once(ours, chunks, interpret, a);
    once(library, chunks, interpret, b);
  }
  if (a.events !== b.events) throw new Error(`parsers disagree: ${a.events} vs ${b.events} events`);
  return [a, b];
}

function fmt(n: number): string {
  return `${(n / 1e6).toFixed(2)} M/s`;
}

export function runSseParserBench(events = 200_000, rounds = 5): string[] {
  const lines: string[] = [];
  lines.push(`SSE parser benchmark: ${events} OpenAI chunk events per stream, best of ${rounds} (interleaved), CPU time, Node ${process.version}`);
  lines.push('events/s, every event recorded             SseDecoder   eventsource-parser   ratio');
  for (const mixed of [false, true]) {
    const stream = makeOpenAiStream(events, mixed);
    const cases: Array<[string, Buffer[], boolean]> = [
      ['16 KiB chunks', cutFixed(stream, 16 * 1024), false],
      ['1 event/chunk', cutPerEvent(stream), false],
      ['24-byte chunks', cutFixed(stream, 24), false],
      ['16 KiB + interpreter', cutFixed(stream, 16 * 1024), true],
      ['1 event/chunk + interpreter', cutPerEvent(stream), true],
    ];
    for (const [name, chunks, interpret] of cases) {
      const [a, b] = compare(chunks, interpret, rounds);
      const label = `${mixed ? 'mixed' : 'ascii'} ${name}`;
      lines.push(`${label.padEnd(40)} ${fmt(a.best).padStart(10)}   ${fmt(b.best).padStart(18)}   ${(a.best / b.best).toFixed(2)}x`);
    }
  }
  return lines;
}

const argv1 = process.argv[1];
if (argv1 !== undefined && import.meta.url === pathToFileURL(argv1).href) {
  const n = Number(process.argv[2] ?? 200_000);
  for (const l of runSseParserBench(Number.isFinite(n) && n > 10 ? n : 200_000)) console.log(l);
}
