// The simulator's ground truth of a conversation: how many messages a request carried, the hash of
// the last assistant message it sent, and the hash of the answer it got, as a client assembles it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { textHash } from '../../src/sim/text-hash.ts';
import type { SimServer } from '../../src/sim/server.ts';
import { getJson, postJson, readSse, startSim } from '../helpers/sim-helpers.ts';

interface Rec {
  messages: number;
  lastAssistantHash: string | null;
  answerHash: string | null;
}
const hex = (text: string): string => textHash(text).toString(16).padStart(8, '0');

describe('conversation ground truth', () => {
  let sim: SimServer;
  before(async () => {
    sim = await startSim({ ttft: '1', itl: '0', 'output-tokens': '15', 'reasoning-tokens': '4' });
  });
  after(() => sim.close());

  it('OpenAI: the answer hash is the hash of the text a client assembles (stream or body), reasoning apart', async () => {
    const messages = [{ role: 'system', content: 'sys' }, { role: 'user', content: 'first question' }];
    const body = (await (await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages }, { 'x-request-id': 'c1' })).json()) as {
      choices: { message: { content: string } }[];
    };
    const answer = body.choices[0]?.message.content ?? '';
    assert.ok(answer.length > 0);
    const r1 = await getJson<Rec>(`${sim.url}/admin/requests/c1`);
    assert.deepEqual([r1.messages, r1.lastAssistantHash, r1.answerHash], [1, null, hex(answer)], 'the system prompt is not counted');

    const next = [...messages, { role: 'assistant', content: answer }, { role: 'user', content: 'and then?' }];
    const events = await readSse(await postJson(`${sim.url}/v1/chat/completions`, { model: 'm', messages: next, stream: true }, { 'x-request-id': 'c2' }));
    let streamed = '';
    for (const e of events) {
      if (e.data === '[DONE]') continue;
      const d = JSON.parse(e.data) as { choices?: { delta?: { content?: string } }[] };
      streamed += d.choices?.[0]?.delta?.content ?? '';
    }
    const r2 = await getJson<Rec>(`${sim.url}/admin/requests/c2`);
    assert.deepEqual([r2.messages, r2.lastAssistantHash, r2.answerHash], [3, hex(answer), hex(streamed)]);
  });

  it('Anthropic: the same, with text blocks and a top-level system prompt', async () => {
    const res = await postJson(`${sim.url}/v1/messages`, { model: 'm', max_tokens: 100, system: 'sys', messages: [{ role: 'user', content: 'hello' }] }, { 'x-request-id': 'a1' });
    const body = (await res.json()) as { content: { type: string; text?: string }[] };
    const answer = body.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
    const r1 = await getJson<Rec>(`${sim.url}/admin/requests/a1`);
    assert.deepEqual([r1.messages, r1.answerHash], [1, hex(answer)]);
    const turn2 = { role: 'user', content: [{ type: 'text', text: 'more', cache_control: { type: 'ephemeral' } }] };
    await (await postJson(`${sim.url}/v1/messages`, { model: 'm', max_tokens: 100, system: 'sys', messages: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: answer }, turn2] }, { 'x-request-id': 'a2' })).text();
    const r2 = await getJson<Rec>(`${sim.url}/admin/requests/a2`);
    assert.deepEqual([r2.messages, r2.lastAssistantHash], [3, hex(answer)]);
  });
});
