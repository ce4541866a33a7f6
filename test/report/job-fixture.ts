// The job the report tests draw: orders joined with users on user_id (a shuffled join: broadcast
// is off) and grouped by country, with a column whose name holds markup: < > & " '.
import { expect } from 'vitest';
import { Session, col, count, sum } from '../../src/index.js';

export const NASTY = `amount <b id="x">&"'`;
/** NASTY as it must appear in HTML and SVG text. */
export const NASTY_ESCAPED = 'amount &lt;b id=&quot;x&quot;&gt;&amp;&quot;&#39;';

export async function reportSession(): Promise<Session> {
  const s = await Session.create({ parallelism: 2, shufflePartitions: 4, autoBroadcastJoinThreshold: -1 });
  // Warm the worker pool so the timeline shows the job, not threads starting.
  await s.range(0, 10, 1, 2).count();
  return s;
}

const COUNTRIES = ['kr', 'us', 'de'];

export function joinQuery(s: Session) {
  const orders = s.createDataset(Array.from({ length: 3000 }, (_, i) => ({ order_id: i, user_id: i % 200, [NASTY]: (i % 97) * 1.5 })), { partitions: 4 });
  const users = s.createDataset(Array.from({ length: 200 }, (_, i) => ({ user_id: i, country: COUNTRIES[i % 3]! })), { partitions: 2 });
  return orders.join(users, 'user_id').filter(col('order_id').gte(0)).groupBy('country').agg(sum(NASTY).as('total'), count('*').as('n'));
}

/** Runs the join job and checks its rows against the same sums computed in plain JS. */
export async function runJoinJob(s: Session): Promise<void> {
  const rows = await joinQuery(s).collect();
  const want = new Map<string, { total: number; n: number }>();
  for (let i = 0; i < 3000; i++) {
    const c = COUNTRIES[(i % 200) % 3]!;
    const w = want.get(c) ?? { total: 0, n: 0 };
    w.total += (i % 97) * 1.5;
    w.n++;
    want.set(c, w);
  }
  expect(new Map(rows.map((r) => [r.country as string, { total: r.total, n: r.n }]))).toEqual(want);
}

/** The <svg>…</svg> elements of an HTML page. */
export function svgChunks(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}
