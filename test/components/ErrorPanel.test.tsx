import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { render, cleanup } from 'ink-testing-library';
import { ErrorPanel } from '../../src/components/ErrorPanel.tsx';
import type { ErrorGroup } from '../../src/engine/types.ts';
import { frameSize, stripAnsi } from './helpers/render.ts';

afterEach(cleanup);

const ERRORS: ErrorGroup[] = [
  { code: 'timeout_idle', count: 2, lastMessage: 'no event for 5000 ms' },
  { code: 'http_429', count: 9, lastMessage: 'Rate limit exceeded\nretry later' },
  { code: 'http_503', count: 1, lastMessage: 'Service Unavailable' },
  { code: 'connect_reset', count: 1, lastMessage: 'ECONNRESET' },
];

test('groups by code, most frequent first, with the last message of each', () => {
  const frame = stripAnsi(render(<ErrorPanel errors={ERRORS} width={80} maxLines={5} />).lastFrame() ?? '');
  const lines = frame.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0] ?? '', /http_429\s+×9\s+Rate limit exceeded retry later/);
  assert.match(lines[1] ?? '', /timeout_idle\s+×2\s+no event for 5000 ms/);
  assert.match(frame, /connect_reset\s+×1\s+ECONNRESET/);
});

test('more codes than lines: the last line summarises the rest', () => {
  const frame = stripAnsi(render(<ErrorPanel errors={ERRORS} width={80} maxLines={2} />).lastFrame() ?? '');
  const lines = frame.split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /http_429/);
  assert.match(lines[1] ?? '', /\+3 more codes \(4 errors\)/);
});

test('renders nothing without errors, and long messages are cut to the width', () => {
  assert.equal(render(<ErrorPanel errors={[]} width={80} maxLines={3} />).lastFrame(), '');
  const long: ErrorGroup[] = [{ code: 'unknown', count: 1, lastMessage: 'x'.repeat(300) }];
  const frame = stripAnsi(render(<ErrorPanel errors={long} width={50} maxLines={3} />).lastFrame() ?? '');
  assert.ok(frameSize(frame).width <= 50);
  assert.equal(frameSize(frame).lines, 1);
});
